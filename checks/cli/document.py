"""``pipeproof report [--json PATH] [--out DIR] [--profile P]``: the readable report of a run.

The report is built from a verdicts JSON: ``--json PATH`` (default
``pipeproof-report/verdicts.json``, the last run's). When that file does not exist, the checks
run first (``--profile``, default ``default``) and write it, exactly as ``pipeproof run --json
PATH`` would; an existing file is read as it is and ``--profile`` is then not used. The folder
``--out`` (default ``pipeproof-report``) receives ``report.html`` (one self-contained page:
formulas converted to MathML when the report is built, figures as base64 PNG, no script, no
network), ``report.md`` and ``figures/*.png``. Paths are checked before any work; the exit code
is 0 when the report is written, whatever the verdicts say (the table and the page mark a
theorem that is not as expected), and that of the run when the checks ran and one was not.

The findings part follows the figures: the paper's claims judged on the experiments, read from
``--experiments DIR`` (default ``pipeproof-report/experiments``, where ``pipeproof experiment``
writes), and PyTorch's schedules against the theorems, read from ``--external PATH`` (default
``pipeproof-report/external/external-torch.json``, written by ``pipeproof external torch --out
pipeproof-report/external``). A missing one is named with the command that makes it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pipeproof.checks.profiles import PROFILES

DEFAULT_OUT = Path("pipeproof-report")
DEFAULT_EXPERIMENTS = DEFAULT_OUT / "experiments"
DEFAULT_EXTERNAL = DEFAULT_OUT / "external" / "external-torch.json"
LOG = logging.getLogger(__name__)


def add_parser(commands: argparse._SubParsersAction, default_json: Path) -> None:
    """Add the ``report`` subcommand."""
    report = commands.add_parser(
        "report", help="an HTML and Markdown report of the last run's verdicts",
        description=__doc__.split("\n\n", 1)[1].replace("``", ""))
    report.add_argument("--json", default=argparse.SUPPRESS, metavar="PATH",
                        help=f"the verdicts to report (default: {default_json}); when missing, "
                             "the checks run and write it")
    report.add_argument("--out", metavar="DIR", default=None,
                        help=f"the folder of report.html and report.md (default: {DEFAULT_OUT})")
    report.add_argument("--profile", choices=sorted(PROFILES), default=argparse.SUPPRESS,
                        help="the profile of the checks when they run (default: default)")
    report.add_argument("--experiments", metavar="DIR", default=str(DEFAULT_EXPERIMENTS),
                        help="the folder of pipeproof experiment's files, for the claims "
                             f"table (default: {DEFAULT_EXPERIMENTS})")
    report.add_argument("--external", metavar="PATH", default=str(DEFAULT_EXTERNAL),
                        help="the record of pipeproof external torch (default: "
                             f"{DEFAULT_EXTERNAL})")
    report.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Check the paths, run the checks when there are no verdicts, write the report."""
    from pipeproof.checks.cli.main import DEFAULT_JSON, _check_and_report
    from pipeproof.checks.document import figures, mathml
    from pipeproof.checks.document.build import write_report
    from pipeproof.checks.document.findings import findings
    from pipeproof.checks.document.verdicts import load_verdicts
    from pipeproof.checks.outputs import output_file, output_folder

    folder = output_folder("--out", args.out if args.out is not None else DEFAULT_OUT)
    path = output_file("--json", args.json if args.json is not None else DEFAULT_JSON,
                       (".json",))
    tables = findings(Path(args.experiments), Path(args.external))
    code, ran = 0, not path.exists()
    if ran:
        print(f"pipeproof: no verdicts at {path}: running the checks first", file=sys.stderr)
        code = _check_and_report(None, args.profile or "default", path, None, None)
    document = load_verdicts(path)
    if args.profile is not None and not ran and document.get("profile") != args.profile:
        print(f"pipeproof: warning: --profile is used only when the checks run; {path} was "
              f"made with the profile {document.get('profile')}", file=sys.stderr)
    for missing, extra in ((not mathml.available(), "latex2mathml: formulas as LaTeX source"),
                           (not figures.available(), "matplotlib: no figures")):
        if missing:
            print(f"pipeproof: warning: without {extra} (pip install 'pipeproof[report]')",
                  file=sys.stderr)
    written = write_report(document, folder, findings=tables)
    print(f"report of {len(document['theorems'])} theorems ({path}) written to {written.html} "
          f"and {written.markdown}")
    return code
