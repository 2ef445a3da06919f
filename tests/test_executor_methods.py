"""Methods on tiny problems with hand-computable results, and relations between methods."""

from __future__ import annotations

import numpy as np
import pytest

from pipeproof.checks.executor.backend import NUMPY
from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.objectives.base import Constant
from pipeproof.checks.executor.objectives.quadratic import LeastSquares
from pipeproof.checks.executor.run import run_method, train


def one_row_quadratic(num_stages: int) -> LeastSquares:
    """f(x) = (x_0 + ... + x_{S-1} - 1)^2 / 2: one row, so every minibatch is that row."""
    design = np.ones((1, num_stages))
    return LeastSquares(NUMPY, design, np.ones(1), num_stages, "one row",
                        Constant(float(num_stages), "exact", "S"))


def final_point(method: str, num_stages: int, micro: int, step: float, **options) -> np.ndarray:
    config = run_config(method, "quadratic", num_stages, micro, step, batch_size=1,
                        keep_arrays=True, **options)
    recorder, _, _ = train(one_row_quadratic(num_stages), config, np.random.default_rng(0), 0.0)
    return recorder.x


def test_pipedream_two_stages_two_microbatches_by_hand() -> None:
    """Slots: F(0,0)=0, F(1,0)=F(0,1)=1, B(1,0)=2, B(0,0)=F(1,1)=3, B(1,1)=4, B(0,1)=5.

    Microbatch 0 reads (0, 0): residual -1, both blocks move to gamma. Microbatch 1 read block 0
    at slot 1 (still 0) and block 1 at slot 3 (gamma): residual gamma - 1, so both blocks end at
    gamma - gamma (gamma - 1) = 2 gamma - gamma^2.
    """
    gamma = 0.5
    expected = 2 * gamma - gamma**2
    np.testing.assert_allclose(final_point("pipedream", 2, 2, gamma), [expected, expected],
                               rtol=0, atol=1e-15)


def test_sgd_two_steps_by_hand() -> None:
    """Plain SGD: (0,0) -> (gamma, gamma) -> gamma - gamma (2 gamma - 1) per block."""
    gamma = 0.5
    expected = gamma - gamma * (2 * gamma - 1)
    np.testing.assert_allclose(final_point("sgd", 2, 2, gamma), [expected, expected], atol=1e-15)


def test_gpipe_step_is_the_average_gradient_step() -> None:
    """One flush of A = 3 microbatches from 0: every gradient is -1 per block, so x = gamma."""
    np.testing.assert_allclose(final_point("gpipe", 3, 3, 0.25, accumulation=3),
                               [0.25, 0.25, 0.25], atol=1e-15)


def test_twobw_first_steps_by_hand() -> None:
    """S = 1, A = 1: V_1 = V_0 - gamma g(V_0) = gamma; V_2 = V_1 - gamma g(V_0) = 2 gamma;
    V_3 = V_2 - gamma g(V_1) = 2 gamma - gamma (gamma - 1)."""
    gamma = 0.25
    expected = 2 * gamma - gamma * (gamma - 1)
    np.testing.assert_allclose(final_point("2bw", 1, 3, gamma, accumulation=1), [expected],
                               atol=1e-15)


def test_localsgd_averages_at_the_barrier() -> None:
    """S = 1, R = 2 copies, H = 1: both copies step from 0 to gamma; the average is gamma."""
    np.testing.assert_allclose(final_point("localsgd", 1, 2, 0.5, num_runs=2, local_steps=1),
                               [0.5], atol=1e-15)


def test_rpd_without_delays_on_one_block_is_sgd() -> None:
    sgd = final_point("sgd", 1, 7, 0.3)
    rpd = final_point("rpd", 1, 7, 0.3, max_delay=0)
    np.testing.assert_allclose(rpd, sgd, rtol=1e-15)


def small(method: str, **options):
    base = {"dim": 12, "num_samples": 40, "batch_size": 3, "noise": 0.05}
    base.update(options)
    return run_method(run_config(method, "quadratic", base.pop("stages", 3),
                                 base.pop("micro", 12), 0.05, **base))


