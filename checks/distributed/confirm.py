"""A distributed run against the executor and the staleness theorems: the verdict method
``distributed``.

For each job the executor runs the same schedule (the same policy-simulator table), objective,
data, step size and seed in one process with NumPy in float64. The distributed run must agree
with it

* exactly, in every per-op measurement: the slots of every forward, backward and update, the
  update index k, the reads r_C1 and r_C0, the version every forward read, the version lag of
  every update, the versions held and the activations kept after every forward;
* to :data:`TOLERANCE` (relative), in the loss trajectory f(x^k) - f*, k = 0..K, and in x^K (the
  ranks compute with PyTorch, the executor with NumPy: the same operations, rounded alike up to
  the order of a few sums);

the version every forward read must be the number of updates of its block that its read index
counts (C1 and C0: the index says which updates the read saw, the rank says which version it
got); and its measurements must equal the closed forms of the theorems: the checks of
:mod:`pipeproof.checks.empirical.staleness` judge the distributed statistics as they judge the
executor's (delay matrices, maxima, means, stage maxima, lags, stashed versions, activations for
PipeDream; no lag, no delay from another step and one version for the flush, STL-SYNC, whose
tables are one step: it is judged on runs of one step, M = A).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from pipeproof.checks.distributed.jobs import Job
from pipeproof.checks.distributed.replay import Merged, merge
from pipeproof.checks.empirical import staleness
from pipeproof.checks.empirical.runs import Comparison
from pipeproof.checks.executor.backend import NUMPY
from pipeproof.checks.executor.objectives.registry import build_objective
from pipeproof.checks.executor.record import RunRecord
from pipeproof.checks.executor.run import run_method
from pipeproof.checks.executor.schedule_log import ARRAY_NAMES
from pipeproof.checks.verdict import Status, Verdict

TOLERANCE = 1e-9
"""Largest relative difference of the loss trajectory and of x^K from the executor's."""

CHECKS: dict[str, tuple[str, Any]] = {
    "STL-PD-MATRIX": ("pipedream", staleness.check_matrix),
    "STL-PD-MAX": ("pipedream", staleness.steady_max("max")),
    "STL-PD-ORDER": ("pipedream", staleness.check_order),
    "STL-PD-WARMUP": ("pipedream", staleness.check_warmup),
    "STL-PD-STAGE": ("pipedream", staleness.check_stage),
    "STL-PD-MEAN": ("pipedream", staleness.check_mean),
    "STL-PD-LAG": ("pipedream", staleness.check_lag),
    "STL-PD-STASH": ("pipedream", staleness.check_stash),
    "STL-SYNC": ("flush", staleness.check_synchronous),
}
"""Theorem id -> (the schedule whose runs speak about it, its check on one run)."""


def applies(theorem_id: str, job: Job) -> bool:
    """Whether a run meets the hypotheses of the theorem's check: its schedule, and for
    STL-SYNC one step (the theorem's tables are one step; at a step boundary the executor puts
    the flush in the first slot of the next step, where C0 does not see it)."""
    schedule = CHECKS[theorem_id][0]
    if job.schedule != schedule:
        return False
    return theorem_id != "STL-SYNC" or job.config.num_microbatches == job.config.accumulation


@dataclass
class Outcome:
    """One distributed job, measured, with the executor's run of the same job.

    Attributes:
        job: the run.
        merged: the ranks' logs on the slot clock.
        record: the distributed run as an executor record (measurements, arrays, traces).
        reference: the executor's record.
        trajectory_difference: max_k |gap_dist - gap_exec| / |gap_exec|.
        point_difference: max |x_dist - x_exec| / max |x_exec| at the end.
        mismatched: the names of the (S, M) arrays that differ from the executor's.
        inconsistent_reads: per convention, the forwards whose read index counts a number of
            updates of their block other than the version they read.
        logs: the ranks' logs.
    """

    job: Job
    merged: Merged
    record: RunRecord
    reference: RunRecord
    trajectory_difference: float
    point_difference: float
    mismatched: tuple[str, ...]
    inconsistent_reads: dict[str, int]
    logs: list[dict[str, Any]]

    @property
    def where(self) -> dict[str, Any]:
        """The run's coordinates, for counterexamples."""
        config = self.job.config
        return {"schedule": self.job.schedule, "objective": config.objective,
                "S": config.num_stages, "M": config.num_microbatches}


def relative(first: np.ndarray, second: np.ndarray) -> float:
    """max |first - second| / |second| elementwise (NaN where either is not finite counts as
    infinitely far)."""
    first, second = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if first.shape != second.shape:
        return float("inf")
    scale = np.maximum(np.abs(second), 1e-300)
    gaps = np.abs(first - second) / scale
    return float(np.where(np.isfinite(gaps), gaps, np.inf).max(initial=0.0))


