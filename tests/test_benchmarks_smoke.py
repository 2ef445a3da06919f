"""The schedule benchmark runs and measures the same thing it reports (no timing asserts)."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def _load():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_schedules.py"
    spec = importlib.util.spec_from_file_location("bench_schedules", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_row_is_complete_and_correct():
    row = _load().measure(16, "auto", 1)
    assert row["steady_max"] == 16**2 - 8  # the theorem STL-PD-MAX at S = 16
    assert row["seconds"] > 0 and row["peak_memory_mb"] > 0


def test_front_door_benchmark_measures_real_commands():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_front_door.py"
    spec = importlib.util.spec_from_file_location("bench_front_door", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from pipeproof.checks.cli.main import build_parser

    for argv in module.CASES.values():
        assert build_parser().parse_args(argv).command in ("schedule", "run-method")
    start = module.imports(module.CASES["start-up"], module.ROOT)
    assert start["imports_sympy_or_z3"] == [] and start["import_seconds"] > 0
    assert module.in_process_seconds(module.CASES["start-up"], 1) > 0
