"""Policy-driven generation of op tables, vectorised over stages and over many schedules at once.

Every stage is a worker that runs one op at a time (F or B of one microbatch, in microbatch
order, lasting t_F or t_B slots). Whenever a stage is free it applies its schedule's policy:

* ``pipedream`` (PipeDream 1F1B, Harlap et al. 2018): a ready backward first, otherwise a ready
  forward; stage 0 admits a new microbatch only while fewer than NOAM are in flight.
* ``flush`` (1F1B with a flush, Narayanan et al. 2021): the same preference, with at most S - s
  microbatches in flight at stage s.
* ``localsgd``: PipeDream admission with NOAM = R (copy m mod R re-enters only after its previous
  microbatch left), and a hard barrier every R * H microbatches.
* ``gpipe`` (Huang et al. 2019): a stage starts its backwards only after all its M forwards.

F(s, m) is ready once F(s - 1, m) has ended; B(s, m) once B(s + 1, m) has ended (F(S - 1, m) for
the last stage). The simulation advances from one op completion to the next; each step works on
arrays over all stages of all schedules in the batch (a "lane" is one stage of one schedule), so
there is one Python iteration per event time, never one per slot and stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeproof.checks.tables.optable import OpTable
from pipeproof.theory.parameters import ScheduleSpec

_NO_LIMIT = np.iinfo(np.int32).max // 4
_IDLE, _FORWARD, _BACKWARD = 0, 1, 2


@dataclass
class _Lanes:
    """Static description of every lane (stage of one schedule) in a batch."""

    first: np.ndarray  # lanes of stage 0
    last: np.ndarray  # lanes of stage S - 1
    micro: np.ndarray  # M of the lane's schedule
    cap: np.ndarray  # most microbatches in flight at this stage
    noam: np.ndarray  # admission limit (used on stage 0)
    round_size: np.ndarray  # microbatches between barriers
    drain_ok: np.ndarray  # bool: may start backwards before its forwards end (not GPipe)
    forward_cost: np.ndarray
    backward_cost: np.ndarray
    base: np.ndarray  # offset of the lane's M entries in the flat records


def _build_lanes(specs: Sequence[ScheduleSpec]) -> _Lanes:
    stages = np.array([spec.num_stages for spec in specs])
    lane_spec = np.repeat(np.arange(len(specs)), stages)
    first_lane = np.concatenate(([0], np.cumsum(stages)[:-1]))
    stage = np.arange(lane_spec.size) - first_lane[lane_spec]
    num_stages = stages[lane_spec]

    def per_lane(values: list[int]) -> np.ndarray:
        return np.asarray(values, dtype=np.int32)[lane_spec]

    micro = per_lane([spec.num_microbatches for spec in specs])
    is_flush = per_lane([spec.name == "flush" for spec in specs]).astype(bool)
    return _Lanes(
        first=np.flatnonzero(stage == 0),
        last=np.flatnonzero(stage == num_stages - 1),
        micro=micro,
        cap=np.where(is_flush, num_stages - stage, _NO_LIMIT).astype(np.int32),
        noam=per_lane([spec.noam for spec in specs]),
        round_size=per_lane([spec.round_size for spec in specs]),
        drain_ok=per_lane([spec.name != "gpipe" for spec in specs]).astype(bool),
        forward_cost=per_lane([spec.forward_cost for spec in specs]),
        backward_cost=per_lane([spec.backward_cost for spec in specs]),
        base=np.concatenate(([0], np.cumsum(micro)[:-1])).astype(np.int64),
    )


def _ready(
    lanes: _Lanes, started_f: np.ndarray, started_b: np.ndarray,
    done_f: np.ndarray, done_b: np.ndarray, free: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Lanes that start a backward and lanes that start a forward now (backward preferred)."""
    downstream = np.empty_like(done_b)
    downstream[:-1] = done_b[1:]
    downstream[lanes.last] = done_f[lanes.last]
    backward = free & (started_b < lanes.micro) & (downstream > started_b)
    backward &= lanes.drain_ok | (done_f == lanes.micro)
    upstream = np.empty_like(free)
    upstream[1:] = done_f[:-1] > started_f[1:]
    head = lanes.first
    in_flight = started_f[head] - done_b[head]
    admitted = (in_flight < lanes.noam[head]) & (done_b[head] >= started_f[head] - in_round(
        started_f[head], lanes.round_size[head]))
    upstream[head] = admitted
    forward = free & ~backward & (started_f < lanes.micro) & upstream
    forward &= started_f - done_b < lanes.cap
    return backward, forward


