"""Runs at a simulated-time budget: how long a run must be to fill T slots, and where it stops.

A run at slot budget T executes every op whose slot is below T and nothing after: a backward
whose update lands at slot >= T is not applied, a round of LocalSGD cut by the budget is never
averaged (its copies are read as their average, as every LocalSGD iterate is), an accumulated
step of GPipe or Flush cut by it is never applied. The run is read at the end: ``slots_used``
is min(T, the makespan of the generated schedule).

The schedule generated is the shortest that reaches T:

* PipeDream and 2BW: M = ceil(T / (t_F + t_B)) - S + 1 microbatches (at least 1; 2BW: whole
  steps of A), since every valid table of M microbatches takes at least (t_F + t_B)(M + S - 1)
  slots (THR-COST);
* LocalSGD, GPipe, Flush and SGD: ceil(T / round) whole rounds (steps), with the makespan of one
  round from its op table;
* Randomized PipeDream keeps PipeDream's clock: update k lands at the slot of PipeDream's update
  k (C1 order: by slot, then by stage), and the run makes as many updates as PipeDream makes in T
  slots (:func:`pipedream_update_slots`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from pipeproof.checks.tables.generate import op_table
from pipeproof.theory.parameters import schedule_spec

ROUND_METHODS = {"localsgd": "localsgd", "gpipe": "gpipe", "flush": "flush", "sgd": "gpipe"}
"""Methods that repeat one round (or step), and the schedule of that round."""


@lru_cache(maxsize=256)
def round_makespan(method: str, stages: int, unit: int, runs: int = 1, local_steps: int = 1,
                   forward_cost: int = 1, backward_cost: int = 1, tables: str = "auto") -> int:
    """Slots of one round (LocalSGD: R H microbatches) or one step (``unit`` microbatches)."""
    options = {"num_runs": runs, "local_steps": local_steps} if method == "localsgd" else {}
    spec = schedule_spec(ROUND_METHODS[method], stages, unit, forward_cost=forward_cost,
                         backward_cost=backward_cost, **options)
    return op_table(spec, tables).makespan


def microbatches_for_budget(method: str, stages: int, budget: int, unit: int, runs: int = 1,
                            local_steps: int = 1, forward_cost: int = 1, backward_cost: int = 1,
                            tables: str = "auto") -> int:
    """The fewest microbatches (whole steps or rounds of ``unit``) whose schedule lasts at least
    ``budget`` slots (module docstring)."""
    if method in ROUND_METHODS:
        length = round_makespan(method, stages, unit, runs, local_steps, forward_cost,
                                backward_cost, tables)
        return -(-budget // length) * unit
    micro = max(1, -(-budget // (forward_cost + backward_cost)) - stages + 1)
    return -(-micro // unit) * unit


@lru_cache(maxsize=64)
def pipedream_update_slots(stages: int, num_microbatches: int, tables: str = "auto",
                           ) -> np.ndarray:
    """The slots of PipeDream's S M block updates in update order (unit costs), ascending
    (a read-only array, computed once per arguments)."""
    spec = schedule_spec("pipedream", stages, num_microbatches)
    slots = np.sort(op_table(spec, tables).backward_start.ravel()).astype(np.int64)
    slots.flags.writeable = False
    return slots


def updates_within(slots: np.ndarray, budget: int) -> int:
    """How many of the ascending update ``slots`` lie below ``budget``."""
    return int(np.searchsorted(slots, budget, side="left"))
