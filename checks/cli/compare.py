"""``pipeproof compare``: methods at equal simulated time, each at its best step size.

    pipeproof compare --objective NAME --methods pipedream,rpd:delta=60,localsgd:H=5
        --slot-budget T [--step-grid 2^-12..2^0] [--seeds N] [--stages S] [--out DIR]

runs every method at every step size of the grid for seeds 0..N-1, each run stopped at T slots,
keeps each method's step size with the lowest mean final gap, and prints a table of the final
gaps with 95% intervals over the seeds, the winner and the ratio (runner-up's gap over the
winner's). It writes DIR/compare.json (objective, slot_budget, seeds, methods with name,
step_size, final_gap_mean, final_gap_ci and slots_used, winner, ratio, and more), the table as
DIR/compare.md, then the figure DIR/compare.png (gap against slots; skipped with a note when
matplotlib is missing). Each seed draws its own data unless --data-seed fixes them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pipeproof.checks.cli.main import at_least
from pipeproof.theory.parameters import ParameterError

DEFAULT_OUT = Path("pipeproof-report/compare")
DEFAULT_GRID = "2^-12..2^0"
EXTRA_FLAGS = {"step_grid": "--step-grid", "methods": "--methods", "seeds": "--seeds",
               "workers": "--workers"}

OPTIONS = (("--stages", "num_stages", at_least(1), "S", "stages S (default 8)"),
           ("--dim", "dim", at_least(1), "D", "parameters d"),
           ("--samples", "num_samples", at_least(1), "N", "samples n"),
           ("--batch-size", "batch_size", at_least(1), "B", "rows per microbatch (default 10)"),
           ("--data-seed", "data_seed", at_least(0), "N",
            "one data seed for every seed (default: seed i draws data i)"),
           ("--width", "width", at_least(1), "W", "hidden width (mlp, transformer)"),
           ("--context", "context", at_least(2), "T", "transformer: characters per window"))


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add the ``compare`` subcommand."""
    from pipeproof.checks.cli.run_method import _number

    parser = commands.add_parser("compare", help="methods at equal simulated time, each at "
                                 "its best step size", description=__doc__.split("\n\n")[0]
                                 + "\n\n" + __doc__.split("\n\n")[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objective", required=True, metavar="NAME")
    parser.add_argument("--methods", required=True, metavar="LIST",
                        help="e.g. pipedream,rpd:delta=60,rpd:delays=pipedream,localsgd:H=5")
    parser.add_argument("--slot-budget", dest="slot_budget", type=at_least(1), required=True,
                        metavar="T", help="simulated time of every run, in slots")
    parser.add_argument("--step-grid", dest="step_grid", default=DEFAULT_GRID, metavar="GRID",
                        help=f"2^a..2^b or a list of step sizes (default {DEFAULT_GRID})")
    parser.add_argument("--seeds", type=at_least(1), default=5, metavar="N",
                        help="seeds 0..N-1 (default 5)")
    for flag, dest, kind, metavar, text in OPTIONS:
        parser.add_argument(flag, dest=dest, type=kind, metavar=metavar, help=text)
    parser.add_argument("--batching", default="cyclic", metavar="KIND",
                        help="cyclic (default, the paper's) or random")
    parser.add_argument("--noise", type=_number, metavar="SIGMA", help="gradient noise")
    parser.add_argument("--label-noise", dest="label_noise", type=_number, metavar="SIGMA",
                        help="quadratic, tridiagonal: noise on y")
    parser.add_argument("--labels", metavar="KIND", help="logistic: flipped or bernoulli")
    parser.add_argument("--condition", type=_number, metavar="KAPPA")
    parser.add_argument("--data", dest="data_path", metavar="PATH.npz",
                        help="quadratic, logistic: an .npz file with X and y")
    parser.add_argument("--backend", default="numpy", help="numpy (default) or torch")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--workers", type=at_least(1), default=1, metavar="W",
                        help="worker processes (default 1)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), metavar="DIR",
                        help=f"folder of the record, table and figure (default {DEFAULT_OUT})")
    parser.set_defaults(handler=run_command)


def flag_message(error: ParameterError) -> str:
    """The message with parameter names replaced by their flags."""
    from pipeproof.checks.cli.run_method import _flag_message

    message = _flag_message(error)
    for name, flag in EXTRA_FLAGS.items():
        if message.startswith(name + " "):
            message = flag + message[len(name):]
    return message


def run_options(args: argparse.Namespace) -> dict[str, Any]:
    """The run parameters the methods share, from the arguments."""
    names = [dest for _, dest, *_ in OPTIONS if dest not in ("num_stages", "data_seed")]
    names += ["noise", "label_noise", "labels", "condition", "data_path", "batching"]
    options = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    options.update(backend=args.backend, device=args.device)
    return options


def progress_line(done: int, total: int) -> None:
    """A progress count on a terminal."""
    print(f"\rpipeproof compare: run {done} of {total}", end="" if done < total else "\n",
          file=sys.stderr, flush=True)


def run_command(args: argparse.Namespace) -> int:
    """Validate everything, run, write the record and the table, then the figure."""
    from pipeproof.checks.experiments.grid import parse_grid
    from pipeproof.checks.experiments.methods import parse_methods
    from pipeproof.checks.experiments.runner import write_comparison
    from pipeproof.checks.experiments.sweep import Setting, compare
    from pipeproof.checks.outputs import output_folder

    try:
        methods = parse_methods(args.methods)
        grid = parse_grid(args.step_grid)
        folder = output_folder("--out", args.out)
        setting = Setting(args.objective.lower(), args.num_stages or 8, args.slot_budget,
                          tuple(range(args.seeds)), tuple(sorted(run_options(args).items())),
                          args.data_seed)
        hook = progress_line if sys.stderr.isatty() else None
        comparison = compare(setting, methods, grid, args.workers, hook)
    except ParameterError as error:
        raise ParameterError(flag_message(error)) from None
    lines = write_comparison(comparison, folder, "compare")
    print("\n".join(lines))
    return 0
