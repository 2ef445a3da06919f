"""``python -m checks schedule NAME ...``: the quantities of one schedule's op table."""

from __future__ import annotations

import argparse
import json
from typing import Any

from checks import delays, occupancy
from checks.generate import has_closed_form, op_table
from checks.measures import TableView
from theory.parameters import check_choice, schedule_spec


def schedule_summary(view: TableView, convention: str, generator: str) -> dict[str, Any]:
    """The JSON-ready quantities of one table (keys are a contract)."""
    table = view.table
    spec = table.spec
    statistics = view.statistics[convention]
    steady = view.steady
    lags = view.lags[:, steady].max(axis=1).tolist() if view.has_steady else None
    held = view.held[:, steady].max(axis=1).tolist() if view.has_steady else None
    return {
        "schedule": spec.name,
        "num_stages": spec.num_stages,
        "num_microbatches": spec.num_microbatches,
        "noam": spec.noam if spec.name in ("pipedream", "localsgd") else None,
        "num_runs": spec.num_runs,
        "local_steps": spec.local_steps,
        "forward_cost": spec.forward_cost,
        "backward_cost": spec.backward_cost,
        "generator": generator,
        "makespan": table.makespan,
        "idle_slots_per_stage": occupancy.idle_slots_per_stage(table).tolist(),
        "bubble_fraction": occupancy.bubble_fraction(table),
        "peak_in_flight_per_stage": view.in_flight.max(axis=1).tolist(),
        "delay": {
            "convention": convention,
            "steady_max": statistics.steady_max,
            "steady_mean": statistics.steady_mean,
            "run_max": statistics.run_max,
            "steady_max_per_stage": statistics.steady_max_per_stage,
        },
        "version_lag_per_stage": lags,
        "stashed_versions_per_stage": held,
        "stashed_versions_run_max_per_stage": view.held.max(axis=1).tolist(),
        "block_updates": int(delays.update_slots(table).size if spec.name not in
                             delays.FLUSH_SCHEDULES else spec.num_stages),
    }


def _text(summary: dict[str, Any]) -> str:
    lines = []
    for key, value in summary.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {inner}: {_short(item)}" for inner, item in value.items()]
        else:
            lines.append(f"{key}: {_short(value)}")
    return "\n".join(lines)


def _short(value: Any, limit: int = 16) -> str:
    if isinstance(value, list) and len(value) > limit:
        head = ", ".join(map(str, value[: limit // 2]))
        tail = ", ".join(map(str, value[-limit // 2:]))
        return f"[{head}, ..., {tail}] ({len(value)} values)"
    return str(value)


def run_schedule(args: argparse.Namespace) -> int:
    """Generate the table, print its quantities; ParameterError propagates to the CLI."""
    convention = check_choice("convention", args.convention, delays.CONVENTIONS)
    spec = schedule_spec(args.name, args.stages, args.microbatches, noam=args.noam,
                         num_runs=args.runs, local_steps=args.local_steps,
                         forward_cost=args.forward_cost, backward_cost=args.backward_cost)
    table = op_table(spec, args.generator)
    used = "closed form" if args.generator != "policy" and has_closed_form(spec) else "policy"
    summary = schedule_summary(TableView(table), convention, used)
    print(json.dumps(summary, indent=2) if args.json else _text(summary))
    return 0