def test_gpipe_and_flush_make_the_same_iterates() -> None:
    gpipe, flush = small("gpipe"), small("flush")
    np.testing.assert_array_equal(gpipe.final_point, flush.final_point)
    assert gpipe.summary["simulated_slots"] == flush.summary["simulated_slots"]


def test_pipedream_with_one_stage_is_sgd() -> None:
    pipedream, sgd = small("pipedream", stages=1), small("sgd", stages=1)
    np.testing.assert_allclose(pipedream.final_point, sgd.final_point, rtol=1e-14)


@pytest.mark.parametrize("objective", ["quadratic", "logistic", "nesterov", "mlp"])
def test_rpd_replaying_pipedream_reproduces_it(objective: str) -> None:
    options = {"dim": 6 if objective == "mlp" else 12, "batch_size": 3, "noise": 0.1}
    if objective != "nesterov":
        options["num_samples"] = 40
    records = [run_method(run_config(method, objective, 4, 17, 0.05, **options, **extra))
               for method, extra in (("pipedream", {}), ("rpd", {"delays": "pipedream"}))]
    first, second = (record.final_point for record in records)
    assert np.abs(first - second).max() <= 1e-13 * np.abs(first).max()
    assert records[1].summary["max_delay"] == records[0].summary["max_delay"]
    assert records[1].summary["simulated_slots"] == records[0].summary["simulated_slots"]


def test_every_method_decreases_the_gap_with_a_small_step() -> None:
    for method in ("pipedream", "rpd", "localsgd", "gpipe", "flush", "2bw", "sgd"):
        micro = 30 if method == "localsgd" else 24
        record = small(method, micro=micro, noise=0.0)
        assert record.summary["final_gap"] < record.summary["initial_gap"], method


def test_run_records_the_measured_quantities() -> None:
    record = small("pipedream", stages=4, micro=20)
    summary = record.summary
    assert summary["num_block_updates"] == 80
    assert summary["max_delay"] == 16 - 2 + 2  # STL-PD-WARMUP at S = 4: S^2 - 2 + floor(9/4)
    assert summary["simulated_slots"] == 2 * (20 + 4 - 1)
    assert summary["measured_G"] > 0 and summary["mean_stale_distance"] > 0
    assert record.measurements["steady"]["held_versions_per_stage"] == [4, 3, 2, 1]
    traces = record.traces
    assert traces["iteration"][0] == 0 and traces["iteration"][-1] == 80
    assert np.all(np.diff(traces["slot"]) >= 0)
    assert summary["avg_grad_norm_sq"] == pytest.approx(np.mean(traces["grad_norm_sq"][:-1]),
                                                        rel=0.5)


def test_running_average_is_over_every_iterate_for_a_cheap_gradient() -> None:
    config = run_config("sgd", "quadratic", 2, 6, 0.1, dim=4, num_samples=20, trace_points=100)
    record = run_method(config)
    norms = record.traces["grad_norm_sq"]
    assert record.summary["avg_grad_norm_sq"] == pytest.approx(norms[:-1].mean(), rel=1e-12)
    running = record.traces["avg_grad_norm_sq"]
    assert running[0] == norms[0]
    assert running[1:] == pytest.approx(np.cumsum(norms)[:-1] / np.arange(1, len(norms)),
                                        rel=1e-12)


def test_step_size_auto_picks_from_the_grid() -> None:
    config = run_config("pipedream", "quadratic", 4, 40, "auto", dim=16, num_samples=64)
    choice = run_method(config).summary["step_size_choice"]
    assert choice["step_size"] == 2.0 ** -choice["exponent"]
    best = min(gap for gap in choice["final_gaps"] if gap is not None)
    assert choice["final_gaps"][choice["exponents"].index(choice["exponent"])] == best
    assert len(choice["exponents"]) == 12


def test_diverging_run_reports_none() -> None:
    config = run_config("sgd", "quadratic", 2, 400, 100.0, dim=4, num_samples=20)
    with np.errstate(all="ignore"):
        summary = run_method(config).summary
    assert summary["diverged"] and summary["final_gap"] is None
