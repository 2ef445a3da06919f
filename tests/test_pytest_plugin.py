"""The pytest plugin: ``pytest --pyargs pipeproof -k ID`` gives that theorem's items, an item fails
when a status is not the expected one, the plugin is inert elsewhere, and ``assert_theorem``
checks a user's theorem the same way."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from pipeproof.checks.testing import assert_theorem, item_names, judge
from pipeproof.theory.catalogue import by_id


def pytest_run(where: Path, *args: str) -> subprocess.CompletedProcess:
    """A fresh ``python -m pytest`` in ``where`` (the installed plugin loads by entry point)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           "-o", "addopts=", *args], cwd=where, env=env, capture_output=True,
                          text=True, timeout=900)


def test_the_plugin_is_registered_as_a_pytest11_entry_point():
    points = metadata.entry_points(group="pytest11")
    assert any(point.value == "pipeproof.checks.pytest_plugin" for point in points)


def test_pyargs_runs_one_item_per_method_obligation_and_variant(tmp_path):
    done = pytest_run(tmp_path, "--pyargs", "pipeproof", "-k", "STL-PD-MATRIX",
                      "--pipeproof-profile", "quick", "-v")
    assert done.returncode == 0, done.stdout + done.stderr
    passed = [line.split("::", 1)[1].split()[0] for line in done.stdout.splitlines()
              if line.rstrip().endswith("]") and " PASSED " in line]
    names = item_names(by_id("STL-PD-MATRIX"))
    assert passed == [f"STL-PD-MATRIX::{name}" for name in names]
    assert {"smt", "symbolic", "exhaustive", "empirical", "coverage", "obligation[0]",
            "variant[0]"} <= set(names)
    assert f"{len(names)} passed" in done.stdout


WRONG_EXPECTATION = '''
import dataclasses

from pipeproof.theory import catalogue as registry

_original = registry.catalogue()
_patched = tuple(dataclasses.replace(t, expected="refuted") if t.id == "STL-PD-MATRIX" else t
                 for t in _original)
registry.catalogue = lambda: _patched
'''


def test_an_item_fails_when_a_status_is_not_the_expected_one(tmp_path):
    (tmp_path / "wrong_expectation.py").write_text(WRONG_EXPECTATION)
    os.environ["PYTHONPATH"] = str(tmp_path)
    try:
        done = pytest_run(tmp_path, "-p", "wrong_expectation", "--pyargs", "pipeproof", "-k",
                          "STL-PD-MATRIX and (status or smt or variant)",
                          "--pipeproof-profile", "quick", "-q")
    finally:
        del os.environ["PYTHONPATH"]
    assert done.returncode == 1, done.stdout + done.stderr
    assert "STL-PD-MATRIX: status checked, expected refuted" in done.stdout
    assert "smt: proved, expected refuted" in done.stdout
    assert "2 failed" in done.stdout and "passed" in done.stdout  # the variants pass


def test_the_plugin_is_inert_in_other_sessions(tmp_path):
    (tmp_path / "test_plain.py").write_text("def test_one():\n    assert True\n")
    done = pytest_run(tmp_path, "-q", "--collect-only")
    assert done.returncode == 0 and "1 test collected" in done.stdout
    imported = subprocess.run(
        [sys.executable, "-c", "import sys, pipeproof.checks.pytest_plugin; "
         "print(sorted(m for m in ('sympy', 'z3', 'numpy', 'pipeproof.theory.catalogue') "
         "if m in sys.modules))"], capture_output=True, text=True, timeout=60)
    assert imported.stdout.strip() == "[]", imported.stderr


def test_items_agree_with_the_status_rule(quick_reports):
    for report in quick_reports:
        outcomes = {name: judge(report, name) for name in item_names(report.theorem)}
        assert outcomes["status"].passed == report.as_expected
        failed = [name for name, outcome in outcomes.items()
                  if not outcome.passed and not outcome.expected_failure]
        assert not failed or not report.as_expected, (report.theorem.id, failed)


def test_assert_theorem_names_what_failed():
    wrong = dataclasses.replace(by_id("STL-PD-MATRIX"), id="MY-MATRIX", expected="refuted")
    with pytest.raises(AssertionError, match="MY-MATRIX not as expected") as error:
        assert_theorem(wrong, profile="quick")
    assert "MY-MATRIX: status checked, expected refuted" in str(error.value)
    assert "smt: proved, expected refuted" in str(error.value)
