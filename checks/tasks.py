"""The runner's units of work: small frozen records, each with ``run()``, sent to worker processes.

A check run is a list of tasks of five kinds (:data:`Task`):

- :class:`ProofTask`: one theorem's (or one wrong variant's) obligations by one prover;
- :class:`SoundnessTask`: one soundness check of a theorem's proof (coverage, provenance,
  tautologies);
- :class:`GridTask`: the op tables of one grid, generated once, and every claim checked on them
  (each claim named by its :class:`ClaimKey`);
- :class:`EmpiricalTask`: the empirical confirmation of one theorem;
- :class:`DistributedTask`: the staleness theorems on torch.distributed processes (profiles with
  ``distributed`` set, where PyTorch is installed).
- :class:`CrossCheckTask`: cvc5 on every exported SMT query of one theorem (profiles with
  ``crosscheck``, see :mod:`pipeproof.checks.certificates.crosscheck`).

Every task names its ``kind`` (the progress display weighs tasks by kind) and the ids of the
theorems it works for (``theorem_ids``). A catalogue theorem travels as its id and is rebuilt in
the worker (see :func:`reference`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from pipeproof.checks.empirical import confirm
from pipeproof.checks.exhaustive import GridRun, compile_claim
from pipeproof.checks.profiles import Profile
from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.provers.symbolic import prove_symbolic
from pipeproof.checks.soundness.coverage import check_coverage
from pipeproof.checks.soundness.provenance import check_provenance
from pipeproof.checks.soundness.tautology import check_tautologies
from pipeproof.checks.verdict import PROVERS, Status, Verdict, combine
from pipeproof.theory.catalogue import by_id
from pipeproof.theory.parameters import ParameterError
from pipeproof.theory.theorem import Claim, Grid, Obligation, Theorem

SOUNDNESS = ("coverage", "provenance", "tautology")
"""The checks that make proved obligations a proof of the statement."""


def prove(obligations: Sequence[Obligation], method: str, rlimit: int) -> Verdict:
    """Fold the verdicts of ``method`` (a prover) on every obligation it applies to.

    Raises:
        ValueError: when ``method`` is not a prover.
    """
    if method not in PROVERS:
        raise ValueError(f"method must be one of {', '.join(PROVERS)}, got {method!r}")
    steps = [prove_symbolic(ob) if method == "symbolic" else prove_smt(ob, rlimit)
             for ob in obligations if method in ob.methods]
    count = len(steps)
    detail = f"{count} obligation{'s' if count != 1 else ''}, all for every parameter value"
    return combine(method, steps, Status.PROVED, detail)


def reference(theorem: Theorem) -> Theorem | str:
    """What a worker is sent: the id of a catalogue theorem (rebuilt there, so relations built
    unevaluated stay unevaluated; pickling would evaluate them), or the theorem itself."""
    try:
        return theorem.id if by_id(theorem.id) is theorem else theorem
    except ParameterError:
        return theorem


def resolve(theorem: Theorem | str) -> Theorem:
    """The theorem a task names (by id or itself)."""
    return by_id(theorem) if isinstance(theorem, str) else theorem


def theorem_id(theorem: Theorem | str) -> str:
    """The id of the theorem a task names, without rebuilding it."""
    return theorem if isinstance(theorem, str) else theorem.id


@dataclass(frozen=True)
class ProofTask:
    """One theorem's (or one wrong variant's) obligations by one prover."""

    kind: ClassVar[str] = "proof"
    theorem: Theorem | str
    """The theorem, or its catalogue id (see :func:`reference`)."""
    variant: int | None
    """Index of the wrong variant, None for the statement."""
    method: str
    """A prover: "symbolic" or "smt"."""
    rlimit: int

    @property
    def theorem_ids(self) -> frozenset[str]:
        return frozenset({theorem_id(self.theorem)})

    def run(self) -> Verdict:
        theorem = resolve(self.theorem)
        obligations = (theorem.obligations if self.variant is None
                       else theorem.variants[self.variant].obligations)
        return prove(obligations, self.method, self.rlimit)


@dataclass(frozen=True)
class SoundnessTask:
    """One soundness check of a theorem's proof: coverage, provenance or tautology."""

    kind: ClassVar[str] = "proof"
    theorem: Theorem | str
    """The theorem, or its catalogue id (see :func:`reference`)."""
    check: str
    """One of :data:`SOUNDNESS`."""
    rlimit: int

    def __post_init__(self) -> None:
        if self.check not in SOUNDNESS:
            raise ValueError(f"check must be one of {', '.join(SOUNDNESS)}, got {self.check!r}")

    @property
    def theorem_ids(self) -> frozenset[str]:
        return frozenset({theorem_id(self.theorem)})

    def run(self) -> Verdict:
        theorem = resolve(self.theorem)
        if self.check == "coverage":
            return check_coverage(theorem, self.rlimit)
        if self.check == "provenance":
            return check_provenance(theorem)
        return check_tautologies(theorem)


@dataclass(frozen=True)
class ClaimKey:
    """Where a claim on a grid comes from."""

    theorem_id: str
    variant: int | None
    """Index of the wrong variant, None for the statement."""
    table: int
    """Index of the theorem's table check (0 for a variant)."""
    claim: int


