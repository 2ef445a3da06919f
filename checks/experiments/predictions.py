"""CMP-EPS on the experiments: which guarantee is lower at the slot budget, against the runs.

These compare UPPER BOUNDS (guarantees), not the methods: the prediction is "the method whose
guarantee is lower at the budget", and it is tested against the measured winner.

Measure. Both guarantees have the three-term form (:mod:`pipeproof.theory.comparison`)

    bound(gamma, K) = A/(gamma K) + B gamma + C gamma^2,   0 < gamma <= cap,

* PipeDream, CONV-VAR: A = 2 S F0, B = L sigma^2, C = L^2 D G^2, cap = 1/L, D = delta^2 (the
  crude window) with PipeDream's steady maximum delay delta = S^2 - ceil(S/2) (STL-PD-MAX);
* LocalSGD, CMP-LSGD-BOUND (Wang and Joshi, JMLR 22(213), 2021, Theorem 1, full averaging):
  A = 2 F0, B = L sigma^2/R, C = L^2 sigma^2 (H - 1), cap with eta L + eta^2 L^2 H (H - 1) <= 1.

At the slot budget T (CMP-TIME, t_F = t_B = 1) PipeDream makes K_PD = S M block updates,
M = T/2 - (S - 1) microbatches after the fill; each LocalSGD copy makes
K_LSGD = H T/(2[max(R, S) H + min(R, S) - 1]) local steps (a partial round counted
pro rata). Each guarantee is taken at its own best step size: min over 0 < gamma <= cap of
bound(gamma, K), whose minimiser is min(cap, gamma_0), gamma_0 the positive root of
2 C gamma^3 + B gamma^2 = A/K (the left side increases in gamma). The predicted winner has the
lower value.

Constants, measured on each seed's objective at x^0 and averaged over the seeds (no training
run): L from the objective (``smoothness()``, its exact value or upper bound); F0 =
f(x^0) - f* with f* from ``optimum()``; sigma^2 = E||g(x^0; batch) - grad f(x^0)||^2 over the
experiment's batches (cyclic: the mean over the n/B fixed batches; random: the per-row variance
over B, exact for rows drawn with replacement) plus d nu^2 for gradient noise nu N(0, I);
G^2 = the largest ||g(x^0; batch)||^2 over the fixed batches (the rows for random batching)
plus d nu^2. G^2 at x^0 alone is a lower estimate of the bound CONV-VAR assumes over the run:
this makes PipeDream's stale term, and so its guarantee, no larger than it should be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipeproof.theory.comparison import Guarantee, lsgd_guarantee, pd_guarantee
from pipeproof.theory.parameters import ParameterError


@dataclass(frozen=True)
class Constants:
    """The constants of both guarantees on one objective: L, F0, sigma^2, G^2."""

    L: float
    F0: float
    sigma2: float
    G2: float


def best_bound(guarantee: Guarantee, iterations: float) -> tuple[float, float]:
    """(min over 0 < gamma <= cap of A/(gamma K) + B gamma + C gamma^2, the minimiser)."""
    if not iterations > 0:
        raise ParameterError(f"iterations must be > 0, got {iterations!r}")
    target = guarantee.A / iterations

    def rises(step: float) -> float:
        return 2 * guarantee.C * step**3 + guarantee.B * step**2 - target

    if guarantee.B == 0 and guarantee.C == 0:
        step = guarantee.cap
    else:
        low, high = 0.0, 1.0
        while rises(high) < 0:
            high *= 2
        for _ in range(200):
            middle = (low + high) / 2
            low, high = (middle, high) if rises(middle) < 0 else (low, middle)
        step = min(high, guarantee.cap)
    value = target / step + guarantee.B * step + guarantee.C * step**2
    return value, step


def steady_delay(stages: int) -> int:
    """delta = S^2 - ceil(S/2) (STL-PD-MAX)."""
    return stages * stages - (stages + 1) // 2


def pd_updates(stages: int, budget: int) -> float:
    """K_PD = S (T/2 - (S - 1)) block updates in T slots (t_F = t_B = 1)."""
    return stages * (budget / 2 - (stages - 1))


def lsgd_steps(stages: int, runs: int, local: int, budget: int) -> float:
    """K_LSGD = H T/(2[max(R, S) H + min(R, S) - 1]) local steps of each copy."""
    return local * budget / (2 * (max(runs, stages) * local + min(runs, stages) - 1))


@dataclass(frozen=True)
class Terms:
    """The three terms of a guarantee at its best step gamma: start A/(gamma K), variance
    B gamma, and the gamma^2 term C gamma^2 (PipeDream: stale reads; LocalSGD: local drift).

    ``limit`` names what sets gamma: "cap" when gamma is the cap, else the term whose slope
    balances the start term's at the interior minimum A/(gamma^2 K) = B + 2 C gamma: "variance"
    when B >= 2 C gamma, else "gamma^2" (the stale or drift term)."""

    start: float
    variance: float
    square: float
    limit: str

    @property
    def total(self) -> float:
        return self.start + self.variance + self.square

    def share(self, name: str) -> float:
        """The fraction of the bound that term ``name`` (start, variance, square) makes."""
        return getattr(self, name) / self.total


def terms(guarantee: Guarantee, iterations: float, step: float) -> Terms:
    """The terms of ``guarantee`` at ``step`` after ``iterations`` (class :class:`Terms`)."""
    if step >= guarantee.cap:
        limit = "cap"
    else:
        limit = "variance" if 2 * guarantee.C * step <= guarantee.B else "gamma^2"
    return Terms(guarantee.A / (step * iterations), guarantee.B * step,
                 guarantee.C * step**2, limit)


@dataclass(frozen=True)
class Prediction:
    """Both guarantees at the budget, each at its best step size (with their terms there)."""

    pd_bound: float
    pd_step: float
    lsgd_bound: float
    lsgd_step: float
    pd_terms: Terms | None = None
    lsgd_terms: Terms | None = None

    @property
    def winner(self) -> str:
        return "pipedream" if self.pd_bound < self.lsgd_bound else "localsgd"


def predict(constants: Constants, stages: int, runs: int, local: int,
            budget: int) -> Prediction:
    """The two guarantees' values at the budget T (module docstring)."""
    if pd_updates(stages, budget) <= 0:
        raise ParameterError(f"slot_budget must exceed PipeDream's fill 2(S - 1) = "
                             f"{2 * (stages - 1)}, got {budget}")
    sigma = math.sqrt(constants.sigma2)
    pd = pd_guarantee(stages, constants.L, constants.F0, sigma, math.sqrt(constants.G2),
                      float(steady_delay(stages)) ** 2)
    lsgd = lsgd_guarantee(stages, runs, local, constants.L, constants.F0, sigma)
    pd_iterations = pd_updates(stages, budget)
    lsgd_iterations = lsgd_steps(stages, runs, local, budget)
    pd_value, pd_step = best_bound(pd, pd_iterations)
    lsgd_value, lsgd_step = best_bound(lsgd, lsgd_iterations)
    return Prediction(pd_value, pd_step, lsgd_value, lsgd_step,
                      terms(pd, pd_iterations, pd_step), terms(lsgd, lsgd_iterations, lsgd_step))


