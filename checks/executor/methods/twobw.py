"""PipeDream-2BW: double-buffered weights with a one-step delay (Narayanan et al. 2021).

The pipeline runs PipeDream's 1F1B schedule; microbatches are grouped in steps of A >= S. Every
microbatch of step t reads weight version V_{max(t - 1, 0)} on every stage (the forward and the
backward alike), its gradients are summed over the step, and when the step's last backward on
stage s is done the stage makes a new version:

    V_{t+1} = V_t - (gamma/A) sum_{m in step t} g_s(V_{t-1}; B_m),

i.e. W(t + 1) = W(t) - nu grad f(W(t - 1)): the gradient is applied one optimizer step after
the version it was computed at (no delay at the first step, where V_{-1} = V_0). A stage keeps
two versions, V_t and V_{t+1}: with A >= S the microbatches in flight on a stage never span more
than two steps (STL-2BW). The policy asserts that every version a forward needs is one of the
two buffers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeproof.checks.executor.config import RunConfig
from pipeproof.checks.executor.methods.pipedream import run_table
from pipeproof.checks.executor.methods.stash import StashingError, freeze
from pipeproof.checks.executor.objectives.base import Objective
from pipeproof.checks.executor.record import MethodResult
from pipeproof.checks.executor.schedule_log import ScheduleLog, UpdateCounter
from pipeproof.checks.executor.trace import Recorder


class DoubleBufferPolicy:
    """Two weight versions per stage; one update per stage per step."""

    mutable = False

    def __init__(self, objective: Objective, recorder: Recorder, log: ScheduleLog,
                 step_size: float, accumulation: int) -> None:
        backend = objective.backend
        self.buffers = [{0: freeze(backend.copy(recorder.x[block]))} for block in objective.blocks]
        self.newest = [0] * objective.num_stages
        self.sums: list[Any] = [None] * objective.num_stages
        self.recorder = recorder
        self.log = log
        self.step_size = step_size
        self.accumulation = accumulation
        self.counter = UpdateCounter()

    def _wanted(self, micro: int) -> int:
        return max(micro // self.accumulation - 1, 0)

    def read(self, stage: int, micro: int) -> tuple[int, Any]:
        wanted = self._wanted(micro)
        buffers = self.buffers[stage]
        if wanted not in buffers:
            raise StashingError(f"stage {stage} holds versions {sorted(buffers)}, but microbatch "
                                f"{micro} needs version {wanted}")
        return wanted, buffers[wanted]

    take = read

    def reads(self, micro: int, slot: int) -> tuple[int, int]:
        return self.counter.reads(0, slot)

    def held(self, stage: int) -> int:
        return len(self.buffers[stage])

    def version(self, stage: int, micro: int) -> int:
        return self._wanted(micro)

    def apply(self, stage: int, micro: int, grad: Any, point: Any, slot: int, lag: int) -> None:
        total = self.sums[stage]
        self.sums[stage] = grad if total is None else total + grad
        if (micro + 1) % self.accumulation:
            return
        step, newest = micro // self.accumulation, self.newest[stage]
        mean = self.sums[stage] / self.accumulation
        delta = -self.step_size * mean
        difference = self.recorder.x - point
        buffers = self.buffers[stage]
        buffers[newest + 1] = freeze(buffers[newest] + delta)
        buffers.pop(newest - 1, None)
        self.newest[stage] = newest + 1
        self.sums[stage] = None
        self.counter.applied(0, slot)
        self.recorder.update(stage, delta, mean, difference @ difference, slot)
        self.log.step_delay(step, newest - self._wanted(micro))

    def end_round(self, slot: int) -> None:
        """2BW has no flush."""


def run(objective: Objective, config: RunConfig, rng: np.random.Generator,
        recorder: Recorder) -> MethodResult:
    """PipeDream-2BW with A = ``config.accumulation`` >= S microbatches per step."""
    slots, log = run_table(objective, config, rng, recorder,
                           lambda log: DoubleBufferPolicy(objective, recorder, log,
                                                          config.step_size, config.accumulation),
                           track_delays=False)
    statistics = log.statistics()
    delays = statistics["step_delays"] + statistics["first_step_delays"]
    return MethodResult(slots, statistics, max(delays, default=0), "optimizer steps",
                        arrays=log.arrays or {})
