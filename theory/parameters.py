"""The parameter vocabulary of pipeproof, validated once, at the boundary.

Every public function takes its parameters under these names and checks them with the
validators below, so a bad value fails early with one error type that names the parameter
and the accepted range:

=====================  ======  =================================================
name                   symbol  meaning
=====================  ======  =================================================
``num_stages``         S       pipeline stages, one weight block each
``num_microbatches``   M       microbatches pushed through the pipeline
``noam``               NOAM    most microbatches in flight (PipeDream admission)
``num_runs``           R       LocalSGD model copies sharing the pipeline
``local_steps``        H       local steps per copy between two averagings
``forward_cost``       t_F     slots taken by one forward
``backward_cost``      t_B     slots taken by one backward
``max_delay``          delta   largest delay a stale read may have
``step_size``          gamma   SGD step size
=====================  ======  =================================================
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

SCHEDULE_NAMES = ("gpipe", "pipedream", "flush", "localsgd")
"""Schedules that the op-table generator knows."""

MAX_TABLE_ENTRIES = 60_000_000
"""Largest S * M (stages times microbatches) accepted for one op table (about 1 GB of tables)."""


class ParameterError(ValueError):
    """A parameter outside its accepted range; the message names the parameter and the range."""


def check_int(name: str, value: object, min_value: int, max_value: int | None = None) -> int:
    """Return ``value`` as an int when it is an integer in ``[min_value, max_value]``.

    Raises:
        ParameterError: naming ``name`` and the accepted range, for a non-integer (bools and
            floats included) or a value out of range.
    """
    accepted = f"an integer >= {min_value}" if max_value is None else (
        f"an integer in {min_value}..{max_value}"
    )
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(f"{name} must be {accepted}, got {value!r}")
    number = int(value)
    if number < min_value or (max_value is not None and number > max_value):
        raise ParameterError(f"{name} must be {accepted}, got {number}")
    return number


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Return ``value`` when it is one of ``choices``; otherwise raise ParameterError."""
    if value not in choices:
        raise ParameterError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return str(value)


def check_real(
    name: str, value: object, min_value: float, max_value: float | None = None,
    *, open_min: bool = False,
) -> float:
    """Return ``value`` as a finite float in the stated range (``(min, max]`` when
    ``open_min``); NaN and infinities are refused whatever the range."""
    low = "(" if open_min else "["
    high = f"{max_value}]" if max_value is not None else "inf)"
    accepted = f"a finite number in {low}{min_value}, {high}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{name} must be {accepted}, got {value!r}")
    number = float(value)
    too_low = number <= min_value if open_min else number < min_value
    if not math.isfinite(number) or too_low or (max_value is not None and number > max_value):
        raise ParameterError(f"{name} must be {accepted}, got {value!r}")
    return number


@dataclass(frozen=True)
class ScheduleSpec:
    """The parameters of one pipeline schedule; build it with :func:`schedule_spec`.

    Attributes:
        name: one of ``SCHEDULE_NAMES``.
        num_stages: S >= 1.
        num_microbatches: M >= 1.
        noam: most microbatches in flight at stage 0 (PipeDream; LocalSGD uses R).
        num_runs: R, LocalSGD copies (1 for the other schedules).
        local_steps: H, LocalSGD local steps per round (1 for the other schedules).
        forward_cost: t_F >= 1 slots per forward.
        backward_cost: t_B >= 1 slots per backward.
    """

    name: str
    num_stages: int
    num_microbatches: int
    noam: int
    num_runs: int = 1
    local_steps: int = 1
    forward_cost: int = 1
    backward_cost: int = 1

    @property
    def round_size(self) -> int:
        """Microbatches between two LocalSGD barriers, R * H (M for the other schedules)."""
        if self.name == "localsgd":
            return self.num_runs * self.local_steps
        return self.num_microbatches


def schedule_spec(
    name: str,
    num_stages: int,
    num_microbatches: int,
    *,
    noam: int | None = None,
    num_runs: int = 1,
    local_steps: int = 1,
    forward_cost: int = 1,
    backward_cost: int = 1,
) -> ScheduleSpec:
    """Validate the parameters of a schedule and return its :class:`ScheduleSpec`.

    ``noam`` defaults to S for PipeDream, must lie in 1..M, and is only accepted for PipeDream.

    Raises:
        ParameterError: for any parameter outside its range, with the range in the message.
    """
    name = check_choice("schedule", name, SCHEDULE_NAMES)
    stages = check_int("num_stages", num_stages, 1)
    micro = check_int("num_microbatches", num_microbatches, 1)
    if stages * micro > MAX_TABLE_ENTRIES:
        raise ParameterError(
            f"the table size num_stages * num_microbatches must be at most "
            f"{MAX_TABLE_ENTRIES} to fit in memory, got {stages * micro}"
        )
    runs = check_int("num_runs", num_runs, 1)
    steps = check_int("local_steps", local_steps, 1)
    if name != "localsgd" and (runs != 1 or steps != 1):
        raise ParameterError("num_runs and local_steps apply to localsgd only (leave them at 1)")
    if noam is not None and name != "pipedream":
        raise ParameterError("noam applies to pipedream only")
    if name == "pipedream":
        noam = min(stages, micro) if noam is None else check_int("noam", noam, 1, micro)
    elif name == "localsgd":
        noam = runs
    else:
        noam = micro
    return ScheduleSpec(
        name=name,
        num_stages=stages,
        num_microbatches=micro,
        noam=noam,
        num_runs=runs,
        local_steps=steps,
        forward_cost=check_int("forward_cost", forward_cost, 1),
        backward_cost=check_int("backward_cost", backward_cost, 1),
    )
