"""Training runs that keep, besides the traces, what the convergence confirmations measure.

:class:`ProbedRecorder` is a :class:`~pipeproof.checks.executor.trace.Recorder` that records a point
after every block update (stride 1, so the running average (1/K) sum_{k<K} ||grad f(x^k)||^2 is
known at every K) and also keeps, for every update k,

* ||g^k||^2, the squared norm of the applied block gradient (the plug-in G of the bounds is the
  root of its maximum), and
* ||x^k - z^k||^2, the stale distance between the iterate and the point g^k was computed at,

plus copies of x^k at a few evenly spaced k: the points where the hypotheses of the theorems are
probed (smoothness, unbiasedness, block variances). :func:`train_probed` runs one method with it
and returns a :class:`Trajectory`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeproof.checks.executor.blas import single_threaded
from pipeproof.checks.executor.config import RunConfig
from pipeproof.checks.executor.methods.registry import get_runner
from pipeproof.checks.executor.objectives.base import Objective
from pipeproof.checks.executor.trace import Recorder

TRACE_POINTS = 100
"""Points of the traces when not every update is recorded."""


class ProbedRecorder(Recorder):
    """A stride-1 recorder that also keeps ||g^k||^2, ||x^k - z^k||^2 and a few snapshots."""

    def __init__(self, objective: Objective, num_updates: int, f_star: float,
                 snapshots: int, every_point: bool = True) -> None:
        points = max(num_updates, 1) if every_point else TRACE_POINTS
        super().__init__(objective.tracker(objective.initial_point()), num_updates, f_star,
                         max_points=points)
        self.grad_sq = np.zeros(num_updates)
        self.stale_sq = np.zeros(num_updates)
        marks = np.linspace(0, num_updates, snapshots + 1)[1:].round().astype(int)
        self._marks = set(marks.tolist())
        self.snapshots = [self.backend.to_numpy(self.x).copy()]

    def update(self, stage: int, delta: Any, grad: Any, stale: Any, slot: int) -> None:
        """Note ||g^k||^2 and ||x^k - z^k||^2, then apply update k as the recorder does."""
        step = self.iteration
        self.grad_sq[step] = self.backend.item(grad @ grad)
        self.stale_sq[step] = self.backend.item(stale)
        super().update(stage, delta, grad, stale, slot)
        if self.iteration in self._marks:
            self.snapshots.append(self.backend.to_numpy(self.x).copy())


@dataclass(frozen=True)
class Trajectory:
    """One probed run.

    Attributes:
        grad_norm_sq: ||grad f(x^k)||^2 for k = 0..K.
        running_average: (1/K) sum_{k<K} ||grad f(x^k)||^2 for K = 1..K_run (the recorder's).
        gap: f(x^k) - f* for k = 0..K.
        block_grad_sq: ||g^k||^2 for k = 0..K-1.
        stale_sq: ||x^k - z^k||^2 for k = 0..K-1.
        max_delay: the largest delay the run's reads had.
        points: x^0 and the snapshots (NumPy arrays).
    """

    grad_norm_sq: np.ndarray
    running_average: np.ndarray
    gap: np.ndarray
    block_grad_sq: np.ndarray
    stale_sq: np.ndarray
    max_delay: int
    points: tuple[np.ndarray, ...]

    @property
    def observed_g(self) -> float:
        """max_k ||g^k||, the plug-in G."""
        return float(np.sqrt(self.block_grad_sq.max()))

    @property
    def finite(self) -> bool:
        """Whether every recorded number is finite (the run did not diverge)."""
        return bool(np.isfinite(self.grad_norm_sq).all() and np.isfinite(self.stale_sq).all()
                    and np.isfinite(self.block_grad_sq).all())


def train_probed(objective: Objective, config: RunConfig, rng: np.random.Generator,
                 f_star: float, snapshots: int = 4, every_point: bool = True) -> Trajectory:
    """Train ``config.method`` on ``objective`` from x^0 with a :class:`ProbedRecorder`
    (``every_point``: the traces have every update, else about :data:`TRACE_POINTS`)."""
    recorder = ProbedRecorder(objective, config.block_updates, f_star, snapshots, every_point)
    with single_threaded(), np.errstate(over="ignore", invalid="ignore"):
        result = get_runner(config.method)(objective, config, rng, recorder)
    traces = recorder.finish()
    return Trajectory(traces["grad_norm_sq"], traces["avg_grad_norm_sq"][1:], traces["gap"],
                      recorder.grad_sq[:recorder.iteration],
                      recorder.stale_sq[:recorder.iteration], int(result.max_delay),
                      tuple(recorder.snapshots))
