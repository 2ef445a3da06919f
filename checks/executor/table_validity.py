"""Whether an op table is a schedule the executor may run, checked before it runs.

A table gives the first slot F(s, m) of every forward and B(s, m) of every backward; a forward
lasts t_F slots and a backward t_B. The executor runs it only if, in this order:

1. every op occurs exactly once: both arrays have shape (S, M) and every start is a slot >= 0;
2. at most one op per stage per slot: on every stage the intervals [start, start + cost) of its
   2M ops are disjoint;
3. forward dependency: F(s, m) >= F(s - 1, m) + t_F (the activation of stage s - 1 is ready);
4. backward dependency: B(s, m) >= B(s + 1, m) + t_B (the gradient of stage s + 1 is ready);
5. weight stash: B(s, m) >= F(s, m) + t_F: the backward of m on stage s reads the weights its
   forward read, which exist in the stash only once that forward has run (the engine then asserts
   at run time that it takes that very version,
   :class:`~pipeproof.checks.executor.methods.stash.StashingError`).

The first violated rule is reported with its stage, slot and microbatch (the earliest slot).
"""

from __future__ import annotations

import numpy as np

from pipeproof.checks.tables.optable import OpTable
from pipeproof.theory.parameters import ParameterError


class InvalidTableError(ParameterError):
    """An op table breaks a rule of :mod:`pipeproof.checks.executor.table_validity`.

    Attributes:
        rule: the rule's name.
        stage, slot, micro: where it first breaks.
    """

    def __init__(self, rule: str, stage: int, slot: int, micro: int, detail: str) -> None:
        super().__init__(f"invalid op table, rule '{rule}' broken at stage {stage}, slot {slot}, "
                         f"microbatch {micro}: {detail}")
        self.rule = rule
        self.stage = stage
        self.slot = slot
        self.micro = micro


def validate(table: OpTable) -> OpTable:
    """Return ``table`` if it obeys every rule (module docstring).

    Raises:
        InvalidTableError: naming the first broken rule, stage, slot and microbatch.
    """
    spec = table.spec
    forward, backward = np.asarray(table.forward_start), np.asarray(table.backward_start)
    _exactly_once(forward, backward, (spec.num_stages, spec.num_microbatches))
    _one_per_slot(forward, backward, spec.forward_cost, spec.backward_cost)
    t_f, t_b = spec.forward_cost, spec.backward_cost
    _ordered("forward dependency", forward[1:], forward[:-1] + t_f, 1,
             "F(s, m) starts before F(s - 1, m) has ended")
    _ordered("backward dependency", backward[:-1], backward[1:] + t_b, 0,
             "B(s, m) starts before B(s + 1, m) has ended")
    _ordered("weight stash", backward, forward + t_f, 0,
             "B(s, m) starts before F(s, m) has ended, so the weights F(s, m) read are not yet "
             "stashed for it")
    return table


def _exactly_once(forward: np.ndarray, backward: np.ndarray, shape: tuple[int, int]) -> None:
    for name, starts in (("F", forward), ("B", backward)):
        if starts.shape != shape:
            raise InvalidTableError("every op exactly once", 0, 0, 0,
                                    f"{name} has shape {starts.shape}, expected (S, M) = {shape}")
        if not np.issubdtype(starts.dtype, np.integer):
            raise InvalidTableError("every op exactly once", 0, 0, 0,
                                    f"{name} start slots must be integers, got {starts.dtype}")
        missing = np.argwhere(starts < 0)
        if missing.size:
            stage, micro = (int(i) for i in missing[0])
            raise InvalidTableError("every op exactly once", stage, int(starts[stage, micro]),
                                    micro, f"{name}({stage}, {micro}) never runs")


def _one_per_slot(forward: np.ndarray, backward: np.ndarray, t_f: int, t_b: int) -> None:
    micro = forward.shape[1]
    starts = np.concatenate((forward, backward), axis=1).astype(np.int64)
    ends = starts + np.concatenate((np.full(micro, t_f), np.full(micro, t_b)))
    order = np.argsort(starts, axis=1, kind="stable")
    starts, ends = (np.take_along_axis(a, order, axis=1) for a in (starts, ends))
    overlap = starts[:, 1:] < ends[:, :-1]
    if overlap.any():
        slot = np.where(overlap, starts[:, 1:], np.iinfo(np.int64).max)
        stage = int(np.argmin(slot.min(axis=1)))
        column = int(np.argmin(slot[stage]))
        first, second = (int(order[stage, column + i]) for i in (0, 1))
        names = [f"{'B' if op >= micro else 'F'}({stage}, {op % micro})" for op in (first, second)]
        raise InvalidTableError("one op per stage per slot", stage, int(starts[stage, column + 1]),
                                second % micro, f"{names[1]} starts while {names[0]} runs")


def _ordered(rule: str, later: np.ndarray, ready: np.ndarray, offset: int, detail: str) -> None:
    """later >= ready elementwise; ``offset`` is the stage of ``later``'s row 0."""
    early = later < ready
    if early.any():
        slot = np.where(early, later, np.iinfo(later.dtype).max)
        stage, micro = np.unravel_index(int(np.argmin(slot)), slot.shape)
        raise InvalidTableError(rule, int(stage) + offset, int(later[stage, micro]), int(micro),
                                detail)
