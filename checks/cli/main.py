"""The command line: ``pipeproof`` (also installed as ``pipeproof``).

    pipeproof [run] [--profile P] [--json PATH] [--only ID ...]   check every theorem
    pipeproof list [--json PATH]            the theorems, expected and last-run status
    pipeproof show ID [--profile P]         one theorem and its verdicts
    pipeproof schedule NAME --stages S --microbatches M     quantities of one schedule
    pipeproof run-method METHOD --objective NAME --stages S   train one method
    pipeproof report [--json PATH] [--out DIR]   HTML and Markdown report of the verdicts
    pipeproof distributed --stages S [--schedule pipedream|flush]   S processes, confirmed
    pipeproof check-table FILE              validate and time a per-rank schedule table
    pipeproof external torch [--stages S ...] [--microbatches M ...]   PyTorch's tables
    pipeproof cite ID [--format latex|bibtex|json] [--out DIR]   cite a theorem, certify it
    pipeproof verify-certificate DIR [--sha256 HASH]          re-check a certificate
    pipeproof compare --objective NAME --methods LIST --slot-budget T   methods at equal time
    pipeproof experiment NAME|all [--quick]   the paper's experiments and their claims
    pipeproof experiments                   list them

The options of ``run`` may come before or after the subcommand; an option given before a
subcommand that does not take it is an error (exit 2), never ignored. Output paths are checked
before any work. Bad input prints one line naming the parameter and its accepted range and exits
with 2; Ctrl-C exits with 130, a closed output pipe with 141, both without a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from pipeproof.checks.profiles import PROFILES
from pipeproof.checks.terminal import run_quietly
from pipeproof.theory.parameters import ParameterError

DEFAULT_JSON = Path("pipeproof-report/verdicts.json")
MAX_WORKERS = 64
"""Most worker processes of a check run on any machine."""
WORKER_BYTES = 512 << 20
"""Memory set aside per worker process (a solver, its tables and an executor run)."""

STEADY_HELP = ("Steady state means the updates of microbatches S <= m < M - S; "
               "delay statistics are null when M <= 2S.")

GLOBAL_FLAGS = {"profile": "--profile", "json": "--json", "only": "--only",
                "workers": "--workers", "plots": "--plots"}
"""Options of ``run`` that may also stand before the subcommand."""
ACCEPTS = {"run": set(GLOBAL_FLAGS), "list": {"json"}, "show": {"profile"},
           "schedule": set(), "run-method": set(), "distributed": set(),
           "report": {"json", "profile"}, "check-table": set(), "external": set(),
           "cite": {"profile"}, "verify-certificate": set(),
           "compare": {"workers"}, "experiment": {"workers"}, "experiments": set()}
"""Which of them each subcommand uses."""


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


FLAGS = {"num_stages": "--stages", "num_microbatches": "--microbatches", "noam": "--noam",
         "num_runs": "--runs", "local_steps": "--local-steps", "forward_cost": "--forward-cost",
         "backward_cost": "--backward-cost", "convention": "--convention",
         "generator": "--generator", "schedule": "NAME", "workers": "--workers"}
"""Python parameter names and the command-line flags that set them."""


def _whole_number(text: str) -> int | None:
    """``text`` as an int: digits, or a float literal of a whole number (1e7); else None."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value == value and abs(value) != float("inf") and value.is_integer() \
        else None


def integer(text: str) -> int:
    """Parse an integer argument; its range is checked where the value is used."""
    value = _whole_number(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}")
    return value


def at_least(low: int):
    """An argument type for integers >= ``low`` (1e7 style accepted) whose error names the
    accepted range."""
    def parse(text: str) -> int:
        value = _whole_number(text)
        if value is None or value < low:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {text!r}")
        return value
    return parse


def _cli_message(error: Exception) -> str:
    """The error message with Python parameter names replaced by their flags."""
    message = str(error.args[0]) if error.args else str(error)
    for name, flag in FLAGS.items():
        if message.startswith(name + " "):
            return flag + message[len(name):]
    return message


