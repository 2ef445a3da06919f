"""Run one method on one objective and return its
:class:`~pipeproof.checks.executor.record.RunRecord`.

The generator passed in (default: ``numpy.random.default_rng(seed)``) is split into a data
stream (the objective's data) and a run stream (minibatches, noise, the method's choices), so a
run is a function of its parameters and seed alone; with ``data_seed`` the data come from
``numpy.random.default_rng(data_seed)`` instead, so the data can stay fixed while the seed
changes the sampling, or the other way round. Every summary states ``slots_used``: the simulated
time the run was read at (its slot budget, or its makespan when shorter). Wall time covers
training; peak memory covers building the objective and training.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

import numpy as np

from pipeproof.checks.executor import stepsize
from pipeproof.checks.executor.backend import get_backend
from pipeproof.checks.executor.blas import single_threaded
from pipeproof.checks.executor.config import RunConfig
from pipeproof.checks.executor.limits import check_cyclic
from pipeproof.checks.executor.methods.registry import get_runner
from pipeproof.checks.executor.objectives.base import Objective
from pipeproof.checks.executor.objectives.registry import build_objective
from pipeproof.checks.executor.peak_memory import PeakMemory
from pipeproof.checks.executor.record import MethodResult, RunRecord
from pipeproof.checks.executor.trace import Recorder

PROGRESS_MIN_UPDATES = 20_000
"""Runs with at least this many block updates show a progress bar when asked to."""


def train(objective: Objective, config: RunConfig, rng: np.random.Generator, f_star: float,
          progress: bool = False) -> tuple[Recorder, MethodResult, float]:
    """Train ``config.method`` from x^0; return the recorder, the method's result and the
    wall time."""
    updates = config.block_updates
    bar = None
    if progress and updates >= PROGRESS_MIN_UPDATES:
        from tqdm import tqdm
        bar = tqdm(total=updates, unit="update", desc=config.method, leave=False)
    recorder = Recorder(objective.tracker(objective.initial_point()), updates, f_star,
                        config.trace_points, bar)
    started = time.perf_counter()
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # divergence shows in the summary
            result = get_runner(config.method)(objective, config, rng, recorder)
            recorder.close(result.simulated_slots)
        objective.backend.synchronize()
    finally:
        if bar is not None:
            bar.close()
    return recorder, result, time.perf_counter() - started


def _trainer(objective: Objective, config: RunConfig, rng: np.random.Generator,
             f_star: float) -> Recorder:
    return train(objective, config, rng, f_star)[0]


def run_method(config: RunConfig, rng: np.random.Generator | None = None,
               progress: bool = False, objective: Objective | None = None) -> RunRecord:
    """Build the objective (or take ``objective``, built for this config and its data seed),
    pick the step size if asked, train, and summarise."""
    rng = np.random.default_rng(config.seed) if rng is None else rng
    data_rng, run_rng = rng.spawn(2)
    if config.data_seed is not None:
        data_rng = np.random.default_rng(config.data_seed)
    backend = get_backend(config.backend, config.device)
    with single_threaded(), PeakMemory(backend) as memory:
        started = time.perf_counter()
        if objective is None:
            objective = build_objective(config, backend, data_rng)
        if config.batching == "cyclic":
            check_cyclic(config.batch_size, objective.num_samples)
        smoothness, optimum = objective.smoothness(), objective.optimum()
        choice = None
        if config.step_size is None:
            choice = stepsize.choose_step_size(objective, config, run_rng, optimum.value,
                                               smoothness.value, _trainer)
            config = replace(config, step_size=choice["step_size"])
        setup = time.perf_counter() - started
        recorder, result, seconds = train(objective, config, run_rng, optimum.value, progress)
    traces = recorder.finish()
    summary = {
        "method": config.method, "objective": config.objective,
        "num_stages": config.num_stages, "num_microbatches": config.num_microbatches,
        "num_block_updates": recorder.iteration, "step_size": config.step_size,
        "seed": config.seed, "final_gap": _finite(traces["gap"][-1]),
        "initial_gap": _finite(traces["gap"][0]),
        "avg_grad_norm_sq": _finite(recorder.average_grad_norm_sq),
        "final_grad_norm_sq": _finite(traces["grad_norm_sq"][-1]),
        "measured_L": smoothness.value, "L_kind": smoothness.kind, "L_how": smoothness.how,
        "f_star": optimum.value, "f_star_kind": optimum.kind, "f_star_how": optimum.how,
        "measured_G": _finite(recorder.observed_g), "max_delay": result.max_delay,
        "delay_unit": result.delay_unit, **recorder.stale_statistics(),
        "simulated_slots": result.simulated_slots, "slots_used": result.simulated_slots,
        "slot_budget": config.slot_budget, "batching": config.batching,
        "data_seed": config.data_seed, "wall_seconds": seconds,
        "setup_seconds": setup, "peak_memory_bytes": memory.peak_bytes,
        "process_peak_memory_bytes": memory.process_peak_bytes, "memory_method": memory.method,
        "backend": backend.describe(), "diverged": not math.isfinite(traces["gap"][-1]),
        "step_size_choice": choice,
    }
    parameters = {**config.to_json(), **objective.parameters()}
    return RunRecord(parameters, summary, traces, result.measurements, result.arrays,
                     backend.to_numpy(recorder.x))


def _finite(value: Any) -> float | None:
    """A float, or None when it is not finite (a diverged run)."""
    value = float(value)
    return value if math.isfinite(value) else None
