"""Per-rank action tables: the schedule format other systems and users write.

A table lists, for every rank (device) r = 0..R-1, the ordered actions the rank runs. An action
is (stage, op, microbatch): stage j = 0..V-1 is a model chunk (virtual stage; V = v R with v
chunks per rank), op is one of

* ``F``: the forward of microbatch m on stage j;
* ``B``: the whole backward (input and weight gradient) of m on j;
* ``I``: the input-gradient part of the backward (zero-bubble schedules);
* ``W``: the weight-gradient part, after the I of the same (j, m).

The JSON form (``pipeproof check-table FILE``)::

    {"stages": V, "microbatches": M,                     # optional: read off the actions
     "costs": {"F": 1, "B": 2, "I": 1, "W": 1},          # optional, slots per op
     "schedule": {"family": "zb-h1", "chunks": 1},       # optional, to compare with a theorem
     "ranks": [[{"stage": 0, "op": "F", "microbatch": 0, "cost": 1}, ...], ...]}

A table is *valid* when every (stage, microbatch) has exactly one F and either one B or one I and
one W, every stage's actions lie on one rank, and the ranks' orders can all be run: timing each
action as early as its dependencies allow (F(j, m) after F(j - 1, m); B or I of (j, m) after
F(j, m) and after the B or I of (j + 1, m); W(j, m) after I(j, m)), one action at a time per rank
in the listed order, never deadlocks. Validity is checked in :mod:`.action_timing`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeproof.theory.parameters import ParameterError

OPS = ("F", "B", "I", "W")
"""Action kinds, in the order of their default cost key."""

DEFAULT_COSTS = {"F": 1, "B": 2, "I": 1, "W": 1}
"""Unit model: F, I and W take one slot each, a whole backward B = I + W two."""


@dataclass(frozen=True)
class Action:
    """One op of one rank: ``op`` of microbatch ``micro`` on stage ``stage``.

    ``cost`` overrides the table's cost of ``op`` for this action (None: the table's).
    """

    stage: int
    op: str
    micro: int
    cost: int | None = None

    def label(self) -> str:
        """``F(j, m)``, the form errors and reports use."""
        return f"{self.op}({self.stage}, {self.micro})"


@dataclass(frozen=True)
class ActionTable:
    """The ordered actions of every rank, with the op costs and optional schedule metadata.

    Attributes:
        ranks: per rank, its actions in the order it runs them.
        num_stages: V, stages (model chunks in all).
        num_microbatches: M.
        costs: slots per op kind (``DEFAULT_COSTS`` where not given).
        family: the schedule family named by the table (compared with its theorem), or None.
        chunks: model chunks per rank v named by the table, or None.
    """

    ranks: tuple[tuple[Action, ...], ...]
    num_stages: int
    num_microbatches: int
    costs: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_COSTS))
    family: str | None = None
    chunks: int | None = None

    @property
    def num_ranks(self) -> int:
        """R, the ranks (devices)."""
        return len(self.ranks)

    def cost(self, action: Action) -> int:
        """Slots ``action`` takes."""
        return action.cost if action.cost is not None else int(self.costs[action.op])


def _int(value: Any, name: str, where: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ParameterError(f"{where}: {name} must be an integer >= {low}, got {value!r}")
    return value


def parse_action(raw: Any, where: str) -> Action:
    """One action from its JSON object ``{stage, op, microbatch[, cost]}``."""
    if not isinstance(raw, Mapping):
        raise ParameterError(f"{where}: an action must be an object with stage, op, microbatch, "
                             f"got {raw!r}")
    unknown = set(raw) - {"stage", "op", "microbatch", "cost"}
    if unknown:
        raise ParameterError(f"{where}: unknown key(s) {sorted(unknown)}; an action has stage, "
                             "op, microbatch and optionally cost")
    op = raw.get("op")
    if op not in OPS:
        raise ParameterError(f"{where}: op must be one of {', '.join(OPS)}, got {op!r}")
    cost = raw.get("cost")
    return Action(_int(raw.get("stage"), "stage", where), op,
                  _int(raw.get("microbatch"), "microbatch", where),
                  None if cost is None else _int(cost, "cost", where, 1))


def from_dict(data: Any) -> ActionTable:
    """An :class:`ActionTable` from the JSON object of the module docstring.

    Raises:
        ParameterError: naming the rank and action (or the key) at fault.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("ranks"), list):
        raise ParameterError("a table must be a JSON object with 'ranks': a list, per rank, of "
                             "actions {stage, op, microbatch}")
    ranks = []
    for r, actions in enumerate(data["ranks"]):
        if not isinstance(actions, list):
            raise ParameterError(f"rank {r}: must be a list of actions, got {actions!r}")
        ranks.append(tuple(parse_action(a, f"rank {r}, action {i}")
                           for i, a in enumerate(actions)))
    if not ranks or not any(ranks):
        raise ParameterError("ranks: the table has no action")
    costs = dict(DEFAULT_COSTS)
    for op, value in dict(data.get("costs") or {}).items():
        if op not in OPS:
            raise ParameterError(f"costs: unknown op {op!r}; ops are {', '.join(OPS)}")
        costs[op] = _int(value, f"cost of {op}", "costs", 1)
    everything = [a for rank in ranks for a in rank]
    stages = data.get("stages", max(a.stage for a in everything) + 1)
    micro = data.get("microbatches", max(a.micro for a in everything) + 1)
    schedule = data.get("schedule") or {}
    if not isinstance(schedule, Mapping):
        raise ParameterError(f"schedule must be an object {{family, chunks}}, got {schedule!r}")
    chunks = schedule.get("chunks")
    return ActionTable(tuple(ranks), _int(stages, "stages", "table", 1),
                       _int(micro, "microbatches", "table", 1), costs, schedule.get("family"),
                       None if chunks is None else _int(chunks, "chunks", "schedule", 1))


def to_dict(table: ActionTable) -> dict[str, Any]:
    """The JSON object of ``table`` (the inverse of :func:`from_dict`)."""
    def action(a: Action) -> dict[str, Any]:
        raw: dict[str, Any] = {"stage": a.stage, "op": a.op, "microbatch": a.micro}
        if a.cost is not None:
            raw["cost"] = a.cost
        return raw

    data: dict[str, Any] = {"stages": table.num_stages, "microbatches": table.num_microbatches,
                            "costs": dict(table.costs)}
    if table.family is not None:
        data["schedule"] = {"family": table.family, "chunks": table.chunks or 1}
    data["ranks"] = [[action(a) for a in rank] for rank in table.ranks]
    return data


def load(path: str | Path) -> ActionTable:
    """Read a table from a JSON file.

    Raises:
        ParameterError: for a missing file, bad JSON or a bad table.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ParameterError(f"FILE: cannot read {str(path)!r}: {error.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParameterError(f"FILE: {str(path)!r} is not JSON: {error}") from None
    return from_dict(data)


def build(orders: Sequence[Sequence[tuple[int, str, int]]], num_stages: int,
          num_microbatches: int, costs: Mapping[str, int] | None = None,
          family: str | None = None, chunks: int | None = None) -> ActionTable:
    """A table from per-rank lists of (stage, op, microbatch) triples."""
    return ActionTable(tuple(tuple(Action(*a) for a in rank) for rank in orders), num_stages,
                       num_microbatches, {**DEFAULT_COSTS, **dict(costs or {})}, family, chunks)