def _add_run_options(parser: argparse.ArgumentParser, default: object) -> None:
    """The options of ``run``; ``default`` is None on the top-level parser and SUPPRESS on the
    subcommand, so a value given in either position survives."""
    parser.add_argument("--profile", choices=sorted(PROFILES), default=default,
                        help="how far the exhaustive ranges go (default: default)")
    parser.add_argument("--json", default=default, metavar="PATH",
                        help=f"run: where to write the verdicts, a .json file (default: "
                             f"{DEFAULT_JSON}); list: the report to read")
    parser.add_argument("--only", nargs="+", metavar="ID", default=default,
                        help="check only these theorems (an id given twice counts once)")
    parser.add_argument("--workers", type=at_least(1), default=default,
                        help=f"worker processes, at most {MAX_WORKERS} and "
                             f"{WORKER_BYTES >> 20} MiB each within half the memory "
                             "(default: up to 2)")
    parser.add_argument("--plots", metavar="DIR", default=default,
                        help="write the figures of the empirical checks to the folder DIR "
                             "(needs matplotlib)")


def build_parser() -> argparse.ArgumentParser:
    """The one parser of every subcommand."""
    parser = OneLineParser(prog="pipeproof", description=__doc__.split("\n")[0],
                           epilog=__doc__.split("\n\n", 1)[1],
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_run_options(parser, None)
    commands = parser.add_subparsers(dest="command", parser_class=OneLineParser)
    run = commands.add_parser("run", help="check every theorem (the default)")
    _add_run_options(run, argparse.SUPPRESS)
    listing = commands.add_parser(
        "list", help="the theorems: expected status and the status of the last run",
        description="List every theorem with its expected status and the status it reached "
                    f"in the last run's report ({DEFAULT_JSON}, or --json PATH); 'not run' "
                    "when the report does not have it.")
    listing.add_argument("--json", default=argparse.SUPPRESS, metavar="PATH",
                         help=f"the report to read (default: {DEFAULT_JSON})")
    show = commands.add_parser("show", help="one theorem: statement, proof steps, verdicts")
    show.add_argument("id")
    show.add_argument("--profile", choices=sorted(PROFILES), default=argparse.SUPPRESS)
    from pipeproof.checks.cli.schedule import add_parser as add_schedule
    add_schedule(commands, STEADY_HELP)
    from pipeproof.checks.cli.run_method import add_parser as add_run_method
    add_run_method(commands)
    from pipeproof.checks.cli.document import add_parser as add_report
    add_report(commands, DEFAULT_JSON)
    from pipeproof.checks.cli.distributed import add_parser as add_distributed
    add_distributed(commands)
    from pipeproof.checks.cli.check_table import add_parser as add_check_table
    add_check_table(commands)
    from pipeproof.checks.cli.external import add_parser as add_external
    add_external(commands)
    from pipeproof.checks.cli.cite import add_parsers as add_cite
    add_cite(commands)
    from pipeproof.checks.cli.compare import add_parser as add_compare
    add_compare(commands)
    from pipeproof.checks.cli.experiment import add_parsers as add_experiments
    add_experiments(commands)
    return parser


def _check_globals(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exit 2 when an option of ``run`` was given to a subcommand that does not use it."""
    command = args.command or "run"
    for name, flag in GLOBAL_FLAGS.items():
        if getattr(args, name, None) is not None and name not in ACCEPTS[command]:
            users = [other for other, names in ACCEPTS.items() if name in names]
            parser.error(f"{flag} does not apply to {command} (it is an option of "
                         f"{' and '.join(users)})")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    return run_quietly(lambda: _main(argv))


def _log_warnings() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_globals(parser, args)
    command = args.command or "run"
    if command in ("run", "show"):
        _log_warnings()
    try:
        if command == "run":
            return _run(args)
        if command == "list":
            return _list(args)
        if command == "show":
            return _show(args)
        return args.handler(args)
    except ParameterError as error:
        print(f"pipeproof: error: {_cli_message(error)}", file=sys.stderr)
        return 2


def _unique(ids: Sequence[str]) -> list[str]:
    """``ids`` without repeats (first occurrence kept); a repeat is reported on stderr.

    Raises:
        ParameterError: when a subcommand name was read as an id (``--only ID run``).
    """
    swallowed = [name for name in ids if name in ACCEPTS]
    if swallowed:
        raise ParameterError(f"--only takes theorem ids and read the subcommand "
                             f"{swallowed[0]!r} as one: put --only after the subcommand")
    unique = list(dict.fromkeys(ids))
    repeated = sorted({theorem_id for theorem_id in ids if ids.count(theorem_id) > 1})
    if repeated:
        print(f"pipeproof: warning: --only names {', '.join(repeated)} more than once; each "
              "is checked once", file=sys.stderr)
    return unique


def _run(args: argparse.Namespace) -> int:
    from pipeproof.checks.outputs import output_file, output_folder, require_matplotlib
    from pipeproof.theory.catalogue import by_id

    path = output_file("--json", args.json if args.json is not None else DEFAULT_JSON,
                       (".json",))
    plots = None
    if args.plots is not None:
        require_matplotlib("--plots")
        plots = output_folder("--plots", args.plots)
    if args.workers is not None and args.workers > max_workers():
        raise ParameterError(f"workers must be an integer in 1..{max_workers()} (at most "
                             f"{MAX_WORKERS}, and {WORKER_BYTES >> 20} MiB each within half "
                             f"the memory), got {args.workers}")
    theorems = [by_id(theorem_id) for theorem_id in _unique(args.only)] if args.only else None
    return _check_and_report(theorems, args.profile or "default", path, args.workers, plots)


def max_workers() -> int:
    """Most worker processes accepted here: MAX_WORKERS, and WORKER_BYTES each within half
    the machine's memory."""
    from pipeproof.checks.executor.limits import memory_budget

    return max(1, min(MAX_WORKERS, memory_budget() // WORKER_BYTES))


def _check_and_report(theorems: list | None, profile_name: str, path: Path,
                      workers: int | None, plots: Path | None) -> int:
    from pipeproof.checks.cli.report import report_json, summary_line, table
    from pipeproof.checks.outputs import write_json
    from pipeproof.checks.progress import RunProgress, last_seconds
    from pipeproof.checks.runner import run_checks

    profile = PROFILES[profile_name]
    progress = RunProgress(seconds=last_seconds(path, profile.name))
    started = time.perf_counter()
    try:
        reports = run_checks(theorems, profile, workers=workers, plots=plots, hook=progress)
    finally:
        progress.close()
    seconds = time.perf_counter() - started
    write_json(report_json(reports, profile.name, seconds), path)
    print(table(reports))
    print(f"\n{len(reports)} theorems, profile {profile.name}, {seconds:.1f} s; verdicts in "
          f"{path}")
    print(summary_line(reports))
    return 0 if all(report.as_expected for report in reports) else 1


def _list(args: argparse.Namespace) -> int:
    from pipeproof.checks.listing import listing
    from pipeproof.theory.catalogue import catalogue

    path = Path(args.json) if args.json else DEFAULT_JSON
    print(listing(catalogue(), path))
    return 0


def _show(args: argparse.Namespace) -> int:
    from pipeproof.checks.cli.show import describe
    from pipeproof.checks.runner import run_checks
    from pipeproof.theory.catalogue import by_id

    theorem = by_id(args.id)
    reports = run_checks([theorem], PROFILES[args.profile or "default"])
    print(describe(theorem, reports[0]))
    return 0 if reports[0].as_expected else 1


if __name__ == "__main__":
    sys.exit(main())
