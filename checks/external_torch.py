"""PyTorch's pipeline schedules as per-rank action tables, checked against pipeproof's theorems.

``torch.distributed.pipelining.schedules`` (torch 2.13.0) computes every rank's action list,
``pipeline_order``, in the schedule's constructor from the number of stages, ranks and
microbatches alone; the constructor reads only ``num_stages``, ``group_size`` and
``group_rank`` of its stage objects (and sets ``stage_index_to_group_rank`` on them). Stand-in
stage objects with these attributes therefore give the tables without a process group or a
model. Each action (stage, F|B|I|W, microbatch) becomes an action of
:mod:`pipeproof.checks.tables.actions`; ``OVERLAP_F_B`` (DualPipeV) becomes its sub-actions in
order; ``REDUCE_GRAD`` and empty slots are dropped (they take no compute slot).

Each table is checked (validity, earliest timing under unit costs F = B/2 = I = W = 1, measures)
and compared with the theorem of its family. A disagreement is attributed: an invalid table, or
a makespan or peak above the theorem's, is PyTorch's (its order runs slower or holds more than
the schedule it implements); a makespan or peak below the theorem's is pipeproof's (the
theorem's form is then not what the family reaches).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pipeproof.checks.tables import action_formulas
from pipeproof.checks.tables.action_measures import measure
from pipeproof.checks.tables.action_timing import time_table
from pipeproof.checks.tables.actions import DEFAULT_COSTS, ActionTable, build
from pipeproof.theory.parameters import ParameterError

LOG = logging.getLogger(__name__)

SCHEDULES = {
    "GPipe": ("ScheduleGPipe", 1, "gpipe"),
    "1F1B": ("Schedule1F1B", 1, "1f1b"),
    "Interleaved1F1B": ("ScheduleInterleaved1F1B", 2, "interleaved"),
    "LoopedBFS": ("ScheduleLoopedBFS", 2, None),
    "InterleavedZeroBubble": ("ScheduleInterleavedZeroBubble", 2, None),
    "ZBVZeroBubble": ("ScheduleZBVZeroBubble", 2, "zb-v"),
    "DualPipeV": ("ScheduleDualPipeV", 2, None),
}
"""Schedule name -> (torch class, stages per rank, pipeproof family compared with or None)."""

TORCH_VERSION = "2.13.0"

CAUSES = {
    "1F1B": "Schedule1F1B._get_pipeline_order (torch 2.13.0) numbers the forwards of the "
            "steady phase from forward_mb + 1, with forward_mb = 0 also when the rank has no "
            "warm-up forward (rank S - 1): the last rank's list holds F(S - 1, 1), ..., "
            "F(S - 1, M) and never F(S - 1, 0). Schedule1F1B's own step loop "
            "(_step_microbatches) does not read this list, so its training is unaffected; what "
            "reads pipeline_order (the schedule IR, its printed form) gets an invalid table.",
}
"""Why a schedule disagrees, read in PyTorch's source at TORCH_VERSION."""


class _StandInStage:
    """What a schedule's constructor reads of a pipeline stage: no model, no process group."""

    def __init__(self, num_stages: int, group_size: int, stage_index: int) -> None:
        self.num_stages = num_stages
        self.group_size = group_size
        self.group_rank = 0
        self.stage_index = stage_index
        self.is_first = stage_index == 0
        self.is_last = stage_index == num_stages - 1
        self.submod = None
        self.stage_index_to_group_rank: dict[int, int] = {}


def require_torch() -> Any:
    """The ``torch.distributed.pipelining.schedules`` module.

    Raises:
        ParameterError: when torch is not installed (the optional extra ``pipeproof[torch]``).
    """
    try:
        import torch
        from torch.distributed.pipelining import schedules
    except ImportError:
        raise ParameterError("external torch needs PyTorch: pip install 'pipeproof[torch]' "
                             f"(torch=={TORCH_VERSION})") from None
    if torch.__version__.split("+")[0] != TORCH_VERSION:
        LOG.warning("torch %s found; the comparison was written for %s", torch.__version__,
                    TORCH_VERSION)
    return schedules


def torch_orders(name: str, ranks: int, micro: int) -> list[list[tuple[int, str, int]]]:
    """Every rank's (stage, op, microbatch) list of PyTorch's schedule ``name``.

    Raises:
        ValueError: whatever PyTorch's constructor raises for these parameters.
    """
    schedules = require_torch()
    class_name, per_rank, _ = SCHEDULES[name]
    total = ranks * per_rank
    stages = [_StandInStage(total, ranks, i) for i in range(per_rank)]
    schedule_class = getattr(schedules, class_name)
    built = schedule_class(stages[0] if per_rank == 1 else stages, micro)
    return [_convert(built.pipeline_order[rank]) for rank in range(ranks)]


