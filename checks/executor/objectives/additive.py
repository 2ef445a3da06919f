"""Additive pipelines: stage s adds X[:, block s] x_s to the prediction (the paper's model).

For a design X (n x d), targets y and a per-sample loss phi,

    f(x) = (1/n) sum_i phi(a_i, y_i) + (lambda/2) ||x||^2,   a = X x = sum_s X[:, s] x_s,

so the activation passed from stage s to stage s + 1 is the partial sum
sum_{j <= s} X[B, j] x_j and the gradient for it is the same at every stage:

    d/dx_s = X[B, s]^T phi'(a_B, y_B) / |B| + lambda x_s,   d/d(partial sum) = phi'(a_B, y_B)/|B|.

This is the model of the authors' code for the quadratic and logistic objectives (Ilin and
Richtarik, arXiv 2606.03498). Subclasses give phi and phi' (:meth:`loss`, :meth:`link`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeproof.checks.executor.backend import Backend
from pipeproof.checks.executor.objectives.base import Objective, Tracker, even_blocks

RESYNC_EVERY = 1024
"""Incremental trackers recompute their state from scratch after this many block updates."""
CACHE_ENTRIES = 1024
"""The forward keeps its rows of X[:, s] for the backward when they are at most this many
numbers (8 KiB); larger ones are gathered again, so activation memory stays small."""


class AdditiveObjective(Objective):
    """An additive model on a design held on the backend.

    Attributes:
        design: X on the backend (n x d).
        targets: y on the backend (n).
        design_np, targets_np: the same data in NumPy (for the constants).
        regularization: lambda.
    """

    regularization = 0.0

    def __init__(self, backend: Backend, design: np.ndarray, targets: np.ndarray,
                 num_stages: int) -> None:
        super().__init__(backend, even_blocks(design.shape[1], num_stages), design.shape[0])
        self.design_np = design
        self.targets_np = targets
        self.design = backend.asarray(design)
        self.targets = backend.asarray(targets)

    def loss(self, predictions: Any, targets: Any) -> Any:
        """phi(a, y) elementwise."""
        raise NotImplementedError

    def link(self, predictions: Any, targets: Any) -> Any:
        """phi'(a, y), the derivative in a, elementwise."""
        raise NotImplementedError

    def initial_point(self) -> Any:
        """x^0 = 0."""
        return self.backend.zeros(self.dim)

    def stage_forward(self, stage: int, weights: Any, inputs: Any, rows: Any) -> tuple[Any, Any]:
        features = self.design[rows, self.blocks[stage]]
        part = features @ weights
        cache = features if features.shape[0] * features.shape[1] <= CACHE_ENTRIES else None
        return (part if inputs is None else inputs + part), cache

    def loss_gradient(self, outputs: Any, rows: Any) -> Any:
        return self.link(outputs, self.targets[rows]) / rows.shape[0]

    def stage_backward(self, stage: int, weights: Any, cache: Any, grad_outputs: Any,
                       rows: Any) -> tuple[Any, Any]:
        features = self.design[rows, self.blocks[stage]] if cache is None else cache
        grad = grad_outputs @ features
        if self.regularization:
            grad = grad + self.regularization * weights
        return grad, grad_outputs

    def block_gradient(self, point: Any, stage: int, rows: Any) -> Any:
        """g_s(z; B) = X[B, s]^T phi'(X[B] z, y_B)/|B| + lambda z_s, in one pass."""
        features = self.design[rows]
        grad_outputs = self.link(features @ point, self.targets[rows]) / rows.shape[0]
        block = self.blocks[stage]
        grad = grad_outputs @ features[:, block]
        if self.regularization:
            grad = grad + self.regularization * point[block]
        return grad

    def value_at(self, predictions: Any, x: Any) -> float:
        """f from the predictions a = X x (and x, for the regularizer)."""
        total = self.loss(predictions, self.targets).sum() / self.num_samples
        if self.regularization:
            total = total + 0.5 * self.regularization * (x @ x)
        return self.backend.item(total)

    def gradient_at(self, predictions: Any, x: Any) -> Any:
        """grad f from the predictions a = X x."""
        grad = self.link(predictions, self.targets) @ self.design / self.num_samples
        if self.regularization:
            grad = grad + self.regularization * x
        return grad

    def value(self, x: Any) -> float:
        return self.value_at(self.design @ x, x)

    def gradient(self, x: Any) -> Any:
        return self.gradient_at(self.design @ x, x)

    def tracker(self, x: Any) -> Tracker:
        return PredictionTracker(self, x)


class PredictionTracker(Tracker):
    """Keeps a = X x up to date after a block update, a <- a + X[:, s] delta (cost n |block|);
    f and grad f are then read off a (cost n and n d), and a is recomputed every
    :data:`RESYNC_EVERY` updates so that rounding does not accumulate."""

    def __init__(self, objective: AdditiveObjective, x: Any) -> None:
        super().__init__(objective, x)
        self.predictions = objective.design @ self.x
        self._since = 0

    def update(self, stage: int, delta: Any) -> None:
        block = self.objective.blocks[stage]
        self.x[block] += delta
        self._since += 1
        if self._since >= RESYNC_EVERY:
            self.predictions = self.objective.design @ self.x
            self._since = 0
        else:
            self.predictions += self.objective.design[:, block] @ delta
        self._value = self._norm = None

    def value(self) -> float:
        if self._value is None:
            self._value = self.objective.value_at(self.predictions, self.x)
        return self._value

    def grad_norm_sq(self) -> float:
        if self._norm is None:
            gradient = self.objective.gradient_at(self.predictions, self.x)
            self._norm = self.objective.backend.item(gradient @ gradient)
        return self._norm
