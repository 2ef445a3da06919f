"""Minibatches and gradient noise, drawn from NumPy generators passed in.

Three ways to form minibatches of B rows out of n (``batching``):

* ``random``: B rows drawn uniformly with replacement, so every minibatch gradient is an
  unbiased estimate of the full gradient (assumption A3 of the convergence theorems);
* ``cyclic``: the n/B fixed contiguous batches rows [bB, (b + 1)B), taken in order: draw k
  gets batch k mod (n/B), as in the authors' code (Ilin and Richtarik, arXiv 2606.03498), where
  microbatch m of PipeDream and LocalSGD reads batch m mod (n/B);
* ``uniform-batch``: one of those fixed batches drawn uniformly (with replacement), which is
  what Randomized PipeDream does when the pipelined methods cycle.

Optional Gaussian noise sigma * N(0, I) belongs to the microbatch: it is drawn with the rows,
one value per parameter, and block s of it is added to the gradient of block s. Rows and noise
each have their own generator and are drawn microbatch by microbatch in order, so methods that
process the same microbatches in different orders (GPipe and Flush; PipeDream and Randomized
PipeDream replaying its delays) see the same rows and the same noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeproof.checks.executor.backend import Backend

BATCHING = ("random", "cyclic")
"""The choices of a run's ``batching``."""
SAMPLER_MODES = (*BATCHING, "uniform-batch")


class Sampler:
    """Row indices of minibatches: ``batch_size`` rows out of ``num_samples`` (module docstring).

    ``cyclic`` and ``uniform-batch`` need ``batch_size`` to divide ``num_samples``.
    """

    def __init__(self, backend: Backend, num_samples: int, batch_size: int,
                 rng: np.random.Generator, mode: str = "random") -> None:
        if mode not in SAMPLER_MODES:
            raise ValueError(f"unknown batching {mode!r}")
        if mode != "random" and num_samples % batch_size:
            raise ValueError(f"batch size {batch_size} does not divide {num_samples} samples")
        self.backend = backend
        self.num_samples = num_samples
        self.batch_size = batch_size
        self.rng = rng
        self.mode = mode
        self.drawn = 0
        self._batches = None if mode == "random" else [
            backend.index(np.arange(start, start + batch_size))
            for start in range(0, num_samples, batch_size)]

    def draw(self) -> Any:
        """The rows of the next minibatch, as a backend index array."""
        count = self.drawn
        self.drawn += 1
        if self.mode == "random":
            return self.backend.index(self.rng.integers(0, self.num_samples, self.batch_size))
        if self.mode == "cyclic":
            return self._batches[count % len(self._batches)]
        return self._batches[int(self.rng.integers(len(self._batches)))]


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
            rng: np.random.Generator, batching: str = "random",
            ) -> tuple[Sampler, Noise, np.random.Generator]:
    """The minibatch sampler, the noise and a generator for the method's own choices, each on
    its own child stream of ``rng`` (every method splits ``rng`` the same way)."""
    rows, gaussian, choices = rng.spawn(3)
    return (Sampler(backend, num_samples, batch_size, rows, batching),
            Noise(backend, noise, gaussian), choices)
