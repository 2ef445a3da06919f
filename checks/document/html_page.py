"""The HTML report: one self-contained page (inline CSS, formulas as MathML, figures as base64
PNG), no script and no external resource, so it opens offline and prints as it shows.

Sections: the run (package, versions, profile, time), the verdict table (one row per theorem,
one column per method), the figures, then per theorem its statement, hypotheses, verdicts,
obligations with the provers that answered, and its wrong variants with their counterexamples.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from pipeproof.checks.document import mathml
from pipeproof.checks.document.figures import ReportFigure
from pipeproof.checks.document.findings import FindingsTable
from pipeproof.checks.document.verdicts import (
    cases_text,
    counterexample_text,
    method_statuses,
    methods_present,
    solvers_text,
    status_line,
    variants_text,
)

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
.proved { background: #d9f2d9; } .checked { background: #e3f0fb; }
.confirmed { background: #eef7e6; } .refuted { background: #f9dcdc; }
.unknown { background: #fff1c7; } .reproduced { background: #d9f2d9; }
.not-reproduced { background: #f9dcdc; } .not-applicable { background: #eee; }
.notexpected { outline: 2px solid #c00; }
.math { overflow-x: auto; padding: 0.4em 0; font-size: 1.1em; }
pre.latex { white-space: pre-wrap; background: #f7f7f7; padding: 0.4em; }
figure { display: inline-block; margin: 0.5em 1em 1em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
section.theorem { border-top: 2px solid #999; margin-top: 2em; }
td.detail { max-width: 40em; overflow-wrap: anywhere; }
"""


def _cell(text: Any, css: str = "") -> str:
    klass = f' class="{escape(css)}"' if css else ""
    return f"<td{klass}>{escape(str(text))}</td>"


def _status_cell(status: Any) -> str:
    text = "-" if status is None else str(status)
    return _cell(text, text.replace(" ", "-"))


def _table(header: Sequence[str], rows: Iterable[str]) -> str:
    head = "".join(f"<th>{escape(name)}</th>" for name in header)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _run_section(document: dict[str, Any]) -> str:
    package = document.get("package") or {}
    versions = ", ".join(f"{name} {value}" for name, value in
                         (document.get("versions") or {}).items())
    theorems = document["theorems"]
    good = sum(bool(entry.get("as_expected")) for entry in theorems)
    verdict = ("ALL AS EXPECTED" if good == len(theorems) else "NOT AS EXPECTED")
    return (f"<p>{escape(str(package.get('name', 'pipeproof')))} "
            f"{escape(str(package.get('version', '?')))}, profile "
            f"{escape(str(document.get('profile', '?')))}, {escape(str(document.get('seconds')))}"
            f" s; {escape(versions)}.</p>"
            f"<p><strong>{verdict}: {good} of {len(theorems)} theorems</strong></p>")


def _summary_table(document: dict[str, Any]) -> str:
    methods = methods_present(document)
    rows = []
    for entry in document["theorems"]:
        statuses = method_statuses(entry)
        css = "" if entry.get("as_expected") else "notexpected"
        link = f'<td class="{css}"><a href="#{escape(entry["id"])}">{escape(entry["id"])}</a></td>'
        rows.append("<tr>" + link + _cell(entry.get("title", "")) + _cell(entry.get("expected"))
                    + _cell(status_line(entry), str(entry.get("status")).replace(" ", "-"))
                    + "".join(_status_cell(statuses.get(method)) for method in methods)
                    + _cell(variants_text(entry)) + "</tr>")
    return _table(["id", "claim", "expected", "status", *methods, "variants"], rows)


def _figures(figures: Sequence[ReportFigure]) -> str:
    if not figures:
        return "<p>No figures: matplotlib is not installed (pip install 'pipeproof[report]').</p>"
    return "".join(f'<figure><img alt="{escape(figure.caption)}" src="{figure.data_uri()}">'
                   f"<figcaption>{escape(figure.caption)}</figcaption></figure>"
                   for figure in figures)


