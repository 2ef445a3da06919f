"""Measure the hypotheses A1, A3 and A3' of the convergence theorems at probe points of a run.

The convergence theorems (catalogue section 3; :mod:`pipeproof.theory.assumptions`) assume an
L-smooth f (A1), unbiased block gradients (A3) and bounded block variances (A3'). On a concrete
objective these are measured at a few probe points (x^0 and snapshots of the iterates):

* A1: the largest ratio ||grad f(x) - grad f(y)|| / ||x - y|| over pairs of probe points and
  small random perturbations of them (a lower bound on any valid L, so a ratio above the L the
  bound uses shows that L is not a smoothness constant);
* A3: with minibatch rows drawn uniformly with replacement, the mean of g_s(z; B) over the
  sample space is the mean over rows i of the one-row gradient g_s(z; {i}); its distance to
  grad_s f(z) is the bias (zero up to round-off); the added Gaussian noise has mean zero by
  construction;
* A3': E||g_s(z; B) - grad_s f(z)||^2 = (1/|B|) (1/n) sum_i ||g_s(z; {i}) - grad_s f(z)||^2
  + sigma_noise^2 |block s| (rows with replacement; independent noise); sigma_s^2 is its
  largest value over the probe points, a plug-in like the observed G.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeproof.checks.executor.objectives.additive import AdditiveObjective
from pipeproof.checks.executor.objectives.base import Objective

PERTURBATION = 1e-3
"""Relative size of the random perturbations used in the smoothness probe."""


@dataclass(frozen=True)
class Probes:
    """What the probes measured.

    Attributes:
        smoothness_observed: largest ||grad f(x) - grad f(y)|| / ||x - y|| seen.
        gradient_bias: largest ||mean_i g_s(z; {i}) - grad_s f(z)|| over blocks and points.
        gradient_scale: largest ||grad f(z)|| over the points.
        block_variances: sigma_s^2 for every block s (largest over the points).
    """

    smoothness_observed: float
    gradient_bias: float
    gradient_scale: float
    block_variances: tuple[float, ...]

    @property
    def variance_sum(self) -> float:
        """sum_s sigma_s^2."""
        return float(sum(self.block_variances))


def row_gradients(objective: Objective, point: np.ndarray) -> np.ndarray:
    """The gradients of the one-row losses at ``point``, one row per sample (n x d).

    Additive models: phi'(a_i, y_i) X_i + lambda z; others: a forward and a backward per row.
    """
    if isinstance(objective, AdditiveObjective):
        design = objective.design_np
        link = np.asarray(objective.link(design @ point, objective.targets_np))
        return link[:, None] * design + objective.regularization * point[None, :]
    return np.stack([objective.minibatch_gradient(point, np.array([row]))
                     for row in range(objective.num_samples)])


def smoothness_ratio(objective: Objective, points: Sequence[np.ndarray],
                     rng: np.random.Generator) -> float:
    """max ||grad f(x) - grad f(y)|| / ||x - y|| over pairs of ``points`` and perturbations."""
    probes = list(points)
    for point in points:
        direction = rng.standard_normal(point.size)
        scale = PERTURBATION * max(1.0, float(np.linalg.norm(point)))
        probes.append(point + scale * direction / np.linalg.norm(direction))
    gradients = [np.asarray(objective.gradient(point)) for point in probes]
    ratio = 0.0
    for (x, gx), (y, gy) in itertools.combinations(zip(probes, gradients, strict=True), 2):
        distance = float(np.linalg.norm(x - y))
        if distance > 0:
            ratio = max(ratio, float(np.linalg.norm(gx - gy)) / distance)
    return ratio


def probe(objective: Objective, points: Sequence[np.ndarray], batch_size: int, noise: float,
          rng: np.random.Generator) -> Probes:
    """Measure A1, A3 and A3' at ``points`` (module docstring)."""
    bias, scale = 0.0, 0.0
    variances = np.zeros(objective.num_stages)
    sizes = np.array([block.stop - block.start for block in objective.blocks])
    for point in points:
        full = np.asarray(objective.gradient(point))
        rows = row_gradients(objective, point)
        scale = max(scale, float(np.linalg.norm(full)))
        spread = ((rows - full[None, :]) ** 2).mean(axis=0)
        for stage, block in enumerate(objective.blocks):
            bias = max(bias, float(np.linalg.norm(rows[:, block].mean(axis=0) - full[block])))
            variance = spread[block].sum() / batch_size + noise**2 * sizes[stage]
            variances[stage] = max(variances[stage], variance)
    return Probes(smoothness_ratio(objective, points, rng), bias, scale,
                  tuple(float(value) for value in variances))
