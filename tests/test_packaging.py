"""One import root: the wheel installs only ``pipeproof``, with every module and its data, and the
command line works from a folder that has its own ``theory`` and ``checks`` packages."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The file names in a wheel built from the repository, as ``pip wheel`` builds it."""
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                             "-w", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    [wheel] = out.glob("pipeproof-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_the_wheel_installs_only_pipeproof(wheel_names: list[str]):
    top = {name.split("/")[0] for name in wheel_names if not name.split("/")[0].endswith(
        ".dist-info")}
    assert top == {"pipeproof"}
    [top_level] = [name for name in wheel_names if name.endswith(".dist-info/top_level.txt")]
    assert top_level


def test_the_wheel_holds_every_module_and_its_data(wheel_names: list[str]):
    expected = {"pipeproof/__init__.py", "pipeproof/py.typed"}
    for folder in ("theory", "checks"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                expected.add("pipeproof/" + path.relative_to(ROOT).as_posix())
    missing = sorted(expected - set(wheel_names))
    assert not missing, f"not in the wheel (add the package to pyproject.toml): {missing}"


def test_the_command_line_ignores_other_theory_and_checks_packages(tmp_path: Path):
    for name in ("theory", "checks"):
        package = tmp_path / name
        package.mkdir()
        (package / "__init__.py").write_text(f"raise ImportError('local {name} imported')\n")
    result = subprocess.run([sys.executable, "-m", "pipeproof.checks", "list"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    ids = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    assert "THR-GPIPE" in ids and "CONV-RPD" in ids


def test_pipeproof_is_typed_and_names_its_parts():
    import pipeproof

    package = Path(pipeproof.__file__).parent
    assert (package / "py.typed").is_file()
    assert "pipeproof.theory" in (pipeproof.__doc__ or "")
    assert "pipeproof.checks" in (pipeproof.__doc__ or "")


def test_pyproject_lists_every_package_folder():
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    folders = {"pipeproof"}
    for folder in ("theory", "checks"):
        for init in (ROOT / folder).rglob("__init__.py"):
            folders.add(".".join(("pipeproof", *init.parent.relative_to(ROOT).parts)))
    assert listed == folders


def test_the_transformer_text_loads_from_the_installed_package():
    """The character model's text is package data (read without PyTorch)."""
    from pipeproof.checks.executor.objectives.transformer import load_text

    text = load_text()
    assert len(text) > 1000 and len(set(text)) > 20
