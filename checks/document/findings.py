"""What the report shows beside the verdicts: the paper's claims judged on the experiments and
the findings on PyTorch's pipeline schedules, each read from the files that their commands write.

* Claims: ``pipeproof experiment all --out DIR`` writes ``DIR/claims.json`` (every claim), one
  experiment writes ``DIR/NAME/claims.json``; the report reads the first, else every second one
  in the catalogue's order.
* PyTorch: ``pipeproof external torch --out DIR`` writes ``DIR/external-torch.json``: the counts
  per schedule and each disagreement at its smallest (S, M) with whose fault it is.

A file that is missing gives a section that names the command that makes it; a file that cannot
be read gives a clear error naming the option, before anything is written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeproof.theory.parameters import ParameterError

CLAIM_HEADER = ("claim", "experiment", "measure", "status", "numbers (mean [95% interval])",
                "finding")
EXTERNAL_HEADER = ("schedule", "agrees", "valid, no theorem", "disagrees", "invalid",
                   "not built")
DISAGREEMENT_HEADER = ("schedule", "S", "M", "status", "fault", "detail", "cause")


@dataclass(frozen=True)
class FindingsTable:
    """One table of the findings part of the report.

    Attributes:
        title: its heading.
        intro: one paragraph before it (where it was read from, or how to make it).
        header: column names.
        rows: the cells, as text; empty when nothing was found.
    """

    title: str
    intro: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _read(path: Path, option: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ParameterError(f"{option}: cannot read {path} ({error})") from None


def _claim_files(folder: Path) -> list[Path]:
    """DIR/claims.json when it exists, else DIR/NAME/claims.json in the catalogue's order."""
    from pipeproof.checks.experiments.catalog import EXPERIMENTS

    if (folder / "claims.json").is_file():
        return [folder / "claims.json"]
    return [folder / name / "claims.json" for name in EXPERIMENTS
            if (folder / name / "claims.json").is_file()]


def claims_table(folder: Path) -> FindingsTable:
    """The claims table of the experiments whose files are in ``folder``.

    Raises:
        ParameterError: naming ``--experiments`` when a claims file is not a claims record.
    """
    title = "Claims of the paper, judged on the experiments"
    files = _claim_files(folder)
    if not files:
        return FindingsTable(title, f"No experiment results in {folder}: run `pipeproof "
                             f"experiment all --out {folder}` (or with --quick) first.",
                             CLAIM_HEADER, ())
    rows, runs = [], []
    for path in files:
        record = _read(path, "--experiments")
        claims = record.get("claims") if isinstance(record, dict) else None
        if not isinstance(claims, list) or not all(isinstance(c, dict) for c in claims):
            raise ParameterError(f"--experiments: {path} is not a claims record of pipeproof "
                                 "experiment (an object with a list 'claims')")
        kind = "quick" if record.get("quick") else "full"
        runs.append(f"{path} ({kind} run, {float(record.get('wall_seconds', 0)):.0f} s)")
        rows += [tuple(str(claim.get(key, "")) for key in
                       ("claim", "experiment", "measure", "status", "numbers", "finding"))
                 for claim in claims]
    held = sum(row[3] == "reproduced" for row in rows)
    intro = (f"{held} of {len(rows)} claims reproduced. Ratios are paired over seeds (the runs "
             f"of a seed share data and sampling); read from {', '.join(runs)}.")
    return FindingsTable(title, intro, CLAIM_HEADER, tuple(rows))


def external_tables(path: Path) -> list[FindingsTable]:
    """The counts per PyTorch schedule and the disagreements at their smallest (S, M).

    Raises:
        ParameterError: naming ``--external`` when the file is not a record of
            ``pipeproof external torch``.
    """
    title = "Findings: PyTorch's pipeline schedules against pipeproof's theorems"
    if not path.is_file():
        return [FindingsTable(title, f"No record at {path}: run `pipeproof external torch "
                              f"--out {path.parent}` first (needs pipeproof[torch]).",
                              EXTERNAL_HEADER, ())]
    record = _read(path, "--external")
    outcomes = record.get("outcomes") if isinstance(record, dict) else None
    smallest = record.get("smallest_disagreements") if isinstance(record, dict) else None
    if not isinstance(outcomes, list) or not isinstance(smallest, list):
        raise ParameterError(f"--external: {path} is not a record of pipeproof external torch "
                             "(an object with lists 'outcomes' and 'smallest_disagreements')")
    from pipeproof.checks.external_torch import CAUSES, TORCH_VERSION, status_counts

    version = str(record.get("version", "?"))
    causes = CAUSES if version.split("+")[0] == TORCH_VERSION else {}
    counts = tuple((name, *map(str, found)) for name, found in status_counts(outcomes))
    faults = tuple((*(str(o.get(key, "")) for key in ("schedule", "S", "M", "status", "fault",
                                                       "detail")),
                    causes.get(str(o.get("schedule")), "-")) for o in smallest)
    return [FindingsTable(title, f"{len(outcomes)} tables of torch {version} checked; read "
                          f"from {path}.",
                          EXTERNAL_HEADER, counts),
            FindingsTable("Disagreements, each at its smallest (S, M)",
                          "None." if not faults else
                          "An invalid table, or a makespan or peak above the theorem's, is "
                          "PyTorch's fault; one below it is pipeproof's.",
                          DISAGREEMENT_HEADER, faults)]


def findings(experiments: Path, external: Path) -> Sequence[FindingsTable]:
    """Every findings table of the report, claims first."""
    return [claims_table(experiments), *external_tables(external)]
