"""The objective contract: a model split into S stages, one parameter block per stage.

The parameter vector x is flat; block s is ``x[blocks[s]]`` and belongs to stage s. The model is
a pipeline: stage 0 turns the rows of a minibatch into an activation, stage s maps the activation
of stage s - 1 to its own, and the loss reads the output of stage S - 1. With
f(x) = (1/n) sum_i loss_i(x), a stochastic block gradient on rows B is

    g_s(z; B) = (1/|B|) sum_{i in B} d loss_i / d x_s  evaluated at z,

computed by a forward through every stage and a backward from stage S - 1 down to stage s. When
stage j uses its own weight version z_j (a stale read), the result is the gradient at the mixed
point z = (z_0, ..., z_{S-1}), which is what Randomized PipeDream (Ilin and Richtarik,
arXiv 2606.03498) abstracts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeproof.checks.executor.backend import Backend


@dataclass(frozen=True)
class Constant:
    """A constant of an objective and how it is known.

    Attributes:
        value: the number.
        kind: "exact", "closed form", "solved to 1e-12", "upper bound", "lower bound" or
            "local estimate".
        how: one line on how it was obtained.
    """

    value: float
    kind: str
    how: str


def split_blocks(sizes: list[int]) -> tuple[slice, ...]:
    """Consecutive slices of the flat vector with the given block sizes."""
    ends = np.cumsum([0, *sizes])
    return tuple(slice(int(ends[i]), int(ends[i + 1])) for i in range(len(sizes)))


def even_blocks(dim: int, num_stages: int) -> tuple[slice, ...]:
    """S blocks of sizes differing by at most one (the first ``dim % S`` one larger)."""
    base, extra = divmod(dim, num_stages)
    return split_blocks([base + (1 if s < extra else 0) for s in range(num_stages)])


class Objective:
    """Base class of the objectives; subclasses define the stage functions and the data.

    Attributes:
        name: objective name (as on the command line).
        backend: where the arrays live.
        blocks: slice of block s in the flat parameter vector, for every stage s.
        num_samples: n, the number of samples f averages over.
    """

    name = "objective"

    def __init__(self, backend: Backend, blocks: tuple[slice, ...], num_samples: int) -> None:
        self.backend = backend
        self.blocks = blocks
        self.num_samples = num_samples

    @property
    def num_stages(self) -> int:
        """S, the number of blocks."""
        return len(self.blocks)

    @property
    def dim(self) -> int:
        """d, the number of parameters."""
        return self.blocks[-1].stop

    def initial_point(self) -> Any:
        """x^0 as a flat array on the backend."""
        raise NotImplementedError

    def smoothness(self) -> Constant:
        """L, the smoothness constant of f (or what is known of it)."""
        raise NotImplementedError

    def optimum(self) -> Constant:
        """f* = inf f (or what is known of it)."""
        raise NotImplementedError

    def parameters(self) -> dict[str, Any]:
        """The parameters that rebuild this objective (stored with every run)."""
        return {"objective": self.name, "num_stages": self.num_stages, "dim": self.dim,
                "num_samples": self.num_samples}

    def stage_forward(self, stage: int, weights: Any, inputs: Any, rows: Any) -> tuple[Any, Any]:
        """Stage ``stage`` on the minibatch ``rows``: (its output activation, what the backward
        needs). ``inputs`` is the output of stage - 1 (None on stage 0)."""
        raise NotImplementedError

    def stage_backward(self, stage: int, weights: Any, cache: Any, grad_outputs: Any,
                       rows: Any) -> tuple[Any, Any]:
        """(gradient of the minibatch loss for the stage's weights, gradient for its inputs)."""
        raise NotImplementedError

    def loss_gradient(self, outputs: Any, rows: Any) -> Any:
        """Gradient of the mean minibatch loss for the output of stage S - 1."""
        raise NotImplementedError

    def value(self, x: Any) -> float:
        """f(x) over all n samples."""
        raise NotImplementedError

    def gradient(self, x: Any) -> Any:
        """The full gradient of f at x (flat)."""
        raise NotImplementedError

    def block_gradient(self, point: Any, stage: int, rows: Any) -> Any:
        """g_s(point; rows): a forward through every stage, a backward down to ``stage``."""
        return self._backward(point, rows, stage)[stage]

    def minibatch_gradient(self, point: Any, rows: Any) -> Any:
        """g(point; rows), every block (flat): one forward and one backward through all stages."""
        gradient = self.backend.zeros(self.dim)
        for block, grad_weights in zip(self.blocks, self._backward(point, rows, 0), strict=True):
            gradient[block] = grad_weights
        return gradient

    def _backward(self, point: Any, rows: Any, stage: int) -> list[Any]:
        """The minibatch gradients of blocks ``stage``..S - 1, indexed by stage (None below)."""
        weights = [point[block] for block in self.blocks]
        outputs, caches = None, []
        for s in range(self.num_stages):
            outputs, cache = self.stage_forward(s, weights[s], outputs, rows)
            caches.append(cache)
        grad, gradients = self.loss_gradient(outputs, rows), [None] * self.num_stages
        for s in range(self.num_stages - 1, stage - 1, -1):
            gradients[s], grad = self.stage_backward(s, weights[s], caches[s], grad, rows)
        return gradients

    def tracker(self, x: Any) -> Tracker:
        """An incremental view of f and its gradient along the run (see :class:`Tracker`)."""
        return Tracker(self, x)


class Tracker:
    """The current iterate x with f(x) and ||grad f(x)||^2, recomputed only when asked.

    Objectives whose value and gradient can be updated cheaply after a block update subclass it
    (see :mod:`pipeproof.checks.executor.objectives.quadratic`) and set ``cheap_gradient``.
    """

    cheap_gradient = False
    """True when ``grad_norm_sq`` costs O(d) after each update (then it is read every update)."""

    def __init__(self, objective: Objective, x: Any) -> None:
        self.objective = objective
        self.x = objective.backend.copy(x)
        self._value: float | None = None
        self._norm: float | None = None

    def update(self, stage: int, delta: Any) -> None:
        """x_s <- x_s + delta."""
        self.x[self.objective.blocks[stage]] += delta
        self._value = self._norm = None

    def value(self) -> float:
        """f(x)."""
        if self._value is None:
            self._value = self.objective.value(self.x)
        return self._value

    def grad_norm_sq(self) -> float:
        """||grad f(x)||^2."""
        if self._norm is None:
            gradient = self.objective.gradient(self.x)
            self._norm = self.objective.backend.item(gradient @ gradient)
        return self._norm


def local_smoothness(objective: Objective, point: Any, iterations: int = 30,
                     seed: int = 0) -> Constant:
    """|lambda|_max of the Hessian of f at ``point`` by power iteration on finite-difference
    Hessian-vector products H v ~ (grad f(x + h v) - grad f(x - h v)) / (2h).

    For a nonconvex f no global L exists in closed form; this is the curvature at ``point``, a
    lower bound on any L valid around it.
    """
    backend = objective.backend
    vector = backend.asarray(np.random.default_rng(seed).standard_normal(objective.dim))
    scale = 1e-5 * max(1.0, backend.item((point @ point) ** 0.5))
    estimate = 0.0
    for _ in range(iterations):
        vector = vector / backend.item((vector @ vector) ** 0.5)
        product = (objective.gradient(point + scale * vector)
                   - objective.gradient(point - scale * vector)) / (2 * scale)
        estimate = backend.item((product @ product) ** 0.5)
        if estimate == 0.0:
            break
        vector = product
    return Constant(estimate, "local estimate",
                    f"power iteration ({iterations} steps) on Hessian-vector products at x^0")
