"""``pipeproof experiment NAME`` and ``pipeproof experiments``: the paper's experiments.

    pipeproof experiments                                   list them
    pipeproof experiment NAME|all [--quick] [--out DIR] [--workers W]

runs an experiment (every part: each method at its best step size of the grid at the part's
slot budget, over the experiment's seeds), writes into DIR/NAME one record, table and figure
per part and the experiment's claims (claims.json, claims.md), and prints the tables and the
claims, each marked reproduced or not reproduced with its numbers. ``all`` runs the five and
writes every claim to DIR/claims.json and DIR/claims.md. ``--quick`` runs the small versions
(seconds each). Every run is validated before the first one starts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeproof.checks.cli.main import at_least
from pipeproof.theory.parameters import ParameterError

DEFAULT_OUT = Path("pipeproof-report/experiments")


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Add the ``experiment`` and ``experiments`` subcommands."""
    parser = commands.add_parser("experiment", help="run one of the paper's experiments (or "
                                 "all) and judge its claims",
                                 description=__doc__.split("\n\n")[0] + "\n\n"
                                 + __doc__.split("\n\n")[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", metavar="NAME", help="an experiment (see `pipeproof "
                        "experiments`) or all")
    parser.add_argument("--quick", action="store_true", help="the small version")
    parser.add_argument("--out", default=str(DEFAULT_OUT), metavar="DIR",
                        help=f"folder of the files (default {DEFAULT_OUT})")
    parser.add_argument("--workers", type=at_least(1), default=1, metavar="W",
                        help="worker processes (default 1)")
    parser.set_defaults(handler=run_command)
    listing = commands.add_parser("experiments", help="list the paper's experiments")
    listing.set_defaults(handler=list_command)


def list_command(args: argparse.Namespace) -> int:
    """One block per experiment: name, title, parts, seeds, the authors' source."""
    from pipeproof.checks.experiments.catalog import EXPERIMENTS

    for item in EXPERIMENTS.values():
        parts = ", ".join(f"{part.label} (S = {part.num_stages}, T = {part.slot_budget}: "
                          f"{part.methods})" for part in item.parts)
        print(f"{item.name}\n  {item.title}\n  parts: {parts}\n  seeds: {item.seeds} "
              f"(quick: {item.quick_seeds})\n  source: {item.source}\n")
    return 0


def progress_line(done: int, total: int) -> None:
    """A progress count on a terminal."""
    print(f"\rpipeproof experiment: run {done} of {total}", end="" if done < total else "\n",
          file=sys.stderr, flush=True)


def run_command(args: argparse.Namespace) -> int:
    """Validate, run, write, print."""
    from pipeproof.checks.experiments.catalog import EXPERIMENTS, experiment
    from pipeproof.checks.experiments.runner import run_all, run_experiment, validate
    from pipeproof.checks.outputs import output_folder

    chosen = list(EXPERIMENTS.values()) if args.name == "all" else [experiment(args.name)]
    try:
        folder = output_folder("--out", args.out)
        validate(chosen, args.quick)
    except ParameterError as error:
        from pipeproof.checks.cli.compare import flag_message

        raise ParameterError(flag_message(error)) from None
    hook = progress_line if sys.stderr.isatty() else None
    if args.name == "all":
        lines = run_all(chosen, args.quick, folder, args.workers, hook)
    else:
        lines = run_experiment(chosen[0], args.quick, folder, args.workers, hook)[1]
    print("\n".join(lines))
    return 0
