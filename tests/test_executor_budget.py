"""Runs at a slot budget, cyclic batching, the authors' objectives, one's own data, data seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeproof.checks.executor.backend import NUMPY
from pipeproof.checks.executor.budget import (
    microbatches_for_budget,
    pipedream_update_slots,
    round_makespan,
)
from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.objectives import logistic, quadratic
from pipeproof.checks.executor.run import run_method
from pipeproof.checks.executor.sampler import Sampler
from pipeproof.checks.tables.generate import op_table
from pipeproof.theory.parameters import ParameterError, schedule_spec

SMALL = {"dim": 16, "num_samples": 48, "batch_size": 4, "batching": "cyclic", "seed": 3}


def small(method: str, micro: int | None = None, **options):
    values = {**SMALL, **options}
    return run_config(method, values.pop("objective", "quadratic"), 4, micro, 0.02, **values)


def test_pipedream_at_a_budget_makes_the_updates_below_it() -> None:
    record = run_method(small("pipedream", slot_budget=37))
    slots = pipedream_update_slots(4, record.parameters["num_microbatches"])
    assert record.summary["slots_used"] == 37
    assert record.summary["num_block_updates"] == int((slots < 37).sum())
    assert record.traces["slot"][-1] <= 36


def test_budget_equal_to_the_makespan_is_the_whole_run() -> None:
    whole = run_method(small("pipedream", 12))
    budget = run_method(small("pipedream", slot_budget=2 * (12 + 4 - 1)))
    assert budget.parameters["num_microbatches"] == 12
    np.testing.assert_array_equal(whole.final_point, budget.final_point)


def test_a_cut_run_is_the_prefix_of_a_longer_run() -> None:
    """PipeDream cut at T reads the iterate the longer run had after the same updates."""
    cut = run_method(small("pipedream", slot_budget=31, trace_points=10_000))
    longer = run_method(small("pipedream", 40, trace_points=10_000))
    updates = cut.summary["num_block_updates"]
    index = list(longer.traces["iteration"]).index(updates)
    assert cut.summary["final_gap"] == pytest.approx(longer.traces["gap"][index], rel=1e-12)


@pytest.mark.parametrize("delays", ["pipedream", "uniform"])
def test_rpd_keeps_pipedreams_clock(delays: str) -> None:
    options = {"delays": delays} if delays == "pipedream" else {"max_delay": 5}
    rpd = run_method(small("rpd", slot_budget=33, **options))
    pipedream = run_method(small("pipedream", slot_budget=33))
    assert rpd.summary["num_block_updates"] == pipedream.summary["num_block_updates"]
    assert rpd.summary["slots_used"] == 33
    if delays == "pipedream":
        np.testing.assert_allclose(rpd.final_point, pipedream.final_point, rtol=0, atol=1e-13)


def test_localsgd_whole_rounds_equal_the_fixed_length_run() -> None:
    length = round_makespan("localsgd", 4, 8, runs=4, local_steps=2)
    budget = run_method(small("localsgd", slot_budget=2 * length, local_steps=2))
    whole = run_method(small("localsgd", 16, local_steps=2))
    assert budget.summary["slots_used"] == whole.summary["slots_used"] == 2 * length
    np.testing.assert_array_equal(budget.final_point, whole.final_point)


def test_localsgd_ends_inside_a_round_without_averaging() -> None:
    """Cut after the round's last update but before its barrier could matter: the partial round
    is read as the average of its copies and makes exactly the updates below T."""
    length = round_makespan("localsgd", 4, 8, runs=4, local_steps=2)
    budget = length + 9
    record = run_method(small("localsgd", slot_budget=budget, local_steps=2, keep_arrays=True))
    spec = schedule_spec("localsgd", 4, 8, num_runs=4, local_steps=2)
    table = op_table(spec)
    per_round = int((table.backward_start < 9).sum())
    assert record.summary["num_block_updates"] == 4 * 8 + per_round
    assert record.summary["slots_used"] == budget
    assert 0 < per_round < 4 * 8
    longer = run_method(small("localsgd", 16, local_steps=2))
    assert not np.array_equal(record.final_point, longer.final_point)


def test_budget_lengths() -> None:
    assert microbatches_for_budget("pipedream", 16, 270, 1) == 120
    assert microbatches_for_budget("localsgd", 16, 270, 32, 16, 2) == 96
    assert microbatches_for_budget("2bw", 4, 50, 4) == 24


def test_cyclic_and_uniform_batches() -> None:
    rng = np.random.default_rng(0)
    cyclic = Sampler(NUMPY, 12, 4, rng, "cyclic")
    rows = [cyclic.draw().tolist() for _ in range(4)]
    assert rows == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [0, 1, 2, 3]]
    uniform = Sampler(NUMPY, 12, 4, rng, "uniform-batch")
    drawn = {tuple(uniform.draw().tolist()) for _ in range(60)}
    assert drawn == {(0, 1, 2, 3), (4, 5, 6, 7), (8, 9, 10, 11)}
    with pytest.raises(ValueError):
        Sampler(NUMPY, 10, 4, rng, "cyclic")


def test_cyclic_pipedream_reads_batch_m_mod_n_over_b() -> None:
    """Same data, cyclic batches: the run does not depend on the sampling seed."""
    first = run_method(small("pipedream", 20, data_seed=1, seed=1))
    second = run_method(small("pipedream", 20, data_seed=1, seed=2))
    np.testing.assert_array_equal(first.final_point, second.final_point)
    randomly = run_method(small("pipedream", 20, data_seed=1, seed=2, batching="random"))
    assert not np.array_equal(first.final_point, randomly.final_point)


def test_data_seed_fixes_the_data_apart_from_the_seed() -> None:
    one = run_method(small("rpd", 10, data_seed=5, seed=1))
    two = run_method(small("rpd", 10, data_seed=5, seed=2))
    assert one.summary["initial_gap"] == two.summary["initial_gap"]
    assert one.summary["final_gap"] != two.summary["final_gap"]
    other = run_method(small("rpd", 10, data_seed=6, seed=1))
    assert other.summary["initial_gap"] != one.summary["initial_gap"]


def test_label_noise_zero_makes_f_star_zero_and_the_default_keeps_it() -> None:
    rng = np.random.default_rng(0)
    clean = quadratic.gaussian(NUMPY, 2, 8, 30, rng, label_noise=0.0)
    assert clean.optimum().value < 1e-20
    noisy = run_config("pipedream", "quadratic", 2, 4, 0.01, dim=8, num_samples=30)
    assert noisy.label_noise == 0.1
    assert run_method(noisy).summary["f_star"] > 1e-4


def test_tridiagonal_is_the_authors_design() -> None:
    objective = quadratic.tridiagonal(NUMPY, 4, 20, 50, None, np.random.default_rng(1))
    hessian = np.diag(np.full(20, 2.01)) - np.eye(20, k=1) - np.eye(20, k=-1)
    np.testing.assert_allclose(objective.hessian_np, hessian, atol=1e-12)
    assert objective.smoothness().value == pytest.approx(np.linalg.eigvalsh(hessian)[-1])
    assert objective.optimum().value < 1e-20
    with pytest.raises(ParameterError, match="condition"):
        quadratic.tridiagonal(NUMPY, 4, 20, 50, 1e9, np.random.default_rng(1))
    with pytest.raises(ParameterError, match="num_samples"):
        run_config("pipedream", "tridiagonal", 4, 8, 0.1, dim=20, num_samples=10)


def test_bernoulli_labels_follow_the_planted_logits() -> None:
    objective = logistic.make(NUMPY, 2, 32, 4000, np.random.default_rng(0), "bernoulli")
    labels = objective.targets_np
    assert set(np.unique(labels)) == {-1.0, 1.0}
    rng = np.random.default_rng(0)
    design = rng.standard_normal((4000, 32))
    planted = rng.standard_normal(32)
    agreement = np.mean(np.sign(design @ planted) == labels)
    expected = np.mean(1 / (1 + np.exp(-np.abs(design @ planted))))
    assert abs(agreement - expected) < 0.02
    assert agreement < 0.99


def write(path: Path, **arrays) -> str:
    np.savez(path, **arrays)
    return str(path)


def test_own_data(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    design = rng.standard_normal((40, 8))
    path = write(tmp_path / "d.npz", X=design, y=design @ np.ones(8) + rng.standard_normal(40))
    config = run_config("pipedream", "quadratic", 2, 10, 0.01, data_path=path, batch_size=4)
    assert (config.num_samples, config.dim) == (40, 8)
    record = run_method(config)
    assert record.summary["f_star"] > 0
    labels = write(tmp_path / "l.npz", X=design, y=(design[:, 0] > 0).astype(float))
    assert run_method(run_config("sgd", "logistic", 2, 4, 0.1, data_path=labels,
                                 batch_size=4)).summary["final_gap"] > 0


@pytest.mark.parametrize(("arrays", "message"), [
    ({"X": np.ones((4, 2))}, "no array y"),
    ({"X": np.ones(4), "y": np.ones(4)}, "not n x d"),
    ({"X": np.ones((4, 2)), "y": np.ones(3)}, "not \\(4,\\)"),
    ({"X": np.full((4, 2), np.nan), "y": np.ones(4)}, "not finite"),
    ({"X": np.ones((4, 2)), "y": np.array([0.0, 1.0, 2.0, 1.0])}, "logistic labels"),
])
def test_bad_data_files_are_refused(tmp_path: Path, arrays: dict, message: str) -> None:
    path = write(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ParameterError, match=message):
        run_config("pipedream", "logistic", 2, 4, 0.1, data_path=path)


@pytest.mark.parametrize(("options", "message"), [
    ({"slot_budget": 0}, "slot_budget must be an integer >= 1"),
    ({"slot_budget": 10, "num_block_updates": 5, "method": "rpd"}, "leave out"),
    ({"batching": "shuffled"}, "batching must be one of random, cyclic"),
    ({"label_noise": 0.1, "objective": "logistic"}, "label_noise applies"),
    ({"labels": "bernoulli"}, "labels applies"),
    ({"data_path": "x.npz", "objective": "mlp"}, "data_path applies"),
    ({"data_seed": -1}, "data_seed must be an integer >= 0"),
])
def test_parameters_are_checked_up_front(options: dict, message: str) -> None:
    method = options.pop("method", "pipedream")
    objective = options.pop("objective", "quadratic")
    with pytest.raises(ParameterError, match=message):
        run_config(method, objective, 2, None, 0.1, **options)


def test_cyclic_needs_whole_batches() -> None:
    from pipeproof.checks.executor.limits import check_shape

    with pytest.raises(ParameterError, match="batch_size must divide num_samples"):
        check_shape(run_config("pipedream", "quadratic", 2, 4, 0.1, num_samples=30,
                               batch_size=7, batching="cyclic"))


def test_run_method_command_with_a_budget(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import json

    from pipeproof.checks.cli.main import main

    out = tmp_path / "r.json"
    code = main(["run-method", "localsgd", "--objective", "tridiagonal", "--stages", "4",
                 "--dim", "16", "--samples", "48", "--batch-size", "4", "--batching", "cyclic",
                 "--slot-budget", "50", "--step-size", "0.05", "--local-steps", "2",
                 "--data-seed", "1", "--out", str(out)])
    assert code == 0
    record = json.loads(out.read_text())
    assert record["slots_used"] == record["slot_budget"] == 50
    assert record["batching"] == "cyclic" and record["data_seed"] == 1
    assert "simulated time 50 slots (budget 50)" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["--data", "missing.npz"], "--data must be an .npz file"),
    (["--data", "missing.npz", "--dim", "8"], "--data sets d and n"),
    (["--slot-budget", "20", "--microbatches", "8"], "--slot-budget sets the length"),
    (["--label-noise", "-1"], "--label-noise must be a finite number"),
    (["--batching", "sorted"], "--batching must be one of random, cyclic"),
])
def test_run_method_refuses_bad_options_in_one_line(args: list[str], message: str,
                                                    capsys: pytest.CaptureFixture) -> None:
    from pipeproof.checks.cli.main import main

    base = [] if "--data" in args else ["--dim", "8"]
    assert main(["run-method", "pipedream", "--objective", "quadratic", "--stages", "2",
                 *base, *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err, err


def test_a_diverging_run_with_checked_weights_is_reported_not_refused() -> None:
    """LocalSGD updates in place, so the engine checks a fingerprint of the weights; once they
    are NaN the check must still pass (the run is recorded as diverged)."""
    record = run_method(run_config("localsgd", "logistic", 2, 40, 1e300, dim=8,
                                   num_samples=16, batch_size=4, local_steps=1))
    assert record.summary["final_gap"] is None or not np.isfinite(record.summary["final_gap"])
