"""Files of a comparison or an experiment: the JSON record and the Markdown table first, the
figure after them (skipped with a one-line note when matplotlib is missing), all atomically."""

from __future__ import annotations

from pathlib import Path

from pipeproof.checks.experiments import figure
from pipeproof.checks.experiments.sweep import Comparison
from pipeproof.checks.experiments.table import markdown
from pipeproof.checks.outputs import write_atomically, write_json


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically."""
    return write_atomically(path, lambda temporary: temporary.write_text(text, "utf-8"))


def write_comparison(comparison: Comparison, folder: Path, stem: str,
                     title: str | None = None) -> list[str]:
    """Write STEM.json, STEM.md and STEM.png into ``folder``; return the table and the lines
    that name the files."""
    folder.mkdir(parents=True, exist_ok=True)
    table = markdown(comparison)
    record = write_json(comparison.to_json(), folder / f"{stem}.json")
    written = write_text(folder / f"{stem}.md", table + "\n")
    lines = [table, "", f"record written to {record}", f"table written to {written}"]
    drawn = figure.draw(comparison, folder / f"{stem}.png", title)
    lines.append(figure.SKIPPED if drawn is None else f"figure written to {drawn}")
    return lines
