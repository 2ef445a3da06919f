"""Each convergence bound against a case's measured running average, with its hypotheses.

For a theorem of catalogue section 3 and a measured case
(:class:`~pipeproof.checks.empirical.convergence.cases.Measured`), :func:`judge` decides

1. whether the case is inside the theorem: every assumption the theorem lists
   (:data:`pipeproof.theory.catalogue.convergence.ASSUMPTIONS`) holds on the measured numbers
   (:meth:`pipeproof.theory.assumptions.Assumption.holds`; A1 also needs an L that is a smoothness
   constant everywhere, not a local estimate), every step-size condition
   (:data:`pipeproof.theory.catalogue.convergence.CONDITIONS`, and gamma = gamma* for CONV-TUNED)
   holds, and, for CONV-PD-LAG, the reads have PipeDream's lag profile with uniform blocks;
2. the slack: min over K of bound(K) / ((1/K) sum_{k<K} ||grad f(x^k)||^2), the average over
   the seeds, at every K = 1..K_run (CONV-TUNED: at K_run, the K its step size is tuned for),
   and for the bounds with a window constant D also the slack of the staleness step,
   gamma^2 G^2 D against the measured mean of ||x^k - z^k||^2.

The bounds are the SymPy expressions of :mod:`pipeproof.theory.convergence`, evaluated numerically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

from pipeproof.checks.empirical.convergence.cases import GLOBAL_KINDS, Measured
from pipeproof.theory import convergence as cv
from pipeproof.theory.assumptions import RELATIVE_TOLERANCE, at_most, by_id
from pipeproof.theory.catalogue.convergence import ASSUMPTIONS, CONDITIONS

VALUES = {"S": cv.S, "gamma": cv.gamma, "L": cv.L, "G": cv.G, "F0": cv.F0, "delta": cv.delta,
          "sigma": cv.sigma}
"""Measured keys -> the symbols of the bounds."""


@dataclass(frozen=True)
class BoundCheck:
    """One theorem's bound as the runs test it.

    Attributes:
        theorem: the theorem id.
        bound: the right side, in S, gamma, L, G, F0, delta, sigma and K.
        window: D in E||x^k - z^k||^2 <= gamma^2 G^2 D, or None.
        conditions: step-size conditions (relations).
        lag_profile: CONV-PD-LAG's extra hypotheses (uniform blocks, PipeDream's lags).
        final_only: check at K_run only (CONV-TUNED).
    """

    theorem: str
    bound: sp.Expr
    window: sp.Expr | None = None
    conditions: tuple[sp.Basic, ...] = ()
    lag_profile: bool = False
    final_only: bool = False

    @property
    def assumptions(self) -> tuple[str, ...]:
        """The ids of the assumptions the theorem lists."""
        return ASSUMPTIONS[self.theorem]


def _checks() -> dict[str, BoundCheck]:
    block, lag = cv.stale_window_block(), cv.pd_lag_sum()
    tuned = (sp.Eq(cv.gamma, cv.tuned_step_size()),)
    checks = (
        BoundCheck("CONV-RPD", cv.rpd_bound(), cv.stale_window_crude()),
        BoundCheck("CONV-TUNED", cv.tuned_rate(), conditions=tuned, final_only=True),
        BoundCheck("CONV-BLOCK", cv.rpd_bound(block), block),
        BoundCheck("CONV-PD-LAG", cv.rpd_bound(lag), lag, lag_profile=True),
        BoundCheck("CONV-VAR", cv.variance_bound(block), block, CONDITIONS["CONV-VAR"]),
        BoundCheck("CONV-NOG", cv.no_moment_bound(), conditions=CONDITIONS["CONV-NOG"]),
    )
    return {check.theorem: check for check in checks}


BOUNDS = _checks()
"""Theorem id -> its :class:`BoundCheck`; CONV-VAR is tested with the block window
D = delta^2/S + delta(1 - 1/S), the smaller of its two D, so the crude form holds a fortiori."""


@dataclass(frozen=True)
class Outcome:
    """A bound on one case.

    Attributes:
        check: the bound.
        measured: the case.
        failures: hypotheses or conditions that fail (the case is outside the theorem).
        slack: min over the checked K of bound / running average.
        at: the K of the smallest slack.
        average, bound: the running average and the bound there.
        stale_slack: gamma^2 G^2 D / mean ||x^k - z^k||^2 (None without a window).
    """

    check: BoundCheck
    measured: Measured
    failures: tuple[str, ...]
    slack: float
    at: int
    average: float
    bound: float
    stale_slack: float | None

    @property
    def applicable(self) -> bool:
        """Every hypothesis and condition holds."""
        return not self.failures

    @property
    def holds(self) -> bool:
        """The running average is below the bound at every checked K (it is where their ratio
        is smallest) and the staleness step holds, up to round-off."""
        stale_ok = self.stale_slack is None or self.stale_slack >= 1 - RELATIVE_TOLERANCE
        return at_most(self.average, self.bound) and stale_ok


@cache
def _numeric(expr: sp.Expr) -> Callable:
    symbols = (*VALUES.values(), cv.K)
    return sp.lambdify(symbols, expr, "numpy")


def evaluate(expr: sp.Expr, values: dict[str, float], steps: np.ndarray | float) -> np.ndarray:
    """``expr`` at the measured ``values`` and K = ``steps``."""
    arguments = [values[name] for name in VALUES]
    return np.broadcast_to(np.asarray(_numeric(expr)(*arguments, steps), dtype=float),
                           np.shape(steps))


WHY = {
    "A1": lambda values: " (an observed ||grad f(x) - grad f(y)||/||x - y|| exceeds L)",
    "A4": lambda values: " (an observed ||g^k|| exceeds the declared G)",
    "DELAY": lambda values: (" (blocks in PipeDream's fixed order, not drawn uniformly)"
                             if values["uniform_blocks"] != 1 else " (a delay outside 0..delta)"),
}
"""Why an assumption fails, from the measured numbers (the general reason of a failure)."""


def hypothesis_failures(check: BoundCheck, measured: Measured) -> tuple[str, ...]:
    """The hypotheses and conditions of ``check`` that fail on ``measured``, in words: the
    general reason, a colon, the case's numbers."""
    values = measured.values()
    failures = []
    if not measured.finite:
        failures.append("not decidable (a seed overflowed to non-finite values): nothing to "
                        "compare")
    if "A1" in check.assumptions and measured.L_kind not in GLOBAL_KINDS:
        failures.append(f"A1 not established (L is a {measured.L_kind}, not a smoothness "
                        f"constant of f everywhere): L = {measured.L:.4g}, {measured.L_how}")
    for name in check.assumptions:
        assumption = by_id(name)
        if not assumption.holds(values):
            shown = ", ".join(f"{key} = {values[key]:.4g}" for key in assumption.measured)
            why = WHY.get(name, lambda _: "")(values)
            failures.append(f"{name} ({assumption.title}) fails{why}: {shown}")
    steps = measured.averages.shape[1]
    for condition in check.conditions:
        if not _satisfied(condition, values, steps):
            failures.append(f"step-size condition {condition} fails: gamma L = "
                            f"{measured.step_size * measured.L:.4g}")
    if check.lag_profile:
        failures += _lag_failures(measured)
    return tuple(failures)


