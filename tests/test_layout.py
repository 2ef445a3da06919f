"""The layout: modules import each other by ordinary imports, and every kind of name has one
table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pipeproof.checks.empirical import load
from pipeproof.theory.catalogue import catalogue

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(path for folder in ("theory", "checks", "src") for path in
                 (ROOT / folder).rglob("*.py"))


def _calls(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            names.append(function.attr if isinstance(function, ast.Attribute) else
                         function.id if isinstance(function, ast.Name) else "")
    return names


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_no_string_imports(path: Path):
    calls = _calls(ast.parse(path.read_text(encoding="utf-8")))
    assert "import_module" not in calls and "__import__" not in calls


def test_no_module_of_the_old_import_roots():
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module.split(".")[0] not in ("checks", "theory"), path
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] not in ("checks", "theory") for a in node.names)


def test_the_confirmation_table_names_catalogue_theorems_and_empirical_functions():
    ids = {theorem.id for theorem in catalogue()}
    table = load()
    assert set(table) <= ids
    for theorem_id, function in table.items():
        assert function.__module__.startswith("pipeproof.checks.empirical."), theorem_id
    assert len(set(table.values())) == len(table)


def _name_lists(names: set[str]) -> list[str]:
    """Places outside the registries that list every one of ``names`` (a second registry)."""
    found = []
    for path in SOURCES:
        if path.name == "registry.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                strings = {item.value for item in node.elts
                           if isinstance(item, ast.Constant) and isinstance(item.value, str)}
                if names <= strings:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_method_and_objective_names_live_in_one_table_each():
    from pipeproof.checks.executor.config import DEFAULT_CONDITION, DEFAULT_DIM
    from pipeproof.checks.executor.methods.registry import METHODS
    from pipeproof.checks.executor.objectives.registry import OBJECTIVES

    assert not _name_lists(set(METHODS))
    assert not _name_lists(set(OBJECTIVES))
    assert set(DEFAULT_DIM) == set(OBJECTIVES)
    assert set(DEFAULT_CONDITION) <= set(OBJECTIVES)
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"method ({', '.join(METHODS)})" in readme
    assert f"objective ({', '.join(OBJECTIVES)})" in readme


def test_names_are_looked_up_in_any_case_and_unknown_names_are_parameter_errors():
    from pipeproof.checks.executor.config import run_config
    from pipeproof.checks.executor.methods import pipedream
    from pipeproof.checks.executor.methods.registry import get_runner
    from pipeproof.theory.parameters import ParameterError

    assert get_runner("PipeDream") is pipedream.run
    config = run_config("PipeDream", "Quadratic", num_stages=2, step_size=0.1)
    assert (config.method, config.objective) == ("pipedream", "quadratic")
    with pytest.raises(ParameterError, match=r"method must be one of pipedream.*'adam'"):
        run_config("adam", "quadratic", num_stages=2)
    with pytest.raises(ParameterError, match=r"objective must be one of quadratic.*'resnet'"):
        run_config("rpd", "resnet", num_stages=2)