def batches(num_samples: int, batch_size: int, batching: str) -> list[np.ndarray]:
    """The fixed contiguous batches (cyclic) or the single rows (random)."""
    if batching == "cyclic":
        return [np.arange(start, start + batch_size)
                for start in range(0, num_samples - batch_size + 1, batch_size)]
    return [np.array([row]) for row in range(num_samples)]


def measure(objective, batch_size: int, batching: str, noise: float) -> Constants:
    """L, F0, sigma^2 and G^2 of ``objective`` at its x^0 (module docstring)."""
    backend = objective.backend
    point = objective.initial_point()
    full = backend.to_numpy(objective.gradient(point))
    rows = batches(objective.num_samples, batch_size, batching)
    grads = np.array([backend.to_numpy(objective.minibatch_gradient(point, backend.index(b)))
                      for b in rows])
    spread = float(np.mean(np.sum((grads - full) ** 2, axis=1)))
    if batching != "cyclic":
        spread /= batch_size
    extra = objective.dim * noise**2
    gap = objective.value(point) - objective.optimum().value
    return Constants(float(objective.smoothness().value), float(gap), spread + extra,
                     float(np.max(np.sum(grads**2, axis=1))) + extra)


def mean_constants(found: list[Constants]) -> Constants:
    """The constants averaged over the seeds."""
    return Constants(*(float(np.mean([getattr(item, name) for item in found]))
                       for name in ("L", "F0", "sigma2", "G2")))


def setting_constants(setting) -> Constants:
    """The constants of a comparison's setting (:class:`.sweep.Setting`), one objective per
    seed as the runs build it, averaged over the seeds."""
    from pipeproof.checks.executor.backend import get_backend
    from pipeproof.checks.executor.objectives.registry import build_objective
    from pipeproof.checks.experiments.methods import MethodSpec
    from pipeproof.checks.experiments.sweep import configs, shared_objective

    found = []
    for config in configs(setting, MethodSpec("pipedream", "pipedream"), 1e-3):
        seed = 0 if config.data_seed is None else config.data_seed
        objective = shared_objective(config) or build_objective(
            config, get_backend(config.backend, "cpu"), np.random.default_rng(seed))
        found.append(measure(objective, config.batch_size, config.batching, config.noise))
    return mean_constants(found)
