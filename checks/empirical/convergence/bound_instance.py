"""A stored instance for a wrong upper bound, and its re-run against every hypothesis.

A wrong form of a convergence bound (a :class:`WrongBound`) counts as refuted only on a concrete
instance that meets every hypothesis of the theorem it changes, on which the exact expected
running average (:mod:`pipeproof.checks.empirical.convergence.exact_expectation`) exceeds the wrong
right side. The instance must also satisfy the true bound: a run above it would mean the instance,
not the variant, is wrong. :func:`judge` re-runs the instance and decides:

* ``refuted``, with every number of the instance as counterexample, when each hypothesis holds
  (A1 with the objective's global L, A2 with f* = 0 and F0 = f(x^0), A3, A4 with a G that bounds
  the second moment at every point, A3', DELAY with the delays used at most delta, the theorem's
  step-size conditions less those the variant drops, PipeDream's lag profile for CONV-PD-LAG), the
  true bound holds and the wrong one fails;
* ``not applicable`` when a hypothesis fails (the instance cannot refute);
* ``unknown`` when the wrong bound holds, or the true one fails.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import sympy as sp

from pipeproof.checks.empirical.convergence.bounds import BOUNDS
from pipeproof.checks.empirical.convergence.bounds import evaluate as evaluate_bound
from pipeproof.checks.empirical.convergence.exact_expectation import ExactAverage, exact_average
from pipeproof.checks.empirical.runs import SOLVER
from pipeproof.checks.executor.objectives.pseudo_huber import PseudoHuber
from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory.assumptions import RELATIVE_TOLERANCE, at_most

SEED = 0
"""Seed of every instance: none is drawn from (the expectations are computed exactly)."""


@dataclass(frozen=True)
class Instance:
    """Every number of one run of RPD on the pseudo-Huber objective.

    Attributes:
        stages, scale, noise: the objective (:class:`PseudoHuber`).
        start: x^0.
        step_size: gamma.
        depth: the delays used, d_j(k) = min(depth, k).
        delta: the delay bound the bounds are evaluated with.
        updates: K.
        L, G, F0, sigma: the constants the bounds are evaluated with.
        left: E (1/K) sum_{k<K} ||grad f(x^k)||^2 as stored.
        seed: the seed (no randomness is drawn).
    """

    stages: int
    scale: float
    noise: float
    start: tuple[float, ...]
    step_size: float
    depth: int
    delta: int
    updates: int
    L: float
    G: float
    F0: float
    sigma: float
    left: float
    seed: int = SEED

    @property
    def objective(self) -> PseudoHuber:
        """The objective of the instance."""
        return PseudoHuber(self.stages, self.scale, self.noise)

    def values(self) -> dict[str, float]:
        """The bounds' symbols by name."""
        return {"S": self.stages, "gamma": self.step_size, "L": self.L, "G": self.G,
                "F0": self.F0, "delta": self.delta, "sigma": self.sigma}


@dataclass(frozen=True)
class WrongBound:
    """A wrong form of a theorem's bound with the instance that refutes it.

    Attributes:
        theorem: the theorem id.
        description: the variant's description in the catalogue.
        bound: the wrong right side, in the symbols of :mod:`pipeproof.theory.convergence`.
        instance: the stored instance.
        right: the wrong bound at the instance, as stored.
        conditions: the step-size conditions the variant keeps (None: all of the theorem's).
    """

    theorem: str
    description: str
    bound: sp.Expr
    instance: Instance
    right: float
    conditions: tuple[sp.Basic, ...] | None = None

    @property
    def kept_conditions(self) -> tuple[sp.Basic, ...]:
        """The step-size conditions the instance must meet."""
        own = BOUNDS[self.theorem].conditions
        return own if self.conditions is None else self.conditions

    @property
    def dropped_conditions(self) -> tuple[sp.Basic, ...]:
        """The theorem's conditions the variant drops."""
        return tuple(c for c in BOUNDS[self.theorem].conditions if c not in self.kept_conditions)


def number(expr: sp.Expr, instance: Instance) -> float:
    """``expr`` at the instance's values and K."""
    return float(evaluate_bound(expr, instance.values(), instance.updates))


def holds(condition: sp.Basic, instance: Instance) -> bool:
    """A step-size condition (<= or ==) at the instance, up to round-off."""
    left, right = number(condition.lhs, instance), number(condition.rhs, instance)
    if condition.rel_op == "==":
        return abs(left - right) <= RELATIVE_TOLERANCE * max(1.0, abs(right))
    return at_most(left, right)