def in_round(started: np.ndarray, round_size: np.ndarray) -> np.ndarray:
    """Position of the next microbatch inside its LocalSGD round (m mod R * H)."""
    return np.remainder(started, round_size)


def _record(record: np.ndarray, counter: np.ndarray, lanes: _Lanes, chosen: np.ndarray,
            now: int) -> None:
    """Write slot ``now`` as the start of the next op of every ``chosen`` lane."""
    record[(lanes.base + counter)[chosen]] = now
    counter += chosen


def _run_unit(lanes: _Lanes, forward: np.ndarray, backward: np.ndarray) -> None:
    """Unit costs: every op ends one slot after it starts, so done counts equal started ones."""
    started_f = np.zeros(lanes.micro.size, dtype=np.int32)
    started_b = np.zeros_like(started_f)
    free = np.ones(lanes.micro.size, dtype=bool)
    now = 0
    while True:
        go_back, go_forward = _ready(lanes, started_f, started_b, started_f, started_b, free)
        if not (go_back.any() or go_forward.any()):
            break
        _record(backward, started_b, lanes, go_back, now)
        _record(forward, started_f, lanes, go_forward, now)
        now += 1


def _run_timed(lanes: _Lanes, forward: np.ndarray, backward: np.ndarray) -> None:
    """Integer costs: advance from one op completion to the next."""
    size = lanes.micro.size
    started_f, started_b, done_f, done_b = (np.zeros(size, dtype=np.int32) for _ in range(4))
    kind = np.zeros(size, dtype=np.int64)
    until = np.zeros(size, dtype=np.int64)
    now = 0
    while True:
        ending = (kind != _IDLE) & (until <= now)
        done_f += ending & (kind == _FORWARD)
        done_b += ending & (kind == _BACKWARD)
        kind[ending] = _IDLE
        go_back, go_forward = _ready(lanes, started_f, started_b, done_f, done_b, kind == _IDLE)
        for chosen, counter, record, op, cost in (
            (go_back, started_b, backward, _BACKWARD, lanes.backward_cost),
            (go_forward, started_f, forward, _FORWARD, lanes.forward_cost),
        ):
            _record(record, counter, lanes, chosen, now)
            kind[chosen] = op
            until[chosen] = now + cost[chosen]
        busy = kind != _IDLE
        if not busy.any():
            break
        now = int(until[busy].min())


def simulate_batch(specs: Sequence[ScheduleSpec]) -> list[OpTable]:
    """Run the policies of ``specs`` side by side and return one :class:`OpTable` each.

    Raises:
        RuntimeError: if some schedule deadlocks (a stage never gets all its ops).
    """
    if not specs:
        return []
    lanes = _build_lanes(specs)
    total = int(lanes.base[-1] + lanes.micro[-1])
    forward = np.full(total, -1, dtype=np.int32)
    backward = np.full(total, -1, dtype=np.int32)
    unit = all(spec.forward_cost == 1 and spec.backward_cost == 1 for spec in specs)
    (_run_unit if unit else _run_timed)(lanes, forward, backward)
    if (backward < 0).any():
        raise RuntimeError("schedule deadlocked: some op never became ready")
    return _split(specs, lanes, forward, backward)


def _split(
    specs: Sequence[ScheduleSpec], lanes: _Lanes, forward: np.ndarray, backward: np.ndarray,
) -> list[OpTable]:
    tables = []
    lane = 0
    for spec in specs:
        start = int(lanes.base[lane])
        stop = start + spec.num_stages * spec.num_microbatches
        shape = (spec.num_stages, spec.num_microbatches)
        tables.append(OpTable(
            spec=spec,
            forward_start=forward[start:stop].reshape(shape).copy(),
            backward_start=backward[start:stop].reshape(shape).copy(),
        ))
        lane += spec.num_stages
    return tables


def simulate(spec: ScheduleSpec) -> OpTable:
    """The op table of one schedule (see :func:`simulate_batch`)."""
    return simulate_batch([spec])[0]
