"""The ranks' logs merged on the schedule's slot clock.

Each rank logged its ops with their slots and what it measured on its own block (versions read
and used, version lags, versions held, activations kept) and kept every version of its block.
Merged in (slot, stage) order, the convention C1 of the staleness theorems, the logs give

* the global update order: update k is the k-th block update on that clock, and x^k is x^0 with
  every block replaced by the version its rank had made by then;
* the delays of every microbatch, d(s, j, m) = k(s, m) - r(j, m), with r(j, m) the updates
  before F(j, m) ran (C1: the same slot's updates on lower stages included; C0: earlier slots
  only), and the mixed lags: updates of block j between F(j, m) and the last update of m;

folded by the executor's own :class:`~pipeproof.checks.executor.schedule_log.ScheduleLog`, so
the distributed measurements have the same statistics and (S, M) arrays as an executor run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeproof.checks.distributed.jobs import Job
from pipeproof.checks.executor.schedule_log import ScheduleLog, UpdateCounter


@dataclass(frozen=True)
class Update:
    """One block update: stage, slot, the microbatches whose gradients it applies, the version
    lag of each, and the block's version after it."""

    stage: int
    slot: int
    micros: tuple[int, ...]
    lags: tuple[int, ...]
    version: int


@dataclass
class Merged:
    """The measurements of a distributed run on the slot clock.

    Attributes:
        log: the folded schedule log (statistics and (S, M) arrays).
        updates: every block update in global order.
        versions: per stage, every version of its block (row v: after v updates).
    """

    log: ScheduleLog
    updates: list[Update]
    versions: list[np.ndarray]

    def iterates(self, initial: np.ndarray, blocks: tuple[slice, ...]) -> list[np.ndarray]:
        """x^0, ..., x^K: ``initial`` with block s set to its version after each update."""
        point = np.array(initial, dtype=np.float64)
        points = [point.copy()]
        for update in self.updates:
            point[blocks[update.stage]] = self.versions[update.stage][update.version]
            points.append(point.copy())
        return points


def _events(logs: list[dict[str, Any]]) -> list[tuple[int, int, int, int, dict[str, Any]]]:
    """(slot, phase, stage, position, op) for every op of every rank, in (slot, stage) order;
    a flush (phase 0) comes before the ops of its slot (phase 1), as in the executor, whose flush
    slot is the first slot of the next step."""
    events = [(op["slot"], 0 if op["op"] == "U" else 1, log["rank"], position, op)
              for log in logs for position, op in enumerate(log["ops"])]
    return sorted(events, key=lambda event: event[:4])


def merge(job: Job, logs: list[dict[str, Any]]) -> Merged:
    """Fold the logs of the ranks of ``job`` (rank order) on the slot clock."""
    config = job.config
    stages = job.num_stages
    log = ScheduleLog(stages, config.num_microbatches, keep_arrays=True)
    counter = UpdateCounter()
    applied = [0] * stages
    updates: list[Update] = []
    before: list[int] = []
    for slot, _, stage, _, op in _events(logs):
        kind = op["op"]
        if kind == "F":
            read_c1, read_c0 = counter.reads(0, slot)
            log.forward(stage, op["micro"], slot, read_c1, read_c0, op["version"], op["held"],
                        op["in_flight"])
        elif kind == "B":
            log.backward(stage, op["micro"], slot)
            if "lag" in op:
                iteration = counter.applied(0, slot)
                versions = list(applied)
                log.update(stage, op["micro"], slot, iteration, op["lag"])
                if stage == 0:
                    log.finish(op["micro"], versions)
                applied[stage] += 1
                updates.append(Update(stage, slot, (op["micro"],), (op["lag"],),
                                      op["new_version"]))
        else:
            if stage == 0:
                before = list(applied)
            iteration = counter.applied(0, slot)
            for micro, lag in zip(op["micros"], op["lags"], strict=True):
                log.update(stage, micro, slot, iteration, lag)
            applied[stage] += 1
            updates.append(Update(stage, slot, tuple(op["micros"]), tuple(op["lags"]),
                                  op["new_version"]))
            if stage == stages - 1:
                for micro in op["micros"]:
                    log.finish(micro, before)
    return Merged(log, updates, [entry["versions"] for entry in logs])


def update_order(merged: Merged) -> list[dict[str, Any]]:
    """The global update order: [{k, stage, slot, micro(s), lag(s), version}]."""
    return [{"k": number, "stage": update.stage, "slot": update.slot,
             "micros": list(update.micros), "lags": list(update.lags),
             "version": update.version} for number, update in enumerate(merged.updates)]
