"""Block updates, stale reads and their delays, read off an op table.

Updates. PipeDream and LocalSGD apply the gradient of (s, m) to block s when B(s, m) ends; GPipe
and Flush accumulate it and apply one update per block at the flush, one slot after the last op.
Every update belongs to a stream: LocalSGD copy m mod R, else the single model.

Iterations. Within a stream, k counts block updates in time order and, within a slot, by stage
index. The read index r of F(j, m) counts the updates of its stream that precede it:

* C1 (the authors' convention): updates in earlier slots, and in the same slot on stages < j;
* C0: updates in strictly earlier slots only (simultaneous operations do not see each other).

Delays. The gradient of (s, m) is applied at iteration k(s, m) and was computed at the mixed point
whose block j is x_j^{r(j, m)}, so the delay of block j at that update is

    d(s, j, m) = k(s, m) - r(j, m).

Every statistic below is computed from the (S, M) arrays k and r, so the (K x S) delay matrix is
never held in memory. Steady state means the updates of microbatches S <= m < M - S.
The version lag of (s, m) counts the updates of block s itself (same stream) between F(s, m) and
the update of (s, m); it does not depend on the convention.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeproof.checks.tables.optable import OpTable

CONVENTIONS = ("C0", "C1")
FLUSH_SCHEDULES = ("gpipe", "flush")


@dataclass(frozen=True, eq=False)
class UpdateIndex:
    """Iteration indices of one table under one convention.

    Attributes:
        convention: "C0" or "C1".
        iteration: (S, M) int array k(s, m), the iteration that applies the gradient of (s, m).
        read: (S, M) int array r(j, m), the read index of F(j, m).
        update_slot: (S, M) int array, the slot in which the update of (s, m) is applied.
        stream: (M,) int array, the stream of microbatch m.
    """

    convention: str
    iteration: np.ndarray
    read: np.ndarray
    update_slot: np.ndarray
    stream: np.ndarray


def update_slots(table: OpTable) -> np.ndarray:
    """(S, M) slot in which the gradient of (s, m) reaches block s (see module docstring)."""
    if table.spec.name in FLUSH_SCHEDULES:
        return np.full_like(table.backward_start, table.makespan)
    return table.backward_start + (table.spec.backward_cost - 1)


def streams(table: OpTable) -> np.ndarray:
    """Stream of every microbatch: m mod R for LocalSGD, 0 otherwise."""
    micro = np.arange(table.num_microbatches)
    return micro % table.spec.num_runs if table.spec.name == "localsgd" else micro * 0


def update_index(table: OpTable, convention: str = "C1") -> UpdateIndex:
    """Compute k(s, m) and r(j, m) by counting updates per (stream, slot) cell.

    Stages are visited in order 0..S-1 while ``seen[c]`` counts the updates of cell c on the
    stages already visited; this gives the within-slot order by stage index (C1) without sorting.
    """
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {', '.join(CONVENTIONS)}, got {convention!r}")
    slots = update_slots(table).astype(np.int32, copy=False)
    stream = streams(table).astype(np.int32)
    width = table.makespan + 1
    update_cell = stream * width + slots
    read_cell = stream * width + table.forward_start.astype(np.int32, copy=False)
    one_per_stage = table.spec.name in FLUSH_SCHEDULES
    events = update_cell[:, :1] if one_per_stage else update_cell
    per_cell = np.bincount(events.ravel(), minlength=table.spec.num_runs * width).astype(np.int32)
    before = np.concatenate(([0], np.cumsum(per_cell)[:-1]))
    before -= np.repeat(before[::width], width)  # restart the count in every stream
    seen = np.zeros_like(per_cell)
    iteration = np.empty_like(slots)
    read = np.empty_like(slots)
    for stage in range(table.num_stages):
        read[stage] = before[read_cell[stage]]
        if convention == "C1":
            read[stage] += seen[read_cell[stage]]
        iteration[stage] = before[update_cell[stage]] + seen[update_cell[stage]]
        seen[events[stage]] += 1
    return UpdateIndex(convention, iteration, read, slots, stream)


@dataclass(frozen=True)
class DelayStatistics:
    """Delay statistics of one table under one convention (None where the range is empty)."""

    convention: str
    steady_max: int | None
    steady_mean: float | None
    run_max: int
    steady_max_per_stage: list[int] | None


def steady_microbatches(num_stages: int, num_microbatches: int) -> slice:
    """The steady-state microbatches S <= m < M - S (possibly empty)."""
    return slice(num_stages, max(num_stages, num_microbatches - num_stages))


def delay_statistics(index: UpdateIndex) -> DelayStatistics:
    """Max, mean and per-read-stage max of d(s, j, m) = k(s, m) - r(j, m), from k and r alone."""
    k, r = index.iteration, index.read
    num_stages, num_micro = k.shape
    latest = k.max(axis=0)  # most recent update per microbatch
    run_max = int((latest - r.min(axis=0)).max())
    steady = steady_microbatches(num_stages, num_micro)
    if steady.stop <= steady.start:
        return DelayStatistics(index.convention, None, None, run_max, None)
    k_s, r_s = k[:, steady], r[:, steady]
    per_stage = (latest[steady][None, :] - r_s).max(axis=1)
    mean = float(k_s.mean(axis=0).mean() - r_s.mean(axis=0).mean())
    return DelayStatistics(
        convention=index.convention,
        steady_max=int(per_stage.max()),
        steady_mean=mean,
        run_max=run_max,
        steady_max_per_stage=[int(value) for value in per_stage],
    )


def update_order(index: UpdateIndex) -> np.ndarray:
    """(K, 3) int array: (stream, stage, microbatch) of every block update, in iteration order
    within each stream (streams one after the other). Flush schedules list one update per stage.
    """
    stages, micro = np.indices(index.iteration.shape)
    streams_of = index.stream[micro].ravel()
    order = np.lexsort((index.iteration.ravel(), streams_of))
    rows = np.stack([streams_of, stages.ravel(), micro.ravel()], axis=1)[order]
    keys = np.stack([streams_of[order], index.iteration.ravel()[order]], axis=1)
    first = np.concatenate(([True], (np.diff(keys, axis=0) != 0).any(axis=1)))
    return rows[first]


def delay_matrix(index: UpdateIndex, microbatch: int) -> np.ndarray:
    """(S, S) delays of microbatch m: row s (updated block), column j (read block)."""
    return index.iteration[:, microbatch][:, None] - index.read[:, microbatch][None, :]


def own_step_updates(index: UpdateIndex) -> np.ndarray:
    """(S, M): updates of the same step (same microbatch, or the same flush) that precede k(s, m).

    These are part of the delay under the block-update count, but they apply the same gradient,
    so they do not make the read stale; ``d - own`` counts the updates of other steps only.
    """
    return np.argsort(np.argsort(index.iteration, axis=0, kind="stable"), axis=0)


def block_counts(table: OpTable, index: UpdateIndex) -> tuple[np.ndarray, np.ndarray]:
    """(S, M) pair: updates of block s (same stream) before the update of (s, m), and before
    F(s, m); both are offset by the updates of lower-numbered streams, which cancel in any
    difference taken within one stream."""
    width = table.makespan + 1
    stream = index.stream * width
    at_update = np.empty_like(index.iteration)
    at_read = np.empty_like(index.iteration)
    for stage in range(table.num_stages):
        keys = stream + index.update_slot[stage]
        ordered = np.sort(keys)
        at_update[stage] = np.searchsorted(ordered, keys, side="left")
        at_read[stage] = np.searchsorted(ordered, stream + table.forward_start[stage], "left")
    return at_update, at_read


_block_counts = block_counts


def version_lags(table: OpTable, index: UpdateIndex,
                 counts: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """(S, M): updates of block s (same stream) between F(s, m) and the update of (s, m).

    ``counts`` is :func:`block_counts` of the same table and index, when already computed.
    """
    if table.spec.name in FLUSH_SCHEDULES:
        return np.zeros_like(index.iteration)
    at_update, at_read = block_counts(table, index) if counts is None else counts
    return at_update - at_read


def stashed_versions_at_forwards(table: OpTable, index: UpdateIndex,
                                 counts: tuple[np.ndarray, np.ndarray] | None = None,
                                 ) -> np.ndarray:
    """(S, M): distinct weight versions of one model copy held on stage s right after F(s, m).

    The stage holds the current version (the one F(s, m) read) and the versions read by the
    other microbatches of the copy still waiting for their backward; a version is named by the
    number of updates of block s before it. Flush schedules hold one version. ``counts`` is
    :func:`block_counts` of the same table and index, when already computed.
    """
    if table.spec.name in FLUSH_SCHEDULES:
        return np.ones_like(index.iteration)
    order = np.argsort(index.stream, kind="stable")  # microbatches of one copy together
    copy_key = index.stream[order] * (table.makespan + 2)
    versions = (block_counts(table, index) if counts is None else counts)[1][:, order]
    held = np.empty_like(index.iteration)
    for stage in range(table.num_stages):
        release = copy_key + table.backward_start[stage, order] + table.spec.backward_cost
        oldest = np.searchsorted(release, copy_key + table.forward_start[stage, order], "right")
        changes = np.concatenate(([0], np.cumsum(np.diff(versions[stage]) != 0)))
        held[stage, order] = changes - changes[oldest] + 1
    return held


def mixed_lags(table: OpTable, index: UpdateIndex) -> np.ndarray:
    """(S, M): updates of block j (same stream) between F(j, m) and the last update of m.

    Updates are ordered by (slot, stage) as in C1; the last update of microbatch m is the one
    with the largest k(s, m), so this is the largest lag of block j over all updates of m.
    """
    if table.spec.name in FLUSH_SCHEDULES:
        return np.zeros_like(index.iteration)
    num_stages = table.num_stages
    width = (table.makespan + 1) * num_stages
    stream = index.stream * width
    last = np.argmax(index.iteration, axis=0)
    micro = np.arange(table.num_microbatches)
    last_key = stream + index.update_slot[last, micro] * num_stages + last
    lags = np.empty_like(index.iteration)
    for block in range(num_stages):
        keys = np.sort(stream + index.update_slot[block] * num_stages + block)
        before_last = np.searchsorted(keys, last_key, side="left")
        before_read = np.searchsorted(keys, stream + table.forward_start[block] * num_stages,
                                      side="left")
        lags[block] = before_last - before_read
    return lags
