"""``pipeproof compare``: method lists, grids, intervals, best step sizes, records and files."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeproof.checks.cli.main import main
from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.run import run_method
from pipeproof.checks.experiments import figure
from pipeproof.checks.experiments.grid import describe, parse_grid
from pipeproof.checks.experiments.methods import MethodSpec, parse_methods
from pipeproof.checks.experiments.statistics import mean_interval, separated
from pipeproof.checks.experiments.sweep import Setting, compare
from pipeproof.theory.parameters import ParameterError

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ["objective", "slot_budget", "seeds", "methods", "winner", "ratio"]
METHOD_CONTRACT = ["name", "step_size", "final_gap_mean", "final_gap_ci", "slots_used"]
SMALL = (("batch_size", 4), ("batching", "cyclic"), ("dim", 16), ("label_noise", 0.0),
         ("num_samples", 48))


def test_method_lists() -> None:
    specs = parse_methods("pipedream,rpd:delta=60,localsgd:H=5:R=4,rpd:delays=pipedream")
    assert [spec.name for spec in specs] == ["pipedream", "rpd:delta=60", "localsgd:H=5:R=4",
                                             "rpd:delays=pipedream"]
    assert specs[1].run_options() == {"max_delay": 60}
    assert specs[2].run_options() == {"local_steps": 5, "num_runs": 4}


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty item"), ("pipedream,,rpd", "empty item"), ("adam", "unknown method"),
    ("rpd:H=5", "rpd takes delta, delays"), ("localsgd:H=x", "whole number"),
    ("pipedream,pipedream", "given twice"), ("localsgd:H=2:H=3", "sets H twice"),
])
def test_bad_method_lists(text: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        parse_methods(text)


def test_grids() -> None:
    assert parse_grid("2^-3..2^0") == (0.125, 0.25, 0.5, 1.0)
    assert parse_grid("0.1, 2^-1,0.1") == (0.1, 0.5)
    assert describe(parse_grid("2^-12..2^0")) == "2^-12..2^0"
    for bad in ("2^0..2^-3", "2^-100..2^0", "0,1", "x", "", "nan", "-1"):
        with pytest.raises(ParameterError, match="step_grid"):
            parse_grid(bad)


def test_intervals() -> None:
    mean, low, high = mean_interval([1.0, 2.0, 3.0])
    assert mean == 2.0 and high - mean == mean - low == pytest.approx(4.303 / math.sqrt(3))
    assert mean_interval([5.0]) == (5.0, 5.0, 5.0)
    assert mean_interval([1.0, math.inf]) == (math.inf,) * 3
    assert mean_interval([1e200, -1e200, 1e300])[0] == math.inf
    assert separated((1, 0.5, 1.5), (3, 2, 4)) and not separated((1, 0, 2.5), (3, 2, 4))


def small_setting(seeds: int = 2, **options) -> Setting:
    return Setting("quadratic", 4, 30, tuple(range(seeds)),
                   tuple(sorted({**dict(SMALL), **options}.items())))


def test_best_step_is_the_lowest_mean_over_seeds() -> None:
    """Re-run every (step, seed) by hand: the chosen step minimises the mean final gap, and the
    interval is that of its seeds."""
    grid = (2.0**-6, 2.0**-4, 2.0**-2)
    spec = MethodSpec("localsgd:H=2", "localsgd", (("local_steps", 2),))
    result = compare(small_setting(), (spec,), grid)
    means = []
    for step in grid:
        gaps = [run_method(run_config("localsgd", "quadratic", 4, None, step, slot_budget=30,
                                      seed=seed, data_seed=seed, local_steps=2, trace_points=100,
                                      **dict(SMALL))).summary["final_gap"] for seed in (0, 1)]
        means.append(np.mean([math.inf if gap is None else gap for gap in gaps]))
    [outcome] = result.methods
    assert outcome.step_size == grid[int(np.argmin(means))]
    assert outcome.interval[0] == pytest.approx(min(means), rel=1e-12)
    assert outcome.slots_used == 30


def test_winner_and_ratio_and_the_record() -> None:
    methods = parse_methods("pipedream,rpd:delta=2")
    result = compare(small_setting(), methods, (2.0**-5, 2.0**-3))
    record = result.to_json()
    assert list(record)[:6] == CONTRACT
    for entry in record["methods"]:
        assert list(entry)[:5] == METHOD_CONTRACT
        assert entry["final_gap_ci"][0] <= entry["final_gap_mean"] <= entry["final_gap_ci"][1]
    gaps = {entry["name"]: entry["final_gap_mean"] for entry in record["methods"]}
    assert record["winner"] == min(gaps, key=gaps.get)
    assert record["ratio"] == pytest.approx(max(gaps.values()) / min(gaps.values()))
    assert record["seeds"] == 2


def test_a_diverged_step_is_never_chosen() -> None:
    result = compare(Setting("quadratic", 4, 400, (0, 1), SMALL), parse_methods("sgd"),
                     (2.0**-4, 2.0**8))
    assert result.methods[0].step_size == 2.0**-4
    assert result.methods[0].sweep[1][1] == math.inf


def test_command_writes_record_table_and_figure(tmp_path: Path,
                                                capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "cmp"
    code = main(["compare", "--objective", "quadratic", "--methods", "pipedream,localsgd:H=2",
                 "--slot-budget", "30", "--stages", "4", "--dim", "16", "--samples", "48",
                 "--batch-size", "4", "--seeds", "2", "--step-grid", "2^-5..2^-3",
                 "--out", str(out)])
    assert code == 0
    record = json.loads((out / "compare.json").read_text())
    assert list(record)[:6] == CONTRACT
    assert "| pipedream |" in (out / "compare.md").read_text()
    printed = capsys.readouterr().out
    assert "winner:" in printed
    assert (out / "compare.png").exists() == figure.available()


def test_figure_skipped_without_matplotlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(figure, "available", lambda: False)
    code = main(["compare", "--objective", "quadratic", "--methods", "sgd", "--slot-budget",
                 "10", "--stages", "2", "--dim", "8", "--samples", "16", "--batch-size", "4",
                 "--seeds", "1", "--step-grid", "0.1", "--out", str(tmp_path)])
    assert code == 0
    assert figure.SKIPPED in capsys.readouterr().out
    assert (tmp_path / "compare.json").exists() and not (tmp_path / "compare.png").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--methods", "pipedream,adam"], "--methods must be"),
    (["--step-grid", "2^3..2^1"], "--step-grid must be"),
    (["--batch-size", "7"], "--batch-size must divide"),
    (["--stages", "40"], "--stages must be an integer in 1..16"),
    (["--methods", "rpd:delays=replay"], "--delays must be one of"),
])
def test_bad_input_is_one_line_before_any_run(tmp_path: Path, args: list[str], message: str,
                                              capsys: pytest.CaptureFixture) -> None:
    base = {"--objective": "quadratic", "--methods": "pipedream", "--slot-budget": "30",
            "--dim": "16", "--samples": "48", "--batch-size": "4", "--stages": "4"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = ["compare", *[item for pair in base.items() for item in pair],
            "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err, err
    assert not (tmp_path / "o").exists()


def test_compare_as_a_process(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pipeproof.checks", "compare", "--objective",
                           "logistic", "--labels", "bernoulli", "--methods", "pipedream,sgd",
                           "--slot-budget", "20", "--stages", "2", "--dim", "8", "--samples",
                           "32", "--batch-size", "4", "--seeds", "2", "--step-grid", "2^-3..2^-1",
                           "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    record = json.loads((tmp_path / "compare.json").read_text())
    assert record["objective"] == "logistic" and record["slot_budget"] == 20
    assert {entry["slots_used"] for entry in record["methods"]} == {20}


def test_a_shared_objective_gives_the_same_run() -> None:
    from pipeproof.checks.experiments.sweep import shared_objective

    config = run_config("rpd", "logistic", 4, None, 0.1, slot_budget=30, data_seed=3, seed=1,
                        labels="bernoulli", **dict(SMALL[:3]), num_samples=48)
    fresh = run_method(config)
    shared = run_method(config, objective=shared_objective(config))
    np.testing.assert_array_equal(fresh.final_point, shared.final_point)
    assert shared_objective(config) is shared_objective(config)
    assert shared_objective(run_config("sgd", "logistic", 2, 4, 0.1)) is None
