"""A least-squares quadratic whose stochastic gradients use every row (exact block gradients).

The executor's samplers draw minibatch rows with replacement, so even a batch of n rows gives a
noisy gradient. To separate the aligned regime (deterministic gradients, which add up
coherently over a delay window) from the noise-dominated one (Gaussian noise added to every
block gradient, config ``noise``), this objective ignores the drawn rows and evaluates every
stage on all n rows:

    g_s(z; B) = grad_s f(z) = X[:, s]^T (X z - y) / n   for every B,

on the data of :func:`pipeproof.checks.executor.objectives.quadratic.gaussian` with the targets
rescaled so that ||grad f(0)||^2 = d: the mean squared block gradient at x^0 = 0 is the block size b
for every S and every draw of the data, so stale distances measured at different S compare the
counting of the updates and not the scale of the gradients. L = lambda_max(X^T X/n) does not change;
f* scales with the targets.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeproof.checks.executor.backend import Backend
from pipeproof.checks.executor.objectives.quadratic import LeastSquares, gaussian


class FullBatchLeastSquares(LeastSquares):
    """f(x) = (1/2n) ||X x - y||^2 whose minibatch gradients are the full gradient."""

    name = "quadratic"

    def __init__(self, base: LeastSquares, targets: np.ndarray) -> None:
        super().__init__(base.backend, base.design_np, targets, base.num_stages,
                         "gaussian, full batch", base.smoothness())
        self.every_row = base.backend.index(np.arange(base.num_samples))

    def stage_forward(self, stage: int, weights: Any, inputs: Any, rows: Any) -> tuple[Any, Any]:
        return super().stage_forward(stage, weights, inputs, self.every_row)

    def loss_gradient(self, outputs: Any, rows: Any) -> Any:
        return super().loss_gradient(outputs, self.every_row)

    def stage_backward(self, stage: int, weights: Any, cache: Any, grad_outputs: Any,
                       rows: Any) -> tuple[Any, Any]:
        return super().stage_backward(stage, weights, cache, grad_outputs, self.every_row)

    def block_gradient(self, point: Any, stage: int, rows: Any) -> Any:
        residual = (self.design @ point - self.targets) / self.num_samples
        return residual @ self.design[:, self.blocks[stage]]


def full_batch_quadratic(backend: Backend, num_stages: int, block: int, samples_per_parameter: int,
                         rng: np.random.Generator) -> FullBatchLeastSquares:
    """The Gaussian quadratic with d = ``block`` S parameters and n = ``samples_per_parameter``
    d rows, evaluated on every row, its targets scaled to ||grad f(0)||^2 = d."""
    dim = block * num_stages
    base = gaussian(backend, num_stages, dim, samples_per_parameter * dim, rng)
    design, targets = base.design_np, base.targets_np
    initial = design.T @ targets / design.shape[0]  # -grad f(0)
    return FullBatchLeastSquares(base, targets * np.sqrt(dim) / np.linalg.norm(initial))
