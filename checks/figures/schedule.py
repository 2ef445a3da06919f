"""The schedule diagram: which op every stage runs in every time slot.

Rows are stages s = 0..S-1 (stage 0 on top), columns slots t = 0..T-1. A forward F(s, m) is
drawn in blue, a backward B(s, m) in orange, an idle slot blank; each op is labelled with its
microbatch m when the cells are wide enough. One microbatch's window is highlighted: the slots
from its first forward F(0, m) to the end of its last backward B(0, m) + t_B, the interval in
which the block updates it does not see are applied (its stale reads, STL-PD-MATRIX).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeproof.checks.outputs import write_atomically
from pipeproof.checks.tables.optable import OpTable

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FORWARD_COLOR = "#4C8BE0"
BACKWARD_COLOR = "#F28E2B"
WINDOW_COLOR = "#FFE08A"
LABEL_LIMIT = 60
"""Most slots for which every op is labelled with its microbatch."""


def window_microbatch(table: OpTable) -> int:
    """The microbatch whose window is highlighted: m = S, the first steady-state one, when
    M > 2S; otherwise the middle microbatch M // 2."""
    stages, micro = table.num_stages, table.num_microbatches
    return stages if micro > 2 * stages else micro // 2


def draw_schedule(table: OpTable, axis: Axes | None = None,
                  highlight: int | None = -1) -> Figure:
    """Draw the op table of ``table`` on ``axis`` (a new figure when None) and return the
    figure. ``highlight`` is the microbatch whose window is shaded (-1: the default of
    :func:`window_microbatch`, None: none).
    """
    from matplotlib import pyplot
    from matplotlib.patches import Patch, Rectangle

    spec = table.spec
    makespan = table.makespan
    if axis is None:
        figure, axis = pyplot.subplots(figsize=figure_size(table), constrained_layout=True)
    figure = axis.figure
    chosen = window_microbatch(table) if highlight == -1 else highlight
    if chosen is not None:
        start = int(table.forward_start[0, chosen])
        end = int(table.backward_start[0, chosen]) + spec.backward_cost
        axis.axvspan(start, end, color=WINDOW_COLOR, alpha=0.35, zorder=4)
        for edge in (start, end):
            axis.axvline(edge, color="black", linestyle="--", linewidth=1.0, zorder=4)
    labels = makespan <= LABEL_LIMIT
    for starts, cost, color in ((table.forward_start, spec.forward_cost, FORWARD_COLOR),
                                (table.backward_start, spec.backward_cost, BACKWARD_COLOR)):
        for stage in range(spec.num_stages):
            axis.broken_barh([(int(slot), cost) for slot in starts[stage]], (stage, 1),
                             facecolors=color, edgecolors="white", linewidth=0.5, zorder=1)
        if chosen is not None:
            for stage in range(spec.num_stages):
                axis.add_patch(Rectangle((int(starts[stage, chosen]), stage), cost, 1,
                                         facecolor="none", edgecolor="black", linewidth=1.6,
                                         zorder=3))
        if labels:
            for stage, micro in np.ndindex(starts.shape):
                axis.text(starts[stage, micro] + cost / 2, stage + 0.5, str(micro),
                          ha="center", va="center", fontsize=7, zorder=3)
    axis.set_xlim(0, makespan)
    axis.set_ylim(spec.num_stages, 0)
    axis.set_yticks(np.arange(spec.num_stages) + 0.5, [str(s) for s in range(spec.num_stages)])
    axis.set_xlabel("time slot")
    axis.set_ylabel("stage")
    axis.set_title(_title(table, chosen), fontsize=9)
    handles = [Patch(color=FORWARD_COLOR, label="forward"),
               Patch(color=BACKWARD_COLOR, label="backward"),
               Patch(facecolor="white", edgecolor="0.6", label="idle")]
    if chosen is not None:
        handles.append(Patch(color=WINDOW_COLOR, label=f"window of microbatch {chosen}"))
    axis.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7,
                frameon=False)
    return figure


def figure_size(table: OpTable) -> tuple[float, float]:
    """Width and height in inches: about a fifth of an inch per slot and half per stage."""
    width = min(16.0, max(5.0, 0.22 * table.makespan + 1.5))
    return width, min(12.0, 0.45 * table.num_stages + 1.4)


def _title(table: OpTable, chosen: int | None) -> str:
    spec = table.spec
    parts = [f"{spec.name}: S = {spec.num_stages}, M = {spec.num_microbatches}"]
    if spec.name == "localsgd":
        parts.append(f"R = {spec.num_runs}, H = {spec.local_steps}")
    if (spec.forward_cost, spec.backward_cost) != (1, 1):
        parts.append(f"t_F = {spec.forward_cost}, t_B = {spec.backward_cost}")
    parts.append(f"makespan {table.makespan}")
    return ", ".join(parts)


def plot_schedule(table: OpTable, path: Path | str, **options: Any) -> Path:
    """Write the diagram of ``table`` to ``path`` (format from its suffix), atomically.

    The figure is made without pyplot, so the backend of an interactive session is untouched.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=figure_size(table), layout="constrained")
    draw_schedule(table, figure.subplots(), **options)
    return write_atomically(Path(path), lambda temporary: figure.savefig(temporary, dpi=120))
