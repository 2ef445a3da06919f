"""Run records: determinism from the seed, save and load, and memory that does not grow with K."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.record import SUMMARY_KEYS, RunRecord
from pipeproof.checks.executor.run import run_method


def config(method: str = "pipedream", **options):
    base = {"dim": 12, "num_samples": 40, "batch_size": 3, "noise": 0.1, "seed": 7}
    base.update(options)
    micro = base.pop("micro", 20)
    return run_config(method, "quadratic", 4, micro, 0.05, **base)


@pytest.mark.parametrize("method", ["pipedream", "rpd", "localsgd", "gpipe", "2bw"])
def test_same_seed_same_run(method: str) -> None:
    first, second = run_method(config(method)), run_method(config(method))
    np.testing.assert_array_equal(first.final_point, second.final_point)
    for name, values in first.traces.items():
        np.testing.assert_array_equal(values, second.traces[name])
    other = run_method(config(method, seed=8))
    assert not np.array_equal(first.final_point, other.final_point)


def test_generator_passed_in_gives_the_seeded_run() -> None:
    seeded = run_method(config())
    passed = run_method(config(), np.random.default_rng(7))
    np.testing.assert_array_equal(seeded.final_point, passed.final_point)


def test_no_global_random_state_is_used() -> None:
    np.random.seed(0)
    first = run_method(config())
    np.random.seed(1)
    second = run_method(config())
    np.testing.assert_array_equal(first.final_point, second.final_point)


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_save_and_load(tmp_path: Path, suffix: str) -> None:
    record = run_method(config(keep_arrays=True))
    loaded = RunRecord.load(record.save(tmp_path / f"run{suffix}"))
    assert set(SUMMARY_KEYS) <= set(loaded.summary)
    for key in SUMMARY_KEYS:
        assert loaded.summary[key] == record.summary[key]
    assert loaded.parameters == record.parameters
    assert loaded.measurements == record.measurements
    for name, values in record.traces.items():
        np.testing.assert_array_equal(loaded.traces[name], values)
    for name, values in record.arrays.items():
        np.testing.assert_array_equal(loaded.arrays[name], values)
    if suffix == ".npz":
        np.testing.assert_array_equal(loaded.final_point, record.final_point)


def _traced_peak(method: str, micro: int) -> int:
    options = {"micro": micro, "trace_points": 100}
    run_method(config(method, **options))  # warm caches (table compilation)
    tracemalloc.start()
    run_method(config(method, **options))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_nothing_per_microbatch_outlives_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a run the engine and the log hold nothing per microbatch, and the traces have at
    most trace_points + 2 entries: what a run keeps does not grow with K."""
    from pipeproof.checks.executor import pipeline

    engines = []
    original = pipeline.Engine.run

    def keep(self, chunks, *limit):
        engines.append(self)
        return original(self, chunks, *limit)
    monkeypatch.setattr(pipeline.Engine, "run", keep)
    record = run_method(config(micro=600, trace_points=50))
    [engine] = engines
    for store in (engine._rows, engine._noise, engine._points, engine.log._reads,
                  engine.log._updates, *engine._ops, *engine._outputs, *engine._grads):
        assert not store
    assert len(record.traces["gap"]) <= 52
    assert engine.policy.held(0) == 1


@pytest.mark.slow
@pytest.mark.parametrize("method", ["pipedream", "rpd", "2bw", "localsgd", "gpipe"])
def test_peak_memory_does_not_grow_with_the_number_of_updates(method: str) -> None:
    """8 times as many block updates (past the 128-microbatch op window): the traced peak grows
    by less than 20% (allocator noise), not 8-fold."""
    short, long = _traced_peak(method, 2560), _traced_peak(method, 20480)
    assert long <= 1.2 * short
