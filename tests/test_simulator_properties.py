"""Every generated op table is a valid schedule that obeys its policy's limits."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pipeproof.checks.tables import delays, occupancy
from pipeproof.checks.tables.generate import closed_form_table, has_closed_form
from pipeproof.checks.tables.simulator import simulate, simulate_batch
from pipeproof.theory.parameters import schedule_spec

costs = st.tuples(st.integers(1, 3), st.integers(1, 3))


@st.composite
def specs(draw, names=("gpipe", "pipedream", "flush", "localsgd")):
    name = draw(st.sampled_from(names))
    stages = draw(st.integers(1, 9))
    micro = draw(st.integers(1, 40))
    forward, backward = draw(costs)
    if name == "localsgd":
        runs, steps = draw(st.integers(1, 6)), draw(st.integers(1, 4))
        return schedule_spec(name, stages, micro, num_runs=runs, local_steps=steps,
                             forward_cost=forward, backward_cost=backward)
    noam = draw(st.integers(1, micro)) if name == "pipedream" and draw(st.booleans()) else None
    return schedule_spec(name, stages, micro, noam=noam, forward_cost=forward,
                         backward_cost=backward)


def assert_valid(table) -> None:
    """Dependencies, microbatch order per stage, and one op per stage per slot."""
    spec = table.spec
    f, b = table.forward_start, table.backward_start
    assert (f[1:] >= f[:-1] + spec.forward_cost).all(), "F(s+1, m) before F(s, m) ended"
    assert (b[-1] >= f[-1] + spec.forward_cost).all(), "B(S-1, m) before F(S-1, m) ended"
    assert (b[:-1] >= b[1:] + spec.backward_cost).all(), "B(s, m) before B(s+1, m) ended"
    assert (np.diff(f, axis=1) >= spec.forward_cost).all()
    assert (np.diff(b, axis=1) >= spec.backward_cost).all()
    table.grid()  # raises when two ops overlap on one stage


@given(specs())
def test_generated_tables_are_valid(spec):
    assert_valid(simulate(spec))


@given(specs(names=("pipedream",)))
def test_pipedream_respects_noam(spec):
    table = simulate(spec)
    in_flight = occupancy.in_flight_at_forwards(table)[0]
    assert in_flight.max() <= spec.noam


@given(specs(names=("flush",)))
def test_flush_caps_in_flight_at_each_stage(spec):
    table = simulate(spec)
    caps = spec.num_stages - np.arange(spec.num_stages)
    assert (occupancy.peak_in_flight_per_stage(table) <= caps).all()


@given(specs(names=("localsgd",)))
def test_localsgd_barrier_and_copies(spec):
    table = simulate(spec)
    size = spec.round_size
    micro = np.arange(spec.num_microbatches)
    later = micro >= size
    previous_round_end = table.backward_start[0, (micro[later] // size) * size - 1]
    assert (table.forward_start[0, later] > previous_round_end).all()
    index = delays.update_index(table, "C1")
    assert delays.version_lags(table, index).max() == 0


@given(specs(names=("gpipe",)))
def test_gpipe_forwards_all_before_backwards(spec):
    table = simulate(spec)
    assert (table.forward_start[:, -1] + spec.forward_cost <= table.backward_start[:, 0]).all()


@given(st.integers(1, 40), st.integers(1, 160), st.sampled_from(["pipedream", "flush"]))
def test_closed_forms_equal_the_policy(stages, micro, name):
    spec = schedule_spec(name, stages, micro)
    assert has_closed_form(spec)
    closed, policy = closed_form_table(spec), simulate(spec)
    np.testing.assert_array_equal(closed.forward_start, policy.forward_start)
    np.testing.assert_array_equal(closed.backward_start, policy.backward_start)


@given(st.lists(specs(), min_size=1, max_size=5))
def test_batches_equal_single_runs(batch):
    for spec, table in zip(batch, simulate_batch(batch), strict=True):
        single = simulate(spec)
        np.testing.assert_array_equal(table.forward_start, single.forward_start)
        np.testing.assert_array_equal(table.backward_start, single.backward_start)
