"""Check every theorem by every method that applies, and every wrong variant.

The exhaustive method generates each grid's tables once for all the claims on it; grids, proofs
and the soundness checks of a proof (coverage, provenance, tautologies) run in a pool of worker
processes. A theorem's status follows the rule of :func:`pipeproof.checks.verdict.theorem_status`:
proved only when every obligation is proved by some prover, no goal is a tautology, the goals cover
the statement and every premise resolves. The units of work are the frozen records of
:mod:`pipeproof.checks.tasks`.

A theorem is as expected when its status is the expected one and the finite methods agree:
expected ``proved`` (or ``checked``) also needs the exhaustive method ``checked`` and the
empirical method ``confirmed`` wherever they apply (and the distributed method ``confirmed``
where it ran: the thorough profile, with PyTorch); ``confirmed`` needs the empirical method
``confirmed``; ``refuted`` needs every method (SymPy, Z3, exhaustive, empirical) to refute. Every
variant must be refuted by some method with a counterexample.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from pipeproof.checks.profiles import Profile
from pipeproof.checks.tasks import (
    SOUNDNESS,
    CrossCheckTask,
    DistributedTask,
    EmpiricalTask,
    GridTask,
    ProofTask,
    SoundnessTask,
    Task,
    plan,
    run_task,
    theorem_id,
)
from pipeproof.checks.verdict import (
    PROVERS,
    ObligationVerdict,
    Status,
    TheoremStatus,
    Verdict,
    combine,
    fold_obligation,
    strongest,
    theorem_status,
)
from pipeproof.theory.catalogue import catalogue
from pipeproof.theory.theorem import Theorem

logger = logging.getLogger(__name__)

PROOF_STATUS = {"symbolic": Status.PROVED, "smt": Status.PROVED, "exhaustive": Status.CHECKED,
                "empirical": Status.CONFIRMED, "distributed": Status.CONFIRMED}

FINITE = ("exhaustive", "empirical", "distributed")


@dataclass(frozen=True)
class MeasuredVerdict(Verdict):
    """An empirical verdict that also judges the theorem's wrong variants on its measurements.

    A confirmation returns it when the same measurements decide the variants (a variant with no
    obligations and no claims can be refuted only this way).

    Attributes:
        variants: (variant description, verdict) pairs; a variant is refuted by its verdict
            when that verdict is refuted with a counterexample.
    """

    variants: tuple[tuple[str, Verdict], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The verdict's JSON with ``variants`` as a list of {description, verdict...}."""
        data = super().to_json()
        data["variants"] = [{"description": description, **verdict.to_json()}
                            for description, verdict in self.variants]
        return data


def measured_variants(verdict: Verdict | None, theorem: Theorem) -> dict[str, Verdict]:
    """The per-variant verdicts of an empirical verdict, by variant description (none for a
    plain :class:`~pipeproof.checks.verdict.Verdict`); descriptions ``theorem`` lacks are logged."""
    if not isinstance(verdict, MeasuredVerdict):
        return {}
    known = {variant.description for variant in theorem.variants}
    for description, _ in verdict.variants:
        if description not in known:
            logger.warning("%s: the confirmation judges an unknown variant %r", theorem.id,
                           description)
    return dict(verdict.variants)


@dataclass
class VariantReport:
    """How a wrong variant fared: refuted (with the refuting verdict) or not."""

    description: str
    status: Status
    verdicts: list[Verdict]

    @property
    def refutation(self) -> Verdict | None:
        """The first verdict that refutes the variant with a counterexample."""
        for verdict in self.verdicts:
            if verdict.status is Status.REFUTED and verdict.counterexample:
                return verdict
        return None


