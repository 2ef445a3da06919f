"""Synchronous pipelines: GPipe, PipeDream-Flush, and plain minibatch SGD.

GPipe (Huang et al. 2019) and 1F1B with a flush (PipeDream-Flush, Narayanan et al. 2021) run A
microbatches per step on one weight version, sum their gradients, and update every block at the
flush:

    x_s <- x_s - (gamma/A) sum_{m in step} g_s(x; B_m),   s = 0, ..., S - 1,

which is minibatch SGD with A microbatches per step; the two schedules differ only in time and
activation memory (THR-GPIPE, THR-FLUSH), and make identical iterates. The S updates of a flush
are applied one slot after the step's last op, in stage order. Plain SGD is GPipe with A = 1:
one microbatch through the whole pipeline per step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeproof.checks.executor.config import RunConfig
from pipeproof.checks.executor.events import round_ops
from pipeproof.checks.executor.methods.stash import freeze
from pipeproof.checks.executor.objectives.base import Objective
from pipeproof.checks.executor.pipeline import Engine
from pipeproof.checks.executor.record import MethodResult
from pipeproof.checks.executor.sampler import streams
from pipeproof.checks.executor.schedule_log import ScheduleLog, UpdateCounter
from pipeproof.checks.executor.trace import Recorder
from pipeproof.theory.parameters import schedule_spec


class SynchronousPolicy:
    """One weight version per stage; gradients summed until the flush."""

    mutable = False

    def __init__(self, objective: Objective, recorder: Recorder, log: ScheduleLog,
                 step_size: float, accumulation: int) -> None:
        self.weights = [freeze(objective.backend.copy(recorder.x[block]))
                        for block in objective.blocks]
        self.versions = [0] * objective.num_stages
        self.sums: list[Any] = [None] * objective.num_stages
        self.recorder = recorder
        self.log = log
        self.step_size = step_size
        self.accumulation = accumulation
        self.counter = UpdateCounter()
        self._point: Any = None
        self._micro: list[int] = []

    def read(self, stage: int, micro: int) -> tuple[int, Any]:
        return self.versions[stage], self.weights[stage]

    take = read

    def reads(self, micro: int, slot: int) -> tuple[int, int]:
        return self.counter.reads(0, slot)

    def held(self, stage: int) -> int:
        return 1

    def version(self, stage: int, micro: int) -> int:
        return self.versions[stage]

    def apply(self, stage: int, micro: int, grad: Any, point: Any, slot: int, lag: int) -> None:
        total = self.sums[stage]
        self.sums[stage] = grad if total is None else total + grad
        self._point = point
        if stage == 0:
            self._micro.append(micro)

    def end_round(self, slot: int) -> None:
        """The flush: update every block, in stage order, one slot after the last op."""
        flush = slot + 1
        before = list(self.versions)
        for stage in range(len(self.weights)):
            grad = self.sums[stage] / self.accumulation
            delta = -self.step_size * grad
            difference = self.recorder.x - self._point
            iteration = self.counter.applied(0, flush)
            self.weights[stage] = freeze(self.weights[stage] + delta)
            self.versions[stage] += 1
            self.recorder.update(stage, delta, grad, difference @ difference, flush)
            for micro in self._micro:
                self.log.update(stage, micro, flush, iteration, 0)
            self.sums[stage] = None
        for micro in self._micro:
            self.log.finish(micro, before)
        self._micro = []


def run(objective: Objective, config: RunConfig, rng: np.random.Generator,
        recorder: Recorder) -> MethodResult:
    """GPipe or Flush with A = ``config.accumulation`` microbatches per step; sgd: A = 1."""
    sampler, noise, _ = streams(objective.backend, objective.num_samples, config.batch_size,
                                config.noise, rng, config.batching)
    name = "flush" if config.method == "flush" else "gpipe"
    accumulation = 1 if config.method == "sgd" else config.accumulation
    spec = schedule_spec(name, config.num_stages, accumulation,
                         forward_cost=config.forward_cost, backward_cost=config.backward_cost)
    log = ScheduleLog(config.num_stages, config.num_microbatches, config.keep_arrays)
    policy = SynchronousPolicy(objective, recorder, log, config.step_size, accumulation)
    engine = Engine(objective, policy, recorder, sampler, noise, log)
    slots = engine.run(round_ops(spec, config.num_microbatches // accumulation, config.tables),
                       config.slot_budget)
    statistics = log.statistics()
    return MethodResult(slots, statistics, statistics["max_delay"], arrays=log.arrays or {})
