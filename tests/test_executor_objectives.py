"""Objectives of the executor: gradients against finite differences, the constants L and f*,
the pipeline's stage functions against the whole-model gradient, and the exact Nesterov design."""

from __future__ import annotations

import numpy as np
import pytest

from pipeproof.checks.executor.backend import NUMPY, get_backend
from pipeproof.checks.executor.objectives import logistic, mlp, quadratic
from pipeproof.checks.executor.objectives.base import Objective
from pipeproof.checks.executor.objectives.quadratic import HessianTracker
from pipeproof.theory.parameters import ParameterError

STEP = 1e-6


def objectives() -> dict[str, Objective]:
    rng = np.random.default_rng(3)
    return {
        "gaussian": quadratic.gaussian(NUMPY, 3, 12, 40, rng),
        "gaussian-wide": quadratic.gaussian(NUMPY, 4, 24, 10, rng),
        "nesterov": quadratic.nesterov(NUMPY, 4, 12, 20.0),
        "spectrum": quadratic.spectrum(NUMPY, 3, 9, 50.0, rng),
        "logistic": logistic.make(NUMPY, 4, 10, 50, rng),
        "mlp": mlp.make(NUMPY, 3, 4, 5, 30, rng),
        "mlp-one-stage": mlp.make(NUMPY, 1, 4, 5, 30, rng),
    }


def finite_difference(objective: Objective, point: np.ndarray) -> np.ndarray:
    basis = np.eye(objective.dim)
    return np.array([(objective.value(point + STEP * e) - objective.value(point - STEP * e))
                     / (2 * STEP) for e in basis])


@pytest.fixture(params=list(objectives()))
def objective(request: pytest.FixtureRequest) -> Objective:
    return objectives()[request.param]


def test_gradient_matches_finite_differences(objective: Objective) -> None:
    point = objective.initial_point() + 0.3 * np.random.default_rng(0).standard_normal(
        objective.dim)
    gradient = objective.gradient(point)
    numeric = finite_difference(objective, point)
    assert np.abs(gradient - numeric).max() <= 1e-6 * max(1.0, np.abs(numeric).max())


def test_block_gradients_on_all_rows_make_the_full_gradient(objective: Objective) -> None:
    point = objective.initial_point() + 0.2
    rows = np.arange(objective.num_samples)
    blocks = np.concatenate([objective.block_gradient(point, s, rows)
                             for s in range(objective.num_stages)])
    np.testing.assert_allclose(blocks, objective.gradient(point), rtol=1e-12, atol=1e-14)


def test_stage_functions_compose_to_the_block_gradient(objective: Objective) -> None:
    """Forward through every stage, backward down to s: the pipeline the methods run."""
    point = objective.initial_point() - 0.1
    rows = np.array([0, 3, 3, 7])
    generic = Objective.block_gradient
    for stage in range(objective.num_stages):
        np.testing.assert_allclose(generic(objective, point, stage, rows),
                                   objective.block_gradient(point, stage, rows),
                                   rtol=1e-12, atol=1e-15)


def test_one_backward_through_all_stages_gives_every_block_gradient(
        objective: Objective) -> None:
    point = objective.initial_point() + 0.15
    rows = np.array([1, 2, 2, 5])
    blocks = np.concatenate([objective.block_gradient(point, s, rows)
                             for s in range(objective.num_stages)])
    np.testing.assert_allclose(objective.minibatch_gradient(point, rows), blocks,
                               rtol=1e-12, atol=1e-15)


def test_minibatch_gradients_are_unbiased(objective: Objective) -> None:
    """Averaged over every row, one-row gradients are the full gradient (assumption A3)."""
    point = objective.initial_point() + 0.05
    total = sum(objective.block_gradient(point, 0, np.array([row]))
                for row in range(objective.num_samples))
    np.testing.assert_allclose(total / objective.num_samples,
                               objective.gradient(point)[objective.blocks[0]], rtol=1e-10,
                               atol=1e-14)


def test_nesterov_design_is_exact() -> None:
    for dim, condition in ((7, 5.0), (64, 100.0), (300, 1e4)):
        objective = quadratic.nesterov(NUMPY, 2, dim, condition)
        design = objective.design_np
        gram = design.T @ design / design.shape[0]
        mu = gram[0, 0] - 2.0
        expected = (np.diag(np.full(dim, 2.0 + mu)) - np.diag(np.ones(dim - 1), 1)
                    - np.diag(np.ones(dim - 1), -1))
        assert np.array_equal(gram, expected)
        assert np.array_equal(objective.hessian_np, expected)
        eigenvalues = np.linalg.eigvalsh(expected)
        assert eigenvalues[-1] / eigenvalues[0] == pytest.approx(condition, rel=1e-3)
        assert objective.smoothness().value == pytest.approx(eigenvalues[-1], rel=1e-12)


def test_nesterov_rejects_an_unreachable_condition_number() -> None:
    with pytest.raises(ParameterError, match="condition must be a number in"):
        quadratic.nesterov(NUMPY, 2, 8, 1e6)


