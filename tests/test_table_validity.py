"""The executor validates every op table before it runs it
(pipeproof.checks.executor.table_validity)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.run import run_method
from pipeproof.checks.executor.table_validity import InvalidTableError, validate
from pipeproof.checks.tables.optable import OpTable
from pipeproof.checks.tables.simulator import simulate
from pipeproof.theory.parameters import ParameterError, schedule_spec


def _table(name: str, stages: int, micro: int, forward: list, backward: list,
           costs: tuple[int, int] = (1, 1)) -> OpTable:
    spec = schedule_spec(name, stages, micro, forward_cost=costs[0], backward_cost=costs[1])
    return OpTable(spec, np.array(forward, dtype=np.int32), np.array(backward, dtype=np.int32))


@pytest.mark.parametrize("spec", [
    schedule_spec("pipedream", 4, 14), schedule_spec("flush", 5, 11),
    schedule_spec("gpipe", 3, 7, forward_cost=1, backward_cost=2),
    schedule_spec("pipedream", 3, 9, forward_cost=2, backward_cost=3),
    schedule_spec("localsgd", 4, 16, num_runs=2, local_steps=2),
    schedule_spec("pipedream", 1, 1),
])
def test_simulator_tables_are_valid(spec) -> None:
    table = simulate(spec)
    assert validate(table) is table


def test_missing_op_is_refused() -> None:
    table = _table("flush", 2, 1, [[0], [1]], [[3], [-1]])
    with pytest.raises(InvalidTableError) as error:
        validate(table)
    assert (error.value.rule, error.value.stage, error.value.micro) == (
        "every op exactly once", 1, 0)
    assert "B(1, 0) never runs" in str(error.value)


def test_two_ops_in_one_slot_are_refused() -> None:
    # S = 1, M = 2: F(0, 1) at slot 1 while B(0, 0) runs there
    table = _table("flush", 1, 2, [[0, 1]], [[1, 2]])
    with pytest.raises(InvalidTableError) as error:
        validate(table)
    assert (error.value.rule, error.value.stage, error.value.slot) == (
        "one op per stage per slot", 0, 1)


def test_overlap_of_a_long_op_is_refused() -> None:
    # t_B = 2: B(0, 0) occupies slots 1 and 2, F(0, 1) starts at 2
    table = _table("flush", 1, 2, [[0, 2]], [[1, 3]], costs=(1, 2))
    with pytest.raises(InvalidTableError, match="one op per stage per slot"):
        validate(table)


def test_forward_before_its_upstream_forward_is_refused() -> None:
    # F(1, 0) at slot 0, the same slot as F(0, 0)
    table = _table("flush", 2, 1, [[0], [0]], [[3], [2]])
    with pytest.raises(InvalidTableError) as error:
        validate(table)
    assert (error.value.rule, error.value.stage, error.value.slot, error.value.micro) == (
        "forward dependency", 1, 0, 0)


def test_backward_before_its_downstream_backward_is_refused() -> None:
    table = _table("flush", 2, 1, [[0], [1]], [[2], [2]])
    with pytest.raises(InvalidTableError) as error:
        validate(table)
    assert (error.value.rule, error.value.stage, error.value.slot) == ("backward dependency", 0, 2)


def test_backward_before_its_forward_breaks_the_stash() -> None:
    table = _table("flush", 1, 1, [[1]], [[0]])
    with pytest.raises(InvalidTableError) as error:
        validate(table)
    assert error.value.rule == "weight stash"
    assert "not yet stashed" in str(error.value)


def test_wrong_shape_and_dtype_are_refused() -> None:
    spec = schedule_spec("flush", 2, 2)
    with pytest.raises(InvalidTableError, match="shape"):
        validate(OpTable(spec, np.zeros((2, 1), dtype=np.int32), np.zeros((2, 2), np.int32)))
    with pytest.raises(InvalidTableError, match="integers"):
        validate(OpTable(spec, np.zeros((2, 2)), np.zeros((2, 2))))


def test_error_is_a_parameter_error() -> None:
    assert issubclass(InvalidTableError, ParameterError)
    assert issubclass(InvalidTableError, ValueError)


def test_the_engine_refuses_an_invalid_table(monkeypatch) -> None:
    """A corrupted table reaches no engine: the run stops with the validity error."""
    import pipeproof.checks.executor.events as events

    real = events.op_table

    def corrupted(spec, generator="auto"):
        table = real(spec, generator)
        forward = table.forward_start.copy()
        forward[1, 0] = forward[0, 0]
        return OpTable(table.spec, forward, table.backward_start)

    monkeypatch.setattr(events, "op_table", corrupted)
    config = run_config("flush", "quadratic", 3, 6, 0.01, dim=6, num_samples=16, batch_size=2,
                        accumulation=3)
    with pytest.raises(InvalidTableError, match="forward dependency"):
        run_method(config)


def test_tables_choice_is_validated() -> None:
    with pytest.raises(ParameterError, match="tables"):
        run_config("pipedream", "quadratic", 2, 4, 0.01, dim=4, tables="closed")