def hypothesis_failures(wrong: WrongBound, run: ExactAverage) -> list[str]:
    """The hypotheses of ``wrong.theorem`` (less its dropped conditions) the instance breaks."""
    instance, objective = wrong.instance, wrong.instance.objective
    assumptions = BOUNDS[wrong.theorem].assumptions
    failures = []
    if "A1" in assumptions and not at_most(objective.smoothness, instance.L):
        failures.append(f"A1: L = {instance.L:g} is below the global smoothness constant "
                        f"{objective.smoothness:g}")
    exact_f0 = float(objective.value(instance.start)) - objective.f_star
    if abs(instance.F0 - exact_f0) > RELATIVE_TOLERANCE * max(1.0, exact_f0):
        failures.append(f"A2: F0 = {instance.F0:g} is not f(x^0) - f* = {exact_f0:.12g}")
    if run.f_min < objective.f_star:
        failures.append(f"A2: f = {run.f_min:g} below f* = {objective.f_star:g}")
    if "A4" in assumptions and not at_most(objective.moment_bound, instance.G):
        failures.append(f"A4: G = {instance.G:g} is below the bound sqrt(lambda^2 + sigma_s^2) = "
                        f"{objective.moment_bound:.6g} that E||g_s||^2 <= G^2 needs at every "
                        "point (a G measured on a trajectory does not bound it everywhere)")
    if "A3'" in assumptions and not at_most(objective.sigma, instance.sigma):
        failures.append(f"A3': sigma = {instance.sigma:g} is below sqrt(S) sigma_s = "
                        f"{objective.sigma:g}")
    if instance.depth > instance.delta:
        failures.append(f"DELAY: delays up to {instance.depth} exceed delta = {instance.delta}")
    if wrong.theorem == "CONV-PD-LAG" and instance.depth > instance.stages // 2:
        failures.append(f"lag profile: delays up to {instance.depth} > floor(S/2) = "
                        f"{instance.stages // 2} do not guarantee S - 1 - floor(j/2)")
    for condition in wrong.kept_conditions:
        if not holds(condition, instance):
            failures.append(f"step-size condition {condition} fails")
    return failures


def rerun(instance: Instance) -> ExactAverage:
    """The instance's exact expected running average, computed again."""
    return exact_average(instance.objective, instance.start, instance.step_size, instance.depth,
                         instance.updates)


def counterexample(wrong: WrongBound, run: ExactAverage, right: float,
                   true_bound: float | None) -> dict:
    """Every number of the instance, the two sides, the true bound, and how E is exact."""
    instance = wrong.instance
    numbers = {key: value for key, value in asdict(instance).items()
               if key != "left"}
    return {"objective": instance.objective.describe(), **numbers,
            "delays": f"d_j(k) = min({instance.depth}, k) for every block j",
            "left": run.value, "right": right, "true_bound": true_bound,
            "expectation": f"exact ({run.method}): {run.how}",
            "dropped_conditions": [str(c) for c in wrong.dropped_conditions]}


def judge(wrong: WrongBound) -> Verdict:
    """Re-run the instance of ``wrong`` and decide the variant (module docstring)."""
    started = time.perf_counter()
    run = rerun(wrong.instance)
    failures = hypothesis_failures(wrong, run)
    right = number(wrong.bound, wrong.instance)
    applies = all(holds(condition, wrong.instance)
                  for condition in BOUNDS[wrong.theorem].conditions)
    true_bound = number(BOUNDS[wrong.theorem].bound, wrong.instance) if applies else None
    budget = f"K = {wrong.instance.updates}, {run.paths} exact paths"
    seconds = time.perf_counter() - started
    if failures:
        return Verdict("empirical", Status.NOT_APPLICABLE, seconds,
                       f"the instance breaks a hypothesis: {'; '.join(failures)}", SOLVER,
                       budget, reason="an instance outside the theorem cannot refute")
    if true_bound is not None and not at_most(run.value, true_bound):
        return Verdict("empirical", Status.UNKNOWN, seconds, "", SOLVER, budget,
                       reason=f"the instance exceeds the true bound too ({run.value:.6g} > "
                              f"{true_bound:.6g}): the instance is wrong")
    if at_most(run.value, right) or not math.isfinite(run.value):
        return Verdict("empirical", Status.UNKNOWN, seconds, "", SOLVER, budget,
                       reason=f"not refuted: E running average {run.value:.6g} <= wrong bound "
                              f"{right:.6g}")
    sanity = ("the true bound is not applicable (a dropped condition fails)"
              if true_bound is None else f"the true bound {true_bound:.6g} holds")
    return Verdict("empirical", Status.REFUTED, seconds,
                   f"instance meeting every hypothesis (re-run, exact expectation by "
                   f"{run.method}): E running average {run.value:.6g} > wrong bound "
                   f"{right:.6g}; {sanity}", SOLVER, budget,
                   counterexample(wrong, run, right, true_bound))
