"""Validation at the boundary: one error type naming the parameter and the accepted range."""

from __future__ import annotations

import pytest

from pipeproof.theory.parameters import (
    MAX_TABLE_ENTRIES,
    ParameterError,
    check_int,
    check_real,
    schedule_spec,
)


@pytest.mark.parametrize(("kwargs", "names"), [
    ({"num_stages": 0}, ("num_stages", ">= 1")),
    ({"num_microbatches": -1}, ("num_microbatches", ">= 1")),
    ({"noam": 0}, ("noam", "1..")),
    ({"noam": 99}, ("noam", "1..")),
    ({"forward_cost": 0}, ("forward_cost", ">= 1")),
    ({"backward_cost": 1.5}, ("backward_cost", "integer")),
    ({"num_stages": True}, ("num_stages", "integer")),
])
def test_bad_values_name_parameter_and_range(kwargs, names):
    arguments = {"name": "pipedream", "num_stages": 4, "num_microbatches": 8, **kwargs}
    with pytest.raises(ParameterError) as error:
        schedule_spec(**arguments)
    for fragment in names:
        assert fragment in str(error.value)


def test_unknown_schedule_and_misplaced_options():
    with pytest.raises(ParameterError, match="schedule must be one of"):
        schedule_spec("zero-bubble", 2, 2)
    with pytest.raises(ParameterError, match="localsgd only"):
        schedule_spec("gpipe", 2, 2, num_runs=2)
    with pytest.raises(ParameterError, match="num_runs"):
        schedule_spec("localsgd", 2, 2, num_runs=0)


def test_tables_too_large_for_memory_are_refused():
    with pytest.raises(ParameterError, match=str(MAX_TABLE_ENTRIES)):
        schedule_spec("pipedream", 100_000, 100_000)


def test_defaults():
    spec = schedule_spec("pipedream", 8, 80)
    assert spec.noam == 8
    assert schedule_spec("pipedream", 8, 3).noam == 3  # never more than M in flight
    assert schedule_spec("localsgd", 4, 16, num_runs=3, local_steps=2).round_size == 6


def test_scalar_validators():
    assert check_int("x", 3, 1, 5) == 3
    with pytest.raises(ParameterError, match=r"x must be an integer in 1\.\.5"):
        check_int("x", 6, 1, 5)
    assert check_real("gamma", 0.5, 0.0, open_min=True) == 0.5
    with pytest.raises(ParameterError, match=r"gamma must be a finite number in \(0.0, inf\)"):
        check_real("gamma", 0.0, 0.0, open_min=True)
    with pytest.raises(ParameterError):
        check_real("gamma", float("nan"), 0.0)
    for infinite in (float("inf"), float("-inf")):
        with pytest.raises(ParameterError, match="finite"):
            check_real("gamma", infinite, 0.0, open_min=True)
