"""``--step-size auto``: the best step size of a grid 2^-k, judged on short runs.

The grid is gamma = 2^-k for k = round(log2 L) - 1, ..., round(log2 L) + 10, i.e. from about 2/L
down to about 2^-10/L (delays call for steps well below 1/L: the stale-read term of the
RPD bound grows as gamma^2 L^2 delta^2 G^2). Each candidate trains for about a tenth of the run
(at least 2S + 1 microbatches, whole steps or rounds) from the same seed, and the candidate with
the lowest final gap f - f* wins; runs that diverge score +inf (recorded as None).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from pipeproof.checks.executor.config import RunConfig, step_granularity
from pipeproof.checks.executor.objectives.base import Objective

GRID_SIZE = 12

Trainer = Callable[[Objective, RunConfig, np.random.Generator, float], Any]
"""(objective, config, rng, f*) -> the run's recorder (see
:func:`pipeproof.checks.executor.run.train`)."""


def short_length(config: RunConfig) -> int:
    """Microbatches of a trial run: about M/10, at least 2S + 1, whole steps, at most M."""
    unit = step_granularity(config.method, config.accumulation, config.num_runs, config.local_steps)
    wanted = max(config.num_microbatches // 10, 2 * config.num_stages + 1)
    return min(config.num_microbatches, -(-wanted // unit) * unit)


def choose_step_size(objective: Objective, config: RunConfig, rng: np.random.Generator,
                     f_star: float, smoothness: float, trainer: Trainer) -> dict[str, Any]:
    """Try every step size of the grid; return the choice and what each candidate reached."""
    center = round(math.log2(smoothness)) if smoothness > 0 else 0
    exponents = list(range(center - 1, center - 1 + GRID_SIZE))
    trial = replace(config.with_length(short_length(config)), keep_arrays=False,
                    trace_points=10)
    gaps = []
    for exponent in exponents:
        candidate = replace(trial, step_size=2.0**-exponent)
        recorder = trainer(objective, candidate, copy.deepcopy(rng), f_star)
        gap = recorder.tracker.value() - f_star
        gaps.append(gap if math.isfinite(gap) else math.inf)
    best = int(np.argmin(gaps))
    return {"step_size": 2.0 ** -exponents[best], "exponent": exponents[best],
            "exponents": exponents,
            "final_gaps": [gap if math.isfinite(gap) else None for gap in gaps],
            "trial_block_updates": trial.block_updates}


def describe(choice: dict[str, Any]) -> str:
    """One line: which step size was picked, among which, on runs of what length."""
    low, high = choice["exponents"][0], choice["exponents"][-1]
    return (f"step size auto: 2^{-choice['exponent']} = {choice['step_size']:.6g}, the lowest "
            f"final gap among 2^{-low}..2^{-high} on runs of {choice['trial_block_updates']} "
            "block updates")
