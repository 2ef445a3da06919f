"""The command line: ``python -m checks`` (also installed as ``pipeproof``).

    python -m checks [--profile P] [--json PATH] [--only ID ...]   check every theorem
    python -m checks list                                          list the theorems
    python -m checks show ID                                       one theorem and its verdicts
    python -m checks schedule NAME --stages S --microbatches M     quantities of one schedule

Bad input prints one line naming the parameter and its accepted range and exits with 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from checks.profiles import PROFILES
from theory.parameters import ParameterError

DEFAULT_JSON = Path("pipeproof-report/verdicts.json")
EXTENSIONS = ("checks.executor.command",)
"""Modules that add subcommands: each has ``add_parser(subparsers)``."""

STEADY_HELP = ("Steady state means the updates of microbatches S <= m < M - S; "
               "delay statistics are null when M <= 2S.")


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


FLAGS = {"num_stages": "--stages", "num_microbatches": "--microbatches", "noam": "--noam",
         "num_runs": "--runs", "local_steps": "--local-steps", "forward_cost": "--forward-cost",
         "backward_cost": "--backward-cost", "convention": "--convention",
         "generator": "--generator", "schedule": "NAME"}
"""Python parameter names and the command-line flags that set them."""


def integer(text: str) -> int:
    """Parse an integer argument; its range is checked where the value is used."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None


def at_least(low: int):
    """An argument type for integers >= ``low`` whose error names the accepted range."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
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


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", choices=sorted(PROFILES), default="default",
                        help="how far the exhaustive ranges go (default: default)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH",
                        help=f"where to write the verdicts (default: {DEFAULT_JSON})")
    parser.add_argument("--only", nargs="+", metavar="ID", help="check only these theorems")
    parser.add_argument("--workers", type=at_least(1), default=None,
                        help="worker processes (default: up to 2)")
    parser.add_argument("--plots", type=Path, metavar="DIR",
                        help="write the figures of the empirical checks to DIR")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand."""
    parser = OneLineParser(prog="pipeproof", description=__doc__.split("\n")[0],
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_run_options(parser)
    commands = parser.add_subparsers(dest="command", parser_class=OneLineParser)
    run = commands.add_parser("run", help="check every theorem (the default)")
    _add_run_options(run)
    commands.add_parser("list", help="list the theorems")
    show = commands.add_parser("show", help="one theorem: statement, proof steps, verdicts")
    show.add_argument("id")
    show.add_argument("--profile", choices=sorted(PROFILES), default="default")
    _add_schedule_parser(commands)
    for name in EXTENSIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name is None or not name.startswith(error.name):
                raise
            continue
        module.add_parser(commands)
    return parser


def _add_schedule_parser(commands: argparse._SubParsersAction) -> None:
    schedule = commands.add_parser(
        "schedule", help="makespan, bubble, memory and delays of one schedule",
        description="Generate one op table and print its quantities. " + STEADY_HELP)
    schedule.add_argument("name", metavar="NAME", help="gpipe, pipedream, flush or localsgd")
    schedule.add_argument("--stages", type=at_least(1), required=True, metavar="S")
    schedule.add_argument("--microbatches", type=at_least(1), required=True, metavar="M")
    schedule.add_argument("--noam", type=at_least(1), metavar="N",
                          help="pipedream: most microbatches in flight (default S)")
    schedule.add_argument("--runs", type=at_least(1), default=1, metavar="R",
                          help="localsgd: model copies")
    schedule.add_argument("--local-steps", type=at_least(1), default=1, metavar="H",
                          help="localsgd: local steps per round")
    schedule.add_argument("--forward-cost", type=at_least(1), default=1, metavar="T_F")
    schedule.add_argument("--backward-cost", type=at_least(1), default=1, metavar="T_B")
    schedule.add_argument("--convention", default="C1", help="C1 (default) or C0")
    schedule.add_argument("--generator", default="auto",
                          help="auto (closed form when proved), closed-form or policy")
    schedule.add_argument("--json", action="store_true", help="print JSON")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "run"
    try:
        if command == "run":
            return _run(args)
        if command == "list":
            return _list()
        if command == "show":
            return _show(args)
        if command == "schedule":
            from checks.schedule_command import run_schedule
            return run_schedule(args)
        return args.handler(args)
    except (ParameterError, KeyError) as error:
        print(f"pipeproof: error: {_cli_message(error)}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from checks.report import report_json, table, write_json
    from checks.runner import run_checks
    from theory.catalogue import by_id

    theorems = [by_id(theorem_id) for theorem_id in args.only] if args.only else None
    profile = PROFILES[args.profile]
    started = time.perf_counter()
    reports = run_checks(theorems, profile, workers=args.workers, progress=sys.stderr.isatty(),
                         plots=args.plots)
    seconds = time.perf_counter() - started
    document = report_json(reports, profile.name, seconds)
    write_json(document, args.json)
    print(table(reports))
    failing = [report.theorem.id for report in reports if not report.as_expected]
    print(f"\n{len(reports)} theorems, profile {profile.name}, {seconds:.1f} s; verdicts in "
          f"{args.json}")
    if failing:
        print(f"NOT AS EXPECTED: {', '.join(failing)}")
    return 0 if not failing else 1


def _list() -> int:
    from theory.catalogue import catalogue

    for theorem in catalogue():
        print(f"{theorem.id:16} {theorem.expected:8} {theorem.title}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from checks.runner import run_checks
    from checks.show import describe
    from theory.catalogue import by_id

    theorem = by_id(args.id)
    reports = run_checks([theorem], PROFILES[args.profile])
    print(describe(theorem, reports[0]))
    return 0 if reports[0].as_expected else 1


if __name__ == "__main__":
    sys.exit(main())
