"""``pipeproof check-table FILE``: validate, time and measure a per-rank action table.

The table format is that of :mod:`pipeproof.checks.tables.actions` (README, "Checking a
schedule table"). The command checks validity (every op once, placement, dependencies; the first
fault named with its rank and action), times the table as early as its dependencies allow under
its costs (unit by default), prints makespan, idle per rank, bubble fraction, peak live
activations and weight versions, and compares them with the closed forms of the schedule family
the table names (:mod:`pipeproof.checks.tables.action_formulas`). Exit code 0 when the table is
valid and agrees with its family's forms (or names none), 1 when it disagrees, 2 when invalid.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from pipeproof.checks.tables import action_formulas, actions
from pipeproof.checks.tables.action_measures import measure
from pipeproof.checks.tables.action_timing import time_table


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add the ``check-table`` subcommand."""
    parser = commands.add_parser(
        "check-table", help="validate and time a per-rank schedule table (JSON)",
        description="Validate a per-rank action table (JSON: ranks, each an ordered list of "
                    "{stage, op: F|B|I|W, microbatch}, optional costs and schedule family), "
                    "time it as early as dependencies allow and compare it with the family's "
                    "theorem. Exit 0: valid and as the theorem says; 1: valid, disagrees; "
                    "2: invalid.")
    parser.add_argument("file", metavar="FILE", help="the table, a .json file")
    parser.add_argument("--json", dest="print_json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run_check_table)


def check(table: actions.ActionTable) -> dict[str, Any]:
    """Validity, measures and comparisons of a table (raises InvalidActionTableError)."""
    timing = time_table(table)
    found = measure(table, timing)
    comparisons, reason = action_formulas.compare(table, found)
    return {"valid": True, "ranks": table.num_ranks, "stages": table.num_stages,
            "microbatches": table.num_microbatches, "costs": dict(table.costs),
            "family": table.family, "measures": found.as_dict(),
            "theorem": {"applies": reason is None, "reason": reason,
                        "comparisons": [c.as_dict() for c in comparisons],
                        "agrees": all(c.agrees for c in comparisons)}}


def describe(result: dict[str, Any]) -> str:
    """Plain-text report of :func:`check`'s result."""
    found = result["measures"]
    lines = [f"valid table: {result['ranks']} ranks, {result['stages']} stages, "
             f"{result['microbatches']} microbatches, costs {result['costs']}",
             f"makespan {found['makespan']}, idle per rank {found['idle_per_rank']}, "
             f"bubble fraction {found['bubble_fraction']:.4f}",
             f"gaps inside busy spans {found['gaps_per_rank']}",
             f"peak live activations per rank {found['peak_live_activations_per_rank']}",
             f"weight versions {found['weight_versions']}, stale reads {found['stale_reads']}"]
    theorem = result["theorem"]
    if not theorem["applies"]:
        lines.append(f"theorem: not compared ({theorem['reason']})")
    for row in theorem["comparisons"]:
        verdict = "agrees" if row["agrees"] else "DISAGREES"
        lines.append(f"{row['quantity']}: measured {row['measured']}, theorem {row['formula']} "
                     f"= {row['expected']}: {verdict}")
    return "\n".join(lines)


def run_check_table(args: argparse.Namespace) -> int:
    """Handler of ``check-table``; an invalid table raises a ParameterError (exit 2)."""
    result = check(actions.load(args.file))
    print(json.dumps(result, indent=2) if args.print_json else describe(result))
    return 0 if result["theorem"]["agrees"] else 1
