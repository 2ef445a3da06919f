"""The verdict: what one method concluded about one claim.

Statuses:

* ``proved``: for all parameters, by SymPy or Z3;
* ``checked``: exhaustively, for the stated finite range;
* ``confirmed``: measurements on executor runs agree within the stated tolerance;
* ``refuted``: a counterexample was found (it is attached);
* ``unknown``: the solver timed out or gave up (its reason is attached).

``unknown`` is never promoted to anything else.

What a theorem's status means (the rule of :func:`theorem_status`):

* an obligation is ``proved`` when at least one prover (SymPy, Z3) proves it, none refutes it,
  and its goal is not a tautology; ``refuted`` when a prover refutes it and none proves it;
  otherwise ``unknown`` (provers that disagree, a tautology, every prover unknown);
* a theorem is ``proved`` when it has obligations, every one is proved, the coverage check
  proves that the goals imply the statement, and the provenance check resolves every premise;
* it is ``refuted`` when the exhaustive or the empirical method refutes it, or, for a statement
  of the paper's that is false (coverage then proves statement ==> every obligation), when an
  obligation is refuted;
* otherwise, when an obligation is not proved (unknown, refuted, a tautology), the theorem takes
  the weakest obligation's status, ``unknown`` (a refuted step does not refute the theorem, it
  breaks its proof), and what the finite methods reached is reported beside it;
* otherwise every obligation is proved but the proof is incomplete (coverage or provenance
  fails): a part of the statement that no obligation covers can at most be ``checked`` (the
  exhaustive method checked it), else ``confirmed`` (the empirical method), else ``unknown``;
* a proof that rests on another theorem's statement (a premise of kind ``theorem``) is only as
  strong as that theorem: a theorem is ``proved`` only when every theorem it cites is proved in
  the same run; otherwise it is treated as an incomplete proof (the rule above), with the cited
  theorem's status in ``reason``;
* ``reason`` says what is missing (the first unproved obligation, coverage, provenance, a cited
  theorem that is not proved).

``also`` lists what the exhaustive and empirical methods reached beside the status.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


class Status(str, enum.Enum):
    """Outcome of a check."""

    PROVED = "proved"
    CHECKED = "checked"
    CONFIRMED = "confirmed"
    REFUTED = "refuted"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not applicable"

    def __str__(self) -> str:
        return self.value


STRENGTH = (Status.REFUTED, Status.PROVED, Status.CHECKED, Status.CONFIRMED, Status.UNKNOWN,
            Status.NOT_APPLICABLE)
"""Statuses from strongest to weakest: a refutation outweighs everything, then proofs."""


@dataclass(frozen=True)
class Verdict:
    """One method's conclusion.

    Attributes:
        method: "symbolic", "smt", "exhaustive" or "empirical".
        status: the outcome.
        seconds: wall time of the check.
        detail: what was established, in words (range, obligations, tolerance).
        solver: name and version of the tool that decided it.
        budget: the solver budget (Z3 rlimit, grid size, run length).
        counterexample: parameter values where the claim fails, when refuted.
        reason: why the solver gave up, when unknown.
        steps: per-obligation verdicts, for methods that prove a chain of obligations.
        cases: the labels of the split cases that were proved (``S odd``, ``S = 2 (mod 4)``),
            for a verdict on one obligation with a case split.
    """

    method: str
    status: Status
    seconds: float
    detail: str = ""
    solver: str = ""
    budget: str = ""
    counterexample: dict[str, Any] | None = None
    reason: str | None = None
    steps: tuple[Verdict, ...] = field(default=())
    cases: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (status as its string)."""
        data = asdict(self)
        data["status"] = self.status.value
        data["seconds"] = round(self.seconds, 4)
        data["steps"] = [step.to_json() for step in self.steps]
        data["cases"] = list(self.cases)
        return data


def strongest(statuses: list[Status]) -> Status:
    """The strongest of ``statuses`` in the order of :data:`STRENGTH`."""
    for status in STRENGTH:
        if status in statuses:
            return status
    return Status.UNKNOWN


def combine(method: str, steps: list[Verdict], proved: Status, detail: str) -> Verdict:
    """Fold per-obligation verdicts into one: any refuted step refutes, any unknown step makes
    the whole unknown, otherwise ``proved`` (the status every step reached). Nothing to fold
    is unknown: an empty list of steps proves nothing."""
    if not steps:
        return Verdict(method, Status.UNKNOWN, 0.0, detail, reason="no steps to fold")
    seconds = sum(step.seconds for step in steps)
    refuted = [step for step in steps if step.status is Status.REFUTED]
    unknown = [step for step in steps if step.status is Status.UNKNOWN]
    first = steps[0] if steps else None
    if refuted:
        return Verdict(method, Status.REFUTED, seconds, f"{refuted[0].detail}", first.solver,
                       first.budget, refuted[0].counterexample, None, tuple(steps))
    if unknown:
        return Verdict(method, Status.UNKNOWN, seconds, detail, first.solver, first.budget,
                       None, unknown[0].reason, tuple(steps))
    return Verdict(method, proved, seconds, detail, first.solver if first else "",
                   first.budget if first else "", None, None, tuple(steps))


PROVERS = ("symbolic", "smt")
"""The methods that prove obligations for all parameter values."""


