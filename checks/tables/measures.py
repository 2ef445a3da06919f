"""Named quantities read off an op table: what the claims of ``theory`` are compared with.

Each quantity is a function of a :class:`TableView` and a convention; it returns a number or an
array whose axes are the claim's index symbols (stage s, read block j, microbatch m). The view
caches the expensive pieces (update indices, lags, versions) so that many claims on one table
share them. "steady" always means the microbatches S <= m < M - S (the slots they span, for
slot-based quantities).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

import numpy as np

from pipeproof.checks.tables import delays, occupancy
from pipeproof.checks.tables.optable import OpTable


class TableView:
    """One op table with its derived arrays computed at most once."""

    def __init__(self, table: OpTable) -> None:
        self.table = table
        self._index: dict[str, delays.UpdateIndex] = {}

    def index(self, convention: str) -> delays.UpdateIndex:
        """k(s, m) and r(j, m) under ``convention``."""
        if convention not in self._index:
            self._index[convention] = delays.update_index(self.table, convention)
        return self._index[convention]

    @property
    def steady(self) -> slice:
        """Steady-state microbatches S <= m < M - S."""
        return delays.steady_microbatches(self.table.num_stages, self.table.num_microbatches)

    @property
    def has_steady(self) -> bool:
        """True when the steady range is not empty (M > 2S)."""
        return self.steady.stop > self.steady.start

    @cached_property
    def statistics(self) -> dict[str, delays.DelayStatistics]:
        """Delay statistics under both conventions."""
        return {conv: delays.delay_statistics(self.index(conv)) for conv in delays.CONVENTIONS}

    @cached_property
    def block_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """:func:`pipeproof.checks.tables.delays.block_counts` under C1, shared by the lags and the
        stash."""
        return delays.block_counts(self.table, self.index("C1"))

    @cached_property
    def lags(self) -> np.ndarray:
        """(S, M) own version lags."""
        if self.table.spec.name in delays.FLUSH_SCHEDULES:
            return delays.version_lags(self.table, self.index("C1"))
        return delays.version_lags(self.table, self.index("C1"), self.block_counts)

    @cached_property
    def mixed(self) -> np.ndarray:
        """(S, M) largest lag of block j over the updates of microbatch m."""
        return delays.mixed_lags(self.table, self.index("C1"))

    @cached_property
    def held(self) -> np.ndarray:
        """(S, M) weight versions held right after each forward."""
        if self.table.spec.name in delays.FLUSH_SCHEDULES:
            return delays.stashed_versions_at_forwards(self.table, self.index("C1"))
        return delays.stashed_versions_at_forwards(self.table, self.index("C1"),
                                                   self.block_counts)

    @cached_property
    def in_flight(self) -> np.ndarray:
        """(S, M) microbatches in flight right after each forward."""
        return occupancy.in_flight_at_forwards(self.table)


def _steady_columns(view: TableView, array: np.ndarray) -> np.ndarray:
    return array[:, view.steady]


def _reduce_steady(array_of: Callable[[TableView], np.ndarray], how: str):
    def measure(view: TableView, convention: str) -> Any:
        if not view.has_steady:
            return None
        values = _steady_columns(view, array_of(view))
        return values.max(axis=1) if how == "max" else values.min(axis=1)
    return measure


def _statistic(name: str):
    def measure(view: TableView, convention: str) -> Any:
        value = getattr(view.statistics[convention], name)
        return None if value is None else np.asarray(value)
    return measure


def _steady_matrix(how: str):
    def measure(view: TableView, convention: str) -> Any:
        if not view.has_steady:
            return None
        index = view.index(convention)
        k = index.iteration[:, view.steady]
        r = index.read[:, view.steady]
        reduce = np.max if how == "max" else np.min
        return reduce(k[:, None, :] - r[None, :, :], axis=2)
    return measure


def _updates_per_slot_pair(how: str):
    """Fewest or most updates in two consecutive slots spanned by the steady microbatches."""
    def measure(view: TableView, convention: str) -> Any:
        if not view.has_steady:
            return None
        slots = delays.update_slots(view.table).ravel()
        per_slot = np.bincount(slots, minlength=view.table.makespan + 1)
        first = view.table.forward_start[:, view.steady].min()
        last = view.table.backward_start[:, view.steady].max()
        pairs = per_slot[first:last] + per_slot[first + 1:last + 1]
        return pairs.min() if how == "min" else pairs.max()
    return measure


def _completion_spacing(how: str):
    """Fewest or most slots between consecutive steady microbatches leaving stage 0."""
    def measure(view: TableView, convention: str) -> Any:
        if not view.has_steady:
            return None
        gaps = np.diff(view.table.backward_start[0, view.steady])
        if gaps.size == 0:
            return None
        return gaps.min() if how == "min" else gaps.max()
    return measure


QUANTITIES: dict[str, Callable[[TableView, str], Any]] = {
    "forward_start": lambda view, c: view.table.forward_start,
    "backward_start": lambda view, c: view.table.backward_start,
    "makespan": lambda view, c: view.table.makespan,
    "idle_slots_per_stage": lambda view, c: occupancy.idle_slots_per_stage(view.table),
    "bubble_fraction": lambda view, c: occupancy.bubble_fraction(view.table),
    "slots_per_update": lambda view, c: view.table.makespan / view.table.backward_start.size,
    "peak_in_flight_per_stage": lambda view, c: view.in_flight.max(axis=1),
    "in_flight.steady_max_per_stage": _reduce_steady(lambda view: view.in_flight, "max"),
    "updates_per_slot_pair.steady_min": _updates_per_slot_pair("min"),
    "updates_per_slot_pair.steady_max": _updates_per_slot_pair("max"),
    "completion_spacing.steady_min": _completion_spacing("min"),
    "completion_spacing.steady_max": _completion_spacing("max"),
    "delay.steady_max": _statistic("steady_max"),
    "delay.steady_mean": _statistic("steady_mean"),
    "delay.run_max": _statistic("run_max"),
    "delay.steady_max_per_stage": _statistic("steady_max_per_stage"),
    "delay.steady_matrix_min": _steady_matrix("min"),
    "delay.steady_matrix_max": _steady_matrix("max"),
    "delay.max": lambda view, c: np.asarray(
        (view.index(c).iteration.max(axis=0) - view.index(c).read.min(axis=0)).max()),
    "foreign_delay.max": lambda view, c: np.asarray(
        (view.index(c).iteration - delays.own_step_updates(view.index(c))
         - view.index(c).read.min(axis=0)).max()),
    "version_lag.steady_min_per_stage": _reduce_steady(lambda view: view.lags, "min"),
    "version_lag.steady_max_per_stage": _reduce_steady(lambda view: view.lags, "max"),
    "version_lag.max": lambda view, c: view.lags.max(),
    "mixed_lag.steady_max_per_block": _reduce_steady(lambda view: view.mixed, "max"),
    "stash.steady_per_stage": _reduce_steady(lambda view: view.held, "max"),
    "stash.steady_total": lambda view, c: None if not view.has_steady else
        _steady_columns(view, view.held).max(axis=1).sum(),
    "stash.max": lambda view, c: view.held.max(),
}
"""Every quantity a claim may name."""


def measure(view: TableView, quantity: str, convention: str = "C1") -> Any:
    """The value of ``quantity`` on ``view`` (None when undefined, e.g. no steady state).

    Raises:
        KeyError: for an unknown quantity name.
    """
    if quantity not in QUANTITIES:
        raise KeyError(f"unknown quantity {quantity!r}; known: {', '.join(sorted(QUANTITIES))}")
    return QUANTITIES[quantity](view, convention)
