"""Figures of PipeDream's stale reads: the delay matrix of one microbatch as a heat map, and
the steady and whole-run maximum delays against S next to the proved closed forms.

Delays d(s, j, m) = k(s, m) - r(j, m) are read off op tables made by the policy simulator
(:mod:`pipeproof.checks.tables.delays`); the closed forms are those of STL-PD-MAX
(S^2 - ceil(S/2)) and STL-PD-WARMUP (S^2 - ceil(S/2) + floor((S-1)^2/4)), evaluated in NumPy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from pipeproof.checks.tables import delays
from pipeproof.checks.tables.generate import op_table
from pipeproof.theory.parameters import schedule_spec

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def steady_max_formula(stages: np.ndarray) -> np.ndarray:
    """STL-PD-MAX: S^2 - ceil(S/2)."""
    return stages**2 - (stages + 1) // 2


def run_max_formula(stages: np.ndarray) -> np.ndarray:
    """STL-PD-WARMUP: S^2 - ceil(S/2) + floor((S - 1)^2 / 4), for M >= S + floor(S/2) - 1."""
    return steady_max_formula(stages) + (stages - 1) ** 2 // 4


def measured_maxima(stages: Sequence[int], convention: str = "C1") -> dict[str, np.ndarray]:
    """Steady and whole-run maximum delays of PipeDream's tables (M = 10 S) for each S."""
    steady, run = [], []
    for count in stages:
        table = op_table(schedule_spec("pipedream", int(count), 10 * int(count)), "policy")
        statistics = delays.delay_statistics(delays.update_index(table, convention))
        steady.append(statistics.steady_max)
        run.append(statistics.run_max)
    return {"steady": np.array(steady), "run": np.array(run)}


def draw_delay_matrix(num_stages: int, axis: Axes | None = None,
                      convention: str = "C1") -> Figure:
    """Heat map of the S x S delays d(s, j, m) of the first steady microbatch m = S of
    PipeDream (M = 3S): row s the updated block, column j the block read."""
    from matplotlib import pyplot

    table = op_table(schedule_spec("pipedream", num_stages, 3 * num_stages), "policy")
    matrix = delays.delay_matrix(delays.update_index(table, convention), num_stages)
    if axis is None:
        _, axis = pyplot.subplots(figsize=(4.6, 3.8), constrained_layout=True)
    image = axis.imshow(matrix, cmap="viridis")
    if num_stages <= 12:
        for (row, column), value in np.ndenumerate(matrix):
            axis.text(column, row, str(value), ha="center", va="center", fontsize=7,
                      color="white" if value < matrix.max() * 0.6 else "black")
    axis.set_xlabel("block read j")
    axis.set_ylabel("block updated s")
    axis.set_title(f"delays d(s, j, m = {num_stages}), S = {num_stages}, {convention}",
                   fontsize=9)
    axis.figure.colorbar(image, ax=axis, label="block updates")
    return axis.figure


def draw_maxima(stages: Sequence[int], axis: Axes | None = None) -> Figure:
    """Measured steady and whole-run maxima (points) over the proved formulas (lines), with
    the paper's S^2 - S/2 for reference."""
    from matplotlib import pyplot

    values = np.asarray(stages)
    measured = measured_maxima(values)
    if axis is None:
        _, axis = pyplot.subplots(figsize=(5.6, 3.8), constrained_layout=True)
    dense = np.arange(values.min(), values.max() + 1)
    axis.plot(dense, steady_max_formula(dense), "C0-", lw=1,
              label="S² − ⌈S/2⌉ (STL-PD-MAX)")
    axis.plot(dense, run_max_formula(dense), "C1-", lw=1,
              label="S² − ⌈S/2⌉ + ⌊(S−1)²/4⌋ (STL-PD-WARMUP)")
    axis.plot(dense, dense**2 - dense / 2, "k:", lw=1, label="S² − S/2 (paper)")
    axis.plot(values, measured["steady"], "C0o", ms=4, label="steady max, tables")
    axis.plot(values, measured["run"], "C1s", ms=4, label="whole-run max, tables")
    axis.set_xlabel("stages S")
    axis.set_ylabel("delay (block updates)")
    axis.legend(fontsize=7)
    return axis.figure
