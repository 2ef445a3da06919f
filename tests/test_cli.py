"""The command line: contracts of the output, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeproof.checks", *args], capture_output=True,
                          text=True, timeout=600)


def test_schedule_json_keys_and_values():
    result = run("schedule", "pipedream", "--stages", "8", "--microbatches", "80", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("schedule", "num_stages", "num_microbatches", "makespan",
                "idle_slots_per_stage", "bubble_fraction", "peak_in_flight_per_stage",
                "delay", "version_lag_per_stage", "stashed_versions_per_stage"):
        assert key in data
    assert set(data["delay"]) >= {"convention", "steady_max", "steady_mean", "run_max",
                                  "steady_max_per_stage"}
    assert data["makespan"] == 2 * (80 + 8 - 1)
    assert data["delay"]["steady_max"] == 60 and data["delay"]["run_max"] == 72
    assert data["version_lag_per_stage"] == [7, 6, 5, 4, 3, 2, 1, 0]
    assert data["stashed_versions_per_stage"] == [8, 7, 6, 5, 4, 3, 2, 1]


def test_schedule_policy_generator_and_c0():
    result = run("schedule", "pipedream", "--stages", "5", "--microbatches", "50",
                 "--convention", "C0", "--generator", "policy", "--json")
    data = json.loads(result.stdout)
    assert data["generator"] == "policy" and data["delay"]["convention"] == "C0"
    assert data["delay"]["steady_mean"] == pytest.approx(12 + 6 / 5)


@pytest.mark.parametrize("args", [
    ("schedule", "pipedream", "--stages", "0", "--microbatches", "4"),
    ("schedule", "pipedream", "--stages", "x", "--microbatches", "4"),
    ("schedule", "pipedream", "--stages", "4", "--microbatches", "4", "--noam", "9"),
    ("schedule", "nope", "--stages", "4", "--microbatches", "4"),
    ("schedule", "gpipe", "--stages", "4", "--microbatches", "4", "--runs", "2"),
    ("schedule", "pipedream", "--stages", "4", "--microbatches", "4", "--convention", "C2"),
    ("schedule", "pipedream", "--stages", "100000", "--microbatches", "100000"),
    ("show", "NO-SUCH-ID"),
])
def test_bad_input_is_one_line_exit_2(args):
    result = run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "error" in lines[0]


def test_list_names_every_theorem():
    result = run("list")
    assert result.returncode == 0
    assert "STL-PD-MAX" in result.stdout and "THR-PD-CLOSED" in result.stdout


def test_show_prints_statement_latex_and_proof_steps():
    result = run("show", "STL-PD-MAX", "--profile", "quick")
    assert result.returncode == 0, result.stderr
    assert "latex:" in result.stdout and "\\left\\lceil" in result.stdout
    assert "window nesting" in result.stdout and "counterexample" in result.stdout


def test_run_writes_the_report(tmp_path):
    path = tmp_path / "verdicts.json"
    result = run("--profile", "quick", "--only", "THR-PD", "STL-PD-PAPER", "--json", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(path.read_text())
    assert data["ok"] is True and {"package", "versions", "theorems"} <= set(data)
    first = data["theorems"][0]
    assert {"id", "title", "statement", "status", "verdicts", "variants"} <= set(first)
    assert {"method", "status", "seconds", "detail"} <= set(first["verdicts"][0])
    assert {"description", "status", "counterexample"} <= set(first["variants"][0])
    paper = data["theorems"][1]
    assert paper["status"] == "refuted" and paper["as_expected"] is True
