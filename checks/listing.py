"""The text of ``pipeproof list``: every theorem, its expected status, and the status it
reached in the last run's report.

The report is the JSON written by ``pipeproof run`` (``pipeproof-report/verdicts.json``
unless ``--json PATH``). A theorem the report does not contain, or every theorem when there is
no readable report, shows ``not run``; the first line says which report was read, its profile,
and when it was written.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeproof.theory.theorem import Theorem

NOT_RUN = "not run"


def last_run(path: Path) -> tuple[dict[str, dict[str, Any]], str]:
    """(theorem id -> its record in the report at ``path``, a line describing the report)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        entries = {entry["id"]: entry for entry in document["theorems"]}
    except FileNotFoundError:
        return {}, f"last run: none (no report at {path}; run `pipeproof` first)"
    except (OSError, ValueError, KeyError, TypeError) as error:
        return {}, f"last run: none (the report {path} is not readable: {error})"
    written = time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
    return entries, (f"last run: {path}, profile {document.get('profile', '?')}, written "
                     f"{written}, {len(entries)} theorems")


def listing(theorems: Iterable[Theorem], path: Path) -> str:
    """The list: id, expected status, last-run status (``!`` when not as expected), title."""
    entries, header = last_run(path)
    rows = [("id", "expected", "last run", "title")]
    for theorem in theorems:
        entry = entries.get(theorem.id)
        if entry is None:
            status = NOT_RUN
        else:
            status = str(entry.get("status", "?")) + ("" if entry.get("as_expected") else " !")
        rows.append((theorem.id, theorem.expected, status, theorem.title))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = [header, ""]
    for row in rows:
        cells = zip(row[:3], widths, strict=True)
        lines.append("  ".join(cell.ljust(width) for cell, width in cells) + "  " + row[3])
    lines.insert(3, "  ".join("-" * width for width in widths) + "  -----")
    return "\n".join(lines)
