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
