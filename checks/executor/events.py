"""The operations of an op table in the order the executor runs them.

An op table (:mod:`pipeproof.checks.tables.optable`) gives the first slot of every forward F(s, m)
and backward B(s, m). The executor runs a forward at its first slot (that is when it reads its
weights) and applies a backward's update at its last slot, ``B(s, m) + t_B - 1`` (as
:mod:`pipeproof.checks.tables.delays` does). Within a slot it goes by stage index, which is the
convention C1 of the staleness theorems; ops of one slot never depend on each other (a forward needs
the previous stage's forward to have ended, a backward the next stage's backward), so the order
changes no value.

Every table is validated before it runs (:mod:`pipeproof.checks.executor.table_validity`); an
invalid one is refused with :class:`~pipeproof.checks.executor.table_validity.InvalidTableError`.
Where tables come from is the run's ``tables`` choice
(:data:`pipeproof.checks.tables.generate.GENERATORS`): "policy" always takes the policy simulator,
the choice of the confirmations of schedule and staleness theorems, so they never compare a closed
form with itself; "auto", the fast path of long training runs, generates PipeDream with NOAM = S and
unit costs from its proved closed form (THR-PD-CLOSED), which repeats with period 2 slots per
microbatch: F(s, m + 1) = F(s, m) + 2 for m >= S and B(s, m + 1) = B(s, m) + 2. Schedules with a
barrier (GPipe, Flush, LocalSGD) repeat one round. Ops are handed to the engine in windows of
microbatches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from pipeproof.checks.executor.table_validity import validate
from pipeproof.checks.tables.generate import has_closed_form, op_table
from pipeproof.checks.tables.optable import OpTable
from pipeproof.theory.parameters import ScheduleSpec, schedule_spec

WINDOW = 128
"""Microbatches read from the table at a time."""

Columns = Callable[[int, int], tuple[np.ndarray, np.ndarray]]
"""(m0, m1) -> (F, B) start slots of microbatches m0..m1-1, each (S, m1 - m0)."""


@dataclass(frozen=True)
class OpChunk:
    """Consecutive ops in execution order (plain lists, for a fast Python loop).

    Attributes:
        slots: the slot of each op (first slot of a forward, last slot of a backward).
        stages: the stage of each op.
        backward: True for a backward.
        micro: the microbatch of each op.
        end_of_round: the chunk ends a round (a flush or a LocalSGD barrier).
    """

    slots: list[int]
    stages: list[int]
    backward: list[bool]
    micro: list[int]
    end_of_round: bool = False


def table_columns(table: OpTable) -> Columns:
    """Columns read off a whole table."""
    def columns(first: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        return table.forward_start[:, first:stop], table.backward_start[:, first:stop]
    return columns


def pipedream_columns(spec: ScheduleSpec, tables: str = "auto") -> Columns:
    """Columns of PipeDream from the generator ``tables``; with "auto" from the periodic closed
    form when one is proved for ``spec``."""
    stages, micro = spec.num_stages, spec.num_microbatches
    if tables == "policy" or not has_closed_form(spec) or micro <= stages + 1:
        return table_columns(op_table(spec, tables))
    base = op_table(schedule_spec("pipedream", stages, stages + 1), tables)

    def columns(first: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        index = np.arange(first, stop)
        head = np.minimum(index, stages)
        shift = 2 * (index - head)
        return (base.forward_start[:, head] + shift,
                base.backward_start[:, index * 0] + 2 * index)
    return columns


def _events(spec: ScheduleSpec, forward: np.ndarray, backward: np.ndarray,
            first: int) -> tuple[np.ndarray, ...]:
    stages, count = forward.shape
    stage = np.repeat(np.arange(stages), count)
    micro = np.tile(np.arange(first, first + count), stages)
    slots = np.concatenate((forward.ravel(), backward.ravel() + spec.backward_cost - 1))
    return (slots.astype(np.int64), np.concatenate((stage, stage)),
            np.repeat([False, True], stages * count), np.concatenate((micro, micro)))


def _chunk(events: tuple[np.ndarray, ...], num_stages: int, end: bool = False) -> OpChunk:
    slots, stages, backward, micro = events
    order = np.argsort(slots * num_stages + stages, kind="stable")
    return OpChunk(slots[order].tolist(), stages[order].tolist(), backward[order].tolist(),
                   micro[order].tolist(), end)


def ordered_ops(spec: ScheduleSpec, columns: Columns, window: int = WINDOW) -> Iterator[OpChunk]:
    """Every op of ``spec`` in execution order, a window of microbatches at a time.

    Ops of microbatches >= m1 start no earlier than F(0, m1), so once the window m0..m1-1 is
    read, every op before slot F(0, m1) is known and can run; later ones wait for the next
    window. The whole table is validated first.

    Raises:
        InvalidTableError: if the table breaks a rule of validity.
    """
    total = spec.num_microbatches
    validate(OpTable(spec, *columns(0, total)))
    pending = tuple(np.empty(0, dtype=dtype) for dtype in (np.int64, np.int64, bool, np.int64))
    for first in range(0, total, window):
        stop = min(first + window, total)
        fresh = _events(spec, *columns(first, stop), first)
        pool = tuple(np.concatenate(pair) for pair in zip(pending, fresh, strict=True))
        horizon = int(columns(stop, stop + 1)[0][0, 0]) if stop < total else None
        ready = np.ones(pool[0].size, dtype=bool) if horizon is None else pool[0] < horizon
        yield _chunk(tuple(part[ready] for part in pool), spec.num_stages)
        pending = tuple(part[~ready] for part in pool)


def round_ops(spec: ScheduleSpec, rounds: int, tables: str = "auto") -> Iterator[OpChunk]:
    """``rounds`` repetitions of the validated table of ``spec`` from the generator ``tables``,
    each after the previous one's makespan; every chunk ends a round (microbatch numbers
    continue across rounds).

    Raises:
        InvalidTableError: if the table breaks a rule of validity.
    """
    table = validate(op_table(spec, tables))
    events = _events(spec, table.forward_start, table.backward_start, 0)
    size = spec.num_microbatches
    for number in range(rounds):
        slots, stages, backward, micro = events
        shifted = (slots + number * table.makespan, stages, backward, micro + number * size)
        yield _chunk(shifted, spec.num_stages, end=True)
