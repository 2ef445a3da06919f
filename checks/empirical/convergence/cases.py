"""The runs on which the convergence bounds are confirmed, and the constants measured on them.

A :class:`Case` is an objective, a number of stages S, a step size gamma = c/L (c the
``step_scale``), a delay mechanism and a number of seeds. Its data are drawn once (from the data
seed); each seed then trains Randomized PipeDream (:mod:`pipeproof.checks.executor.methods.rpd`)
from x^0 = the objective's initial point with its own stream of blocks, delays and minibatches. What
the bounds need is measured on the runs, as in the authors' code:

* L and f* as the objective knows them (exact, closed form, an upper bound, a solve, or only a
  local estimate), F0 = f(x^0) - f*;
* G = max ||g^k|| over every applied block gradient of every seed (the plug-in G), delta = the
  largest delay any read had, sigma^2 = sum_s sigma_s^2 from the probes of
  :mod:`pipeproof.checks.empirical.convergence.assumption_probes`;
* the running average (1/K) sum_{k<K} ||grad f(x^k)||^2 at every K, averaged over the seeds: the
  bounds are on its expectation and each seed is one sample of it.

Measurements are cached per process, so the theorems that share runs share them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np

from pipeproof.checks.empirical.convergence.assumption_probes import Probes, probe
from pipeproof.checks.empirical.convergence.probed import Trajectory, train_probed
from pipeproof.checks.executor.backend import NUMPY
from pipeproof.checks.executor.config import RunConfig, run_config
from pipeproof.checks.executor.objectives.base import Objective
from pipeproof.checks.executor.objectives.registry import build_objective

OBJECTIVES = ("quadratic", "nesterov", "spectrum", "logistic", "mlp")
"""The Gaussian, Nesterov and prescribed-spectrum quadratics, logistic regression, the MLP."""
BLOCK = 4
"""Parameters per block of the linear models (d = 4 S)."""
SAMPLES = 64
BATCH = 4
BIAS_TOLERANCE = 1e-9
"""A3: relative bias allowed for round-off."""
SNAPSHOTS = 2
"""Probe points per seed besides x^0."""
GLOBAL_KINDS = ("exact", "closed form", "upper bound")
"""Kinds of L that are smoothness constants of f everywhere (A1 established)."""


@dataclass(frozen=True)
class Case:
    """One confirmation case.

    Attributes:
        objective: one of :data:`OBJECTIVES`.
        stages: S.
        step_scale: c in gamma = c/L.
        microbatches: M; RPD makes K = S M block updates.
        seeds: independent runs averaged.
        delays: "uniform" (0..min(delta, k)) or "pipedream" (replayed, fixed block order).
        max_delay: delta for uniform delays (None: S^2 - ceil(S/2)).
        step_size: an absolute gamma that overrides ``step_scale`` (None: c/L).
        moment_bound: a G declared before the run (None: the plug-in G, the observed maximum).
    """

    objective: str
    stages: int
    step_scale: float
    microbatches: int = 16
    seeds: int = 2
    delays: str = "uniform"
    max_delay: int | None = None
    step_size: float | None = None
    moment_bound: float | None = None


@dataclass(frozen=True)
class Measured:
    """A case's runs and the constants measured on them (module docstring).

    Attributes:
        case: the case.
        step_size: gamma.
        L, L_kind, L_how: the smoothness constant and how it is known.
        f_star, f_star_kind: inf f and how it is known.
        F0: f(x^0) - f*.
        G_observed: max ||g^k|| over every seed.
        G: the G of the bounds: the case's declared one, else the observed maximum.
        delta: the largest delay used.
        probes: A1, A3, A3' measured at x^0 and snapshots.
        f_min_observed: the smallest f(x^k) seen.
        averages: running averages, one row per seed (K = 1..K_run).
        stale: mean ||x^k - z^k||^2 over the updates, per seed.
        finite: no seed diverged.
    """

    case: Case
    step_size: float
    L: float
    L_kind: str
    L_how: str
    f_star: float
    f_star_kind: str
    F0: float
    G_observed: float
    G: float
    delta: int
    probes: Probes
    f_min_observed: float
    averages: np.ndarray
    stale: np.ndarray
    finite: bool

    @property
    def average(self) -> np.ndarray:
        """The running average at K = 1..K_run, averaged over the seeds."""
        return self.averages.mean(axis=0)

    @property
    def sigma(self) -> float:
        """sigma = sqrt(sum_s sigma_s^2)."""
        return float(np.sqrt(self.probes.variance_sum))

    def values(self) -> dict[str, float]:
        """The measured numbers, under the keys :mod:`pipeproof.theory.assumptions` reads, plus S,
        gamma and F0.

        Two entries are properties of the delay mechanism rather than measurements: delays are
        never negative (uniform ones are drawn from 0..min(delta, k), replayed ones are k minus
        the index of a read that precedes update k), and they are drawn independently of the
        minibatch (uniform ones from the run's own stream of choices, replayed ones fixed by
        the schedule); ``uniform_blocks`` is 1 for uniform RPD and 0 for a replay, whose blocks
        follow PipeDream's order.
        """
        probes, case = self.probes, self.case
        return {"smoothness_observed": probes.smoothness_observed, "L": self.L,
                "f_star": self.f_star, "f_min_observed": self.f_min_observed,
                "gradient_bias": probes.gradient_bias, "gradient_scale": probes.gradient_scale,
                "bias_tolerance": BIAS_TOLERANCE, "max_block_grad_norm": self.G_observed,
                "G": self.G,
                "block_variance_sum": probes.variance_sum, "sigma": self.sigma,
                "min_delay_observed": 0.0, "max_delay_observed": float(self.delta),
                "delta": float(self.delta),
                "uniform_blocks": 1.0 if case.delays == "uniform" else 0.0,
                "independent_delays": 1.0, "S": float(case.stages), "gamma": self.step_size,
                "F0": self.F0}

    def where(self) -> dict[str, Any]:
        """The case as a counterexample's coordinates."""
        case = self.case
        return {"objective": case.objective, "S": case.stages, "step_size": self.step_size,
                "gamma_L": self.step_size * self.L, "delays": case.delays, "seeds": case.seeds,
                "K": int(self.averages.shape[1]), "L": self.L, "G": self.G, "F0": self.F0,
                "delta": self.delta, "sigma": self.sigma}


