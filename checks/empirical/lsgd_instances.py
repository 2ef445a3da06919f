"""Stored instances refuting the wrong forms of CMP-LSGD-BOUND, each re-run on every check.

An instance is LocalSGD with R copies and H local steps on the quadratic f(x) = (lambda/2) x^2
(L = lambda exactly, f* = 0, F0 = lambda x0^2/2) with stochastic gradients lambda x + sigma xi,
xi ~ N(0, 1) independent (unbiased, variance exactly sigma^2). The gradient is linear, so the
average of the copies moves as u_{k+1} = u_k - eta (lambda u_k + mean_r sigma xi_r) whatever H,
and its second moment follows exactly

    m_0 = x0^2,   m_{k+1} = (1 - eta lambda)^2 m_k + eta^2 sigma^2/R,

so E (1/K) sum_{k<K} ||grad f(u_k)||^2 = (lambda^2/K) sum_{k<K} m_k is computed exactly, no
sampling. A wrong bound is refuted when every hypothesis holds (the step-size condition unless
the variant drops it), the true bound holds, and the wrong one fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from pipeproof.checks.empirical.runs import SOLVER
from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory.assumptions import at_most


@dataclass(frozen=True)
class Instance:
    """Every number of one instance."""

    lam: float
    start: float
    step: float
    sigma: float
    runs: int
    local_steps: int
    steps: int

    @property
    def F0(self) -> float:
        return self.lam * self.start**2 / 2

    def condition(self) -> bool:
        """eta L + eta^2 L^2 H (H - 1) <= 1 with L = lambda."""
        x = self.step * self.lam
        return at_most(x + x * x * self.local_steps * (self.local_steps - 1), 1.0)


def exact_average(instance: Instance) -> float:
    """(lambda^2/K) sum_{k<K} m_k by the recursion of the module docstring."""
    moment, total = instance.start**2, 0.0
    contraction = (1 - instance.step * instance.lam) ** 2
    noise = instance.step**2 * instance.sigma**2 / instance.runs
    for _ in range(instance.steps):
        total += instance.lam**2 * moment
        moment = contraction * moment + noise
    return total / instance.steps


def true_bound(i: Instance) -> float:
    """2 F0/(eta K) + eta L sigma^2/R + eta^2 L^2 sigma^2 (H - 1)."""
    return (2 * i.F0 / (i.step * i.steps) + i.step * i.lam * i.sigma**2 / i.runs
            + i.step**2 * i.lam**2 * i.sigma**2 * (i.local_steps - 1))


def _drift(i: Instance) -> float:
    return i.step**2 * i.lam**2 * i.sigma**2 * (i.local_steps - 1)


def _first(i: Instance) -> float:
    return 2 * i.F0 / (i.step * i.steps)


def _variance(i: Instance) -> float:
    return i.step * i.lam * i.sigma**2 / i.runs


def half_first(i: Instance) -> float:
    """F0/(eta K) + eta L sigma^2/R + eta^2 L^2 sigma^2 (H - 1)."""
    return _first(i) / 2 + _variance(i) + _drift(i)


def extra_copies(i: Instance) -> float:
    """2 F0/(eta K) + eta L sigma^2/R^2 + eta^2 L^2 sigma^2 (H - 1)."""
    return _first(i) + _variance(i) / i.runs + _drift(i)


def squared_step(i: Instance) -> float:
    """2 F0/(eta K) + eta^2 L^2 sigma^2/R + eta^2 L^2 sigma^2 (H - 1)."""
    return _first(i) + i.step * i.lam * _variance(i) + _drift(i)


@dataclass(frozen=True)
class WrongBound:
    """A wrong form of the bound (``value`` at an instance) and the instance refuting it."""

    description: str
    value: Callable[[Instance], float]
    instance: Instance
    keeps_condition: bool = True


WRONG_BOUNDS = (
    WrongBound("first term F0/(eta K): the factor 2 dropped", half_first,
               Instance(1.0, 1.0, 1.0, 0.0, 1, 1, 1)),
    WrongBound("variance term eta L sigma^2/R^2: one factor R too many", extra_copies,
               Instance(1.0, 1e-3, 1.0, 1.0, 4, 1, 200)),
    WrongBound("wrong exponent in the variance term: eta^2 L^2 sigma^2/R", squared_step,
               Instance(1.0, 1e-3, 0.5, 1.0, 1, 1, 200)),
    WrongBound("step-size condition dropped", true_bound, Instance(1.0, 1.0, 2.5, 0.0, 1, 1, 20),
               keeps_condition=False),
)
"""Descriptions as in the catalogue's variants of CMP-LSGD-BOUND."""


def judge(wrong: WrongBound) -> Verdict:
    """Refuted, with the instance's numbers, when the hypotheses and the true bound hold and the
    wrong bound fails; not applicable or unknown otherwise."""
    started = time.perf_counter()
    i = wrong.instance
    left, right = exact_average(i), wrong.value(i)
    numbers = {**asdict(i), "L": i.lam, "F0": i.F0, "sigma2": i.sigma**2, "left": left,
               "right": right, "objective": "(lambda/2) x^2, gradient noise sigma N(0, 1)",
               "expectation": "exact (second-moment recursion)"}
    budget = f"K = {i.steps}, exact"
    seconds = time.perf_counter() - started
    if wrong.keeps_condition and not i.condition():
        return Verdict("empirical", Status.NOT_APPLICABLE, seconds, "the step-size condition "
                       "fails", SOLVER, budget, reason="an instance outside the theorem cannot "
                       "refute")
    if i.condition() and not at_most(left, true_bound(i)):
        return Verdict("empirical", Status.UNKNOWN, seconds, "", SOLVER, budget,
                       reason=f"the instance exceeds the true bound too ({left:.6g} > "
                              f"{true_bound(i):.6g})")
    if at_most(left, right):
        return Verdict("empirical", Status.UNKNOWN, seconds, "", SOLVER, budget,
                       reason=f"not refuted: {left:.6g} <= {right:.6g}")
    return Verdict("empirical", Status.REFUTED, seconds,
                   f"instance meeting every hypothesis: E running average {left:.6g} > wrong "
                   f"bound {right:.6g}", SOLVER, budget, numbers)


def judge_all() -> tuple[tuple[str, Verdict], ...]:
    """(description, verdict) of every wrong bound."""
    return tuple((wrong.description, judge(wrong)) for wrong in WRONG_BOUNDS)
