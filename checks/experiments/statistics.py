"""Means over seeds with two-sided 95% Student t confidence intervals.

For n values with mean m and sample standard deviation s, the interval is
m -+ t_{0.975, n-1} s / sqrt(n) (t quantiles tabulated for n - 1 <= 30, the normal 1.96 beyond).
With one value the interval is that value (no spread can be measured); a non-finite value (a
diverged run) makes the mean and both ends infinite.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

T_975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
         2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
         2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
"""t_{0.975, nu} for nu = 1..30."""


def t_quantile(freedom: int) -> float:
    """t_{0.975, freedom} (1.96 above 30 degrees of freedom)."""
    return T_975[freedom - 1] if freedom <= len(T_975) else 1.96


def mean_interval(values: Sequence[float]) -> tuple[float, float, float]:
    """(mean, low, high) of ``values`` (module docstring); +inf throughout when a value or the
    arithmetic overflows."""
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        raise ValueError("no values")
    with np.errstate(over="ignore", invalid="ignore"):
        mean = float(array.mean())
        spread = float(array.std(ddof=1)) if array.size > 1 else 0.0
    if not (math.isfinite(mean) and math.isfinite(spread)) or not np.isfinite(array).all():
        return math.inf, math.inf, math.inf
    half = t_quantile(array.size - 1) * spread / math.sqrt(array.size) if array.size > 1 else 0.0
    return mean, mean - half, mean + half


def separated(first: tuple[float, float, float], second: tuple[float, float, float]) -> bool:
    """True when the two intervals do not overlap (a difference beyond seed noise)."""
    return first[2] < second[1] or second[2] < first[1]