def case_config(case: Case, step_size: float = 1.0) -> RunConfig:
    """The RPD run of ``case`` (data seed 0) with ``step_size``."""
    sizes: dict[str, Any] = {"dim": BLOCK * case.stages}
    if case.objective in ("quadratic", "logistic", "mlp"):
        sizes["num_samples"] = SAMPLES
    if case.objective == "mlp":
        sizes.update(dim=BLOCK, width=BLOCK)
    extra = {"delays": case.delays}
    if case.delays == "uniform" and case.max_delay is not None:
        extra["max_delay"] = case.max_delay
    return run_config("rpd", case.objective, case.stages, case.microbatches, step_size,
                      batch_size=BATCH, trace_points=1, seed=0, **sizes, **extra)


@cache
def objective_of(name: str, stages: int) -> Objective:
    """The objective ``name`` with S = ``stages`` blocks, its data drawn from data seed 0 as
    :func:`~pipeproof.checks.executor.run.run_method` draws them."""
    config = case_config(Case(name, stages, 1.0))
    return build_objective(config, NUMPY, np.random.default_rng(config.seed).spawn(2)[0])


def seed_stream(case: Case, seed: int) -> np.random.Generator:
    """The run stream of seed ``seed`` (blocks, delays, rows)."""
    return np.random.default_rng([case.stages, seed, 1])


@cache
def measure(case: Case) -> Measured:
    """Train every seed of ``case`` and measure its constants (module docstring)."""
    objective = objective_of(case.objective, case.stages)
    smooth, optimum = objective.smoothness(), objective.optimum()
    gamma = case.step_size if case.step_size is not None else case.step_scale / smooth.value
    config = replace(case_config(case), step_size=gamma)
    runs = [train_probed(objective, config, seed_stream(case, seed), optimum.value, SNAPSHOTS)
            for seed in range(case.seeds)]
    probes = probe(objective, _probe_points(runs), config.batch_size, config.noise,
                   np.random.default_rng([case.stages, 7]))
    observed = max(run.observed_g for run in runs)
    return Measured(
        case=case, step_size=gamma, L=smooth.value, L_kind=smooth.kind, L_how=smooth.how,
        f_star=optimum.value, f_star_kind=optimum.kind, F0=float(runs[0].gap[0]),
        G_observed=observed, G=observed if case.moment_bound is None else case.moment_bound,
        delta=max(run.max_delay for run in runs),
        probes=probes, f_min_observed=optimum.value + min(_min_gap(run) for run in runs),
        averages=np.stack([run.running_average for run in runs]),
        stale=np.array([run.stale_sq.mean() for run in runs]),
        finite=all(run.finite for run in runs))


def _probe_points(runs: list[Trajectory]) -> list[np.ndarray]:
    """x^0 once and every seed's finite snapshots."""
    snapshots = [point for run in runs for point in run.points[1:]]
    return [point for point in (runs[0].points[0], *snapshots) if np.isfinite(point).all()]


def _min_gap(run: Trajectory) -> float:
    gaps = run.gap[np.isfinite(run.gap)]
    return float(gaps.min()) if gaps.size else float("nan")
