"""Reports of a check run: the JSON document other tools read, and the terminal table.

JSON layout (keys are a contract; new keys may be added, none renamed)::

    {
      "package": {"name": "pipeproof", "version": ...},
      "versions": {"python": ..., "sympy": ..., "z3": ..., "numpy": ...},
      "profile": "default", "seconds": ..., "ok": true,
      "theorems": [
        {"id", "title", "statement", "latex", "hypotheses", "source", "uses", "expected",
         "status", "also", "reason", "as_expected", "cites": {id: status or null},
         "verdicts": [{"method", "status", "seconds", "detail", "solver", "budget",
                       "counterexample", "reason", "steps": [...], "cases": [...]}],
         "obligations": [{"name", "statement", "status", "proved_by", "refuted_by", "seconds",
                          "cases": {method: [...]}, "reason", "counterexample",
                          "solvers": ["sympy", "z3", "cvc5"]}],
         "variants": [{"description", "status", "method", "counterexample"}]}
      ]
    }
"""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp
import z3

from pipeproof.checks.outputs import write_json as write_strict_json
from pipeproof.checks.runner import TheoremReport
from pipeproof.theory.theorem import Theorem


def versions() -> dict[str, str]:
    """Versions of Python and of every solver and numeric library used."""
    return {"python": platform.python_version(), "sympy": sp.__version__,
            "z3": z3.get_version_string(), "numpy": np.__version__}


def package_version() -> str:
    """The installed version of pipeproof (``unknown`` when run from a source tree)."""
    try:
        return metadata.version("pipeproof")
    except metadata.PackageNotFoundError:
        return "unknown"


def statement_text(theorem: Theorem) -> str:
    """The statement in plain text."""
    return str(theorem.statement)


def statement_latex(theorem: Theorem) -> str:
    """The statement in LaTeX."""
    return sp.latex(theorem.statement)


def theorem_json(report: TheoremReport) -> dict[str, Any]:
    """The JSON record of one theorem."""
    theorem = report.theorem
    outcome = report.outcome
    return {
        "id": theorem.id,
        "title": theorem.title,
        "statement": statement_text(theorem),
        "latex": statement_latex(theorem),
        "hypotheses": list(theorem.hypotheses),
        "source": theorem.source,
        "uses": list(theorem.uses),
        "expected": theorem.expected,
        "status": outcome.status.value,
        "also": [status.value for status in outcome.also],
        "reason": outcome.reason,
        "as_expected": report.as_expected,
        "cites": {name: status.value if status is not None else None
                  for name, status in sorted(report.cited.items())},
        "seconds": round(report.seconds, 4),
        "verdicts": [verdict.to_json() for verdict in report.verdicts],
        "obligations": _obligations_json(report),
        "variants": [_variant_json(variant) for variant in report.variants],
    }


SOLVER_NAMES = {"symbolic": "sympy", "smt": "z3"}


def _obligations_json(report: TheoremReport) -> list[dict[str, Any]]:
    """Each obligation's JSON, with ``solvers``: the solvers that proved it (sympy, z3, and cvc5
    where the thorough profile's cross-check re-proved it)."""
    crosscheck = report.verdict("crosscheck")
    applies = [n for n, ob in enumerate(report.theorem.obligations) if "smt" in ob.methods]
    cvc5 = {number for number, step in zip(applies, crosscheck.steps if crosscheck else (),
                                           strict=False)
            if step.status.value == "proved"}
    documents = []
    for number, obligation in enumerate(report.obligations):
        document = obligation.to_json()
        document["solvers"] = [SOLVER_NAMES[method] for method in obligation.proved_by
                               if method in SOLVER_NAMES] + (["cvc5"] if number in cvc5 else [])
        documents.append(document)
    return documents


def _variant_json(variant: Any) -> dict[str, Any]:
    refutation = variant.refutation
    return {
        "description": variant.description,
        "status": variant.status.value,
        "method": refutation.method if refutation else None,
        "counterexample": refutation.counterexample if refutation else None,
    }


def report_json(reports: list[TheoremReport], profile: str, seconds: float) -> dict[str, Any]:
    """The whole JSON document of a run."""
    return {
        "package": {"name": "pipeproof", "version": package_version()},
        "versions": versions(),
        "profile": profile,
        "seconds": round(seconds, 3),
        "ok": all(report.as_expected for report in reports),
        "theorems": [theorem_json(report) for report in reports],
    }


def write_json(document: dict[str, Any], path: Path) -> None:
    """Write ``document`` to ``path`` as strict JSON (non-finite numbers as null), atomically
    (parent folders created)."""
    write_strict_json(document, path)


TABLE_METHODS = ("symbolic", "smt", "coverage", "provenance", "exhaustive", "empirical",
                 "distributed", "crosscheck")
"""The verdict columns of the terminal table, in order (the tautology check shows in the
status)."""


def table(reports: list[TheoremReport], width: int = 48) -> str:
    """The terminal table: id (marked ``!`` when not as expected), claim, the expected status,
    the theorem's status (with what the finite methods reached beside it), one status per
    method, variants caught, time."""
    methods = [method for method in TABLE_METHODS
               if any(v.method == method for report in reports for v in report.verdicts)]
    header = ["id", "claim", "expected", "status", *methods, "variants", "time"]
    rows = [header]
    for report in reports:
        by_method = {verdict.method: verdict.status.value for verdict in report.verdicts}
        caught = sum(variant.refutation is not None for variant in report.variants)
        title = report.theorem.title
        rows.append([
            report.theorem.id + ("" if report.as_expected else " !"),
            title if len(title) <= width else title[: width - 3] + "...",
            report.theorem.expected,
            ", ".join([report.status.value, *(status.value for status in report.also)]),
            *(by_method.get(method, "-") for method in methods),
            f"{caught}/{len(report.variants)} refuted",
            f"{report.seconds:.1f}s",
        ])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(size) for cell, size in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * size for size in widths))
    return "\n".join(lines)


def summary_line(reports: list[TheoremReport]) -> str:
    """The last line of a run: whether every theorem came out as expected, and which did not."""
    failing = [report.theorem.id for report in reports if not report.as_expected]
    if not failing:
        return f"ALL AS EXPECTED: {len(reports)} of {len(reports)} theorems"
    return (f"NOT AS EXPECTED: {', '.join(failing)} ({len(failing)} of {len(reports)} theorems; "
            "marked ! in the table)")
