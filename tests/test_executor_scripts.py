"""The executor's benchmark and GPU-check scripts run and report what they measure (CPU path)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_case_reports_time_and_memory() -> None:
    module = _load("bench_executor")
    case = {**module.cases(quick=True)[0], "num_microbatches": 20, "dim": 64, "num_samples": 64}
    row = module.measure(case, repeats=1)
    assert row["block_updates"] == 16 * 20
    assert row["seconds_min"] > 0 and row["tracemalloc_peak_bytes"] > 0
    assert "pipedream" in module.report([row])


def test_gpu_check_cpu_path_writes_its_results(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gpu_check.py"),
                             "--device", "cpu", "--quick", "--out", str(tmp_path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    [path] = tmp_path.glob("gpu_check-*.json")
    document = json.loads(path.read_text())
    assert document["passed"] and document["tolerance"] == 1e-10
    assert all(row["relative_difference"] <= 1e-10 for row in document["agreement"])
    assert {row["method"] for row in document["throughput"]} == {"pipedream", "rpd", "2bw"}
    assert all(row["updates_per_second"] > 0 for row in document["throughput"])