def inconsistent_reads(merged: Merged, arrays: dict[str, np.ndarray]) -> dict[str, int]:
    """Per convention, the forwards F(j, m) whose read index r(j, m) counts a number of updates
    of block j other than the version the rank read."""
    stages = len(merged.versions)
    order = np.array([update.stage for update in merged.updates], dtype=np.int64)
    counts = np.zeros((order.size + 1, stages), dtype=np.int64)
    counts[1:] = np.cumsum(order[:, None] == np.arange(stages)[None, :], axis=0)
    column = np.arange(stages)[:, None]
    return {convention: int((counts[arrays[name], column] != arrays["read_version"]).sum())
            for convention, name in (("C1", "read_c1"), ("C0", "read_c0"))}


def outcome(job: Job, logs: list[dict[str, Any]]) -> Outcome:
    """Merge the logs of ``job``, run the executor on the same job, and compare."""
    merged = merge(job, logs)
    reference = run_method(job.config)
    data = np.random.default_rng(job.config.seed).spawn(2)[0]
    objective = build_objective(job.config, NUMPY, data)
    points = merged.iterates(objective.initial_point(), objective.blocks)
    f_star = reference.summary["f_star"]
    gaps = np.array([objective.value(point) - f_star for point in points])
    slots = np.array([0] + [update.slot for update in merged.updates], dtype=float)
    traces = {"iteration": np.arange(len(points), dtype=float), "slot": slots, "gap": gaps}
    arrays = merged.log.arrays or {}
    record = RunRecord({**job.config.to_json(), **objective.parameters(),
                        "process_group": job.backend, "device": job.device},
                       {"final_gap": float(gaps[-1]), "num_block_updates": len(points) - 1},
                       traces, merged.log.statistics(), arrays, points[-1])
    mismatched = tuple(name for name in ARRAY_NAMES
                       if not np.array_equal(arrays[name], reference.arrays[name]))
    final = reference.final_point
    point_difference = float(np.abs(points[-1] - final).max() / max(np.abs(final).max(),
                                                                     1e-300))
    return Outcome(job, merged, record, reference, relative(gaps, reference.traces["gap"]),
                   point_difference, mismatched, inconsistent_reads(merged, arrays), logs)


def check_executor(comparison: Comparison, result: Outcome) -> None:
    """The distributed run agrees with the executor's (module docstring)."""
    where = result.where
    comparison.check("per-op measurements that differ from the executor's",
                     len(result.mismatched), 0, **where)
    for convention, count in result.inconsistent_reads.items():
        comparison.check(f"forwards whose {convention} read index disagrees with the version "
                         "read", count, 0, **where)
    comparison.check("loss trajectory vs the executor's, relative", result.trajectory_difference,
                     TOLERANCE, "<=", **where)
    comparison.check("x^K vs the executor's, relative", result.point_difference, TOLERANCE,
                     "<=", **where)


def judge(theorem_id: str, outcomes: list[Outcome], seconds: float = 0.0) -> Verdict:
    """The ``distributed`` verdict on ``theorem_id`` from the runs of its schedule.

    Confirmed when every run agrees with the executor and with the theorem; refuted with the
    first disagreement; not applicable when no run meets the check's hypotheses
    (:func:`applies`).
    """
    started = time.perf_counter()
    schedule, check = CHECKS[theorem_id]
    runs = [result for result in outcomes if applies(theorem_id, result.job)]
    if not runs:
        return Verdict("distributed", Status.NOT_APPLICABLE, seconds,
                       reason=f"no {schedule} run meets the hypotheses"
                       + (" (one step, M = A)" if theorem_id == "STL-SYNC" else ""))
    comparison = Comparison()
    for result in runs:
        check_executor(comparison, result)
        check(comparison, result.record, result.job.num_stages, result.where)
    objectives = sorted({result.job.config.objective for result in runs})
    stages = sorted({result.job.num_stages for result in runs})
    sizes = sorted({(result.job.num_stages, result.job.config.num_microbatches)
                    for result in runs})
    budget = (f"{len(runs)} {schedule} runs, one process per stage: {', '.join(objectives)}; "
              f"S in {stages}; (S, M) in {sizes}")
    verdict = comparison.verdict(f"torch.distributed {schedule} runs", budget)
    first = runs[0]
    detail = (verdict.detail.replace("; tables", " and with the executor's run (loss "
                                     f"trajectory to {TOLERANCE:g} relative); tables")
              if verdict.status is Status.CONFIRMED else verdict.detail)
    return replace(verdict, method="distributed", detail=detail,
                   seconds=seconds + time.perf_counter() - started,
                   solver=f"{first.logs[0]['device']}, process group {first.job.backend}")
