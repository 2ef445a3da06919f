"""A distributed run as a JSON document and as lines for the terminal.

The document (``pipeproof distributed --out PATH.json``) has

    schedule, objective, num_stages, num_microbatches, step_size, seed, process_group, device,
    start_method, wall_seconds, startup_seconds, rank_seconds, ok,
    executor_agreement {mismatched_arrays, trajectory_max_relative_difference,
                        final_point_max_relative_difference, inconsistent_reads},
    verdicts {theorem id: {status, detail, counterexample, reason}},
    measurements (the statistics of the executor's schedule log, from the ranks' logs),
    stages [{stage, pid, device, seconds, versions, ops [{op, slot, start_s, end_s, and
             F: micro, version, held, in_flight; B: micro, version (used), lag, new_version
             (PipeDream); U (the flush): step, micros, lags, new_version}]}],
    update_order [{k, stage, slot, micros, lags, version}],
    traces {iteration, slot, gap, executor_gap},
    parameters (the executor's run parameters).

Times ``start_s`` and ``end_s`` are seconds after the launch (one monotonic clock for the whole
machine); slots are the schedule's.
"""

from __future__ import annotations

from typing import Any

from pipeproof.checks.distributed.confirm import CHECKS, TOLERANCE, Outcome, applies, judge
from pipeproof.checks.distributed.replay import update_order
from pipeproof.checks.verdict import Status, Verdict

BOUNDARY = (" (the flush lands in the first slot of the next step, where C0 does not count it; "
            "STL-SYNC speaks of one step)")


def _seconds(value: int, origin: int) -> float:
    return round((value - origin) / 1e9, 6)


def stage_entry(log: dict[str, Any]) -> dict[str, Any]:
    """One rank's log: its ops with what it measured, times after the launch."""
    origin = log["launched_ns"]
    ops = []
    for op in log["ops"]:
        entry = {key: value for key, value in op.items() if not key.endswith("_ns")}
        entry.update(start_s=_seconds(op["start_ns"], origin),
                     end_s=_seconds(op["end_ns"], origin))
        ops.append(entry)
    return {"stage": log["rank"], "pid": log["pid"], "device": log["device"],
            "seconds": log["seconds"], "versions": len(log["versions"]), "ops": ops}


def verdicts(result: Outcome) -> dict[str, Verdict]:
    """The ``distributed`` verdict of every theorem this run can speak about."""
    return {theorem_id: judge(theorem_id, [result]) for theorem_id in CHECKS
            if CHECKS[theorem_id][0] == result.job.schedule}


def document(result: Outcome, judged: dict[str, Verdict], wall: float,
             start_method: str) -> dict[str, Any]:
    """The JSON document of one run (module docstring)."""
    config, logs = result.job.config, result.logs
    origin = logs[0]["launched_ns"]
    ready = max(log["ready_ns"] for log in logs)
    return {
        "schedule": result.job.schedule, "objective": config.objective,
        "num_stages": config.num_stages, "num_microbatches": config.num_microbatches,
        "step_size": config.step_size, "seed": config.seed,
        "process_group": result.job.backend, "device": result.job.device,
        "start_method": start_method, "wall_seconds": wall,
        "startup_seconds": _seconds(ready, origin),
        "rank_seconds": [log["seconds"] for log in logs],
        "ok": ok(result, judged),
        "executor_agreement": {
            "mismatched_arrays": list(result.mismatched),
            "trajectory_max_relative_difference": result.trajectory_difference,
            "final_point_max_relative_difference": result.point_difference,
            "inconsistent_reads": result.inconsistent_reads, "tolerance": TOLERANCE},
        "verdicts": {theorem_id: {"status": verdict.status.value, "detail": verdict.detail,
                                  "counterexample": verdict.counterexample,
                                  "reason": verdict.reason}
                     for theorem_id, verdict in judged.items()},
        "measurements": result.record.measurements,
        "stages": [stage_entry(log) for log in logs],
        "update_order": update_order(result.merged),
        "traces": {"iteration": result.record.traces["iteration"].tolist(),
                   "slot": result.record.traces["slot"].tolist(),
                   "gap": result.record.traces["gap"].tolist(),
                   "executor_gap": result.reference.traces["gap"].tolist()},
        "parameters": result.record.parameters,
    }


def agrees(result: Outcome) -> bool:
    """The run agrees with the executor: every per-op measurement, the loss trajectory and x^K
    (the read indices are judged with the theorems, on the runs that meet their hypotheses)."""
    return (not result.mismatched and result.trajectory_difference <= TOLERANCE
            and result.point_difference <= TOLERANCE)


def ok(result: Outcome, judged: dict[str, Verdict]) -> bool:
    """Every theorem the run meets the hypotheses of is confirmed, and the run agrees with the
    executor."""
    return agrees(result) and all(
        verdict.status is Status.CONFIRMED for theorem_id, verdict in judged.items()
        if applies(theorem_id, result.job))


def lines(result: Outcome, judged: dict[str, Verdict], wall: float,
          start_method: str) -> list[str]:
    """What the command prints."""
    job, config, logs = result.job, result.job.config, result.logs
    ready = max(log["ready_ns"] for log in logs) - logs[0]["launched_ns"]
    steady = result.record.measurements.get("steady") or {}
    held = steady.get("held_versions_per_stage",
                      result.record.measurements["held_versions_max_per_stage"])
    out = [f"{job.schedule} on {config.objective}, S = {config.num_stages} processes "
           f"({job.backend}, {logs[0]['device']}; {start_method}), M = "
           f"{config.num_microbatches}, step size {config.step_size:g}, seed {config.seed}",
           f"wall {wall:.2f} s (start-up {ready / 1e9:.2f} s, ranks "
           f"{max(log['seconds'] for log in logs):.3f} s at most)",
           f"block updates {len(result.merged.updates)}; versions per stage "
           f"{[len(log['versions']) - 1 for log in logs]}; versions held per stage {held}",
           f"executor agreement: per-op measurements "
           f"{'equal' if not result.mismatched else 'differ: ' + ', '.join(result.mismatched)}"
           f"; loss trajectory max relative difference {result.trajectory_difference:.2e}, "
           f"x^K {result.point_difference:.2e} (tolerance {TOLERANCE:g})",
           f"forwards whose read index disagrees with the version read: C1 "
           f"{result.inconsistent_reads['C1']}, C0 {result.inconsistent_reads['C0']}"
           + (BOUNDARY if job.schedule == "flush" and result.inconsistent_reads["C0"] else "")]
    for theorem_id, verdict in judged.items():
        text = verdict.reason or (verdict.counterexample and
                                  f"counterexample {verdict.counterexample}") or ""
        out.append(f"  {theorem_id:<14} {verdict.status.value}" + (f": {text}" if text else ""))
    out.append("OK: the run agrees with the executor and the theorems" if ok(result, judged)
               else "NOT OK: see the lines above")
    return out
