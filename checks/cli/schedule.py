"""``pipeproof schedule NAME ...``: the quantities of one schedule's op table.

The first quantity printed is the one the staleness theorems speak about: the largest version
lag (updates of block s between F(s, m) and the update of (s, m)) and the largest delay counted
in updates of other steps (STL-SYNC: both 0 for GPipe, Flush and LocalSGD within a copy;
STL-PD-*: S - 1 - s for PipeDream). ``delay`` counts every block update, those of the same step
included, as the RPD bounds do. LocalSGD defaults to R = S copies and H = 5 local steps, as
``run-method localsgd`` does. Neither SymPy nor Z3 is imported: the closed forms are evaluated
by :mod:`pipeproof.checks.closed_forms`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from pipeproof.checks.cli.main import at_least
from pipeproof.checks.tables import delays, occupancy
from pipeproof.checks.tables.generate import has_closed_form, op_table
from pipeproof.checks.tables.measures import TableView, measure
from pipeproof.theory.parameters import ParameterError, check_choice, schedule_spec

LOCALSGD_LOCAL_STEPS = 5
"""Default H of ``schedule localsgd`` (R defaults to S), the defaults of ``run-method``."""
DIAGRAM_PAIRS = 50_000
"""Most (stage, microbatch) pairs ``--plot`` draws: 100,000 ops (S = 50, M = 1000: 3 s of CPU
measured); beyond that the ops are narrower than a pixel of the 16-inch-wide figure anyway."""
BYTES_PER_CELL = 400
"""Bytes per (stage, microbatch) allowed for a table and its derived arrays: five times the
56-80 bytes that tracemalloc measured at S = 64 and 256, M = 10 S to 100 S."""


def add_parser(commands: argparse._SubParsersAction, steady_help: str) -> None:
    """Add the ``schedule`` subcommand."""
    schedule = commands.add_parser(
        "schedule", help="makespan, bubble, memory and delays of one schedule",
        description="Generate one op table and print its quantities. " + steady_help
        + " localsgd defaults to R = S and H = 5, as run-method does.")
    schedule.add_argument("name", metavar="NAME", help="gpipe, pipedream, flush or localsgd")
    schedule.add_argument("--stages", type=at_least(1), required=True, metavar="S")
    schedule.add_argument("--microbatches", type=at_least(1), required=True, metavar="M")
    schedule.add_argument("--noam", type=at_least(1), metavar="N",
                          help="pipedream: most microbatches in flight (default S)")
    schedule.add_argument("--runs", type=at_least(1), metavar="R",
                          help="localsgd: model copies (default S)")
    schedule.add_argument("--local-steps", type=at_least(1), metavar="H",
                          help=f"localsgd: local steps per round (default "
                               f"{LOCALSGD_LOCAL_STEPS})")
    schedule.add_argument("--forward-cost", type=at_least(1), default=1, metavar="T_F")
    schedule.add_argument("--backward-cost", type=at_least(1), default=1, metavar="T_B")
    schedule.add_argument("--convention", default="C1", help="C1 (default) or C0")
    schedule.add_argument("--generator", default="auto",
                          help="auto (closed form when proved), closed-form or policy")
    schedule.add_argument("--json", dest="print_json", action="store_true", help="print JSON")
    schedule.add_argument("--plot", metavar="PATH.png",
                          help="write the schedule diagram (stages x time slots; .png, .pdf or "
                               ".svg; needs matplotlib)")
    schedule.set_defaults(handler=run_schedule)


def staleness(view: TableView, convention: str) -> dict[str, Any]:
    """What STL-SYNC and the PipeDream staleness theorems bound: the largest version lag and
    the largest delay in updates of other steps (own step's updates excluded)."""
    return {"version_lag_max": int(measure(view, "version_lag.max")),
            "other_step_delay_max": int(measure(view, "foreign_delay.max", convention)),
            "convention": convention}


def schedule_summary(view: TableView, convention: str, generator: str) -> dict[str, Any]:
    """The JSON-ready quantities of one table (keys are a contract)."""
    table = view.table
    spec = table.spec
    statistics = view.statistics[convention]
    steady = view.steady
    lags = view.lags[:, steady].max(axis=1).tolist() if view.has_steady else None
    held = view.held[:, steady].max(axis=1).tolist() if view.has_steady else None
    return {
        "staleness": staleness(view, convention),
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


def _localsgd_defaults(args: argparse.Namespace) -> tuple[int, int]:
    """(R, H): R = S and H = 5 for localsgd when not given, 1 and 1 for the other schedules."""
    if args.name != "localsgd":
        return (1 if args.runs is None else args.runs,
                1 if args.local_steps is None else args.local_steps)
    return (args.stages if args.runs is None else args.runs,
            LOCALSGD_LOCAL_STEPS if args.local_steps is None else args.local_steps)


def check_table_memory(num_stages: int, num_microbatches: int, budget: int) -> None:
    """Refuse a table whose arrays (:data:`BYTES_PER_CELL` per entry) exceed ``budget`` bytes."""
    if num_stages * num_microbatches * BYTES_PER_CELL > budget:
        most = budget // (BYTES_PER_CELL * num_stages)
        raise ParameterError(f"num_microbatches must be an integer in 1..{most} for S = "
                             f"{num_stages} (the table and its derived arrays must fit in "
                             f"{budget / 2**30:.1f} GiB), got {num_microbatches}")


def run_schedule(args: argparse.Namespace) -> int:
    """Generate the table, print its quantities; ParameterError propagates to the CLI."""
    from pipeproof.checks.executor.limits import memory_budget

    plot = _plot_path(args.plot, args.stages * args.microbatches)
    convention = check_choice("convention", args.convention, delays.CONVENTIONS)
    runs, steps = _localsgd_defaults(args)
    spec = schedule_spec(args.name, args.stages, args.microbatches, noam=args.noam,
                         num_runs=runs, local_steps=steps,
                         forward_cost=args.forward_cost, backward_cost=args.backward_cost)
    check_table_memory(spec.num_stages, spec.num_microbatches, memory_budget())
    table = op_table(spec, args.generator)
    used = "closed form" if args.generator != "policy" and has_closed_form(spec) else "policy"
    summary = schedule_summary(TableView(table), convention, used)
    print(json.dumps(summary, indent=2) if args.print_json else _text(summary))
    if plot is not None:
        from pipeproof.checks.figures.schedule import plot_schedule

        written = plot_schedule(table, plot)
        if not args.print_json:
            print(f"diagram written to {written}")
    return 0


def _plot_path(text: str | None, pairs: int) -> Path | None:
    """The ``--plot`` path, checked before any work (suffix, folder, matplotlib, and at most
    :data:`DIAGRAM_PAIRS` stage-microbatch pairs, ``pairs`` = S M)."""
    if text is None:
        return None
    if pairs > DIAGRAM_PAIRS:
        raise ParameterError(f"--plot draws S * M at most {DIAGRAM_PAIRS} (stages times "
                             f"microbatches), got {pairs}")
    from pipeproof.checks.outputs import FIGURE_SUFFIXES, output_file, require_matplotlib

    path = output_file("--plot", text, FIGURE_SUFFIXES)
    require_matplotlib("--plot")
    return path
