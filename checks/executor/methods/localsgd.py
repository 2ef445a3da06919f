"""LocalSGD on a pipeline: R model copies share one S-stage 1F1B pipeline.

Microbatch m belongs to copy c = m mod R, which admits its next microbatch only after the
previous one left the pipeline, so every copy trains without staleness (STL-SYNC): each
backward updates its copy's block at once,

    x_s^c <- x_s^c - gamma g_s(x^c; B_m).

After every R H microbatches (H local steps per copy) a hard barrier ends the round and the
copies are averaged block by block, x_s^c <- (1/R) sum_c' x_s^c' (Ilin and Richtarik,
arXiv 2606.03498; the round time is THR-LSGD). The traced iterate is the average of the copies,
which the updates move by delta / R. A run at a slot budget may end inside a round: the copies
of that round are never averaged, and the run is read as their average, as the authors' code
reads its last, incomplete round. Iterations, delays and lags count within a copy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeproof.checks.executor.config import RunConfig
from pipeproof.checks.executor.events import round_ops
from pipeproof.checks.executor.objectives.base import Objective
from pipeproof.checks.executor.pipeline import Engine
from pipeproof.checks.executor.record import MethodResult
from pipeproof.checks.executor.sampler import streams
from pipeproof.checks.executor.schedule_log import ScheduleLog, UpdateCounter
from pipeproof.checks.executor.trace import Recorder
from pipeproof.theory.parameters import schedule_spec


class LocalPolicy:
    """R copies of the weights, updated in place (no copy has two microbatches in flight).

    Each (copy, stage) block is its own array, so that an in-place update of one block never
    touches an array another block's pending backward depends on; ``copies`` mirrors them as
    an (R, d) array for the stale distance and the averaging.
    """

    mutable = True

    def __init__(self, objective: Objective, recorder: Recorder, log: ScheduleLog,
                 step_size: float, num_runs: int) -> None:
        backend = objective.backend
        self.blocks = objective.blocks
        self.copies = backend.zeros(num_runs, objective.dim)
        self.copies[:] = recorder.x
        self.views = [[backend.copy(recorder.x[block]) for block in self.blocks]
                      for _ in range(num_runs)]
        self.versions = [[0] * len(self.blocks) for _ in range(num_runs)]
        self.recorder = recorder
        self.log = log
        self.step_size = step_size
        self.num_runs = num_runs
        self.counter = UpdateCounter(num_runs)
        self.backend = backend

    def read(self, stage: int, micro: int) -> tuple[int, Any]:
        copy = micro % self.num_runs
        return self.versions[copy][stage], self.views[copy][stage]

    take = read

    def reads(self, micro: int, slot: int) -> tuple[int, int]:
        return self.counter.reads(micro % self.num_runs, slot)

    def held(self, stage: int) -> int:
        return 1

    def version(self, stage: int, micro: int) -> int:
        return self.versions[micro % self.num_runs][stage]

    def apply(self, stage: int, micro: int, grad: Any, point: Any, slot: int, lag: int) -> None:
        copy = micro % self.num_runs
        delta = -self.step_size * grad
        difference = self.copies[copy] - point
        iteration = self.counter.applied(copy, slot)
        versions = list(self.versions[copy]) if stage == 0 else None
        self.views[copy][stage] += delta
        self.copies[copy, self.blocks[stage]] += delta
        self.versions[copy][stage] += 1
        self.recorder.update(stage, delta / self.num_runs, grad, difference @ difference, slot)
        self.log.update(stage, micro, slot, iteration, lag)
        if versions is not None:
            self.log.finish(micro, versions)

    def end_round(self, slot: int) -> None:
        """The barrier: average every block over the copies."""
        for stage, block in enumerate(self.blocks):
            mean = self.backend.column_sums(self.copies[:, block]) / self.num_runs
            correction = mean - self.recorder.x[block]
            self.copies[:, block] = mean
            for views in self.views:
                views[stage][:] = mean
            self.recorder.adjust(stage, correction)


def run(objective: Objective, config: RunConfig, rng: np.random.Generator,
        recorder: Recorder) -> MethodResult:
    """LocalSGD with R = ``config.num_runs`` copies and H = ``config.local_steps``."""
    sampler, noise, _ = streams(objective.backend, objective.num_samples, config.batch_size,
                                config.noise, rng, config.batching)
    runs, steps = config.num_runs, config.local_steps
    spec = schedule_spec("localsgd", config.num_stages, runs * steps, num_runs=runs,
                         local_steps=steps, forward_cost=config.forward_cost,
                         backward_cost=config.backward_cost)
    log = ScheduleLog(config.num_stages, config.num_microbatches, config.keep_arrays)
    policy = LocalPolicy(objective, recorder, log, config.step_size, runs)
    engine = Engine(objective, policy, recorder, sampler, noise, log)
    slots = engine.run(round_ops(spec, config.num_microbatches // (runs * steps),
                                 config.tables), config.slot_budget)
    statistics = log.statistics()
    return MethodResult(slots, statistics, statistics["max_delay"], arrays=log.arrays or {})
