"""Fit y ~ c S^a on a log-log scale, with a bootstrap interval over seeds.

Given measurements y[i, r] at stage counts S_i (row i) from independent seeds r (columns), the
exponent is the least-squares slope of

    log(mean_r y[i, r]) = log c + a log S_i,

and its interval is the percentile bootstrap over seeds: each resample draws, at every S_i
independently, as many seeds as were run, with replacement, and refits; the interval holds the
central ``level`` of the resampled slopes (Efron and Tibshirani 1993, ch. 13). It reflects how
much the seeds scatter, not whether a single power law describes the whole range; the local
slopes between consecutive S show the latter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 2000
LEVEL = 0.95
INTERVAL_METHOD = (f"{LEVEL:.0%} percentile bootstrap over seeds ({RESAMPLES} resamples, seeds "
                   "redrawn with replacement at every S)")


@dataclass(frozen=True)
class ExponentFit:
    """A fitted power law c S^a.

    Attributes:
        exponent: a.
        low, high: the bootstrap interval of a.
        constant: c.
        local: slopes between consecutive S values (of the seed means).
        stages: the S values.
        means: the seed means at each S.
        seeds: seeds per S.
    """

    exponent: float
    low: float
    high: float
    constant: float
    local: tuple[float, ...]
    stages: tuple[int, ...]
    means: tuple[float, ...]
    seeds: int

    def text(self) -> str:
        """``a = 2.98 [2.91, 3.05]``."""
        return f"a = {self.exponent:.2f} [{self.low:.2f}, {self.high:.2f}]"


def slope(stages: np.ndarray, values: np.ndarray) -> tuple[float, float]:
    """(a, c) of the least-squares line log values = log c + a log stages; ``values`` may have a
    leading batch axis (one fit per row), then a and c are arrays."""
    x = np.log(np.asarray(stages, dtype=float))
    y = np.log(values)
    centred = x - x.mean()
    exponent = (y - y.mean(axis=-1, keepdims=True)) @ centred / (centred @ centred)
    intercept = y.mean(axis=-1) - exponent * x.mean()
    return exponent, np.exp(intercept)


def fit_power(stages: Sequence[int], values: np.ndarray, rng: np.random.Generator,
              resamples: int = RESAMPLES, level: float = LEVEL) -> ExponentFit:
    """Fit c S^a to ``values`` (one row per S, one column per seed; module docstring).

    Raises:
        ValueError: when fewer than two S values are given or a value is not positive.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[0] != len(stages) or len(stages) < 2:
        raise ValueError("values must have one row per S (at least two) and one column per seed")
    if not (np.isfinite(values).all() and (values > 0).all()):
        raise ValueError("values must be positive and finite to fit a power law")
    means = values.mean(axis=1)
    exponent, constant = slope(np.asarray(stages), means)
    seeds = values.shape[1]
    picks = rng.integers(0, seeds, size=(resamples, len(stages), seeds))
    resampled = np.take_along_axis(values[None, :, :], picks, axis=2).mean(axis=2)
    slopes = slope(np.asarray(stages), resampled)[0]
    tail = (1 - level) / 2
    low, high = np.quantile(slopes, [tail, 1 - tail])
    local = np.diff(np.log(means)) / np.diff(np.log(np.asarray(stages, dtype=float)))
    return ExponentFit(float(exponent), float(min(low, exponent)), float(max(high, exponent)),
                       float(constant), tuple(float(v) for v in local), tuple(stages),
                       tuple(float(v) for v in means), seeds)
