"""``pipeproof external torch``: PyTorch's schedules checked against pipeproof's theorems.

Builds the per-rank tables of torch.distributed.pipelining's schedules without a process group
(:mod:`pipeproof.checks.external_torch`), runs each through ``check-table``'s checks and the
theorem of its family for S = 2..8 and M in {S, 2S, 4S, 8S} by default, and reports every
disagreement at its smallest (S, M) with whose fault it is. ``--out DIR`` writes
``external-torch.json`` (every outcome) and ``external-torch.md`` (the findings).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeproof.checks.cli.main import at_least
from pipeproof.theory.parameters import ParameterError


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add the ``external`` subcommand."""
    from pipeproof.checks.external_torch import SCHEDULES

    parser = commands.add_parser(
        "external", help="check another system's schedule tables (torch)",
        description="Build PyTorch's per-rank schedule tables without a process group, check "
                    "them and compare them with pipeproof's theorems. Exit 0 when every table "
                    "is valid and agrees, 1 otherwise.")
    parser.add_argument("system", choices=["torch"], help="the system: torch")
    parser.add_argument("--stages", type=at_least(2), nargs="+", metavar="S",
                        default=list(range(2, 9)), help="S values (default 2..8)")
    parser.add_argument("--microbatches", type=at_least(1), nargs="+", metavar="M",
                        help="M values (default S, 2S, 4S, 8S for each S)")
    parser.add_argument("--schedules", nargs="+", choices=list(SCHEDULES),
                        default=list(SCHEDULES), metavar="NAME",
                        help=f"which schedules (default all: {', '.join(SCHEDULES)})")
    parser.add_argument("--out", metavar="DIR", help="write external-torch.json and .md here")
    parser.add_argument("--json", dest="print_json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run_external)


def findings_markdown(outcomes: list, smallest: list) -> str:
    """The report: counts per schedule, then each disagreement at its smallest (S, M)."""
    from pipeproof.checks.external_torch import status_counts

    lines = ["# PyTorch schedules against pipeproof's theorems", ""]
    lines += ["| schedule | agrees | valid, no theorem | disagrees | invalid | not built |",
              "|---|---|---|---|---|---|"]
    for name, counts in status_counts([o.as_dict() for o in outcomes]):
        lines.append(f"| {name} | " + " | ".join(str(count) for count in counts) + " |")
    lines += ["", "## Disagreements (smallest S, M)", ""]
    if not smallest:
        lines.append("None.")
    for o in smallest:
        lines.append(f"- **{o.schedule}**, S = {o.ranks}, M = {o.micro}: {o.status}, fault: "
                     f"{o.fault}. {o.detail}")
    return "\n".join(lines) + "\n"


def run_external(args: argparse.Namespace) -> int:
    """Handler of ``external``."""
    from pipeproof.checks.external_torch import require_torch, smallest_disagreements, survey
    from pipeproof.checks.outputs import output_folder, write_json

    out = output_folder("--out", args.out) if args.out else None
    require_torch()
    import torch

    outcomes = survey(args.schedules, args.stages, microbatches=args.microbatches)
    smallest = smallest_disagreements(outcomes)
    report = {"system": "torch", "version": torch.__version__,
              "outcomes": [o.as_dict() for o in outcomes],
              "smallest_disagreements": [o.as_dict() for o in smallest]}
    markdown = findings_markdown(outcomes, smallest)
    if out is not None:
        write_json(report, out / "external-torch.json")
        _write_text(out / "external-torch.md", markdown)
    print(json.dumps(report, indent=2) if args.print_json else markdown, end="")
    return 0 if not smallest else 1


def _write_text(path: Path, text: str) -> None:
    from pipeproof.checks.outputs import write_atomically

    try:
        write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as error:
        raise ParameterError(f"--out: cannot write {str(path)!r}: {error.strerror}") from None
