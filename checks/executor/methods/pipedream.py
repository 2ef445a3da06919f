"""PipeDream: 1F1B with weight stashing (Harlap et al. 2018), on a real objective.

The op table is PipeDream's (NOAM = S, greedy 1F1B; :mod:`pipeproof.checks.tables.generate`, from
the generator the run's ``tables`` names, validated before it runs). Every backward is a
block update, applied at once:

    x_s <- x_s - gamma g_s(z; B_m),   z_j = the version F(j, m) read, for every block j,

where B(s, m) uses the weights stashed at F(s, m) (asserted by the engine). Iterations k count
block updates in time order, within a slot by stage (C1). This is the method whose delays the
theorems STL-PD-* describe; Randomized PipeDream abstracts it (Ilin and Richtarik,
arXiv 2606.03498).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from pipeproof.checks.executor.config import RunConfig
from pipeproof.checks.executor.events import ordered_ops, pipedream_columns
from pipeproof.checks.executor.methods.stash import WeightStash
from pipeproof.checks.executor.objectives.base import Objective
from pipeproof.checks.executor.pipeline import Engine
from pipeproof.checks.executor.record import MethodResult
from pipeproof.checks.executor.sampler import streams
from pipeproof.checks.executor.schedule_log import ScheduleLog, UpdateCounter
from pipeproof.checks.executor.trace import Recorder
from pipeproof.theory.parameters import schedule_spec


class PipeDreamPolicy:
    """Immediate updates on stashed weight versions (one :class:`WeightStash` per stage)."""

    mutable = False

    def __init__(self, objective: Objective, recorder: Recorder, log: ScheduleLog,
                 step_size: float) -> None:
        backend = objective.backend
        self.stashes = [WeightStash(backend.copy(recorder.x[block]))
                        for block in objective.blocks]
        self.recorder = recorder
        self.log = log
        self.step_size = step_size
        self.counter = UpdateCounter()

    def read(self, stage: int, micro: int) -> tuple[int, Any]:
        return self.stashes[stage].read(micro)

    def reads(self, micro: int, slot: int) -> tuple[int, int]:
        return self.counter.reads(0, slot)

    def take(self, stage: int, micro: int) -> tuple[int, Any]:
        return self.stashes[stage].take(micro)

    def held(self, stage: int) -> int:
        return self.stashes[stage].held()

    def version(self, stage: int, micro: int) -> int:
        return self.stashes[stage].version

    def apply(self, stage: int, micro: int, grad: Any, point: Any, slot: int, lag: int) -> None:
        stash = self.stashes[stage]
        delta = -self.step_size * grad
        difference = self.recorder.x - point
        iteration = self.counter.applied(0, slot)
        versions = [s.version for s in self.stashes] if stage == 0 else None
        stash.replace(stash.current + delta)
        self.recorder.update(stage, delta, grad, difference @ difference, slot)
        self.log.update(stage, micro, slot, iteration, lag)
        if versions is not None:
            self.log.finish(micro, versions)

    def end_round(self, slot: int) -> None:
        """PipeDream has no flush."""


PolicyFactory = Callable[[ScheduleLog], Any]
"""Builds a method's policy once the run's schedule log exists."""


def run_table(objective: Objective, config: RunConfig, rng: np.random.Generator,
              recorder: Recorder, policy: PolicyFactory,
              track_delays: bool = True) -> tuple[int, ScheduleLog]:
    """Drive ``policy`` through PipeDream's op table for M = ``config.num_microbatches``.

    Returns:
        The simulated slots and the schedule log the policy filled.
    """
    sampler, noise, _ = streams(objective.backend, objective.num_samples, config.batch_size,
                                config.noise, rng, config.batching)
    spec = schedule_spec("pipedream", config.num_stages, config.num_microbatches,
                         forward_cost=config.forward_cost, backward_cost=config.backward_cost)
    log = ScheduleLog(config.num_stages, config.num_microbatches, config.keep_arrays,
                      track_delays=track_delays)
    engine = Engine(objective, policy(log), recorder, sampler, noise, log)
    return engine.run(ordered_ops(spec, pipedream_columns(spec, config.tables)),
                      config.slot_budget), log


def run(objective: Objective, config: RunConfig, rng: np.random.Generator,
        recorder: Recorder) -> MethodResult:
    """Train with PipeDream for M = ``config.num_microbatches`` microbatches (S M updates)."""
    slots, log = run_table(objective, config, rng, recorder,
                           lambda log: PipeDreamPolicy(objective, recorder, log,
                                                       config.step_size))
    statistics = log.statistics()
    return MethodResult(slots, statistics, statistics["max_delay"], arrays=log.arrays or {})
