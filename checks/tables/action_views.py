"""The chunked and zero-bubble schedules on the exhaustive method's grids.

A grid point of one of these families is an :class:`ActionSpec`; its table is made by the
family's policy (:mod:`.action_policies`), timed as early as dependencies allow, and the claims
read the quantities of :data:`QUANTITIES` off an :class:`ActionView`. Costs: t_F per forward; for
the families with a split backward t_B per input-gradient op I and t_W per weight-gradient op W
(a whole backward B costs t_B + t_W); for the others t_B per backward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from pipeproof.checks.tables.action_measures import TableMeasures, measure
from pipeproof.checks.tables.action_policies import FAMILIES, policy_table
from pipeproof.checks.tables.action_timing import Timing, time_table
from pipeproof.checks.tables.actions import ActionTable
from pipeproof.theory.parameters import ParameterError, check_int

GRID_FAMILIES = ("interleaved", "zb-h1", "zb-h2", "zb-v")
"""The families the exhaustive method's grids name (gpipe and 1f1b grids are op tables)."""
SPLIT = ("zb-h1", "zb-h2", "zb-v")
"""Families whose backward is split into I and W."""


@dataclass(frozen=True)
class ActionSpec:
    """One point of a grid of an action-table family (validated by :func:`action_spec`)."""

    name: str
    num_stages: int
    num_microbatches: int
    chunks: int = 1
    forward_cost: int = 1
    backward_cost: int = 1
    weight_cost: int = 1

    def costs(self) -> dict[str, int]:
        """Slots per op kind."""
        if self.name in SPLIT:
            return {"F": self.forward_cost, "I": self.backward_cost, "W": self.weight_cost,
                    "B": self.backward_cost + self.weight_cost}
        return {"F": self.forward_cost, "B": self.backward_cost, "I": 1, "W": 1}


def action_spec(name: str, num_stages: int, num_microbatches: int, chunks: int = 1,
                forward_cost: int = 1, backward_cost: int = 1, weight_cost: int = 1
                ) -> ActionSpec:
    """Validate one point; interleaved needs S | M, zb-v two chunks, the others one.

    Raises:
        ParameterError: naming the parameter and its range.
    """
    if name not in FAMILIES:
        raise ParameterError(f"schedule must be one of {', '.join(FAMILIES)}, got {name!r}")
    stages = check_int("num_stages", num_stages, 1)
    micro = check_int("num_microbatches", num_microbatches, 1)
    chunks = check_int("chunks", chunks, 1)
    if name == "interleaved" and micro % stages:
        raise ParameterError("num_microbatches must be a multiple of num_stages (interleaved)")
    if (name == "zb-v") != (chunks == 2) and name != "interleaved":
        raise ParameterError(f"chunks must be {'2' if name == 'zb-v' else '1'} for {name}")
    costs = (check_int(label, value, 1) for label, value in (
        ("forward_cost", forward_cost), ("backward_cost", backward_cost),
        ("weight_cost", weight_cost)))
    return ActionSpec(name, stages, micro, chunks, *costs)


class ActionView:
    """A policy table of one :class:`ActionSpec`, timed, with its measures computed once."""

    def __init__(self, spec: ActionSpec) -> None:
        self.spec = spec
        self.table: ActionTable = policy_table(spec.name, spec.num_stages,
                                               spec.num_microbatches, spec.chunks, spec.costs())

    @cached_property
    def timing(self) -> Timing:
        """The earliest timing of the table."""
        return time_table(self.table)

    @cached_property
    def measures(self) -> TableMeasures:
        """Makespan, idle, gaps, peaks, staleness."""
        return measure(self.table, self.timing)

    def starts(self, op: str) -> np.ndarray:
        """(S, M) start slots of ``op`` on stage s (one-chunk families: stage s on rank s)."""
        found = np.full((self.table.num_stages, self.table.num_microbatches), -1, np.int64)
        for rank, begun in zip(self.table.ranks, self.timing.starts, strict=True):
            for action, start in zip(rank, begun, strict=True):
                if action.op == op:
                    found[action.stage, action.micro] = start
        return found

    def rank_starts(self, op: str) -> np.ndarray:
        """(R, n) start slots of each rank's ``op`` actions in its listed order: entry (r, k)
        is the k-th ``op`` of rank r (interleaved 1F1B numbers its chunk ops this way)."""
        per_rank = [[start for action, start in zip(rank, begun, strict=True)
                     if action.op == op]
                    for rank, begun in zip(self.table.ranks, self.timing.starts, strict=True)]
        width = max(map(len, per_rank), default=0)
        found = np.full((self.table.num_ranks, width), -1, np.int64)
        for r, starts in enumerate(per_rank):
            found[r, :len(starts)] = starts
        return found

    def bubble_over_ideal(self) -> float:
        """Idle of the busiest rank over its work, max_r idle_r / busy_r (Megatron's measure)."""
        busy = [self.measures.makespan - idle for idle in self.measures.idle_per_rank]
        return max(idle / work for idle, work in zip(self.measures.idle_per_rank, busy,
                                                     strict=True))


QUANTITIES: dict[str, Callable[[ActionView], Any]] = {
    "makespan": lambda view: view.measures.makespan,
    "idle_per_rank": lambda view: np.asarray(view.measures.idle_per_rank),
    "gaps_per_rank": lambda view: np.asarray(view.measures.gaps_per_rank),
    "peak_live_per_rank": lambda view: np.asarray(view.measures.peak_live_per_rank),
    "bubble_over_ideal": lambda view: view.bubble_over_ideal(),
    "stale_reads": lambda view: view.measures.stale_reads,
    "weight_versions": lambda view: view.measures.weight_versions,
    "reads_after_first_update": lambda view: view.measures.reads_after_first_update,
    "forward_start": lambda view: view.starts("F"),
    "input_start": lambda view: view.starts("I"),
    "weight_start": lambda view: view.starts("W"),
    "rank_forward_start": lambda view: view.rank_starts("F"),
    "rank_backward_start": lambda view: view.rank_starts("B"),
}
"""Every quantity a claim on an action-table family may name."""


def quantity(view: ActionView, name: str) -> Any:
    """The value of ``name`` on ``view``.

    Raises:
        KeyError: for an unknown quantity.
    """
    if name not in QUANTITIES:
        raise KeyError(f"unknown action-table quantity {name!r}; known: "
                       f"{', '.join(sorted(QUANTITIES))}")
    return QUANTITIES[name](view)
