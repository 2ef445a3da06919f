"""Figures of the convergence confirmations (matplotlib, Agg backend, imported only here and
only when a plots folder is given).

* ``conv-bounds-<objective>.png``: the running average (1/K) sum_{k<K} ||grad f(x^k)||^2 of one
  case (each seed thin, their mean thick) against K, with the bounds of CONV-RPD, CONV-BLOCK,
  CONV-VAR and CONV-NOG evaluated on the case's measured constants (dashed where the case is
  outside the theorem);
* ``conv-exp-stale-distance.png``: the measured stale distance against S on log-log axes for RPD
  and PipeDream in both regimes, with the fitted lines c S^a, and the normalised stale distance
  next to the window constants D(S) of the bounds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipeproof.checks.empirical.convergence.bounds import Outcome, evaluate
from pipeproof.checks.empirical.convergence.cases import Measured
from pipeproof.checks.empirical.convergence.exponent_fit import ExponentFit


def _pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend, or None when matplotlib is missing."""
    try:
        import matplotlib
    except ModuleNotFoundError:
        return None
    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def _save(pyplot: Any, figure: Any, plots: Path, name: str) -> Path:
    path = Path(plots) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
    return path


def plot_bounds(plots: Path, name: str, measured: Measured,
                results: Sequence[Outcome]) -> Path | None:
    """Write ``plots/name.png``: measured running average and bounds against K."""
    pyplot = _pyplot()
    if pyplot is None:
        return None
    figure, axis = pyplot.subplots(figsize=(7, 4.5), constrained_layout=True)
    steps = np.arange(1, measured.averages.shape[1] + 1)
    for row in measured.averages:
        axis.loglog(steps, row, color="black", linewidth=0.5, alpha=0.4)
    axis.loglog(steps, measured.average, color="black", linewidth=2,
                label="measured (1/K) sum ||grad f(x^k)||^2, mean of seeds")
    for outcome in results:
        bound = evaluate(outcome.check.bound, measured.values(), steps)
        style = "-" if outcome.applicable else "--"
        note = "" if outcome.applicable else " (not applicable)"
        axis.loglog(steps, bound, style, label=f"{outcome.check.theorem}{note}, min slack "
                    f"{outcome.slack:.3g}")
    case = measured.case
    axis.set_title(f"RPD on {case.objective}, S = {case.stages}, gamma L = "
                   f"{measured.step_size * measured.L:.3g}, delta = {measured.delta}", fontsize=10)
    axis.set_xlabel("block updates K")
    axis.set_ylabel("average squared gradient norm")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=7)
    return _save(pyplot, figure, plots, name)


def _stage_ticks(axis: Any, stages: Sequence[int]) -> None:
    """Label the x axis with the measured S values, in plain numbers."""
    from matplotlib.ticker import NullFormatter

    axis.set_xticks(list(stages), [str(value) for value in stages])
    axis.xaxis.set_minor_formatter(NullFormatter())
    axis.set_xlabel("stages S")


def plot_exponents(plots: Path, name: str, fits: Mapping[tuple[str, str], ExponentFit],
                   normalised: Mapping[tuple[str, str], ExponentFit],
                   windows: Mapping[str, np.ndarray]) -> Path | None:
    """Write ``plots/name.png``: stale distance and normalised stale distance against S."""
    pyplot = _pyplot()
    if pyplot is None:
        return None
    figure, axes = pyplot.subplots(1, 2, figsize=(12, 4.8), constrained_layout=True)
    for axis, series, label in ((axes[0], fits, "mean ||x^k - z^k||^2"),
                                (axes[1], normalised,
                                 "mean ||x^k - z^k||^2 / (gamma^2 mean ||g^k||^2)")):
        for (method, regime), fit in series.items():
            stages = np.asarray(fit.stages, dtype=float)
            line = axis.loglog(stages, fit.means, "o", label=f"{method}, {regime}: {fit.text()}")
            axis.loglog(stages, fit.constant * stages**fit.exponent, "-",
                        color=line[0].get_color(), linewidth=1)
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
    stages = next(iter(normalised.values())).stages
    for title, values in windows.items():
        axes[1].loglog(np.asarray(stages, dtype=float), values, ":", label=title)
    for axis in axes:
        _stage_ticks(axis, stages)
    axes[0].legend(fontsize=7)
    axes[1].legend(fontsize=7)
    figure.suptitle("CONV-EXP: stale distance against S (fitted c S^a, 95% bootstrap intervals)")
    return _save(pyplot, figure, plots, name)
