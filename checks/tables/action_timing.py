"""Validity and as-early-as-possible timing of a per-rank action table.

The rules (``pipeproof.checks.tables.actions`` states what "valid" means), checked in order:

1. every op once: each (stage j, microbatch m) with 0 <= j < V, 0 <= m < M has exactly one F and
   either one B, or one I and one W (never B together with I or W);
2. placement: all actions of a stage lie on one rank;
3. dependencies, and one action per rank at a time: each rank runs its actions in the listed
   order, an action starting once the rank is free and its dependencies have ended:
   F(j, m) >= end F(j - 1, m); B or I of (j, m) >= end F(j, m) and >= end of the B or I of
   (j + 1, m); W(j, m) >= end I(j, m). A table whose orders wait on each other forever is invalid
   (a deadlock), and the error names every rank's blocked action and what it waits for.

The timing is the earliest one: start(a) = max(end of the rank's previous action, ends of a's
dependencies), so the makespan is the least any run of these orders can reach.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeproof.checks.tables.actions import Action, ActionTable
from pipeproof.theory.parameters import ParameterError


class InvalidActionTableError(ParameterError):
    """An action table breaks a validity rule; the message names the rank and action."""

    def __init__(self, rule: str, detail: str, rank: int | None = None,
                 action: Action | None = None) -> None:
        where = "" if rank is None else f" at rank {rank}" + (
            "" if action is None else f", action {action.label()}")
        super().__init__(f"invalid table, rule '{rule}' broken{where}: {detail}")
        self.rule = rule
        self.rank = rank
        self.action = action


@dataclass(frozen=True)
class Timing:
    """Start and end slot of every action, per rank in the listed order."""

    starts: tuple[tuple[int, ...], ...]
    ends: tuple[tuple[int, ...], ...]

    @property
    def makespan(self) -> int:
        """Slot at which the last action ends."""
        return max((e for rank in self.ends for e in rank), default=0)


def _key(action: Action) -> tuple[str, int, int]:
    return action.op, action.stage, action.micro


def check_ops(table: ActionTable) -> dict[int, int]:
    """Rules 1 and 2; returns stage -> rank.

    Raises:
        InvalidActionTableError: naming the rank and action at fault.
    """
    seen: dict[tuple[str, int, int], int] = {}
    placement: dict[int, int] = {}
    for r, rank in enumerate(table.ranks):
        for action in rank:
            if action.stage >= table.num_stages or action.micro >= table.num_microbatches:
                raise InvalidActionTableError(
                    "every op once", f"stage must be < {table.num_stages} and microbatch < "
                    f"{table.num_microbatches}", r, action)
            if _key(action) in seen:
                raise InvalidActionTableError("every op once", "listed twice (first on rank "
                                         f"{seen[_key(action)]})", r, action)
            seen[_key(action)] = r
            home = placement.setdefault(action.stage, r)
            if home != r:
                raise InvalidActionTableError(
                    "placement", f"stage {action.stage} also runs on rank {home}; a stage "
                    "lives on one rank", r, action)
    for stage in range(table.num_stages):
        for micro in range(table.num_microbatches):
            has = {op for op in "FBIW" if (op, stage, micro) in seen}
            if "F" not in has:
                raise InvalidActionTableError("every op once", f"F({stage}, {micro}) never runs",
                                         placement.get(stage))
            if has & {"B"} and has & {"I", "W"}:
                raise InvalidActionTableError("every op once", f"({stage}, {micro}) has a B and a "
                                         "split backward (I/W)", placement.get(stage))
            if not ({"B"} <= has or {"I", "W"} <= has):
                missing = "B (or I and W)" if not has & {"I", "W"} else (
                    "W" if "I" in has else "I")
                raise InvalidActionTableError("every op once", f"{missing} of ({stage}, {micro}) "
                                         "never runs", placement.get(stage))
    return placement


def dependencies(action: Action, table: ActionTable,
                 present: dict[tuple[str, int, int], int]) -> list[tuple[str, int, int]]:
    """The ops ``action`` waits for (rule 3), as (op, stage, microbatch) keys."""
    j, m = action.stage, action.micro
    if action.op == "F":
        return [("F", j - 1, m)] if j > 0 else []
    if action.op == "W":
        return [("I", j, m)]
    found = [("F", j, m)]
    if j + 1 < table.num_stages:
        found.append(("B", j + 1, m) if ("B", j + 1, m) in present else ("I", j + 1, m))
    return found


def time_table(table: ActionTable) -> Timing:
    """The earliest timing of a table that passes rules 1 and 2 (rule 3 checked on the way).

    Raises:
        InvalidActionTableError: on a deadlock, naming each rank's blocked action and what it waits
            for.
    """
    check_ops(table)
    present = {_key(a): r for r, rank in enumerate(table.ranks) for a in rank}
    ends: dict[tuple[str, int, int], int] = {}
    starts = [[0] * len(rank) for rank in table.ranks]
    finish = [[0] * len(rank) for rank in table.ranks]
    position = [0] * table.num_ranks
    free = [0] * table.num_ranks
    remaining = sum(len(rank) for rank in table.ranks)
    while remaining:
        progressed = False
        for r, rank in enumerate(table.ranks):
            while position[r] < len(rank):
                action = rank[position[r]]
                needs = dependencies(action, table, present)
                if any(need not in ends for need in needs):
                    break
                start = max([free[r], *(ends[need] for need in needs)])
                end = start + table.cost(action)
                starts[r][position[r]], finish[r][position[r]] = start, end
                ends[_key(action)] = free[r] = end
                position[r] += 1
                remaining -= 1
                progressed = True
        if not progressed:
            raise _deadlock(table, position, present, ends)
    return Timing(tuple(map(tuple, starts)), tuple(map(tuple, finish)))


def _deadlock(table: ActionTable, position: list[int], present: dict, ends: dict
              ) -> InvalidActionTableError:
    blocked = []
    first = None
    for r, rank in enumerate(table.ranks):
        if position[r] < len(rank):
            action = rank[position[r]]
            waits = [f"{op}({j}, {m})" for op, j, m in dependencies(action, table, present)
                     if (op, j, m) not in ends]
            blocked.append(f"rank {r} at {action.label()} waits for {', '.join(waits)}")
            first = first or (r, action)
    rank, action = first if first else (None, None)
    return InvalidActionTableError("dependencies", "the orders deadlock: " + "; ".join(blocked),
                              rank, action)
