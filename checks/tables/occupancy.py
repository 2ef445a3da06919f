"""Throughput and memory quantities read off an op table.

* makespan T: slots until the last op ends;
* idle slots of stage s: T - M (t_F + t_B);
* bubble fraction: idle slots over all stage-slots, sum_s idle_s / (S T);
* peak in flight at stage s: most microbatches whose forward on s has started and whose
  backward on s has not ended, max_t #{m : F(s, m) <= t < B(s, m) + t_B} (the live activations).
"""

from __future__ import annotations

import numpy as np

from pipeproof.checks.tables.optable import OpTable


def idle_slots_per_stage(table: OpTable) -> np.ndarray:
    """Idle slots of every stage: T - M (t_F + t_B)."""
    spec = table.spec
    busy = spec.num_microbatches * (spec.forward_cost + spec.backward_cost)
    return np.full(spec.num_stages, table.makespan - busy, dtype=np.int64)


def bubble_fraction(table: OpTable) -> float:
    """Idle stage-slots over all stage-slots, sum_s idle_s / (S T)."""
    return float(idle_slots_per_stage(table).sum() / (table.num_stages * table.makespan))


def in_flight_at_forwards(table: OpTable) -> np.ndarray:
    """(S, M) array: microbatches in flight on stage s right after F(s, m) starts.

    A stage handles its forwards and its backwards in microbatch order, so the microbatches in
    flight at that moment are a contiguous range ending at m.
    """
    ends = table.backward_start + table.spec.backward_cost
    counts = np.empty_like(table.forward_start)
    for stage in range(table.num_stages):
        oldest = np.searchsorted(ends[stage], table.forward_start[stage], side="right")
        counts[stage] = np.arange(table.num_microbatches) - oldest + 1
    return counts


def peak_in_flight_per_stage(table: OpTable) -> np.ndarray:
    """Most microbatches in flight on each stage at any slot (the peak live activations)."""
    return in_flight_at_forwards(table).max(axis=1)