@dataclass(frozen=True)
class GridTask:
    """Generate the tables of one grid and check every claim on it."""

    kind: ClassVar[str] = "grid"
    grid: Grid
    claims: tuple[tuple[ClaimKey, Claim], ...]
    profile: Profile

    @property
    def theorem_ids(self) -> frozenset[str]:
        return frozenset(key.theorem_id for key, _ in self.claims)

    def run(self) -> list[Verdict]:
        """One verdict per claim, in the order of :attr:`claims`."""
        run = GridRun(self.grid, [compile_claim(claim) for _, claim in self.claims])
        run.run(self.profile.max_stages, self.profile.stage_factor)
        share = run.seconds / max(1, len(self.claims))
        return [run.verdict(state, share) for state in run.claims]


@dataclass(frozen=True)
class EmpiricalTask:
    """The empirical confirmation of one theorem."""

    kind: ClassVar[str] = "empirical"
    theorem_id: str
    profile: Profile
    plots: Path | None
    """Folder for the figures (None: no figures)."""

    @property
    def theorem_ids(self) -> frozenset[str]:
        return frozenset({self.theorem_id})

    def run(self) -> Verdict:
        return confirm(self.theorem_id, self.profile, self.plots)


@dataclass(frozen=True)
class DistributedTask:
    """The ``distributed`` verdicts of several theorems from one set of runs."""

    kind: ClassVar[str] = "distributed"
    ids: tuple[str, ...]
    """The theorems, in the order of the verdicts :meth:`run` returns."""

    @property
    def theorem_ids(self) -> frozenset[str]:
        return frozenset(self.ids)

    def run(self) -> list[Verdict]:
        from pipeproof.checks.distributed.verdicts import confirm_theorems

        return confirm_theorems(self.ids)


@dataclass(frozen=True)
class CrossCheckTask:
    """cvc5 re-checks every SMT query that proved an obligation of one theorem."""

    kind: ClassVar[str] = "proof"
    theorem: Theorem | str
    """The theorem, or its catalogue id (see :func:`reference`)."""
    rlimit: int
    cvc5_seconds: float

    @property
    def theorem_ids(self) -> frozenset[str]:
        return frozenset({theorem_id(self.theorem)})

    def run(self) -> Verdict:
        from pipeproof.checks.certificates.crosscheck import crosscheck_verdict

        return crosscheck_verdict(resolve(self.theorem), self.rlimit, self.cvc5_seconds)


Task = (ProofTask | SoundnessTask | GridTask | EmpiricalTask | DistributedTask
        | CrossCheckTask)


def run_task(task: Task) -> Verdict | list[Verdict]:
    """Worker: run one task (a module-level function, so worker processes can call it)."""
    return task.run()


def grids(theorems: Iterable[Theorem]) -> dict[Grid, list[tuple[ClaimKey, Claim]]]:
    """Every claim of ``theorems`` and their variants, by the grid it is checked on."""
    found: dict[Grid, list[tuple[ClaimKey, Claim]]] = {}
    for theorem in theorems:
        for check_number, check in enumerate(theorem.tables):
            for claim_number, claim in enumerate(check.claims):
                key = ClaimKey(theorem.id, None, check_number, claim_number)
                found.setdefault(check.grid, []).append((key, claim))
        for variant_number, variant in enumerate(theorem.variants):
            grid = variant.grid or (theorem.tables[0].grid if theorem.tables else None)
            for claim_number, claim in enumerate(variant.claims):
                key = ClaimKey(theorem.id, variant_number, 0, claim_number)
                found.setdefault(grid, []).append((key, claim))
    return found


def plan(theorems: Sequence[Theorem], profile: Profile, plots: Path | None) -> list[Task]:
    """Every task of a check run, the longest kinds first: the empirical confirmations, the
    grids, the soundness checks (coverage is the longest task of many theorems), the proofs."""
    proofs = [ProofTask(reference(t), v, method, profile.rlimit) for t in theorems
              for v in (None, *range(len(t.variants)))
              for method in PROVERS
              if any(method in ob.methods for ob in
                     (t.obligations if v is None else t.variants[v].obligations))]
    soundness = [SoundnessTask(reference(t), check, profile.rlimit) for t in theorems
                 if t.obligations for check in SOUNDNESS]
    grid_tasks = [GridTask(grid, tuple(claims), profile)
                  for grid, claims in grids(theorems).items()]
    empirical = [EmpiricalTask(t.id, profile, plots) for t in theorems
                 if "empirical" in t.methods()]
    crosschecks = [CrossCheckTask(reference(t), profile.rlimit, profile.cvc5_seconds)
                   for t in theorems
                   if profile.crosscheck and _cvc5_installed()
                   and any("smt" in ob.methods for ob in t.obligations)]
    return [*distributed_tasks(theorems, profile), *empirical, *crosschecks, *grid_tasks,
            *soundness, *proofs]


def _cvc5_installed() -> bool:
    from pipeproof.checks.certificates.solvers import cvc5_available

    return cvc5_available()


def distributed_tasks(theorems: Sequence[Theorem], profile: Profile) -> list[DistributedTask]:
    """One :class:`DistributedTask` for the theorems it speaks about, when the profile asks for
    it and PyTorch is installed; none otherwise."""
    if not profile.distributed:
        return []
    from pipeproof.checks.distributed.jobs import torch_available

    if not torch_available():
        return []
    from pipeproof.checks.distributed.confirm import CHECKS

    ids = tuple(theorem.id for theorem in theorems if theorem.id in CHECKS)
    return [DistributedTask(ids)] if ids else []
