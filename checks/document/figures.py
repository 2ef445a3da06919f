"""The figures of the report: the four schedules' diagrams and PipeDream's staleness.

Each figure is made without pyplot (so no backend is switched) and kept as PNG bytes; the HTML
embeds them as base64 data, the Markdown links to files written beside it. Without matplotlib
the report has no figures and says so.
"""

from __future__ import annotations

import base64
import importlib.util
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeproof.checks.tables.generate import op_table
from pipeproof.theory.parameters import schedule_spec

SCHEDULES = (("gpipe", 4, 8, {}), ("flush", 4, 8, {}), ("pipedream", 4, 12, {}),
             ("localsgd", 3, 12, {"num_runs": 3, "local_steps": 2}))
"""Schedules drawn: name, S, M and the LocalSGD copies and local steps."""
DELAY_MATRIX_STAGES = 6
MAXIMA_STAGES = tuple(range(2, 17))


@dataclass(frozen=True)
class ReportFigure:
    """One figure: file stem, caption and PNG bytes."""

    name: str
    caption: str
    png: bytes

    def data_uri(self) -> str:
        """The PNG as a ``data:`` URI."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def available() -> bool:
    """Whether matplotlib is installed."""
    return importlib.util.find_spec("matplotlib") is not None


def _png(draw: Callable[[Any], Any], size: tuple[float, float]) -> bytes:
    """PNG bytes of a one-axis figure of ``size`` inches drawn by ``draw(axis)``."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, layout="constrained")
    draw(figure.subplots())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96)
    return buffer.getvalue()


def report_figures() -> list[ReportFigure]:
    """Every figure of the report (empty without matplotlib)."""
    if not available():
        return []
    from pipeproof.checks.figures.schedule import draw_schedule, figure_size
    from pipeproof.checks.figures.staleness import draw_delay_matrix, draw_maxima

    figures = []
    for name, stages, micro, extra in SCHEDULES:
        table = op_table(schedule_spec(name, stages, micro, **extra))
        figures.append(ReportFigure(
            f"schedule_{name}", f"{name}: op table, S = {stages}, M = {micro}",
            _png(lambda axis, table=table: draw_schedule(table, axis), figure_size(table))))
    figures.append(ReportFigure(
        "delay_matrix", f"PipeDream: delays of one steady microbatch, S = {DELAY_MATRIX_STAGES}",
        _png(lambda axis: draw_delay_matrix(DELAY_MATRIX_STAGES, axis), (4.6, 3.8))))
    figures.append(ReportFigure(
        "delay_maxima", "PipeDream: steady and whole-run maximum delays against S",
        _png(lambda axis: draw_maxima(MAXIMA_STAGES, axis), (6.0, 4.0))))
    return figures
