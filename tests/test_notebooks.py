"""The notebooks: each runs from top to bottom without an error and shows its figures inline;
the committed files carry no outputs (README, "Notebooks"), so none is left stale."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
NUMBERED = re.compile(r"^(\d)_[a-z0-9_]+\.ipynb$")
EXPECTED_NUMBERS = {"1", "2", "3", "4", "5"}
"""The delay, throughput and memory, the RPD bound, PipeDream vs LocalSGD, bring your own."""


def _code(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_executes(path: Path, tmp_path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [output for cell in _code(notebook) for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.get("output_type") == "error"]
    assert any("image/png" in output.get("data", {}) for output in outputs)  # inline figures
    assert list(tmp_path.iterdir()) == []  # nothing drawn into files


def test_notebooks_are_numbered() -> None:
    names = [path.name for path in NOTEBOOKS]
    assert all(NUMBERED.match(name) for name in names), names
    numbers = [NUMBERED.match(name).group(1) for name in names]
    assert len(set(numbers)) == len(numbers) and set(numbers) >= EXPECTED_NUMBERS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_committed_notebook_has_no_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in _code(notebook):
        assert cell.get("outputs") == [] and cell.get("execution_count") is None, \
            f"{path.name}: clear the outputs before committing"
        assert "matplotlib.use" not in cell.source and "savefig" not in cell.source