def _satisfied(condition: sp.Basic, values: dict[str, float], steps: int) -> bool:
    left = float(evaluate(condition.lhs, values, steps))
    right = float(evaluate(condition.rhs, values, steps))
    if condition.rel_op == "==":
        return abs(left - right) <= RELATIVE_TOLERANCE * max(1.0, abs(right))
    return at_most(left, right)


def _lag_failures(measured: Measured) -> list[str]:
    """CONV-PD-LAG reads: uniform blocks, and every read at most S - 1 - floor(j/2) versions of
    block j old; a read's lag is at most its delay, so delta <= min_j (S - 1 - floor(j/2)) =
    floor(S/2) guarantees the profile."""
    stages = measured.case.stages
    failures = []
    if measured.case.delays != "uniform":
        failures.append("block drawn uniformly fails (PipeDream's replayed updates visit the "
                        "blocks in a fixed order): delays replayed from PipeDream")
    room = stages - 1 - (stages - 1) // 2
    if measured.delta > room:
        failures.append(f"PipeDream's lag profile not guaranteed (a delay above floor(S/2) lets "
                        f"a read of block j be more than S - 1 - floor(j/2) versions old): delay "
                        f"{measured.delta} > {room}")
    return failures


def judge(check: BoundCheck, measured: Measured) -> Outcome:
    """The outcome of ``check`` on ``measured`` (module docstring)."""
    values = measured.values()
    average = measured.average
    steps = np.arange(1, average.size + 1)
    if check.final_only:
        average, steps = average[-1:], steps[-1:]
    bound = evaluate(check.bound, values, steps)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(average > 0, bound / average, np.inf)
    worst = int(np.argmin(ratios))
    stale_slack = None
    if check.window is not None:
        limit = float(evaluate(cv.stale_distance(check.window), values, 1))
        stale = float(measured.stale.mean())
        stale_slack = limit / stale if stale > 0 else float("inf")
    return Outcome(check, measured, hypothesis_failures(check, measured), float(ratios[worst]),
                   int(steps[worst]), float(average[worst]), float(bound[worst]), stale_slack)
