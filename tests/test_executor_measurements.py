"""What the executor measures while it trains equals the table-side truths of
pipeproof.checks.tables.delays, and its windowed op order equals sorting the whole table."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.events import ordered_ops, pipedream_columns, table_columns
from pipeproof.checks.executor.run import run_method
from pipeproof.checks.tables import delays
from pipeproof.checks.tables.generate import op_table
from pipeproof.checks.tables.measures import TableView
from pipeproof.theory.parameters import schedule_spec


def measured(method: str, stages: int, micro: int, **options):
    config = run_config(method, "quadratic", stages, micro, 0.01, dim=2 * stages, num_samples=16,
                        batch_size=2, keep_arrays=True, trace_points=4, **options)
    return run_method(config)


def assert_matches_table(record, spec) -> None:
    table = op_table(spec)
    view = TableView(table)
    arrays = record.arrays
    for convention, name in (("C1", "read_c1"), ("C0", "read_c0")):
        np.testing.assert_array_equal(arrays[name], view.index(convention).read)
    np.testing.assert_array_equal(arrays["iteration"], view.index("C1").iteration)
    np.testing.assert_array_equal(arrays["update_slot"], delays.update_slots(table))
    np.testing.assert_array_equal(arrays["forward_slot"], table.forward_start)
    np.testing.assert_array_equal(arrays["backward_slot"],
                                  table.backward_start + spec.backward_cost - 1)
    np.testing.assert_array_equal(arrays["lag"], view.lags)
    np.testing.assert_array_equal(arrays["held"], view.held)
    np.testing.assert_array_equal(arrays["in_flight"], view.in_flight)
    statistics = view.statistics["C1"]
    assert record.measurements["max_delay"] == statistics.run_max
    assert record.measurements["max_delay_c0"] == view.statistics["C0"].run_max
    assert record.summary["simulated_slots"] == table.makespan
    if view.has_steady:
        steady = record.measurements["steady"]
        assert steady["C1"]["max"] == statistics.steady_max
        assert steady["C1"]["max_per_read_block"] == statistics.steady_max_per_stage
        assert abs(steady["C0"]["mean"] - view.statistics["C0"].steady_mean) < 1e-12
        mixed = view.mixed[:, view.steady].max(axis=1)
        assert steady["mixed_lag_max_per_block"] == mixed.tolist()


@given(st.integers(1, 9), st.integers(1, 30))
def test_pipedream_measurements_equal_the_table(stages: int, micro: int) -> None:
    assert_matches_table(measured("pipedream", stages, micro),
                         schedule_spec("pipedream", stages, micro))


@given(st.integers(1, 6), st.integers(1, 12), st.sampled_from([(1, 2), (2, 1), (2, 3)]))
def test_measurements_with_costs_equal_the_table(stages: int, micro: int, costs) -> None:
    options = {"forward_cost": costs[0], "backward_cost": costs[1]}
    assert_matches_table(measured("pipedream", stages, micro, **options),
                         schedule_spec("pipedream", stages, micro, **options))
    assert_matches_table(measured("flush", stages, micro, accumulation=micro, **options),
                         schedule_spec("flush", stages, micro, **options))


@given(st.integers(1, 8), st.integers(1, 20))
def test_synchronous_measurements_equal_the_table(stages: int, micro: int) -> None:
    for name in ("gpipe", "flush"):
        assert_matches_table(measured(name, stages, micro, accumulation=micro),
                             schedule_spec(name, stages, micro))


@given(st.integers(1, 6), st.integers(1, 8), st.integers(1, 3))
def test_localsgd_measurements_equal_the_table(stages: int, runs: int, steps: int) -> None:
    record = measured("localsgd", stages, runs * steps, num_runs=runs, local_steps=steps)
    assert_matches_table(record, schedule_spec("localsgd", stages, runs * steps, num_runs=runs,
                                               local_steps=steps))


@given(st.integers(1, 12), st.integers(1, 80), st.integers(1, 40))
def test_windows_give_the_order_of_the_whole_table(stages: int, micro: int, window: int) -> None:
    spec = schedule_spec("pipedream", stages, micro)
    chunks = list(ordered_ops(spec, pipedream_columns(spec), window))
    whole = list(ordered_ops(spec, table_columns(op_table(spec)), micro))
    flat = [[value for chunk in chunks for value in getattr(chunk, name)] for name in
            ("slots", "stages", "backward", "micro")]
    assert flat == [getattr(whole[0], name) for name in ("slots", "stages", "backward", "micro")]
    assert len(flat[0]) == 2 * stages * micro
