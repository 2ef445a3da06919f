"""The stale distance E||x^k - z^k||^2 of RPD and PipeDream, measured against S (CONV-EXP).

Both methods train the same objective with the same step size: the full-batch Gaussian quadratic
of :mod:`pipeproof.checks.executor.objectives.fullbatch` with a fixed block size b (d = b S, n = 4 d
rows), so the per-block gradient norms stay comparable as S grows, and gamma = 10^-3, small enough
that the gradient hardly turns over a delay window. Two regimes:

* aligned: no added noise, so g^k = grad_s f(z^k) exactly and the updates of a block inside a
  window point the same way; ||x_j - z_j||^2 ~ gamma^2 N_j^2 ||g_j||^2 with N_j the updates of
  block j in its window, which grows like S^3 at delta ~ S^2 (CONV-BLOCK's count);
* noisy: Gaussian noise of standard deviation 10 on every coordinate of every block gradient,
  100 times the signal's second moment; the updates are nearly uncorrelated and
  ||x_j - z_j||^2 ~ gamma^2 N_j E||g||^2, which grows like S^2.

RPD reads with delays uniform in 0..min(delta, k), delta = S^2 - ceil(S/2) (PipeDream's steady
maximum, STL-PD-MAX), and is measured over the updates k >= delta, where every delay can reach
delta. PipeDream runs M = 2S + W microbatches and is measured over the updates of microbatches
S <= m < M - S, past the warm-up and before the drain. The measured quantity is the mean over
those updates of ||x^k - z^k||^2, and the same mean divided by gamma^2 times the mean of
||g^k||^2 (the counting factor the bounds are about). Each seed draws new data and new run
choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from pipeproof.checks.empirical.convergence.probed import train_probed
from pipeproof.checks.executor.backend import NUMPY
from pipeproof.checks.executor.config import RunConfig, run_config
from pipeproof.checks.executor.objectives.fullbatch import full_batch_quadratic
from pipeproof.checks.executor.table_validity import validate
from pipeproof.checks.tables.delays import update_index
from pipeproof.checks.tables.generate import op_table
from pipeproof.theory.parameters import schedule_spec

METHODS = ("rpd", "pipedream")
REGIMES = {"aligned": 0.0, "noisy": 10.0}
"""Regime -> standard deviation of the Gaussian noise added to every gradient coordinate."""
BLOCK = 2
SAMPLES_PER_PARAMETER = 4
STEP_SIZE = 1e-3
MIN_MEASURED = 64
"""At least this many updates are measured per run (small S has short windows)."""


@dataclass(frozen=True)
class StalePoint:
    """One run's stale distance.

    Attributes:
        stale: mean ||x^k - z^k||^2 over the measured updates.
        ratio: stale / (gamma^2 mean ||g^k||^2) over the same updates.
        updates: how many updates were measured.
    """

    stale: float
    ratio: float
    updates: int


def steady_delay(stages: int) -> int:
    """delta = S^2 - ceil(S/2)."""
    return stages * stages - (stages + 1) // 2


def pipedream_length(stages: int) -> int:
    """M = 2S + max(S, ceil(64/S)): at least S steady microbatches and 64 steady updates."""
    return 2 * stages + max(stages, -(-MIN_MEASURED // stages))


@cache
def pipedream_steady(stages: int, micro: int) -> np.ndarray:
    """A mask over PipeDream's updates (in order k): microbatch m with S <= m < M - S."""
    index = update_index(validate(op_table(schedule_spec("pipedream", stages, micro))), "C1")
    order = np.argsort(index.iteration.ravel(), kind="stable")
    micros = order % micro
    return (micros >= stages) & (micros < micro - stages)


def run_config_for(method: str, regime: str, stages: int) -> RunConfig:
    """The executor configuration of one run (step size, noise, length)."""
    options = {"dim": BLOCK * stages, "num_samples": SAMPLES_PER_PARAMETER * BLOCK * stages,
               "noise": REGIMES[regime], "trace_points": 1}
    if method == "rpd":
        delay = steady_delay(stages)
        updates = delay + max(delay, MIN_MEASURED)
        return run_config("rpd", "quadratic", stages, 1, STEP_SIZE, max_delay=delay,
                          num_block_updates=updates, **options)
    return run_config("pipedream", "quadratic", stages, pipedream_length(stages), STEP_SIZE,
                      **options)


@cache
def stale_point(method: str, regime: str, stages: int, seed: int) -> StalePoint:
    """Train one run of ``method`` in ``regime`` and measure its stale distance."""
    config = run_config_for(method, regime, stages)
    objective = full_batch_quadratic(NUMPY, stages, BLOCK, SAMPLES_PER_PARAMETER,
                                     np.random.default_rng([stages, seed, 0]))
    run = train_probed(objective, config, np.random.default_rng([stages, seed, 1]), 0.0,
                       snapshots=0, every_point=False)
    if method == "rpd":
        mask = np.arange(run.stale_sq.size) >= config.max_delay
    else:
        mask = pipedream_steady(stages, config.num_microbatches)
    stale = float(run.stale_sq[mask].mean())
    moment = float(run.block_grad_sq[mask].mean())
    return StalePoint(stale, stale / (STEP_SIZE**2 * moment), int(mask.sum()))
