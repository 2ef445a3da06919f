"""Writing the report: ``report.html`` (self-contained), ``report.md`` and, for the Markdown,
``figures/*.png``, each written atomically into one folder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeproof.checks.document.figures import ReportFigure, report_figures
from pipeproof.checks.document.findings import FindingsTable
from pipeproof.checks.document.html_page import render_html
from pipeproof.checks.document.markdown_page import FIGURE_FOLDER, render_markdown
from pipeproof.checks.outputs import write_atomically

HTML_NAME = "report.html"
MARKDOWN_NAME = "report.md"


@dataclass(frozen=True)
class WrittenReport:
    """Paths of the files written."""

    html: Path
    markdown: Path
    figures: tuple[Path, ...]


def write_report(document: dict[str, Any], folder: Path,
                 figures: list[ReportFigure] | None = None,
                 findings: Sequence[FindingsTable] = ()) -> WrittenReport:
    """Write the report of the verdicts ``document`` into ``folder`` (created if needed);
    ``figures`` default to :func:`report_figures`; ``findings`` (claims of the experiments,
    other systems' schedules) follow the figures."""
    figures = report_figures() if figures is None else figures
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for figure in figures:
        target = folder / FIGURE_FOLDER / f"{figure.name}.png"
        written.append(write_atomically(target, lambda path, data=figure.png:
                                        path.write_bytes(data)))
    html = render_html(document, figures, findings)
    markdown = render_markdown(document, figures, findings)
    return WrittenReport(
        html=write_atomically(folder / HTML_NAME,
                              lambda path: path.write_text(html, encoding="utf-8")),
        markdown=write_atomically(folder / MARKDOWN_NAME,
                                  lambda path: path.write_text(markdown, encoding="utf-8")),
        figures=tuple(written))
