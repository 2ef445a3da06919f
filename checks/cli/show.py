"""The text of ``pipeproof show ID``: a theorem, its proof steps and its verdicts."""

from __future__ import annotations

import sympy as sp

from pipeproof.checks.runner import TheoremReport
from pipeproof.checks.verdict import Verdict
from pipeproof.theory.theorem import Theorem


def _verdict_lines(verdict: Verdict, indent: str = "  ", step: bool = False) -> list[str]:
    line = f"{indent}{verdict.method:10} {verdict.status.value:9} {verdict.seconds:7.3f}s  "
    line += verdict.detail
    lines = [line]
    extras = [f"solver {verdict.solver}" if verdict.solver else "",
              f"budget {verdict.budget}" if verdict.budget else ""]
    indent = " " * len(indent)
    if any(extras) and not step:
        lines.append(f"{indent}{'':10} {', '.join(extra for extra in extras if extra)}")
    if verdict.counterexample:
        lines.append(f"{indent}{'':10} counterexample: {verdict.counterexample}")
    if verdict.reason:
        lines.append(f"{indent}{'':10} reason: {verdict.reason}")
    return lines


def describe(theorem: Theorem, report: TheoremReport) -> str:
    """Statement (plain text and LaTeX), hypotheses, source, proof steps, verdicts, variants."""
    lines = [f"{theorem.id}: {theorem.title}", "",
             f"statement: {theorem.statement}",
             f"latex:     {sp.latex(theorem.statement)}",
             f"source:    {theorem.source}",
             f"expected:  {theorem.expected}"]
    if theorem.uses:
        lines.append(f"uses:      {', '.join(theorem.uses)}")
    lines += ["", "hypotheses:"] + [f"  - {hypothesis}" for hypothesis in theorem.hypotheses]
    if theorem.notes:
        lines += ["", f"notes: {theorem.notes}"]
    lines += ["", f"verdicts (status {report.status.value}):"]
    for verdict in report.verdicts:
        lines += _verdict_lines(verdict)
        for number, step in enumerate(verdict.steps, start=1):
            lines += _verdict_lines(step, indent=f"    {number:2}. ", step=True)
    lines += ["", "wrong variants:"]
    for variant in report.variants:
        refutation = variant.refutation
        how = (f"refuted by {refutation.method}, counterexample {refutation.counterexample}"
               if refutation
               else f"NOT refuted ({variant.status.value})")
        lines.append(f"  - {variant.description}: {how}")
    return "\n".join(lines)
