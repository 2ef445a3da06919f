"""Check profiles: how far the exhaustive ranges go and how much each solver may spend.

* ``default``: every theorem, every method, the ranges stated in the catalogue (S <= 256 for the
  main grids), under a minute on two cores;
* ``quick``: the same checks with S capped at 12, for tests;
* ``thorough``: the catalogue's ranges with twice the stages and a larger Z3 budget, and the
  staleness theorems on torch.distributed processes where PyTorch is installed, and a
  second solver: cvc5 re-checks every SMT query that proved an obligation, up to 30 s per file
  (when ``pipeproof[crosscheck]`` is installed; minutes more on two cores, too long for the
  default profile's minute).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeproof.checks.certificates.solvers import CVC5_SECONDS

DEFAULT_RLIMIT = 5_000_000
"""Z3 resource limit per obligation and parity case (the same number as
``pipeproof.checks.provers.smt.DEFAULT_RLIMIT``, kept here so that reading a profile imports no
solver)."""


@dataclass(frozen=True)
class Profile:
    """How much work a check run does.

    Attributes:
        name: profile name.
        max_stages: cap on S in every grid (None: the catalogue's range).
        stage_factor: multiplies the upper end of every grid's S range.
        rlimit: Z3 resource limit per obligation and parity case.
        runs: whether the empirical method trains on executor runs.
        distributed: whether the staleness theorems are also confirmed on torch.distributed
            processes (:mod:`pipeproof.checks.distributed.verdicts`; needs PyTorch).
        crosscheck: whether cvc5 re-checks the exported SMT queries
            (:mod:`pipeproof.checks.certificates`).
        cvc5_seconds: cvc5's wall-clock limit per exported file in that re-check.
    """

    name: str
    max_stages: int | None
    stage_factor: int
    rlimit: int
    runs: str
    distributed: bool = False
    crosscheck: bool = False
    cvc5_seconds: float = CVC5_SECONDS


PROFILES = {
    "quick": Profile("quick", 12, 1, DEFAULT_RLIMIT, "short"),
    "default": Profile("default", None, 1, DEFAULT_RLIMIT, "default"),
    "thorough": Profile("thorough", None, 2, 4 * DEFAULT_RLIMIT, "long", distributed=True,
                        crosscheck=True, cvc5_seconds=30.0),
}
