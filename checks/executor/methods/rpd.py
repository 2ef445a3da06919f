"""Randomized PipeDream (RPD; Ilin and Richtarik, arXiv 2606.03498).

At iteration k: pick a block s uniformly, a minibatch B uniformly, and a delay d_j for every
block j; read the mixed stale point z^k = (x_1^{k - d_1}, ..., x_S^{k - d_S}) and update only
block s:

    x_s^{k+1} = x_s^k - gamma g_s(z^k; B).

Delays are either uniform in 0..min(delta, k), independently per block, or replayed exactly
from PipeDream's table: update k of PipeDream applies the gradient of (s, m), so RPD takes that
block s, the rows of microbatch m, and d_j = k - r(j, m) (:mod:`pipeproof.checks.tables.delays`,
convention C1). Replayed, RPD computes the same updates as PipeDream (the gradient at the mixed
point of the versions that microbatch m read), which the STL-PD-MATRIX confirmation measures.
Versions come from a :class:`~pipeproof.checks.executor.methods.ring.VersionRing`. Simulated time:
PipeDream's slot of update k when replaying or at a slot budget, else 2k/S slots (PipeDream's
steady throughput of S updates per two slots). With cyclic batching the uniform draw is one of the
fixed contiguous batches (:mod:`pipeproof.checks.executor.sampler`); replayed, microbatch m reads
batch m mod (n/B), as PipeDream does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from pipeproof.checks.executor.budget import pipedream_update_slots
from pipeproof.checks.executor.config import RunConfig
from pipeproof.checks.executor.methods.ring import VersionRing
from pipeproof.checks.executor.objectives.base import Objective
from pipeproof.checks.executor.record import MethodResult
from pipeproof.checks.executor.sampler import Noise, Sampler, streams
from pipeproof.checks.executor.schedule_log import DelayTally
from pipeproof.checks.executor.table_validity import validate
from pipeproof.checks.executor.trace import Recorder
from pipeproof.checks.tables.delays import update_index
from pipeproof.checks.tables.generate import op_table
from pipeproof.theory.parameters import schedule_spec

CHUNK = 1024
"""Iterations whose random choices are drawn at once."""

Step = tuple[int, Any, Any, np.ndarray, int]
"""(block s, rows, noise of the block or None, delays d_j, slot) of one iteration."""


def uniform_steps(config: RunConfig, objective: Objective, sampler: Sampler, noise: Noise,
                  choices: np.random.Generator, tally: DelayTally) -> Iterator[Step]:
    """Uniform block, uniform rows, d_j uniform in 0..min(delta, k); blocks and delays are drawn
    a chunk of iterations at a time (and tallied as drawn); noise for the updated block only.
    At a slot budget, update k lands at the slot of PipeDream's update k."""
    stages, updates = config.num_stages, config.block_updates
    clock = None if config.slot_budget is None else pipedream_update_slots(
        stages, config.num_microbatches, config.tables)
    for first in range(0, updates, CHUNK):
        iterations = np.arange(first, min(first + CHUNK, updates))
        blocks = choices.integers(stages, size=iterations.size).tolist()
        highs = np.minimum(config.max_delay, iterations) + 1
        delays = choices.integers(0, highs[:, None], size=(iterations.size, stages))
        tally.add(delays)
        slots = (((2 * (iterations + 1)) // stages) if clock is None
                 else clock[iterations]).tolist()
        for row, (block, slot) in enumerate(zip(blocks, slots, strict=True)):
            size = objective.blocks[block].stop - objective.blocks[block].start
            yield block, sampler.draw(), noise.draw(size), delays[row], slot


def replayed_steps(config: RunConfig, objective: Objective, sampler: Sampler, noise: Noise,
                   tally: DelayTally) -> tuple[int, Iterator[Step]]:
    """PipeDream's updates in order, with their delays; also returns the largest delay."""
    spec = schedule_spec("pipedream", config.num_stages, config.num_microbatches)
    index = update_index(validate(op_table(spec, config.tables)), "C1")
    order = np.argsort(index.iteration.ravel(), kind="stable")
    blocks, micros = np.divmod(order, config.num_microbatches)
    delays = np.arange(order.size)[:, None] - index.read[:, micros].T
    tally.add(delays)

    def steps() -> Iterator[Step]:
        drawn: dict[int, tuple[Any, Any]] = {}
        for iteration, (block, micro) in enumerate(zip(blocks.tolist(), micros.tolist(),
                                                       strict=True)):
            if micro not in drawn:
                drawn[micro] = (sampler.draw(), noise.draw(objective.dim))
            rows, gaussian = drawn.pop(micro) if block == 0 else drawn[micro]
            part = None if gaussian is None else gaussian[objective.blocks[block]]
            yield block, rows, part, delays[iteration], int(index.update_slot[block, micro])
    return int(delays.max()), steps()


def run(objective: Objective, config: RunConfig, rng: np.random.Generator,
        recorder: Recorder) -> MethodResult:
    """Train with RPD for ``config.block_updates`` iterations."""
    batching = "uniform-batch" if config.batching == "cyclic" else "random"
    if config.delays == "pipedream":
        batching = config.batching
    sampler, noise, choices = streams(objective.backend, objective.num_samples,
                                      config.batch_size, config.noise, rng, batching)
    tally = DelayTally(config.num_stages)
    if config.delays == "pipedream":
        largest, steps = replayed_steps(config, objective, sampler, noise, tally)
    else:
        largest = config.max_delay
        steps = uniform_steps(config, objective, sampler, noise, choices, tally)
    ring = VersionRing(objective.backend, objective.blocks, recorder.x, largest)
    slot, used = 0, 0
    for block, rows, gaussian, delays, slot in steps:
        if config.slot_budget is not None and slot >= config.slot_budget:
            break
        used = slot + 1
        point = ring.mixed_point(delays)
        grad = objective.block_gradient(point, block, rows)
        if gaussian is not None:
            grad = grad + gaussian
        delta = -config.step_size * grad
        difference = recorder.x - point
        ring.update(block, recorder.x[objective.blocks[block]] + delta)
        recorder.update(block, delta, grad, difference @ difference, slot)
    statistics = {**tally.statistics(), "ring_capacity": ring.capacity, "delays": config.delays}
    if config.slot_budget is not None:
        used = config.slot_budget
    return MethodResult(used, statistics, statistics["max_delay"])
