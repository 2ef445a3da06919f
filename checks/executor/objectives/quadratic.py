"""Least-squares quadratics f(x) = (1/2n) ||X x - y||^2 in the three kinds of the paper.

With H = X^T X / n, b = X^T y / n and c = ||y||^2 / (2n), f(x) = x^T H x / 2 - b^T x + c,
grad f(x) = H x - b and L = lambda_max(H). The kinds (Ilin and Richtarik, arXiv 2606.03498, from
the authors' code):

* ``gaussian``: X with i.i.d. N(0, 1) entries, y = X w + sigma N(0, 1) label noise, w ~ N(0, I)
  (sigma = 0.1 by default; the authors' experiments use sigma = 0);
* ``nesterov``: Nesterov's worst case (Nesterov 2004, section 2.1.2), H = T + mu I with
  T = tridiag(-1, 2, -1), b = H w* for w* = H^{-1} e_1. The design is X = q [D; c I; 0] with
  D the (d + 1) x d difference matrix (D^T D = T), q = ceil(sqrt(2d + 1)) and n = q^2 rows, so
  X^T X / n = T + c^2 I. mu = c^2 is the value for the target condition number
  kappa = (lambda_max(T) + mu)/(lambda_min(T) + mu), with c rounded to a dyadic number small
  enough that every product and sum in X^T X is exact: X^T X / n equals H exactly in float64;
* ``tridiagonal``: the authors' Nesterov quadratic, H = T + mu I exactly up to rounding, with
  mu = 0.01 (or the value for a target kappa), the design X = sqrt(n) Q C^T for C the Cholesky
  factor of H and Q the orthonormal factor of an n x d Gaussian matrix (n >= d), and the target
  y = X w + sigma N(0, 1), w ~ N(0, I) (sigma = 0 by default, so f* = 0);
* ``spectrum``: a prescribed spectrum, H = Q diag(lambda) Q^T with lambda_i = kappa^(-i/(d-1))
  (from 1 down to 1/kappa) and Q a random orthogonal matrix; X = sqrt(n) diag(sqrt(lambda)) Q^T
  with n = d.

When H fits in memory (d <= :data:`HESSIAN_LIMIT`) the tracker updates grad f after a block
update in O(d |block|), g <- g + H[:, s] delta, and reads f = c + x^T (g - b)/2 off it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pipeproof.checks.executor.backend import Backend
from pipeproof.checks.executor.objectives.additive import (
    RESYNC_EVERY,
    AdditiveObjective,
    PredictionTracker,
)
from pipeproof.checks.executor.objectives.base import Constant, Tracker
from pipeproof.theory.parameters import ParameterError

KINDS = ("gaussian", "nesterov", "tridiagonal", "spectrum")
TRIDIAGONAL_SHIFT = 0.01
"""mu of the tridiagonal quadratic when no condition number is asked for (the authors')."""
HESSIAN_LIMIT = 4096
"""Largest d for which H is formed and the gradient is tracked in O(d) per update."""


class LeastSquares(AdditiveObjective):
    """f(x) = (1/2n) ||X x - y||^2 on an additive S-stage pipeline."""

    name = "quadratic"

    def __init__(self, backend: Backend, design: np.ndarray, targets: np.ndarray,
                 num_stages: int, kind: str, smoothness: Constant) -> None:
        super().__init__(backend, design, targets, num_stages)
        self.kind = kind
        self._smoothness = smoothness
        self._optimum: Constant | None = None
        self.hessian_np = (design.T @ design / design.shape[0]
                           if design.shape[1] <= HESSIAN_LIMIT else None)
        self.hessian = None if self.hessian_np is None else backend.asarray(self.hessian_np)
        self.linear = backend.asarray(design.T @ targets / design.shape[0])

    def loss(self, predictions: Any, targets: Any) -> Any:
        residual = predictions - targets
        return 0.5 * residual * residual

    def link(self, predictions: Any, targets: Any) -> Any:
        return predictions - targets

    def parameters(self) -> dict[str, Any]:
        return {**super().parameters(), "kind": self.kind}

    def smoothness(self) -> Constant:
        return self._smoothness

    def optimum(self) -> Constant:
        if self._optimum is None:
            self._optimum = least_squares_optimum(self.design_np, self.targets_np)
        return self._optimum

    def tracker(self, x: Any) -> Tracker:
        if self.hessian is None:
            return PredictionTracker(self, x)
        return HessianTracker(self, x)


class HessianTracker(Tracker):
    """grad f kept up to date after each block update in O(d |block|); f read off it.

    With g = H x - b, f(x) = x^T H x / 2 - b^T x + c = c + x^T (g - b) / 2, one dot product.
    """

    cheap_gradient = True

    def __init__(self, objective: LeastSquares, x: Any) -> None:
        super().__init__(objective, x)
        self.offset = 0.5 * (objective.targets @ objective.targets) / objective.num_samples
        self._rows = [objective.hessian[block] for block in objective.blocks]
        self._resync()

    def _resync(self) -> None:
        self.grad = self.objective.hessian @ self.x - self.objective.linear
        self._since = 0

    def update(self, stage: int, delta: Any) -> None:
        self.grad += delta @ self._rows[stage]
        self.x[self.objective.blocks[stage]] += delta
        self._norm = None
        self._since += 1
        if self._since >= RESYNC_EVERY:
            self._resync()

    def value(self) -> float:
        gap = self.x @ (self.grad - self.objective.linear)
        return self.objective.backend.item(self.offset + 0.5 * gap)

    def grad_norm_sq(self) -> Any:
        """||grad f||^2 as a backend scalar (no device sync)."""
        if self._norm is None:
            self._norm = self.grad @ self.grad
        return self._norm


def least_squares_optimum(design: np.ndarray, targets: np.ndarray,
                          full_row_rank: bool = True) -> Constant:
    """f* = (1/2n) min_w ||X w - y||^2.

    For n <= d the designs here have full row rank (Gaussian, or square and invertible), so
    X w = y is solvable and f* = 0 exactly; otherwise f* is the residual of a least-squares
    solve (LAPACK gelsd through numpy.linalg.lstsq). Given data (``full_row_rank`` false) is
    always solved.
    """
    num_samples, dim = design.shape
    if num_samples <= dim and full_row_rank:
        return Constant(0.0, "exact", "n <= d and X has full row rank, so X w = y is solvable")
    solution = np.linalg.lstsq(design, targets, rcond=None)[0]
    residual = design @ solution - targets
    value = 0.5 * float(residual @ residual) / num_samples
    return Constant(value, "solved to 1e-12", "least-squares solve (numpy.linalg.lstsq), "
                    "residual at the solution")


def largest_eigenvalue(design: np.ndarray) -> float:
    """lambda_max(X^T X / n), from the smaller of the Gram matrices X^T X and X X^T."""
    num_samples, dim = design.shape
    gram = design.T @ design if dim <= num_samples else design @ design.T
    return float(np.linalg.eigvalsh(gram / num_samples)[-1])


def gaussian(backend: Backend, num_stages: int, dim: int, num_samples: int,
             rng: np.random.Generator, label_noise: float = 0.1) -> LeastSquares:
    """X_ij ~ N(0, 1), y = X w + sigma e with w, e ~ N(0, I); L = lambda_max(X^T X / n)."""
    design = rng.standard_normal((num_samples, dim))
    targets = design @ rng.standard_normal(dim)
    if label_noise:
        targets = targets + label_noise * rng.standard_normal(num_samples)
    smoothness = Constant(largest_eigenvalue(design), "exact",
                          "largest eigenvalue of the Gram matrix (numpy.linalg.eigvalsh)")
    return LeastSquares(backend, design, targets, num_stages, "gaussian", smoothness)


def tridiagonal(backend: Backend, num_stages: int, dim: int, num_samples: int,
                condition: float | None, rng: np.random.Generator,
                label_noise: float = 0.0) -> LeastSquares:
    """The authors' tridiagonal quadratic (module docstring); n >= d.

    With kappa given, mu = (lambda_max(T) - kappa lambda_min(T)) / (kappa - 1), which needs
    1 < kappa < lambda_max(T) / lambda_min(T); else mu = 0.01.
    """
    low, high = tridiagonal_eigenvalues(dim)
    if condition is None:
        mu = TRIDIAGONAL_SHIFT
    elif condition >= high / low:
        raise ParameterError(f"condition must be a number in (1, {high / low:.6g}) for the "
                             f"tridiagonal quadratic with dim {dim}, got {condition!r}")
    else:
        mu = (high - condition * low) / (condition - 1.0)
    hessian = np.diag(np.full(dim, 2.0 + mu)) - np.eye(dim, k=1) - np.eye(dim, k=-1)
    factor = np.linalg.cholesky(hessian)
    basis = np.linalg.qr(rng.standard_normal((num_samples, dim)))[0]
    design = math.sqrt(num_samples) * basis @ factor.T
    targets = design @ rng.standard_normal(dim)
    if label_noise:
        targets = targets + label_noise * rng.standard_normal(num_samples)
    smoothness = Constant(high + mu, "closed form",
                          f"2 + 2 cos(pi/(d + 1)) + mu, mu = {mu!r}, kappa = "
                          f"{(high + mu) / (low + mu):.6g}")
    return LeastSquares(backend, design, targets, num_stages, "tridiagonal", smoothness)


def from_data(backend: Backend, num_stages: int, design: np.ndarray,
              targets: np.ndarray) -> LeastSquares:
    """Least squares on given data; L = lambda_max(X^T X / n)."""
    smoothness = Constant(largest_eigenvalue(design), "exact",
                          "largest eigenvalue of the Gram matrix (numpy.linalg.eigvalsh)")
    objective = LeastSquares(backend, design, targets, num_stages, "data", smoothness)
    objective._optimum = least_squares_optimum(design, targets, full_row_rank=False)
    return objective


def tridiagonal_eigenvalues(dim: int) -> tuple[float, float]:
    """(lambda_min, lambda_max) of tridiag(-1, 2, -1) of size d: 2 -+ 2 cos(pi/(d + 1))."""
    cosine = math.cos(math.pi / (dim + 1))
    return 2.0 - 2.0 * cosine, 2.0 + 2.0 * cosine


def exact_shift(dim: int, condition: float, scale: int) -> float:
    """mu = c^2 for the target condition number, with c = k / 2^e dyadic and e the largest
    exponent for which scale^2 (2 + c^2) 2^(2e) < 2^52: then (scale c)^2, 2 + c^2 and every partial
    sum of X^T X are exact in float64."""
    low, high = tridiagonal_eigenvalues(dim)
    if condition > high / low:
        raise ParameterError(f"condition must be a number in (1, {high / low:.6g}] for the "
                             f"nesterov quadratic with dim {dim}, got {condition!r}")
    target = max((high - condition * low) / (condition - 1.0), 0.0)
    exponent = int((52 - math.log2(scale * scale * (2.0 + target))) // 2)
    numerator = round(math.sqrt(target) * 2.0**exponent)
    return (numerator / 2.0**exponent) ** 2


def nesterov(backend: Backend, num_stages: int, dim: int, condition: float) -> LeastSquares:
    """Nesterov's worst-case quadratic with X^T X / n = tridiag(-1, 2, -1) + mu I exactly."""
    scale = math.isqrt(2 * dim) + 1  # q = ceil(sqrt(2d + 1)) for every d >= 1
    mu = exact_shift(dim, condition, scale)
    num_samples = scale * scale
    design = np.zeros((num_samples, dim))
    columns = np.arange(dim)
    design[columns, columns] = scale
    design[columns + 1, columns] = -scale
    design[dim + 1 + columns, columns] = scale * math.sqrt(mu)
    hessian_diagonal = np.full(dim, 2.0 + mu)
    solution = solve_tridiagonal(hessian_diagonal, -1.0, np.eye(1, dim)[0])
    targets = design @ solution
    low, high = tridiagonal_eigenvalues(dim)
    smoothness = Constant(high + mu, "closed form",
                          f"2 + 2 cos(pi/(d + 1)) + mu, mu = {mu!r}, kappa = "
                          f"{(high + mu) / (low + mu):.6g}")
    return LeastSquares(backend, design, targets, num_stages, "nesterov", smoothness)


def solve_tridiagonal(diagonal: np.ndarray, off: float, rhs: np.ndarray) -> np.ndarray:
    """Solve tridiag(off, diagonal, off) w = rhs by the Thomas algorithm (O(d))."""
    size = diagonal.size
    upper = np.empty(size)
    right = np.empty(size)
    pivot = diagonal[0]
    upper[0], right[0] = off / pivot, rhs[0] / pivot
    for i in range(1, size):
        pivot = diagonal[i] - off * upper[i - 1]
        upper[i] = off / pivot
        right[i] = (rhs[i] - off * right[i - 1]) / pivot
    solution = np.empty(size)
    solution[-1] = right[-1]
    for i in range(size - 2, -1, -1):
        solution[i] = right[i] - upper[i] * solution[i + 1]
    return solution


def spectrum(backend: Backend, num_stages: int, dim: int, condition: float,
             rng: np.random.Generator) -> LeastSquares:
    """H = Q diag(kappa^(-i/(d-1))) Q^T, so L = 1 and mu = 1/kappa (n = d samples)."""
    eigenvalues = condition ** (-np.arange(dim) / max(dim - 1, 1))
    basis = np.linalg.qr(rng.standard_normal((dim, dim)))[0]
    design = math.sqrt(dim) * np.sqrt(eigenvalues)[:, None] * basis.T
    targets = design @ rng.standard_normal(dim) + 0.1 * rng.standard_normal(dim)
    smoothness = Constant(float(eigenvalues[0]), "closed form",
                          f"prescribed spectrum kappa^(-i/(d-1)), kappa = {condition:g}")
    return LeastSquares(backend, design, targets, num_stages, "spectrum", smoothness)