@dataclass(frozen=True)
class ObligationVerdict:
    """What the provers concluded about one obligation.

    Attributes:
        name: the obligation's name.
        statement: its goal in plain text.
        status: ``proved``, ``refuted`` or ``unknown`` (see :func:`fold_obligation`).
        proved_by: the provers that proved it.
        refuted_by: the provers that refuted it.
        seconds: time spent by all provers on it.
        cases: (prover, labels of the split cases it proved) for provers that split.
        reason: why it is not proved, when it is not.
        counterexample: the refuting prover's counterexample, when refuted.
    """

    name: str
    statement: str
    status: Status
    proved_by: tuple[str, ...] = ()
    refuted_by: tuple[str, ...] = ()
    seconds: float = 0.0
    cases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    reason: str | None = None
    counterexample: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """{name, statement, status, proved_by, refuted_by, seconds, cases, reason,
        counterexample}."""
        return {"name": self.name, "statement": self.statement, "status": self.status.value,
                "proved_by": list(self.proved_by), "refuted_by": list(self.refuted_by),
                "seconds": round(self.seconds, 4),
                "cases": {method: list(labels) for method, labels in self.cases},
                "reason": self.reason, "counterexample": self.counterexample}


def fold_obligation(name: str, statement: str, verdicts: Sequence[Verdict],
                    tautology: str | None = None) -> ObligationVerdict:
    """One obligation's status from its provers' verdicts.

    proved: some prover proves it, none refutes it, and it is no tautology (``tautology`` is the
    reason when it is one); refuted: some prover refutes it and none proves it; unknown
    otherwise, with the reason.
    """
    proved_by = tuple(v.method for v in verdicts if v.status is Status.PROVED)
    refuted = [v for v in verdicts if v.status is Status.REFUTED]
    refuted_by = tuple(v.method for v in refuted)
    seconds = sum(v.seconds for v in verdicts)
    cases = tuple((v.method, v.cases) for v in verdicts if v.cases)

    def result(status: Status, reason: str | None = None) -> ObligationVerdict:
        counterexample = refuted[0].counterexample if refuted else None
        return ObligationVerdict(name, statement, status, proved_by, refuted_by, seconds, cases,
                                 reason, counterexample)

    if not verdicts:
        return result(Status.UNKNOWN, "no prover applies")
    if proved_by and refuted_by:
        return result(Status.UNKNOWN, f"provers disagree: proved by {', '.join(proved_by)}, "
                                      f"refuted by {', '.join(refuted_by)}")
    if refuted_by:
        return result(Status.REFUTED)
    if tautology is not None:
        return result(Status.UNKNOWN, tautology)
    if proved_by:
        return result(Status.PROVED)
    reasons = "; ".join(f"{v.method}: {v.reason or v.status.value}" for v in verdicts)
    return result(Status.UNKNOWN, reasons)


@dataclass(frozen=True)
class TheoremStatus:
    """A theorem's status, what the finite methods reached beside it, and what is missing."""

    status: Status
    also: tuple[Status, ...] = ()
    reason: str | None = None


def _missing(obligations: Sequence[ObligationVerdict], coverage: Verdict | None,
             provenance: Verdict | None, cited: Mapping[str, Status | None]) -> str | None:
    """What keeps the proof from being complete (None when nothing does)."""
    if not obligations:
        return "no obligations"
    for obligation in obligations:
        if obligation.status is not Status.PROVED:
            detail = obligation.reason or obligation.status.value
            return f"obligation {obligation.name!r} {obligation.status.value}: {detail}"
    for method, verdict in (("coverage", coverage), ("provenance", provenance)):
        if verdict is None:
            return f"{method}: not checked"
        if verdict.status is not Status.PROVED:
            return f"{method}: {verdict.reason or verdict.status.value}"
    for theorem_id, status in sorted(cited.items()):
        if status is not Status.PROVED:
            read = status.value if status is not None else "not checked in this run"
            return f"cites {theorem_id}, which is {read}, not proved"
    return None


def theorem_status(obligations: Sequence[ObligationVerdict], coverage: Verdict | None,
                   provenance: Verdict | None, finite: Sequence[Verdict],
                   reverse: bool = False,
                   cited: Mapping[str, Status | None] | None = None) -> TheoremStatus:
    """The status of a theorem, by the rule in the module docstring.

    Args:
        obligations: the folded verdicts of its obligations.
        coverage: the coverage verdict (None: not run).
        provenance: the provenance verdict (None: not run).
        finite: the exhaustive and empirical verdicts.
        reverse: the coverage verdict proves statement ==> obligations (a false statement of
            the paper's) instead of obligations ==> statement.
        cited: the status of every theorem whose statement a premise cites (None: not checked
            in this run).
    """
    reached = {verdict.method: verdict.status for verdict in finite}
    also = tuple(status for method, status in (("exhaustive", Status.CHECKED),
                                               ("empirical", Status.CONFIRMED))
                 if reached.get(method) is status)
    refuting = [v for v in finite if v.status is Status.REFUTED]
    if refuting:
        return TheoremStatus(Status.REFUTED, also, f"refuted by the {refuting[0].method} method")
    if reverse:
        refuted = [ob for ob in obligations if ob.status is Status.REFUTED]
        if refuted and coverage is not None and coverage.status is Status.PROVED:
            return TheoremStatus(Status.REFUTED, also,
                                 f"the statement implies the refuted obligation "
                                 f"{refuted[0].name!r}")
        missing = "no obligation refuted, or the statement is not shown to imply it"
    else:
        missing = _missing(obligations, coverage, provenance, cited or {})
        if missing is None:
            return TheoremStatus(Status.PROVED, also)
        if any(ob.status is not Status.PROVED for ob in obligations):
            return TheoremStatus(Status.UNKNOWN, also, missing)
    status = also[0] if also else Status.UNKNOWN
    return TheoremStatus(status, tuple(s for s in also if s is not status), missing)
