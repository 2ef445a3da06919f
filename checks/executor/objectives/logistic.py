"""L2-regularised logistic regression on an additive pipeline.

    f(x) = (1/n) sum_i log(1 + exp(-y_i a_i)) + (lambda/2) ||x||^2,   a = X x,  y_i in {-1, +1},

with lambda = 1e-4 (the authors' setting, Ilin and Richtarik, arXiv 2606.03498). The derivative
in a_i is -y_i sigmoid(-y_i a_i). f is L-smooth with

    L = lambda_max(X^T X) / (4n) + lambda,

since sigmoid' <= 1/4 (an upper bound, the constant the analysis uses). f is strongly convex, so
f* is the value at the unique minimiser, found by Newton's method until ||grad f|| <= 1e-12.
The data: rows x_i ~ N(0, I) and labels either ``flipped``: sign(x_i^T w) for a planted
w ~ N(0, (4/d) I), with 10% of them flipped, so the classes are not separable; or ``bernoulli``,
the authors' data: w ~ N(0, I) and y_i = +1 with probability sigmoid(x_i^T w), else -1 (their
labels in {0, 1} with the binary cross-entropy give the same f).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeproof.checks.executor.backend import NUMPY, Backend
from pipeproof.checks.executor.objectives.additive import AdditiveObjective
from pipeproof.checks.executor.objectives.base import Constant
from pipeproof.checks.executor.objectives.quadratic import largest_eigenvalue
from pipeproof.theory.parameters import ParameterError

REGULARIZATION = 1e-4
NEWTON_LIMIT = 4096
"""Largest d for which f* is computed by Newton's method (a dense d x d solve)."""
TOLERANCE = 1e-12


class Logistic(AdditiveObjective):
    """Logistic regression with labels in {-1, +1}."""

    name = "logistic"
    regularization = REGULARIZATION

    def __init__(self, backend: Backend, design: np.ndarray, targets: np.ndarray,
                 num_stages: int) -> None:
        super().__init__(backend, design, targets, num_stages)
        self._optimum: Constant | None = None

    def loss(self, predictions: Any, targets: Any) -> Any:
        return self.backend.softplus(-targets * predictions)

    def link(self, predictions: Any, targets: Any) -> Any:
        return -targets * self.backend.sigmoid(-targets * predictions)

    def smoothness(self) -> Constant:
        value = largest_eigenvalue(self.design_np) / 4 + self.regularization
        return Constant(value, "upper bound", "lambda_max(X^T X)/(4n) + lambda")

    def optimum(self) -> Constant:
        if self._optimum is None:
            self._optimum = newton_optimum(self.design_np, self.targets_np, self.regularization)
        return self._optimum


def newton_optimum(design: np.ndarray, targets: np.ndarray, regularization: float) -> Constant:
    """Minimise f by Newton's method with backtracking; f* at ||grad f|| <= 1e-12."""
    numpy_objective = Logistic(NUMPY, design, targets, 1)
    num_samples, dim = design.shape
    point = np.zeros(dim)
    iterations = 0
    while True:
        predictions = design @ point
        gradient = numpy_objective.gradient_at(predictions, point)
        norm = float(np.linalg.norm(gradient))
        if norm <= TOLERANCE or iterations == 100:
            break
        iterations += 1
        weights = NUMPY.sigmoid(predictions) * NUMPY.sigmoid(-predictions)
        hessian = (design.T * weights) @ design / num_samples
        hessian[np.diag_indices(dim)] += regularization
        step = np.linalg.solve(hessian, gradient)
        point = _backtrack(numpy_objective, point, step, gradient)
    value = numpy_objective.value(point)
    return Constant(value, "solved to 1e-12",
                    f"Newton's method, {iterations} iterations, ||grad f|| = {norm:.1e}")


def _backtrack(objective: Logistic, point: np.ndarray, step: np.ndarray,
               gradient: np.ndarray) -> np.ndarray:
    """Armijo backtracking along -step (full Newton steps near the optimum)."""
    current = objective.value(point)
    length = 1.0
    while length > 1e-10:
        candidate = point - length * step
        if objective.value(candidate) <= current - 1e-4 * length * float(gradient @ step):
            return candidate
        length /= 2
    return point - length * step


def make(backend: Backend, num_stages: int, dim: int, num_samples: int,
         rng: np.random.Generator, labels: str = "flipped") -> Logistic:
    """The data described in the module docstring."""
    check_size(dim)
    design = rng.standard_normal((num_samples, dim))
    if labels == "bernoulli":
        planted = rng.standard_normal(dim)
        chance = NUMPY.sigmoid(design @ planted)
        signs = np.where(rng.random(num_samples) < chance, 1.0, -1.0)
        return Logistic(backend, design, signs, num_stages)
    planted = 2.0 * rng.standard_normal(dim) / np.sqrt(dim)
    signs = np.where(design @ planted >= 0, 1.0, -1.0)
    flipped = rng.random(num_samples) < 0.1
    signs[flipped] *= -1.0
    return Logistic(backend, design, signs, num_stages)


def check_size(dim: int) -> None:
    """f* needs a dense d x d Newton solve: d <= :data:`NEWTON_LIMIT`."""
    if dim > NEWTON_LIMIT:
        raise ParameterError(f"dim must be an integer in 1..{NEWTON_LIMIT} for the logistic "
                             f"objective (f* by Newton's method), got {dim}")
