"""The Markdown report: the same content as the HTML page, with statements as ``$$ LaTeX $$``
blocks, one per conjunct (rendered by GitHub, Jupyter and most Markdown viewers), and figures
linked as PNG files in ``figures/`` beside it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeproof.checks.document.figures import ReportFigure
from pipeproof.checks.document.findings import FindingsTable
from pipeproof.checks.document.mathml import conjuncts
from pipeproof.checks.document.verdicts import (
    cases_text,
    counterexample_text,
    method_statuses,
    methods_present,
    solvers_text,
    status_line,
    variants_text,
)

FIGURE_FOLDER = "figures"


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return [*lines, ""]


def _summary(document: dict[str, Any]) -> list[str]:
    methods = methods_present(document)
    rows = []
    for entry in document["theorems"]:
        statuses = method_statuses(entry)
        marker = "" if entry.get("as_expected") else " !"
        rows.append([f"[{entry['id']}](#{entry['id'].lower()}){marker}", entry.get("title", ""),
                     entry.get("expected"), status_line(entry),
                     *(statuses.get(method, "-") for method in methods),
                     variants_text(entry)])
    return _table(["id", "claim", "expected", "status", *methods, "variants"], rows)


def _theorem(entry: dict[str, Any]) -> list[str]:
    lines = [f"### {entry['id']}", "", f"{entry.get('title', '')}", "",
             f"Source: {entry.get('source', '-')}. Status: **{status_line(entry)}** (expected "
             f"{entry.get('expected')}{'' if entry.get('as_expected') else ', NOT AS EXPECTED'}).",
             ""]
    if entry.get("reason"):
        lines += [f"Reason: {entry['reason']}", ""]
    for part in conjuncts(str(entry.get("latex") or "")):
        lines += ["$$", part, "$$", ""]
    lines += [f"- {item}" for item in entry.get("hypotheses") or []] + [""]
    lines += _table(["method", "status", "solver", "budget", "detail", "counterexample"],
                    [[v.get("method"), v.get("status"), v.get("solver") or "-",
                      v.get("budget") or "-", v.get("detail") or v.get("reason") or "-",
                      counterexample_text(v.get("counterexample"))]
                     for v in entry.get("verdicts") or []])
    if entry.get("obligations"):
        lines += _table(["obligation", "status", "answers", "cases", "seconds"],
                        [[o.get("name"), o.get("status"), solvers_text(o), cases_text(o),
                          o.get("seconds")] for o in entry["obligations"]])
    if entry.get("variants"):
        lines += _table(["variant", "status", "refuted by", "counterexample"],
                        [[v.get("description"), v.get("status"), v.get("method") or "-",
                          counterexample_text(v.get("counterexample"))]
                         for v in entry["variants"]])
    return lines


def _findings(tables: Sequence[FindingsTable]) -> list[str]:
    lines = ["## Findings", ""]
    for table in tables:
        lines += [f"### {table.title}", "", table.intro, ""]
        if table.rows:
            lines += _table(table.header, table.rows)
    return lines


def render_markdown(document: dict[str, Any], figures: Sequence[ReportFigure],
                    findings: Sequence[FindingsTable] = ()) -> str:
    """The Markdown report of ``document``; ``figures`` are linked as
    ``figures/NAME.png``; the ``findings`` tables follow them."""
    package = document.get("package") or {}
    theorems = document["theorems"]
    good = sum(bool(entry.get("as_expected")) for entry in theorems)
    versions = ", ".join(f"{name} {value}" for name, value in
                         (document.get("versions") or {}).items())
    lines = ["# pipeproof report", "",
             f"{package.get('name', 'pipeproof')} {package.get('version', '?')}, profile "
             f"{document.get('profile', '?')}, {document.get('seconds')} s; {versions}.", "",
             f"**{'ALL AS EXPECTED' if good == len(theorems) else 'NOT AS EXPECTED'}: {good} "
             f"of {len(theorems)} theorems**", "", "## Verdicts", "", *_summary(document),
             "## Figures", ""]
    lines += [f"![{figure.caption}]({FIGURE_FOLDER}/{figure.name}.png)" for figure in figures]
    lines += ["", *(_findings(findings) if findings else []), "## Theorems", ""]
    for entry in theorems:
        lines += _theorem(entry)
    return "\n".join(lines) + "\n"