def test_quadratic_constants() -> None:
    rng = np.random.default_rng(1)
    tall = quadratic.gaussian(NUMPY, 2, 8, 30, rng)
    hessian = tall.design_np.T @ tall.design_np / 30
    assert tall.smoothness().value == pytest.approx(np.linalg.eigvalsh(hessian)[-1], rel=1e-12)
    solution = np.linalg.solve(hessian, tall.design_np.T @ tall.targets_np / 30)
    assert tall.optimum().value == pytest.approx(tall.value(solution), rel=1e-10)
    for _ in range(5):
        assert tall.value(rng.standard_normal(8)) >= tall.optimum().value
    wide = quadratic.gaussian(NUMPY, 2, 30, 8, rng)
    assert wide.optimum().value == 0.0
    assert wide.optimum().kind == "exact"
    spectrum = quadratic.spectrum(NUMPY, 2, 6, 10.0, rng)
    assert np.linalg.eigvalsh(spectrum.hessian_np) == pytest.approx(
        10.0 ** (-np.arange(6)[::-1] / 5), rel=1e-10)


def test_logistic_constants() -> None:
    objective = logistic.make(NUMPY, 2, 6, 40, np.random.default_rng(2))
    optimum = objective.optimum()
    assert optimum.kind == "solved to 1e-12"
    rng = np.random.default_rng(0)
    for _ in range(5):
        assert objective.value(rng.standard_normal(6)) >= optimum.value
    design = objective.design_np
    hessian_bound = design.T @ design / (4 * 40) + logistic.REGULARIZATION * np.eye(6)
    assert objective.smoothness().value == pytest.approx(np.linalg.eigvalsh(hessian_bound)[-1])


def test_logistic_dimension_limit() -> None:
    with pytest.raises(ParameterError, match=r"dim must be an integer in 1\.\.4096"):
        logistic.make(NUMPY, 2, 5000, 10, np.random.default_rng(0))


def test_mlp_knows_bounds_on_its_optimum() -> None:
    objective = mlp.make(NUMPY, 3, 4, 6, 40, np.random.default_rng(5))
    optimum = objective.optimum()
    assert optimum.kind == "lower bound" and optimum.value == 0.0
    assert objective.value(objective.initial_point()) > 0.0
    assert objective.smoothness().kind == "local estimate"
    assert objective.smoothness().value > 0.0


def test_hessian_tracker_follows_block_updates() -> None:
    objective = quadratic.gaussian(NUMPY, 4, 16, 50, np.random.default_rng(4))
    tracker = objective.tracker(objective.initial_point())
    assert isinstance(tracker, HessianTracker)
    rng = np.random.default_rng(0)
    for _ in range(50):
        stage = int(rng.integers(4))
        tracker.update(stage, rng.standard_normal(4))
    gradient = objective.gradient(tracker.x)
    assert tracker.value() == pytest.approx(objective.value(tracker.x), rel=1e-12)
    assert float(tracker.grad_norm_sq()) == pytest.approx(float(gradient @ gradient), rel=1e-12)


def test_prediction_tracker_follows_block_updates() -> None:
    objective = logistic.make(NUMPY, 3, 9, 30, np.random.default_rng(4))
    tracker = objective.tracker(objective.initial_point())
    rng = np.random.default_rng(1)
    for _ in range(20):
        tracker.update(int(rng.integers(3)), rng.standard_normal(3))
    gradient = objective.gradient(tracker.x)
    assert tracker.value() == pytest.approx(objective.value(tracker.x), rel=1e-12)
    assert tracker.grad_norm_sq() == pytest.approx(float(gradient @ gradient), rel=1e-12)


def test_transformer_gradient_and_bound() -> None:
    torch = pytest.importorskip("torch")
    from pipeproof.checks.executor.objectives import transformer

    backend = get_backend("torch")
    objective = transformer.make(backend, 3, 8, 8, np.random.default_rng(0))
    point = objective.initial_point()
    gradient = objective.gradient(point)
    rng = np.random.default_rng(1)
    for index in rng.choice(objective.dim, 6, replace=False):
        direction = torch.zeros(objective.dim, dtype=torch.float64)
        direction[index] = 1.0
        numeric = (objective.value(point + 1e-6 * direction)
                   - objective.value(point - 1e-6 * direction)) / 2e-6
        assert float(gradient[index]) == pytest.approx(numeric, rel=1e-5, abs=1e-9)
    rows = backend.index(np.arange(objective.num_samples))
    pieces = torch.cat([objective.block_gradient(point, s, rows) for s in range(3)])
    assert float((pieces - gradient).abs().max()) <= 1e-12
    assert 0.0 < objective.optimum().value < objective.value(point)


def test_transformer_needs_torch_and_three_stages() -> None:
    from pipeproof.checks.executor.objectives import transformer

    with pytest.raises(ParameterError, match="backend must be torch"):
        transformer.make(NUMPY, 3, 8, 8, np.random.default_rng(0))
    pytest.importorskip("torch")
    with pytest.raises(ParameterError, match="num_stages must be an integer >= 3"):
        transformer.make(get_backend("torch"), 2, 8, 8, np.random.default_rng(0))
