"""The separable pseudo-Huber objective, with constants proved for every point.

With S blocks of one coordinate each, a scale lambda > 0 and x in R^S,

    f(x) = lambda sum_j h(x_j),   h(t) = sqrt(1 + t^2) - 1,

and the stochastic block gradient g_s(z; xi) = lambda h'(z_s) + sigma_s xi, xi = +1 or -1 with
probability 1/2 each (sigma_s = 0: the exact gradient). Its constants hold globally:

* A1, L = lambda: h''(t) = (1 + t^2)^(-3/2) lies in (0, 1], so the Hessian of f is diagonal with
  entries in (0, lambda] and grad f is lambda-Lipschitz everywhere;
* A2, f* = 0: h(t) >= 0 = h(0);
* A3: E xi = 0, so E g_s = lambda h'(z_s) = grad_s f(z);
* A4, G^2 = lambda^2 + sigma_s^2: |h'(t)| = |t|/sqrt(1 + t^2) < 1 for every t, so
  E||g_s||^2 = lambda^2 h'(z_s)^2 + sigma_s^2 < lambda^2 + sigma_s^2 at every point, not only on
  a trajectory;
* A3': E||g_s - grad_s f||^2 = sigma_s^2 exactly, sigma^2 = S sigma_s^2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipeproof.theory.parameters import ParameterError


@dataclass(frozen=True)
class PseudoHuber:
    """f(x) = scale sum_j (sqrt(1 + x_j^2) - 1) with +-noise of size ``noise`` per block.

    Attributes:
        stages: S, the number of one-coordinate blocks.
        scale: lambda > 0.
        noise: sigma_s >= 0 of every block.
    """

    stages: int
    scale: float = 1.0
    noise: float = 0.0

    def __post_init__(self) -> None:
        if not (isinstance(self.stages, int) and self.stages >= 1):
            raise ParameterError(f"stages must be an integer >= 1, got {self.stages!r}")
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise ParameterError(f"scale must be a finite number > 0, got {self.scale!r}")
        if not (math.isfinite(self.noise) and self.noise >= 0):
            raise ParameterError(f"noise must be a finite number >= 0, got {self.noise!r}")

    @property
    def smoothness(self) -> float:
        """L = lambda, a smoothness constant of f everywhere (module docstring)."""
        return self.scale

    @property
    def moment_bound(self) -> float:
        """G = sqrt(lambda^2 + sigma_s^2), which bounds E||g_s||^2 <= G^2 at every point."""
        return math.sqrt(self.scale**2 + self.noise**2)

    @property
    def sigma(self) -> float:
        """sigma = sqrt(S) sigma_s."""
        return math.sqrt(self.stages) * self.noise

    @property
    def f_star(self) -> float:
        """inf f = f(0) = 0."""
        return 0.0

    def value(self, x: np.ndarray | tuple[float, ...]) -> np.ndarray:
        """f along the last axis."""
        x = np.asarray(x, dtype=float)
        return self.scale * (np.sqrt(1.0 + x * x) - 1.0).sum(axis=-1)

    def gradient(self, x: np.ndarray | float) -> np.ndarray | float:
        """lambda h'(x) elementwise: the exact block gradients."""
        return self.scale * x / np.sqrt(1.0 + x * x)

    def describe(self) -> str:
        """The objective in one line."""
        noise = f" + {self.noise:g} xi (xi = +-1)" if self.noise else ", exact gradients"
        return (f"pseudo-Huber f(x) = {self.scale:g} sum_j (sqrt(1 + x_j^2) - 1), S = "
                f"{self.stages} blocks of one coordinate{noise}")
