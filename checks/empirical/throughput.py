"""Empirical confirmations of the schedule theorems (THR-*) on training runs.

The executor records the slot at which it ran every op, so the schedule's shape, its makespan,
idle slots and bubble, and the activations each stage held are measured on runs that train a
real objective (:mod:`pipeproof.checks.empirical.runs` says which runs).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeproof.checks.empirical.runs import (
    Comparison,
    budget,
    evaluate,
    index_grid,
    run,
    stage_values,
)
from pipeproof.checks.executor.record import RunRecord
from pipeproof.checks.profiles import Profile
from pipeproof.checks.verdict import Verdict
from pipeproof.theory import memory, schedules, throughput
from pipeproof.theory.symbols import t_B, t_F


def _idle_and_bubble(record: RunRecord, stages: int, micro: int,
                     costs: tuple[int, int]) -> tuple[np.ndarray, float]:
    """Idle slots per stage (simulated time minus the slots its ops took) and the bubble."""
    arrays, slots = record.arrays, record.summary["simulated_slots"]
    busy = ((arrays["forward_slot"] >= 0).sum(axis=1) * costs[0]
            + (arrays["backward_slot"] >= 0).sum(axis=1) * costs[1])
    idle = slots - busy
    return idle, float(idle.sum() / (stages * slots))


def _fill_drain(comparison: Comparison, name: str, record: RunRecord, stages: int, micro: int,
                costs: tuple[int, int]) -> None:
    values = {"S": stages, "M": micro, "t_F": costs[0], "t_B": costs[1]}
    where = {"method": name, "S": stages, "M": micro, "t_F": costs[0], "t_B": costs[1]}
    idle, bubble = _idle_and_bubble(record, stages, micro, costs)
    comparison.check("makespan", record.summary["simulated_slots"],
                     evaluate(throughput.fill_drain_makespan(), **values), **where)
    comparison.check("idle_slots_per_stage", idle,
                     evaluate(throughput.fill_drain_idle(), **values), **where)
    comparison.check("bubble_fraction", bubble,
                     evaluate(throughput.bubble_fraction(), **values), **where)


def confirm_gpipe(profile: Profile, plots: Any) -> Verdict:
    """GPipe runs (one step of M microbatches, costs (1, 1) and (1, 2)): op slots, makespan,
    idle slots, bubble and live activations equal THR-GPIPE."""
    comparison = Comparison()
    values = stage_values(profile, small=True)
    for stages in values:
        for micro in (1, stages + 1, 2 * stages + 1):
            for costs in ((1, 1), (1, 2)):
                record = run("gpipe", stages, micro, accumulation=micro, forward_cost=costs[0],
                             backward_cost=costs[1])
                grid = {**index_grid(stages, micro), "S": stages, "M": micro, "t_F": costs[0],
                        "t_B": costs[1]}
                where = {"S": stages, "M": micro, "t_F": costs[0], "t_B": costs[1]}
                arrays = record.arrays
                comparison.check("forward_start", arrays["forward_slot"],
                                 evaluate(schedules.gpipe_forward(), **grid), **where)
                comparison.check("backward_start", arrays["backward_slot"] - costs[1] + 1,
                                 evaluate(schedules.gpipe_backward(), **grid), **where)
                _fill_drain(comparison, "gpipe", record, stages, micro, costs)
                comparison.check("peak_live_activations",
                                 record.measurements["in_flight_max_per_stage"],
                                 micro, **where)
    return comparison.verdict("GPipe training runs", budget(values, "M in {1, S+1, 2S+1}, "
                                                               "costs (1,1), (1,2)"))


def confirm_flush(profile: Profile, plots: Any) -> Verdict:
    """1F1B-with-flush runs: op slots, makespan, bubble and min(S - s, M) in flight."""
    comparison = Comparison()
    values = stage_values(profile, small=True)
    for stages in values:
        for micro in (1, stages + 1, 2 * stages + 1):
            record = run("flush", stages, micro, accumulation=micro)
            grid = {**index_grid(stages, micro), "S": stages, "M": micro}
            where = {"S": stages, "M": micro}
            arrays = record.arrays
            comparison.check("forward_start", arrays["forward_slot"],
                             evaluate(schedules.flush_forward(), **grid), **where)
            comparison.check("backward_start", arrays["backward_slot"],
                             evaluate(schedules.flush_backward(), **grid), **where)
            _fill_drain(comparison, "flush", record, stages, micro, (1, 1))
            comparison.check("peak_in_flight_per_stage",
                             record.measurements["in_flight_max_per_stage"],
                             evaluate(memory.flush_peak_in_flight(), s=grid["s"][:, 0],
                                      S=stages, M=micro), **where)
    return comparison.verdict("Flush training runs", budget(values, "M in {1, S+1, 2S+1}"))


def confirm_pipedream(profile: Profile, plots: Any) -> Verdict:
    """PipeDream runs: makespan 2(M + S - 1); microbatches leave stage 0 two slots apart and
    every two steady slots hold exactly S block updates."""
    comparison = Comparison()
    values = stage_values(profile)
    for stages in values:
        for micro in (stages, 3 * stages + 2):
            record = run("pipedream", stages, micro)
            where = {"S": stages, "M": micro}
            comparison.check("makespan", record.summary["simulated_slots"],
                             2 * (micro + stages - 1), **where)
            if micro <= 2 * stages:
                continue
            steady = slice(stages, micro - stages)
            arrays = record.arrays
            comparison.check("completion_spacing", np.diff(arrays["backward_slot"][0, steady]),
                             2, **where)
            per_slot = np.bincount(arrays["update_slot"].ravel())
            first = arrays["forward_slot"][:, steady].min()
            last = arrays["backward_slot"][:, steady].max()
            comparison.check("updates_per_slot_pair",
                             per_slot[first:last] + per_slot[first + 1:last + 1], stages, **where)
    return comparison.verdict("PipeDream training runs", budget(values, "M in {S, 3S+2}"))


def confirm_closed_form(profile: Profile, plots: Any) -> Verdict:
    """The slots at which the executor ran every F(s, m) and B(s, m) equal the closed form."""
    comparison = Comparison()
    values = stage_values(profile)
    for stages in values:
        for micro in (stages + 1, 3 * stages + 2):
            record = run("pipedream", stages, micro)
            grid = {**index_grid(stages, micro), "S": stages}
            where = {"S": stages, "M": micro}
            comparison.check("forward_start", record.arrays["forward_slot"],
                             evaluate(schedules.pipedream_forward(), **grid), **where)
            comparison.check("backward_start", record.arrays["backward_slot"],
                             evaluate(schedules.pipedream_backward(), **grid), **where)
    return comparison.verdict("PipeDream training runs", budget(values, "M in {S+1, 3S+2}"))


def confirm_localsgd(profile: Profile, plots: Any) -> Verdict:
    """LocalSGD runs of two rounds: round time and bubble equal THR-LSGD."""
    comparison = Comparison()
    values = stage_values(profile, small=True)
    round_time = throughput.localsgd_round_time().subs({t_F: 1, t_B: 1})
    for stages in values:
        for runs in sorted({(stages + 1) // 2, stages, 2 * stages}):
            micro = 2 * runs * 2
            record = run("localsgd", stages, micro, num_runs=runs, local_steps=2)
            where = {"S": stages, "R": runs, "H": 2, "M": micro}
            expected = evaluate(round_time, S=stages, R=runs, H=2)
            comparison.check("makespan", record.summary["simulated_slots"], 2 * expected,
                             **where)
            comparison.check("bubble_fraction",
                             _idle_and_bubble(record, stages, micro, (1, 1))[1],
                             1 - 2 * runs * 2 / expected, **where)
    return comparison.verdict("LocalSGD training runs",
                              budget(values, "R in {ceil(S/2), S, 2S}, H = 2, two rounds"))


def confirm_costs(profile: Profile, plots: Any) -> Verdict:
    """Runs with integer costs: GPipe and Flush take (t_F + t_B)(M + S - 1) slots, PipeDream at
    least that, exactly that when t_F divides t_B."""
    comparison = Comparison()
    values = [value for value in stage_values(profile, small=True) if value <= 16]
    for stages in values:
        for costs in ((1, 2), (2, 1), (2, 3)):
            bound = (costs[0] + costs[1]) * (3 * stages + stages - 1)
            options = {"forward_cost": costs[0], "backward_cost": costs[1]}
            where = {"S": stages, "M": 3 * stages, "t_F": costs[0], "t_B": costs[1]}
            for name in ("gpipe", "flush"):
                record = run(name, stages, 3 * stages, accumulation=3 * stages, **options)
                comparison.check(f"{name} makespan", record.summary["simulated_slots"], bound,
                                 **where)
            slots = run("pipedream", stages, 3 * stages, **options).summary["simulated_slots"]
            comparison.check("pipedream makespan", slots, bound, ">=", **where)
            if costs[1] % costs[0] == 0:
                comparison.check("pipedream makespan", slots, bound, **where)
    return comparison.verdict("training runs with costs",
                              budget(values, "M = 3S, (t_F, t_B) in {(1,2), (2,1), (2,3)}"))
