"""The verdict: what one method concluded about one claim.

Statuses:

* ``proved``: for all parameters, by SymPy or Z3;
* ``checked``: exhaustively, for the stated finite range;
* ``confirmed``: measurements on executor runs agree within the stated tolerance;
* ``refuted``: a counterexample was found (it is attached);
* ``unknown``: the solver timed out or gave up (its reason is attached).

``unknown`` is never promoted to anything else.
"""

from __future__ import annotations

import enum
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

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (status as its string)."""
        data = asdict(self)
        data["status"] = self.status.value
        data["seconds"] = round(self.seconds, 4)
        data["steps"] = [step.to_json() for step in self.steps]
        return data


def strongest(statuses: list[Status]) -> Status:
    """The strongest of ``statuses`` in the order of :data:`STRENGTH`."""
    for status in STRENGTH:
        if status in statuses:
            return status
    return Status.UNKNOWN


def combine(method: str, steps: list[Verdict], proved: Status, detail: str) -> Verdict:
    """Fold per-obligation verdicts into one: any refuted step refutes, any unknown step makes
    the whole unknown, otherwise ``proved`` (the status every step reached)."""
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
