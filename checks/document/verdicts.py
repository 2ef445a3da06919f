"""Reading a verdicts JSON (``pipeproof run --json``) for the report, and the short texts that
both the HTML and the Markdown show (a counterexample as ``S = 1, M = 10``, a status line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeproof.theory.parameters import ParameterError

METHOD_ORDER = ("symbolic", "smt", "coverage", "provenance", "tautology", "exhaustive",
                "empirical")
"""Verdict columns of the report's table, in order."""


def load_verdicts(path: Path) -> dict[str, Any]:
    """The verdicts document at ``path``.

    Raises:
        ParameterError: naming ``--json`` when the file is not readable or not a verdicts
            report (an object with a list ``theorems`` of objects with ``id`` and ``status``).
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ParameterError(f"--json: cannot read the verdicts report {path} ({error})") from None
    theorems = document.get("theorems") if isinstance(document, dict) else None
    if not isinstance(theorems, list) or not all(
            isinstance(entry, dict) and "id" in entry and "status" in entry
            for entry in theorems):
        raise ParameterError(f"--json: {path} is not a verdicts report of pipeproof run (an "
                             "object whose 'theorems' list has 'id' and 'status')")
    return document


def counterexample_text(counterexample: Any) -> str:
    """``{"S": 1, "M": 10}`` as ``S = 1, M = 10``; other values as their JSON; none as ``-``."""
    if counterexample is None:
        return "-"
    if isinstance(counterexample, dict):
        return ", ".join(f"{key} = {_value(value)}" for key, value in counterexample.items())
    return _value(counterexample)


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def status_line(theorem: dict[str, Any]) -> str:
    """``proved, checked, confirmed``: the status and what the finite methods reached."""
    return ", ".join([str(theorem.get("status")), *map(str, theorem.get("also") or [])])


def method_statuses(theorem: dict[str, Any]) -> dict[str, str]:
    """Method -> status of the theorem's verdicts."""
    return {verdict.get("method"): verdict.get("status")
            for verdict in theorem.get("verdicts") or []}


def variants_text(theorem: dict[str, Any]) -> str:
    """``3/4 refuted``: how many of the theorem's wrong variants were refuted."""
    variants = theorem.get("variants") or []
    caught = sum(variant.get("status") == "refuted" for variant in variants)
    return f"{caught}/{len(variants)} refuted"


def methods_present(document: dict[str, Any]) -> list[str]:
    """The methods of :data:`METHOD_ORDER` that some theorem of ``document`` has a verdict of."""
    seen = {method for theorem in document["theorems"] for method in method_statuses(theorem)}
    return [method for method in METHOD_ORDER if method in seen]


def solvers_text(obligation: dict[str, Any]) -> str:
    """``proved by smt, symbolic`` / ``refuted by ...`` / the reason: an obligation's answers."""
    parts = []
    if obligation.get("proved_by"):
        parts.append("proved by " + ", ".join(map(str, obligation["proved_by"])))
    if obligation.get("refuted_by"):
        parts.append("refuted by " + ", ".join(map(str, obligation["refuted_by"])))
    if obligation.get("reason"):
        parts.append(str(obligation["reason"]))
    return "; ".join(parts) or "-"


def cases_text(obligation: dict[str, Any]) -> str:
    """The split cases each prover proved, ``smt: S odd, S even``; ``-`` when none."""
    cases = obligation.get("cases") or {}
    if not isinstance(cases, dict):
        return str(cases)
    return "; ".join(f"{method}: {', '.join(map(str, items))}"
                     for method, items in cases.items() if items) or "-"
