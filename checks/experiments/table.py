"""A comparison as a text table (Markdown): each method's step size, mean final gap, its 95%
interval over the seeds and the slots used, best first; then the winner and the ratio."""

from __future__ import annotations

import math

from pipeproof.checks.experiments.sweep import Comparison


def number(value: float) -> str:
    """A gap: 4 significant digits, "diverged" for +inf."""
    return "diverged" if not math.isfinite(value) else f"{value:.4g}"


def markdown(comparison: Comparison) -> str:
    """The table and its closing line."""
    lines = ["| method | step size | final gap (mean) | 95% interval | slots used |",
             "|---|---|---|---|---|"]
    for outcome in comparison.ranked:
        mean, low, high = outcome.interval
        edge = " (grid edge)" if outcome.at_grid_edge else ""
        lines.append(f"| {outcome.spec.name} | {outcome.step_size:.4g}{edge} | {number(mean)} "
                     f"| [{number(low)}, {number(high)}] | {outcome.slots_used} |")
    ratio = comparison.ratio
    tail = "" if math.isnan(ratio) else (
        f"; ratio (runner-up's gap over the winner's) {number(ratio)}")
    lines.append("")
    lines.append(f"winner: {comparison.winner.spec.name}{tail}")
    return "\n".join(lines)