@dataclass
class TheoremReport:
    """All verdicts on one theorem and its variants, and its obligations one by one."""

    theorem: Theorem
    verdicts: list[Verdict] = field(default_factory=list)
    variants: list[VariantReport] = field(default_factory=list)
    obligations: list[ObligationVerdict] = field(default_factory=list)
    cited: dict[str, Status | None] = field(default_factory=dict)

    def verdict(self, method: str) -> Verdict | None:
        """The verdict of ``method``, if it ran."""
        return next((v for v in self.verdicts if v.method == method), None)

    @property
    def outcome(self) -> TheoremStatus:
        """Status, what the finite methods reached beside it, and what keeps it from proved
        (see :func:`pipeproof.checks.verdict.theorem_status`)."""
        return theorem_status(self.obligations, self.verdict("coverage"),
                              self.verdict("provenance"),
                              [v for v in self.verdicts if v.method in FINITE],
                              reverse=self.theorem.expected == "refuted", cited=self.cited)

    @property
    def also(self) -> tuple[Status, ...]:
        """What the finite methods reached beside :attr:`status`."""
        return self.outcome.also

    @property
    def status(self) -> Status:
        """The theorem's status: proved only when the proof is complete."""
        return self.outcome.status

    @property
    def seconds(self) -> float:
        """Time spent on the theorem and its variants."""
        own = sum(verdict.seconds for verdict in self.verdicts)
        return own + sum(v.seconds for report in self.variants for v in report.verdicts)

    def expected_status(self, method: str) -> Status:
        """The status ``method`` must reach for this theorem."""
        if self.theorem.expected == "refuted":
            return Status.REFUTED
        return PROOF_STATUS[method]

    @property
    def as_expected(self) -> bool:
        """The status is the expected one, the finite methods agree with it, every variant is
        refuted, and Z3 and cvc5 do not disagree on an exported query (thorough profile)."""
        expected = self.theorem.expected
        if expected == "refuted":
            methods = [v for v in self.verdicts if v.method in PROOF_STATUS]
            methods_ok = bool(methods) and all(v.status is Status.REFUTED for v in methods)
        else:
            methods_ok = all(v.status is PROOF_STATUS[v.method] for v in self.verdicts
                             if v.method in FINITE)
        status_ok = self.status.value == expected
        solvers_agree = all(v.status is not Status.REFUTED for v in self.verdicts
                            if v.method == "crosscheck")
        return (status_ok and methods_ok and self.provers_agree and solvers_agree
                and all(report.refutation is not None for report in self.variants))

    @property
    def provers_agree(self) -> bool:
        """A prover's verdict reads ``proved`` only if every obligation it applies to lists it
        in ``proved_by`` (the fold of its steps and the obligations' statuses agree)."""
        for verdict in self.verdicts:
            if verdict.method not in PROVERS or verdict.status is not Status.PROVED:
                continue
            pairs = zip(self.theorem.obligations, self.obligations, strict=False)
            if any(verdict.method in ob.methods and verdict.method not in folded.proved_by
                   for ob, folded in pairs):
                return False
        return True


TaskHook = Callable[[list[Task], "int | None"], None]
"""Called as ``hook(tasks, None)`` before any work, then ``hook(tasks, i)`` as soon as task i
finishes (in the order tasks finish; from a pool thread when there are workers)."""


def _notify(hook: TaskHook, tasks: list, number: int) -> Callable:
    def done(future: Any) -> None:
        if not future.cancelled() and future.exception() is None:
            hook(tasks, number)
    return done


def _map(function: Callable, tasks: list, workers: int, progress: bool,
         hook: TaskHook | None = None) -> list:
    bar = tqdm(total=len(tasks), desc="checks", unit="task", disable=not progress, leave=False)
    if hook is not None:
        hook(tasks, None)
    try:
        if workers <= 1 or len(tasks) <= 1:
            results = []
            for number, task in enumerate(tasks):
                results.append(function(task))
                bar.update()
                if hook is not None:
                    hook(tasks, number)
            return results
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(function, task) for task in tasks]
            if hook is not None:
                for number, future in enumerate(futures):
                    future.add_done_callback(_notify(hook, tasks, number))
            results = []
            for future in futures:
                results.append(future.result())
                bar.update()
            return results
    finally:
        bar.close()


def run_checks(theorems: Sequence[Theorem] | None, profile: Profile,
               workers: int | None = None, progress: bool = False,
               plots: Path | None = None, hook: TaskHook | None = None,
               ) -> list[TheoremReport]:
    """Check ``theorems`` (default: the whole catalogue) under ``profile``.

    Args:
        theorems: the theorems to check (None: the catalogue).
        profile: ranges and budgets (see :mod:`pipeproof.checks.profiles`).
        workers: worker processes (default: up to 2).
        progress: show a progress bar on stderr.
        plots: folder for the figures of the empirical checks (None: no figures).
        hook: called before any work and after each finished task (see :data:`TaskHook`).
    """
    theorems = list(theorems if theorems is not None else catalogue())
    checked = with_cited(theorems)
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    started = time.perf_counter()
    tasks = plan(checked, profile, plots)
    results = _map(run_task, tasks, workers, progress, hook)
    logger.info("checked %d theorems in %.1f s", len(checked), time.perf_counter() - started)
    reports = _assemble(checked, tasks, results)
    cap_by_cited(reports)
    return reports[:len(theorems)]


def cap_by_cited(reports: Sequence[TheoremReport]) -> None:
    """Give each report the statuses of the theorems it cites, until they no longer change
    (a chain A cites B cites C settles in as many passes as it is long)."""
    by_id = {report.theorem.id: report for report in reports}
    for _ in range(len(reports) + 1):
        changed = False
        for report in reports:
            cited = {name: by_id[name].status if name in by_id else None
                     for name in cited_ids(report.theorem)}
            changed |= cited != report.cited
            report.cited = cited
        if not changed:
            return


def cited_ids(theorem: Theorem) -> set[str]:
    """The ids of the theorems whose statements the premises of ``theorem`` cite."""
    return {premise.source for obligation in theorem.obligations
            for premise in obligation.premises if premise.kind == "theorem"}


