"""The delay extraction against a direct count over every update and every block.

The direct count sorts all block updates by (slot, stage), and for every update and every block
counts the updates that precede the forward read, exactly as the definition says; it is
quadratic and only used on small tables.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeproof.checks.tables import delays
from pipeproof.checks.tables.simulator import simulate
from pipeproof.theory.parameters import schedule_spec


def direct_delays(table, convention: str) -> tuple[np.ndarray, np.ndarray]:
    """(S, M) update index k and read index r by definition (PipeDream-style updates)."""
    updates = sorted((int(table.backward_start[s, m]) + table.spec.backward_cost - 1, s, m)
                     for s in range(table.num_stages) for m in range(table.num_microbatches))
    iteration = np.zeros_like(table.backward_start)
    for k, (_, s, m) in enumerate(updates):
        iteration[s, m] = k
    read = np.zeros_like(table.forward_start)
    for j in range(table.num_stages):
        for m in range(table.num_microbatches):
            slot = table.forward_start[j, m]
            read[j, m] = sum(u_slot < slot or (convention == "C1" and u_slot == slot and u < j)
                             for u_slot, u, _ in updates)
    return iteration, read


@given(stages=st.integers(1, 7), micro_factor=st.integers(1, 4), extra=st.integers(0, 3),
       convention=st.sampled_from(delays.CONVENTIONS),
       costs=st.sampled_from([(1, 1), (1, 2), (2, 1)]))
def test_update_index_matches_definition(stages, micro_factor, extra, convention, costs):
    spec = schedule_spec("pipedream", stages, micro_factor * stages + extra,
                         forward_cost=costs[0], backward_cost=costs[1])
    table = simulate(spec)
    index = delays.update_index(table, convention)
    iteration, read = direct_delays(table, convention)
    np.testing.assert_array_equal(index.iteration, iteration)
    np.testing.assert_array_equal(index.read, read)


@pytest.mark.parametrize("stages", [2, 3, 5, 8])
def test_statistics_match_full_delay_tensor(stages):
    table = simulate(schedule_spec("pipedream", stages, 10 * stages))
    for convention in delays.CONVENTIONS:
        index = delays.update_index(table, convention)
        full = index.iteration[:, None, :] - index.read[None, :, :]  # s, j, m
        steady = full[:, :, stages: 9 * stages]
        stats = delays.delay_statistics(index)
        assert stats.run_max == full.max()
        assert stats.steady_max == steady.max()
        assert stats.steady_mean == pytest.approx(steady.mean(), rel=1e-12)
        assert stats.steady_max_per_stage == steady.max(axis=(0, 2)).tolist()


def direct_lags(table) -> np.ndarray:
    """Updates of block s between F(s, m) and B(s, m), counted one by one."""
    lags = np.zeros_like(table.forward_start)
    for s in range(table.num_stages):
        ends = table.backward_start[s] + table.spec.backward_cost - 1
        for m in range(table.num_microbatches):
            lags[s, m] = np.sum((ends >= table.forward_start[s, m]) & (ends < ends[m]))
    return lags


def direct_held(table) -> np.ndarray:
    """Distinct versions of block s held right after F(s, m), from the full history."""
    held = np.zeros_like(table.forward_start)
    for s in range(table.num_stages):
        ends = table.backward_start[s] + table.spec.backward_cost - 1
        starts = table.forward_start[s]
        version = np.array([np.sum(ends < slot) for slot in starts])
        for m in range(table.num_microbatches):
            live = (starts <= starts[m]) & (ends + 1 > starts[m])
            held[s, m] = len(set(version[live].tolist()))
    return held


@given(stages=st.integers(1, 7), micro=st.integers(1, 40),
       costs=st.sampled_from([(1, 1), (1, 2), (2, 2)]))
def test_lags_and_stash_match_definition(stages, micro, costs):
    table = simulate(schedule_spec("pipedream", stages, micro, forward_cost=costs[0],
                                   backward_cost=costs[1]))
    index = delays.update_index(table, "C1")
    np.testing.assert_array_equal(delays.version_lags(table, index), direct_lags(table))
    np.testing.assert_array_equal(delays.stashed_versions_at_forwards(table, index),
                                  direct_held(table))


def test_localsgd_counts_within_each_copy():
    table = simulate(schedule_spec("localsgd", 4, 24, num_runs=3, local_steps=2))
    index = delays.update_index(table, "C1")
    for copy in range(3):
        mine = index.iteration[:, np.arange(24) % 3 == copy]
        assert sorted(mine.ravel().tolist()) == list(range(mine.size))
    assert delays.version_lags(table, index).max() == 0
    own = delays.own_step_updates(index)
    assert (index.iteration - own - index.read.min(axis=0)).max() == 0


@given(stages=st.integers(1, 6), micro=st.integers(1, 30))
def test_update_order_lists_every_update_once_in_time_order(stages, micro):
    table = simulate(schedule_spec("pipedream", stages, micro))
    index = delays.update_index(table, "C1")
    order = delays.update_order(index)
    assert len(order) == stages * micro
    keys = [(table.backward_start[s, m], s) for _, s, m in order]
    assert keys == sorted(keys)
    assert [index.iteration[s, m] for _, s, m in order] == list(range(stages * micro))
