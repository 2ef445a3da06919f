"""Randomized PipeDream on the pseudo-Huber objective, with the expectation computed exactly.

RPD (Ilin and Richtarik, arXiv 2606.03498) at step k draws a block s uniformly, reads the stale
point z^k = (x_1^{k - d_1}, ..., x_S^{k - d_S}) and sets x_s <- x_s - gamma g_s(z^k; xi). Here the
delays are the oldest the bound admits, d_j(k) = min(depth, k) for every block j: a fixed
schedule, independent of the blocks drawn and of the fresh samples (DELAY with delta >= depth).

The bounds speak of E (1/K) sum_{k<K} ||grad f(x^k)||^2. It is computed without sampling, by
the first method that applies:

* one path: S = 1 and exact gradients make the run deterministic; the expectation is the run;
* hit count: with zero delays and exact gradients, block j of the separable objective moves only
  when it is drawn, by a gradient step at its own current value, so x_j^k = y_j(N_j^k) with
  y_j(n) the n-th gradient step from x_j^0 and N_j^k ~ Binomial(k, 1/S) the draws of j before k;
  E||grad f(x^k)||^2 = sum_j sum_n P(N^k = n) (lambda h'(y_j(n)))^2, with the binomial law
  built by its exact recursion P(N^{k+1} = n) = (1 - 1/S) P(N^k = n) + (1/S) P(N^k = n - 1);
* enumeration: every sequence of blocks (S^K) and of noise signs (2^K), each of probability
  (1/S)^K (1/2)^K, run side by side; the expectation is their mean.

Each is exact up to float64 round-off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipeproof.checks.executor.objectives.pseudo_huber import PseudoHuber
from pipeproof.theory.parameters import ParameterError

MAX_PATHS = 1 << 18
"""Most block and sign sequences the enumeration runs."""


@dataclass(frozen=True)
class ExactAverage:
    """E (1/K) sum_{k<K} ||grad f(x^k)||^2 and how it was computed.

    Attributes:
        value: the expectation at K.
        method: "one path", "hit count" or "enumeration".
        how: one sentence on why the value is the exact expectation.
        paths: sequences run (1 for one path, K + 1 hit counts for the hit count).
        f_min: the smallest f(x^k) met (for A2).
    """

    value: float
    method: str
    how: str
    paths: int
    f_min: float


def exact_average(objective: PseudoHuber, start: tuple[float, ...], step_size: float,
                  depth: int, updates: int) -> ExactAverage:
    """The exact expected running average of RPD (module docstring) after ``updates`` steps.

    Raises:
        ParameterError: for a start of the wrong length, a step size or depth out of range, or
            a run that no exact method covers.
    """
    _check(objective, start, step_size, depth, updates)
    if objective.stages == 1 and objective.noise == 0:
        return _one_path(objective, start[0], step_size, depth, updates)
    if depth == 0 and objective.noise == 0:
        return _hit_count(objective, start, step_size, updates)
    return _enumeration(objective, start, step_size, depth, updates)


def _check(objective: PseudoHuber, start: tuple[float, ...], step_size: float, depth: int,
           updates: int) -> None:
    if len(start) != objective.stages:
        raise ParameterError(f"start must have S = {objective.stages} coordinates, got "
                             f"{len(start)}")
    if not (math.isfinite(step_size) and step_size > 0):
        raise ParameterError(f"step_size must be a finite number > 0, got {step_size!r}")
    if not (isinstance(depth, int) and depth >= 0):
        raise ParameterError(f"depth must be an integer >= 0, got {depth!r}")
    if not (isinstance(updates, int) and updates >= 1):
        raise ParameterError(f"updates must be an integer >= 1, got {updates!r}")


def _one_path(objective: PseudoHuber, start: float, step_size: float, depth: int,
              updates: int) -> ExactAverage:
    scale = objective.scale
    history = [start]
    total = 0.0
    for k in range(updates):
        x = history[k]
        total += (scale * x / math.sqrt(1.0 + x * x)) ** 2
        z = history[k - min(depth, k)]
        history.append(x - step_size * scale * z / math.sqrt(1.0 + z * z))
    f_min = min(scale * (math.sqrt(1.0 + x * x) - 1.0) for x in history[:updates])
    return ExactAverage(total / updates, "one path", "S = 1 and exact gradients: the run is "
                        "deterministic and is its own expectation", 1, f_min)


def _hit_count(objective: PseudoHuber, start: tuple[float, ...], step_size: float,
               updates: int) -> ExactAverage:
    steps = np.empty((updates, objective.stages))
    steps[0] = start
    for n in range(1, updates):
        steps[n] = steps[n - 1] - step_size * objective.gradient(steps[n - 1])
    squared = (objective.gradient(steps) ** 2).sum(axis=1)
    law = np.zeros(updates + 1)
    law[0] = 1.0
    chance = 1.0 / objective.stages
    total = 0.0
    for k in range(updates):
        total += float(law[: k + 1] @ squared[: k + 1])
        law[1: k + 2] = (1 - chance) * law[1: k + 2] + chance * law[: k + 1]
        law[0] *= 1 - chance
    return ExactAverage(total / updates, "hit count", "zero delays and exact gradients on a "
                        "separable objective: block j's iterate depends only on how often it was "
                        "drawn, a Binomial(k, 1/S) count whose law is computed exactly",
                        updates, float(objective.value(steps).min()))


def _enumeration(objective: PseudoHuber, start: tuple[float, ...], step_size: float,
                 depth: int, updates: int) -> ExactAverage:
    signs = 2 if objective.noise else 1
    paths = (objective.stages * signs) ** updates
    if paths > MAX_PATHS:
        raise ParameterError(f"enumeration needs (S * signs)^K = {paths} paths, at most "
                             f"{MAX_PATHS} (fewer updates, S = 1 or zero delays)")
    codes = np.indices((objective.stages * signs,) * updates).reshape(updates, -1).T
    blocks, sign = np.divmod(codes, signs)
    noise = objective.noise * (2.0 * sign - 1.0) if signs == 2 else np.zeros(codes.shape)
    rows = np.arange(paths)
    history = np.empty((updates + 1, paths, objective.stages))
    history[0] = start
    total = 0.0
    for k in range(updates):
        x = history[k]
        total += float((objective.gradient(x) ** 2).sum(axis=1).mean())
        z = history[k - min(depth, k)]
        block = blocks[:, k]
        grad = objective.gradient(z[rows, block]) + noise[:, k]
        history[k + 1] = x
        history[k + 1, rows, block] = x[rows, block] - step_size * grad
    f_min = float(objective.value(history[:updates]).min())
    return ExactAverage(total / updates, "enumeration", f"every one of the {paths} equally likely "
                        "sequences of blocks and noise signs is run: the mean over them is the "
                        "expectation", paths, f_min)