def with_cited(theorems: Sequence[Theorem]) -> list[Theorem]:
    """``theorems`` followed by every theorem they cite, directly or not, that is missing:
    a theorem's status depends on the status of those it cites."""
    known = {theorem.id: theorem for theorem in catalogue()}
    chosen = list(theorems)
    seen = {theorem.id for theorem in chosen}
    for theorem in chosen:
        for name in sorted(cited_ids(theorem) - seen):
            if name in known:
                seen.add(name)
                chosen.append(known[name])
    return chosen


def _assemble(theorems: Sequence[Theorem], tasks: Sequence[Task],
              results: Sequence) -> list[TheoremReport]:
    """The reports of ``theorems`` from each task's result (``results[i]`` is of ``tasks[i]``)."""
    proofs: dict[tuple[str, int | None], list[Verdict]] = {}
    claims: dict[tuple[str, int | None], list[Verdict]] = {}
    empirical: dict[str, Verdict] = {}
    distributed: dict[str, Verdict] = {}
    for task, result in zip(tasks, results, strict=True):
        if isinstance(task, EmpiricalTask):
            empirical[task.theorem_id] = result
        elif isinstance(task, DistributedTask):
            distributed.update(zip(task.ids, result, strict=True))
        elif isinstance(task, ProofTask):
            proofs.setdefault((theorem_id(task.theorem), task.variant), []).append(result)
        elif isinstance(task, (SoundnessTask, CrossCheckTask)):
            proofs.setdefault((theorem_id(task.theorem), None), []).append(result)
        elif isinstance(task, GridTask):
            for (key, _), verdict in zip(task.claims, result, strict=True):
                claims.setdefault((key.theorem_id, key.variant), []).append(verdict)
        else:
            raise TypeError(f"not a runner task: {task!r}")
    reports = []
    for theorem in theorems:
        report = TheoremReport(theorem)
        own = _ordered(proofs.get((theorem.id, None), []))
        report.verdicts = [v for v in own if v.method not in SOUNDNESS]
        if (theorem.id, None) in claims:
            report.verdicts.append(_fold_claims(claims[(theorem.id, None)]))
        if theorem.id in empirical:
            report.verdicts.append(empirical[theorem.id])
        if theorem.id in distributed:
            report.verdicts.append(distributed[theorem.id])
        report.verdicts += [v for v in own if v.method in SOUNDNESS]
        report.obligations = fold_obligations(theorem, own)
        measured = measured_variants(empirical.get(theorem.id), theorem)
        for number, variant in enumerate(theorem.variants):
            verdicts = _ordered(proofs.get((theorem.id, number), []))
            if (theorem.id, number) in claims:
                verdicts.append(_fold_claims(claims[(theorem.id, number)]))
            if variant.description in measured:
                verdicts.append(measured[variant.description])
            refuted = any(v.status is Status.REFUTED and v.counterexample for v in verdicts)
            status = Status.REFUTED if refuted else strongest([v.status for v in verdicts])
            report.variants.append(VariantReport(variant.description, status, verdicts))
        reports.append(report)
    return reports


def fold_obligations(theorem: Theorem, verdicts: list[Verdict]) -> list[ObligationVerdict]:
    """Each obligation's status from the provers' steps on it and the tautology check.

    A prover's verdict has one step per obligation it applies to, in catalogue order; an
    obligation no prover's verdict covers is unknown ("no prover applies"), and one the
    tautology check did not clear is unknown too.
    """
    per_obligation: list[list[Verdict]] = [[] for _ in theorem.obligations]
    tautologies: list[str | None] = ["tautology check did not run"] * len(theorem.obligations)
    for verdict in verdicts:
        if verdict.method in PROVERS:
            applies = [n for n, ob in enumerate(theorem.obligations)
                       if verdict.method in ob.methods]
            for number, step in zip(applies, verdict.steps, strict=False):
                per_obligation[number].append(step)
        elif verdict.method == "tautology":
            for number, step in enumerate(verdict.steps[:len(theorem.obligations)]):
                tautologies[number] = step.reason if step.status is not Status.PROVED else None
    return [fold_obligation(ob.name, str(ob.goal), steps, tautology)
            for ob, steps, tautology in zip(theorem.obligations, per_obligation, tautologies,
                                            strict=True)]


def _ordered(verdicts: list[Verdict]) -> list[Verdict]:
    order = {"symbolic": 0, "smt": 1, "coverage": 3, "provenance": 4, "tautology": 5}
    return sorted(verdicts, key=lambda verdict: order.get(verdict.method, 2))


def _fold_claims(verdicts: list[Verdict]) -> Verdict:
    count = len(verdicts)
    detail = f"{count} claim{'s' if count != 1 else ''} on generated op tables"
    return combine("exhaustive", verdicts, Status.CHECKED, detail)