def _convert(actions: list) -> list[tuple[int, str, int]]:
    """(stage, op, microbatch) of every compute action, OVERLAP_F_B as its sub-actions."""
    kinds = {"FORWARD": "F", "FULL_BACKWARD": "B", "BACKWARD_INPUT": "I",
             "BACKWARD_WEIGHT": "W"}
    converted = []
    for action in actions:
        if action is None:
            continue
        for item in getattr(action, "sub_actions", None) or (action,):
            op = kinds.get(item.computation_type.name)
            if op is not None:
                converted.append((int(item.stage_index), op, int(item.microbatch_index)))
    return converted


@dataclass
class Outcome:
    """One (schedule, S, M): PyTorch's table checked, and its comparison with the theorem."""

    schedule: str
    ranks: int
    micro: int
    status: str
    detail: str = ""
    fault: str | None = None
    measures: dict = field(default_factory=dict)
    comparisons: list = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {"schedule": self.schedule, "S": self.ranks, "M": self.micro,
                "status": self.status, "detail": self.detail, "fault": self.fault,
                "measures": self.measures, "comparisons": self.comparisons}


def check_one(name: str, ranks: int, micro: int) -> Outcome:
    """Build, validate, time and compare PyTorch's table of ``name`` at (S, M)."""
    _, per_rank, family = SCHEDULES[name]
    try:
        orders = torch_orders(name, ranks, micro)
    except (ValueError, AssertionError, RuntimeError) as error:
        return Outcome(name, ranks, micro, "not built", f"PyTorch refuses: {error}")
    table: ActionTable = build(orders, ranks * per_rank, micro, DEFAULT_COSTS, family, per_rank)
    try:
        found = measure(table, time_table(table))
    except ParameterError as error:
        return Outcome(name, ranks, micro, "invalid", str(error), "PyTorch")
    comparisons, reason = action_formulas.compare(table, found)
    rows = [c.as_dict() for c in comparisons]
    outcome = Outcome(name, ranks, micro, "valid", reason or "", None, found.as_dict(), rows)
    wrong = [c for c in comparisons if not c.agrees]
    if wrong:
        outcome.status = "disagrees"
        outcome.fault = _fault(wrong)
        outcome.detail = "; ".join(f"{c.quantity}: PyTorch {c.measured}, theorem {c.formula} = "
                                   f"{c.expected}" for c in wrong)
    elif comparisons:
        outcome.status = "agrees"
    return outcome


def _fault(wrong: list) -> str:
    """PyTorch's when its table is slower or holds more, pipeproof's when it does better."""
    def above(c) -> bool:
        measured, expected = c.measured, c.expected
        if isinstance(measured, list):
            return any(a > b for a, b in zip(measured, expected, strict=True))
        return measured > expected
    return "PyTorch" if any(above(c) for c in wrong) else "pipeproof"


def survey(names: list[str], stages: list[int], micro_factors: list[int] | None = None,
           microbatches: list[int] | None = None) -> list[Outcome]:
    """Every schedule at every S and M (M from ``microbatches``, else factor * S)."""
    outcomes = []
    for name in names:
        for ranks in stages:
            counts = microbatches or [f * ranks for f in (micro_factors or [1, 2, 4, 8])]
            for micro in counts:
                outcomes.append(check_one(name, ranks, micro))
    return outcomes


STATUSES = ("agrees", "valid", "disagrees", "invalid", "not built")
"""What a table can be found: agreeing with its theorem, valid with no theorem to compare,
disagreeing, invalid, or refused by PyTorch."""


def status_counts(records: list[dict]) -> list[tuple[str, list[int]]]:
    """Per schedule (in the order of ``records``, each an outcome's ``as_dict()``), how many
    of its tables have each of :data:`STATUSES`."""
    names = list(dict.fromkeys(str(record.get("schedule")) for record in records))
    return [(name, [sum(str(record.get("schedule")) == name and record.get("status") == status
                        for record in records) for status in STATUSES]) for name in names]


def smallest_disagreements(outcomes: list[Outcome]) -> list[Outcome]:
    """Per schedule and kind of fault, the disagreement or invalid table with the least (S, M)."""
    first: dict[tuple[str, str | None, str], Outcome] = {}
    for outcome in sorted(outcomes, key=lambda o: (o.ranks, o.micro)):
        if outcome.status in ("disagrees", "invalid"):
            quantities = ",".join(sorted(c["quantity"] for c in outcome.comparisons
                                         if not c["agrees"])) or outcome.status
            first.setdefault((outcome.schedule, outcome.fault, quantities), outcome)
    return list(first.values())
