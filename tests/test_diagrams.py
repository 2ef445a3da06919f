"""The schedule diagram (``pipeproof schedule ... --plot``) and the staleness figures: every op
drawn where the table puts it, the highlighted window, the up-front path checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeproof.checks import outputs
from pipeproof.checks.cli.main import main
from pipeproof.checks.figures.schedule import (
    BACKWARD_COLOR,
    FORWARD_COLOR,
    draw_schedule,
    window_microbatch,
)
from pipeproof.checks.figures.staleness import (
    measured_maxima,
    run_max_formula,
    steady_max_formula,
)
from pipeproof.checks.tables.generate import op_table
from pipeproof.theory.parameters import schedule_spec

matplotlib = pytest.importorskip("matplotlib")


def _drawn_ops(axis, color: str) -> set[tuple[int, int, int]]:
    """(slot, stage, width) of every bar of ``color``."""
    from matplotlib.colors import to_hex

    found = set()
    for collection in axis.collections:
        if to_hex(collection.get_facecolor()[0]) != color.lower():
            continue
        for path in collection.get_paths():
            low, high = path.get_extents().get_points()
            found.add((round(low[0]), round(low[1]), round(high[0] - low[0])))
    return found


def _outlined(axis) -> set[tuple[int, int, int]]:
    """(slot, stage, width) of every outlined op (the highlighted microbatch)."""
    return {(round(patch.get_x()), round(patch.get_y()), round(patch.get_width()))
            for patch in axis.patches if patch.get_facecolor()[3] == 0}


@pytest.mark.parametrize("name, extra", [("gpipe", {}), ("flush", {}), ("pipedream", {}),
                                         ("localsgd", {"num_runs": 2, "local_steps": 2})])
def test_every_op_is_drawn_at_its_slot(name: str, extra: dict) -> None:
    from matplotlib.figure import Figure

    table = op_table(schedule_spec(name, 3, 8, backward_cost=2, **extra))
    axis = Figure().subplots()
    draw_schedule(table, axis)
    for starts, cost, color in ((table.forward_start, 1, FORWARD_COLOR),
                                (table.backward_start, 2, BACKWARD_COLOR)):
        expected = {(int(starts[s, m]), s, cost) for s, m in np.ndindex(starts.shape)}
        assert _drawn_ops(axis, color) == expected
    chosen = window_microbatch(table)
    assert _outlined(axis) == {(int(table.forward_start[s, chosen]), s, 1) for s in range(3)} | {
        (int(table.backward_start[s, chosen]), s, 2) for s in range(3)}
    edges = sorted({line.get_xdata()[0] for line in axis.lines})
    assert edges == [table.forward_start[0, chosen], table.backward_start[0, chosen] + 2]


def test_window_is_the_first_steady_microbatch() -> None:
    assert window_microbatch(op_table(schedule_spec("pipedream", 4, 12))) == 4
    assert window_microbatch(op_table(schedule_spec("pipedream", 4, 6))) == 3


def test_maxima_figure_data_match_the_proved_forms() -> None:
    stages = np.arange(2, 9)
    measured = measured_maxima(stages)
    assert (measured["steady"] == steady_max_formula(stages)).all()
    assert (measured["run"] == run_max_formula(stages)).all()
    assert run_max_formula(np.array([8]))[0] == 72


def test_schedule_plot_writes_a_png(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    target = tmp_path / "sub" / "pd.png"
    assert main(["schedule", "pipedream", "--stages", "4", "--microbatches", "12",
                 "--plot", str(target)]) == 0
    assert target.read_bytes().startswith(b"\x89PNG")
    assert f"diagram written to {target}" in capsys.readouterr().out
    assert [path.name for path in target.parent.iterdir()] == ["pd.png"]  # no temporary left


@pytest.mark.parametrize("plot, expected", [
    ("{base}/d.txt", "--plot must be a file path ending in .png or .pdf or .svg"),
    ("{base}", "--plot must be a file path ending in .png or .pdf or .svg, got the folder"),
    ("{base}/big.png", "--plot draws S * M at most 50000 (stages times microbatches), got 50400"),
])
def test_schedule_plot_paths_checked_first(tmp_path: Path, capsys: pytest.CaptureFixture,
                                           plot: str, expected: str) -> None:
    micro = "12600" if "big" in plot else "12"
    code = main(["schedule", "pipedream", "--stages", "4", "--microbatches", micro,
                 "--plot", plot.format(base=tmp_path)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and expected in captured.err
    assert captured.err.count("\n") == 1 and list(tmp_path.iterdir()) == []


def test_schedule_plot_without_matplotlib(tmp_path: Path, capsys: pytest.CaptureFixture,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    real = outputs.importlib.util.find_spec
    monkeypatch.setattr(outputs.importlib.util, "find_spec",
                        lambda name, *rest: None if name == "matplotlib" else real(name, *rest))
    code = main(["schedule", "gpipe", "--stages", "2", "--microbatches", "2",
                 "--plot", str(tmp_path / "g.png")])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and "--plot needs matplotlib" in captured.err
    assert list(tmp_path.iterdir()) == []
