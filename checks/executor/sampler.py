"""Minibatches and gradient noise, drawn from NumPy generators passed in.

Rows are drawn uniformly with replacement, so every minibatch gradient is an unbiased estimate
of the full gradient (assumption A3 of the convergence theorems). Optional Gaussian noise
sigma * N(0, I) belongs to the microbatch: it is drawn with the rows, one value per parameter,
and block s of it is added to the gradient of block s. Rows and noise each have their own
generator and are drawn microbatch by microbatch in order, so methods that process the same
microbatches in different orders (GPipe and Flush; PipeDream and Randomized PipeDream replaying
its delays) see the same rows and the same noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeproof.checks.executor.backend import Backend


class Sampler:
    """Row indices of minibatches: ``batch_size`` rows out of ``num_samples``, i.i.d. uniform."""

    def __init__(self, backend: Backend, num_samples: int, batch_size: int,
                 rng: np.random.Generator) -> None:
        self.backend = backend
        self.num_samples = num_samples
        self.batch_size = batch_size
        self.rng = rng

    def draw(self) -> Any:
        """The rows of the next minibatch, as a backend index array."""
        return self.backend.index(self.rng.integers(0, self.num_samples, self.batch_size))


class Noise:
    """sigma * N(0, I) gradient noise (None when sigma is 0)."""

    def __init__(self, backend: Backend, sigma: float, rng: np.random.Generator) -> None:
        self.backend = backend
        self.sigma = sigma
        self.rng = rng

    def draw(self, size: int) -> Any:
        """``size`` values of noise on the backend, or None when sigma is 0."""
        if not self.sigma:
            return None
        return self.backend.asarray(self.sigma * self.rng.standard_normal(size))


def streams(backend: Backend, num_samples: int, batch_size: int, noise: float,
            rng: np.random.Generator) -> tuple[Sampler, Noise, np.random.Generator]:
    """The minibatch sampler, the noise and a generator for the method's own choices, each on
    its own child stream of ``rng`` (every method splits ``rng`` the same way)."""
    rows, gaussian, choices = rng.spawn(3)
    return (Sampler(backend, num_samples, batch_size, rows), Noise(backend, noise, gaussian),
            choices)
