"""Step-size grids: ``2^-12..2^0`` (every power of two in between) or a list ``0.1,2^-3``."""

from __future__ import annotations

import math
import re

from pipeproof.theory.parameters import ParameterError

MAX_POINTS = 64
"""Most step sizes in one grid."""
POWER = re.compile(r"^2\^(-?\d+)$")
RANGE = re.compile(r"^2\^(-?\d+)\.\.2\^(-?\d+)$")
ACCEPTED = (f"2^a..2^b with whole a <= b (every power of two between), or a comma-separated list "
            f"of numbers > 0 (2^k allowed), at most {MAX_POINTS} steps")


def _value(text: str) -> float:
    power = POWER.match(text)
    if power:
        return 2.0 ** int(power.group(1))
    try:
        value = float(text)
    except ValueError:
        raise ParameterError(f"step_grid must be {ACCEPTED}; got the item {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ParameterError(f"step_grid must be {ACCEPTED}; got the item {text!r}")
    return value


def parse_grid(text: str) -> tuple[float, ...]:
    """The step sizes of ``text``, ascending and without repeats.

    Raises:
        ParameterError: naming step_grid and what it accepts.
    """
    text = text.replace(" ", "")
    span = RANGE.match(text)
    if span:
        low, high = int(span.group(1)), int(span.group(2))
        if low > high or high - low + 1 > MAX_POINTS:
            raise ParameterError(f"step_grid must be {ACCEPTED}; got {text!r}")
        return tuple(2.0**exponent for exponent in range(low, high + 1))
    values = sorted({_value(item) for item in text.split(",")}) if text else []
    if not values or len(values) > MAX_POINTS:
        raise ParameterError(f"step_grid must be {ACCEPTED}; got {text!r}")
    return tuple(values)


def describe(grid: tuple[float, ...]) -> str:
    """``2^-12..2^0`` for a full run of powers of two, else the values."""
    exponents = [math.log2(value) for value in grid]
    whole = all(exponent.is_integer() for exponent in exponents)
    if whole and len(grid) > 2 and exponents == list(range(int(exponents[0]),
                                                           int(exponents[-1]) + 1)):
        return f"2^{int(exponents[0])}..2^{int(exponents[-1])}"
    return ",".join(f"{value:g}" for value in grid)