def _verdict_rows(entry: dict[str, Any]) -> list[str]:
    return ["<tr>" + _cell(verdict.get("method")) + _status_cell(verdict.get("status"))
            + _cell(verdict.get("solver") or "-") + _cell(verdict.get("budget") or "-")
            + _cell(verdict.get("detail") or verdict.get("reason") or "-", "detail")
            + _cell(counterexample_text(verdict.get("counterexample")), "detail") + "</tr>"
            for verdict in entry.get("verdicts") or []]


def _obligation_rows(entry: dict[str, Any]) -> list[str]:
    return ["<tr>" + _cell(obligation.get("name")) + _status_cell(obligation.get("status"))
            + _cell(solvers_text(obligation), "detail") + _cell(cases_text(obligation), "detail")
            + _cell(obligation.get("seconds")) + "</tr>"
            for obligation in entry.get("obligations") or []]


def _variant_rows(entry: dict[str, Any]) -> list[str]:
    return ["<tr>" + _cell(variant.get("description")) + _status_cell(variant.get("status"))
            + _cell(variant.get("method") or "-")
            + _cell(counterexample_text(variant.get("counterexample")), "detail") + "</tr>"
            for variant in entry.get("variants") or []]


def _theorem_section(entry: dict[str, Any]) -> str:
    identifier = escape(entry["id"])
    hypotheses = "".join(f"<li>{escape(str(item))}</li>" for item in entry.get("hypotheses") or [])
    parts = [f'<section class="theorem" id="{identifier}">',
             f"<h3>{identifier}: {escape(str(entry.get('title', '')))}</h3>",
             f"<p>Source: {escape(str(entry.get('source', '-')))}. Status: "
             f"<strong>{escape(status_line(entry))}</strong> (expected "
             f"{escape(str(entry.get('expected')))}"
             f"{'' if entry.get('as_expected') else ', NOT AS EXPECTED'}).</p>"]
    if entry.get("reason"):
        parts.append(f"<p>Reason: {escape(str(entry['reason']))}</p>")
    parts.append("<h4>Statement</h4>" + mathml.math_html(str(entry.get("latex") or "")))
    parts.append(f"<details><summary>plain text</summary><pre class=\"latex\">"
                 f"{escape(str(entry.get('statement', '')))}</pre></details>")
    if hypotheses:
        parts.append(f"<h4>Hypotheses</h4><ul>{hypotheses}</ul>")
    parts.append("<h4>Verdicts</h4>" + _table(
        ["method", "status", "solver", "budget", "detail", "counterexample"],
        _verdict_rows(entry)))
    if entry.get("obligations"):
        parts.append("<h4>Obligations</h4>" + _table(
            ["obligation", "status", "answers", "cases", "seconds"], _obligation_rows(entry)))
    if entry.get("variants"):
        parts.append("<h4>Wrong variants</h4>" + _table(
            ["variant", "status", "refuted by", "counterexample"], _variant_rows(entry)))
    parts.append("</section>")
    return "\n".join(parts)


def _findings(tables: Sequence[FindingsTable]) -> str:
    parts = []
    for table in tables:
        parts.append(f"<h3>{escape(table.title)}</h3><p>{escape(table.intro)}</p>")
        if table.rows:
            rows = ["<tr>" + "".join(_status_cell(cell) if name == "status" else
                                     _cell(cell, "detail") for name, cell in
                                     zip(table.header, row, strict=True)) + "</tr>"
                    for row in table.rows]
            parts.append(_table(table.header, rows))
    return "\n".join(parts)


def render_html(document: dict[str, Any], figures: Sequence[ReportFigure],
                findings: Sequence[FindingsTable] = ()) -> str:
    """The whole page of the report of ``document`` with ``figures`` embedded and the
    ``findings`` tables after them."""
    note = ("" if mathml.available() else
            "<p>Formulas are shown as LaTeX source: pip install 'pipeproof[report]' to "
            "render them as MathML.</p>")
    body = [f"<h1>pipeproof report</h1>{_run_section(document)}{note}",
            "<h2>Verdicts</h2>", _summary_table(document),
            "<h2>Figures</h2>", _figures(figures),
            *(["<h2>Findings</h2>", _findings(findings)] if findings else []),
            "<h2>Theorems</h2>", *(_theorem_section(entry) for entry in document["theorems"])]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>pipeproof report</title><link rel=\"icon\" href=\"data:,\">"
            f"<style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
