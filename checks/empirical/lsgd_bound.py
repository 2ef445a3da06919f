"""Empirical confirmation of CMP-LSGD-BOUND on executor runs of the ``localsgd`` method.

Each case trains LocalSGD (:mod:`pipeproof.checks.executor.methods.localsgd`) with one pipeline
stage, so that microbatch i = q R + r is local step q of copy r and, after the (q R)-th update,
the traced iterate (the average of the copies) is exactly u_q, the average after q local steps.
The constants are known, not fitted:

* quadratic: the full-batch Gaussian least squares
  (:mod:`pipeproof.checks.executor.objectives.fullbatch`), exact L = lambda_max(X^T X/n), f* by a
  solve, and Gaussian noise nu N(0, I) on every gradient, so sigma^2 = d nu^2 exactly;
* logistic regression (:mod:`pipeproof.checks.executor.objectives.logistic`), L its smoothness
  constant, f* by Newton's method, minibatches of b rows drawn with replacement plus the same
  noise: E||g - grad f||^2 <= (1/b) mean_i ||x_i||^2 + d nu^2 at every point (the derivative of
  the log-loss is at most 1 in size), which is the sigma^2 used.

The running average (1/K) sum_{k<K} ||grad f(u_k)||^2, averaged over the seeds (the bound is on
its expectation), must stay below Wang and Joshi's bound at every K, with eta = c eta_max,
eta_max the largest step the condition eta L + eta^2 L^2 H (H - 1) <= 1 admits. The wrong forms of
the bound are decided beside it on their stored instances
(:mod:`pipeproof.checks.empirical.lsgd_instances`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from pipeproof.checks.empirical.lsgd_instances import judge_all
from pipeproof.checks.empirical.runs import SOLVER
from pipeproof.checks.executor.backend import NUMPY
from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.objectives.base import Objective
from pipeproof.checks.executor.objectives.fullbatch import full_batch_quadratic
from pipeproof.checks.executor.objectives.logistic import make as make_logistic
from pipeproof.checks.executor.run import train
from pipeproof.checks.profiles import Profile
from pipeproof.checks.runner import MeasuredVerdict
from pipeproof.checks.verdict import Status
from pipeproof.theory.assumptions import at_most
from pipeproof.theory.comparison import lsgd_max_step

DIM = 8
SAMPLES = 32
BATCH = 4


@dataclass(frozen=True)
class Case:
    """objective ("quadratic" or "logistic"), R copies, H local steps, eta = scale eta_max,
    K local steps, gradient noise nu, seeds."""

    objective: str
    runs: int
    local_steps: int
    scale: float
    steps: int
    noise: float
    seeds: int

    def describe(self) -> str:
        return (f"{self.objective}, R = {self.runs}, H = {self.local_steps}, eta = "
                f"{self.scale:g} eta_max, K = {self.steps}, nu = {self.noise:g}")


@dataclass(frozen=True)
class Outcome:
    """The seed-mean running average and the bound at every K = 1..steps."""

    case: Case
    average: np.ndarray
    bound: np.ndarray
    constants: dict[str, float]

    @property
    def slack(self) -> float:
        """The smallest bound/average over K."""
        return float(np.min(self.bound / np.maximum(self.average, 1e-300)))

    @property
    def holds(self) -> bool:
        return all(at_most(a, b) for a, b in zip(self.average, self.bound, strict=True))


def cases(profile: Profile) -> tuple[Case, ...]:
    """Two quadratic and two logistic cases (more seeds and steps in the long profile)."""
    seeds, steps = {"short": (4, 24), "default": (8, 40), "long": (32, 200)}[profile.runs]
    return (Case("quadratic", 4, 1, 1.0, steps, 0.5, seeds),
            Case("quadratic", 4, 4, 1.0, steps, 0.5, seeds),
            Case("logistic", 4, 4, 1.0, steps, 0.5, seeds),
            Case("logistic", 2, 8, 0.5, steps, 0.0, seeds))


def objective_for(case: Case, rng: np.random.Generator) -> tuple[Objective, float]:
    """The objective of ``case`` (data from ``rng``) and its sigma^2."""
    if case.objective == "quadratic":
        return full_batch_quadratic(NUMPY, 1, DIM, 4, rng), DIM * case.noise**2
    objective = make_logistic(NUMPY, 1, DIM, SAMPLES, rng)
    rows = float(np.mean(np.sum(objective.design_np**2, axis=1)))
    return objective, rows / BATCH + DIM * case.noise**2


def averages(case: Case, objective: Objective, step: float, f_star: float) -> np.ndarray:
    """Seed-mean of (1/K) sum_{k<K} ||grad f(u_k)||^2 for K = 1..steps."""
    updates = case.runs * case.steps
    curves = []
    for seed in range(case.seeds):
        config = run_config("localsgd", case.objective, 1, updates, step, num_runs=case.runs,
                            local_steps=case.local_steps, noise=case.noise, batch_size=BATCH,
                            trace_points=updates, seed=seed)
        recorder = train(objective, config, np.random.default_rng(1000 + seed), f_star)[0]
        traces = recorder.finish()
        at_steps = traces["iteration"] % case.runs == 0
        norms = traces["grad_norm_sq"][at_steps][: case.steps]
        curves.append(np.cumsum(norms) / np.arange(1, case.steps + 1))
    return np.mean(curves, axis=0)


def measure(case: Case) -> Outcome:
    """Run ``case`` and evaluate the bound with its constants."""
    objective, sigma2 = objective_for(case, np.random.default_rng(7))
    L, f_star = objective.smoothness().value, objective.optimum().value
    F0 = float(objective.value(objective.initial_point())) - f_star
    step = case.scale * lsgd_max_step(L, case.local_steps)
    K = np.arange(1, case.steps + 1)
    bound = (2 * F0 / (step * K) + step * L * sigma2 / case.runs
             + step**2 * L**2 * sigma2 * (case.local_steps - 1))
    constants = {"L": L, "f_star": f_star, "F0": F0, "sigma2": sigma2, "eta": step}
    return Outcome(case, averages(case, objective, step, f_star), bound, constants)


def confirm(profile: Profile, plots=None) -> MeasuredVerdict:
    """Confirmed when the bound holds at every K of every case; refuted with the failing case."""
    started = time.perf_counter()
    results = [measure(case) for case in cases(profile)]
    failing = [outcome for outcome in results if not outcome.holds]
    slacks = "; ".join(f"{o.case.describe()}: {o.slack:.3g}" for o in results)
    detail = (f"mean over seeds of (1/K) sum ||grad f(u_k)||^2 against Wang and Joshi's bound at "
              f"every K, one pipeline stage, L and f* as the objective knows them, sigma^2 "
              f"exact (quadratic) or a global bound (logistic); smallest slack bound/average: "
              f"{slacks}")
    budget = f"{len(results)} cases, {results[0].case.seeds} seeds, K = {results[0].case.steps}"
    seconds = time.perf_counter() - started
    variants = judge_all()
    if failing:
        worst = min(failing, key=lambda outcome: outcome.slack)
        example = {"case": worst.case.describe(), **worst.constants, "slack": worst.slack}
        return MeasuredVerdict("empirical", Status.REFUTED, seconds, f"exceeded: {detail}",
                               SOLVER, budget, example, variants=variants)
    return MeasuredVerdict("empirical", Status.CONFIRMED, seconds, "the measurements agree "
                           f"with the bound at every K of every case: {detail}", SOLVER, budget,
                           variants=variants)
