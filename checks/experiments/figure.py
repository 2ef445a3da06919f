"""The figure of a comparison: mean f - f* against simulated slots, one curve per method at its
chosen step size, with its 95% band over the seeds.

Matplotlib is imported here only; :func:`draw` returns None when it is not installed (the data
are written first and a one-line note says the figure was skipped).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from pipeproof.checks.experiments.sweep import Comparison
from pipeproof.checks.outputs import write_atomically

SKIPPED = "figure skipped: matplotlib is not installed (pip install 'pipeproof[plots]')"


def available() -> bool:
    """True when matplotlib can be imported."""
    return importlib.util.find_spec("matplotlib") is not None


def draw(comparison: Comparison, path: Path, title: str | None = None) -> Path | None:
    """Write the figure to ``path`` (atomically); None when matplotlib is missing."""
    if not available():
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axis = pyplot.subplots(figsize=(7, 4.5), constrained_layout=True)
    for outcome in comparison.methods:
        slots, mean, low, high = outcome.curve
        finite = np.isfinite(mean) & (mean > 0)
        axis.semilogy(slots[finite], mean[finite],
                      label=f"{outcome.spec.name}, step {outcome.step_size:.3g}")
        band = finite & np.isfinite(low) & np.isfinite(high)
        axis.fill_between(slots[band], np.maximum(low[band], mean[band] * 1e-3), high[band],
                          alpha=0.2)
    setting = comparison.setting
    axis.set_xlabel("simulated time (slots)")
    axis.set_ylabel("f(x) - f*  (mean over seeds, 95% band)")
    axis.set_title(title or f"{setting.objective}, S = {setting.num_stages}, budget "
                   f"{setting.slot_budget} slots, {len(setting.seeds)} seeds")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    try:
        return write_atomically(path, lambda temporary: figure.savefig(temporary, dpi=120))
    finally:
        pyplot.close(figure)


def draw_scaling(rows: list[dict], path: Path) -> Path | None:
    """Final gap against S, one curve per method kind with its 95% interval; None when
    matplotlib is missing."""
    if not available():
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axis = pyplot.subplots(figsize=(6.5, 4.5), constrained_layout=True)
    for kind in dict.fromkeys(row["method"] for row in rows):
        chosen = sorted((row for row in rows if row["method"] == kind),
                        key=lambda row: row["num_stages"])
        stages = [row["num_stages"] for row in chosen]
        means = np.array([row["final_gap_mean"] for row in chosen], dtype=float)
        low = np.array([row["final_gap_ci"][0] for row in chosen], dtype=float)
        high = np.array([row["final_gap_ci"][1] for row in chosen], dtype=float)
        errors = np.vstack([np.maximum(means - np.maximum(low, 0), 0),
                            np.maximum(high - means, 0)])
        axis.errorbar(stages, means, yerr=errors, marker="o", capsize=3, label=kind)
    axis.set_xscale("log", base=2)
    axis.set_yscale("log")
    axis.set_xlabel("stages S")
    axis.set_ylabel("f(x) - f* at the budget (mean, 95% interval)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend()
    try:
        return write_atomically(path, lambda temporary: figure.savefig(temporary, dpi=120))
    finally:
        pyplot.close(figure)
