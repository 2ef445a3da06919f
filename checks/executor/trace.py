"""Traces of a run against block updates and simulated time.

After every block update k (x^k -> x^{k+1}) the recorder notes the stochastic block gradient
g^k, the stale distance ||x^k - z^k||^2 between the iterate and the point the gradient was
computed at, and the slot at which the update landed. At evenly spaced updates (at most
``max_points`` of them, plus x^0 and the last) it records

* the objective gap f(x^k) - f*,
* ||grad f(x^k)||^2 and its running average (1/k) sum_{i < k} ||grad f(x^i)||^2 (the average
  the bounds speak about at K = k; at k = 0 the value at x^0),
* the stale distance and the largest ||g_s|| seen so far (the plug-in G of the bounds),

so memory does not grow with the number of updates. When the tracker updates the gradient in
O(d) (:class:`~pipeproof.checks.executor.objectives.quadratic.HessianTracker`) the running average
is taken over every iterate; otherwise over the recorded iterates before k. The average the bounds
speak about, (1/K) sum_{k < K} ||grad f(x^k)||^2, is :attr:`Recorder.average_grad_norm_sq`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pipeproof.checks.executor.objectives.base import Tracker

TRACE_NAMES = ("iteration", "slot", "gap", "grad_norm_sq", "avg_grad_norm_sq",
               "stale_distance", "max_block_grad_norm")


class Recorder:
    """Applies block updates to the tracker and keeps the traces."""

    def __init__(self, tracker: Tracker, num_updates: int, f_star: float,
                 max_points: int = 1000, progress: Any = None) -> None:
        self.tracker = tracker
        self.backend = tracker.objective.backend
        self.num_updates = num_updates
        self.f_star = f_star
        self.stride = max(1, math.ceil(num_updates / max_points))
        self.iteration = 0
        self.progress = progress
        size = num_updates // self.stride + 2
        self.traces = {name: np.full(size, np.nan) for name in TRACE_NAMES}
        self._points = 0
        self._grad_max = 0.0
        self._stale_sum = 0.0
        self._stale_max = 0.0
        self._stale = 0.0
        self._norm_sum = 0.0
        self._norm_count = 0
        self._cheap = tracker.cheap_gradient
        self._max = max if self.backend.name == "numpy" else self.backend.maximum
        self._point(0)

    @property
    def x(self) -> Any:
        """The current iterate x^k (flat)."""
        return self.tracker.x

    def update(self, stage: int, delta: Any, grad: Any, stale: Any, slot: int) -> None:
        """Apply x_s <- x_s + delta (update k) and note g^k, ||x^k - z^k||^2 and its slot."""
        tracker = self.tracker
        if self._cheap and self.iteration:
            self._norm_sum = self._norm_sum + tracker.grad_norm_sq()
            self._norm_count += 1
        tracker.update(stage, delta)
        self.iteration += 1
        self._grad_max = self._max(self._grad_max, grad @ grad)
        self._stale = stale
        self._stale_sum = self._stale_sum + stale
        self._stale_max = self._max(self._stale_max, stale)
        if not self.iteration % self.stride or self.iteration == self.num_updates:
            self._point(slot)

    def adjust(self, stage: int, delta: Any) -> None:
        """Move x_s without counting an update (LocalSGD's averaging correction)."""
        self.tracker.update(stage, delta)

    def _point(self, slot: int) -> None:
        item = self.backend.item
        norm = item(self.tracker.grad_norm_sq())
        average = item(self._norm_sum) / self._norm_count if self._norm_count else norm
        first_or_sampled = not self._cheap or self.iteration == 0
        if first_or_sampled and (self.iteration < self.num_updates or self.num_updates == 0):
            self._norm_sum = self._norm_sum + norm
            self._norm_count += 1
        values = (self.iteration, slot, self.tracker.value() - self.f_star, norm, average,
                  item(self._stale), math.sqrt(item(self._grad_max)))
        for name, value in zip(TRACE_NAMES, values, strict=True):
            self.traces[name][self._points] = value
        self._points += 1
        if self.progress is not None and self.iteration:
            self.progress.update(self.iteration - self.progress.n)

    def close(self, slot: int) -> None:
        """Record the last iterate at ``slot`` when the run stopped before its planned number
        of updates (a slot budget) and it is not recorded yet."""
        if self.traces["iteration"][self._points - 1] != self.iteration:
            self._point(slot)

    def finish(self) -> dict[str, np.ndarray]:
        """The recorded traces, trimmed to the points taken."""
        return {name: values[: self._points].copy() for name, values in self.traces.items()}

    @property
    def average_grad_norm_sq(self) -> float:
        """(1/K) sum_{k < K} ||grad f(x^k)||^2 (over the recorded iterates when sampled)."""
        return self.backend.item(self._norm_sum) / max(self._norm_count, 1)

    @property
    def observed_g(self) -> float:
        """max_k ||g^k||, the plug-in G."""
        return math.sqrt(self.backend.item(self._grad_max))

    def stale_statistics(self) -> dict[str, float]:
        """Mean and max of ||x^k - z^k||^2 over the updates."""
        count = max(self.iteration, 1)
        return {"mean_stale_distance": self.backend.item(self._stale_sum) / count,
                "max_stale_distance": self.backend.item(self._stale_max)}
