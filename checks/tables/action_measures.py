"""What is read off a timed action table: makespan, idle, live activations, weight versions.

* makespan T: the slot at which the last action ends;
* idle of rank r: T minus the slots its actions take; bubble fraction: sum_r idle_r / (R T);
* busy span of rank r: from its first action's start to its last action's end, and its gaps
  (idle slots inside the span): a schedule whose steps overlap (post-validated optimizer step,
  ZB-H2, ZB-V) has period = the largest busy span;
* live activations of rank r at slot tau: the (j, m) of its stages whose forward has started and
  whose B or I has not ended; peak = max over tau (Qi et al. 2024 count the activation memory
  M_B this way, and a pending W, I ended and W not, as the smaller M_W: reported apart as the
  peak of pending weight-gradient ops);
* weight versions: synchronous training updates stage j once per step, as soon as its last
  weight-gradient op (W, or B) has ended, at U_j; the reads of stage j are its F, B, I and W
  (every op reads the weights or the activations made with them). A read that starts at or after
  U_j would read another step's update: ``stale_reads`` counts them, and a stage's weight
  versions are 1 + (number of its updates that some read follows). ``reads_after_first_update``
  counts the reads of stage j at or after the end of its first W or B, the staleness PipeDream's
  immediate per-microbatch updates would give the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeproof.checks.tables.action_timing import Timing
from pipeproof.checks.tables.actions import ActionTable


@dataclass(frozen=True)
class TableMeasures:
    """The quantities of one timed table (module docstring)."""

    makespan: int
    idle_per_rank: tuple[int, ...]
    bubble_fraction: float
    span_per_rank: tuple[int, ...]
    gaps_per_rank: tuple[int, ...]
    peak_live_per_rank: tuple[int, ...]
    weight_versions: int
    stale_reads: int
    reads_after_first_update: int

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {"makespan": self.makespan, "idle_per_rank": list(self.idle_per_rank),
                "bubble_fraction": self.bubble_fraction,
                "busy_span_per_rank": list(self.span_per_rank),
                "gaps_per_rank": list(self.gaps_per_rank),
                "peak_live_activations_per_rank": list(self.peak_live_per_rank),
                "weight_versions": self.weight_versions, "stale_reads": self.stale_reads,
                "reads_after_first_update": self.reads_after_first_update}


def peak_live(table: ActionTable, timing: Timing, rank: int) -> int:
    """Most activations live on ``rank`` at once: (j, m) from F's start to the end of its B or
    I (the input gradient needs the activation; a pending W holds only the smaller
    weight-gradient inputs, counted by :func:`peak_pending_w`)."""
    born: dict[tuple[int, int], int] = {}
    freed: dict[tuple[int, int], int] = {}
    for action, start, end in zip(table.ranks[rank], timing.starts[rank], timing.ends[rank],
                                  strict=True):
        key = (action.stage, action.micro)
        if action.op == "F":
            born[key] = start
        elif action.op in ("B", "I"):
            freed[key] = end
    events = sorted([(t, 1) for t in born.values()] + [(t, -1) for t in freed.values()])
    live = peak = 0
    for _, change in events:
        live += change
        peak = max(peak, live)
    return peak


def measure(table: ActionTable, timing: Timing) -> TableMeasures:
    """Every quantity of the module docstring."""
    makespan = timing.makespan
    busy = [sum(table.cost(a) for a in rank) for rank in table.ranks]
    idle = tuple(makespan - b for b in busy)
    spans = tuple((ends[-1] - starts[0]) if ends else 0
                  for starts, ends in zip(timing.starts, timing.ends, strict=True))
    gaps = tuple(span - b for span, b in zip(spans, busy, strict=True))
    peaks = tuple(peak_live(table, timing, r) for r in range(table.num_ranks))
    stale, early = reads_after_updates(table, timing)
    fraction = sum(idle) / (table.num_ranks * makespan) if makespan else 0.0
    return TableMeasures(makespan, idle, fraction, spans, gaps, peaks, 1 + (stale > 0), stale,
                         early)


def reads_after_updates(table: ActionTable, timing: Timing) -> tuple[int, int]:
    """(reads of a stage at or after its step's update U_j, reads at or after its first W or
    B ends)."""
    last: dict[int, int] = {}
    first: dict[int, int] = {}
    starts = []
    for rank, begun, ended in zip(table.ranks, timing.starts, timing.ends, strict=True):
        for action, start, end in zip(rank, begun, ended, strict=True):
            starts.append((action.stage, start))
            if action.op in ("W", "B"):
                last[action.stage] = max(last.get(action.stage, end), end)
                first[action.stage] = min(first.get(action.stage, end), end)
    stale = sum(1 for stage, start in starts if start >= last[stage])
    early = sum(1 for stage, start in starts if start >= first[stage])
    return stale, early
