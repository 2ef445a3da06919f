"""The public API: ``pipeproof.theory`` and ``pipeproof.checks`` re-export what a user needs,
every name is importable and documented, and importing them loads neither SymPy nor Z3."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType

import pytest

import pipeproof.checks
import pipeproof.theory
from pipeproof.checks import check
from pipeproof.theory import ParameterError, Theorem, by_id

PACKAGES = [pipeproof.theory, pipeproof.checks]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.__name__)
def test_every_public_name_is_importable_and_documented(package: ModuleType):
    assert len(set(package.__all__)) == len(package.__all__)
    for name in package.__all__:
        value = getattr(package, name)
        if callable(value) or isinstance(value, ModuleType):
            assert (value.__doc__ or "").strip(), f"{package.__name__}.{name} has no docstring"
        assert f"`{name}`" in package.__doc__, f"{package.__name__} does not document {name}"
    namespace: dict[str, object] = {}
    exec(f"from {package.__name__} import *", namespace)
    assert set(package.__all__) <= set(namespace)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.__name__)
def test_an_unknown_name_is_an_attribute_error(package: ModuleType):
    with pytest.raises(AttributeError, match="no_such_name"):
        package.no_such_name  # noqa: B018


def test_the_names_user_code_needs():
    assert pipeproof.theory.catalogue.catalogue is pipeproof.theory.theorems
    assert all(isinstance(theorem, Theorem) for theorem in pipeproof.theory.theorems())
    assert pipeproof.checks.ParameterError is pipeproof.theory.ParameterError
    spec = pipeproof.theory.schedule_spec("gpipe", num_stages=2, num_microbatches=3)
    assert pipeproof.checks.op_table(spec).num_stages == 2


def test_importing_the_packages_loads_neither_sympy_nor_z3():
    code = ("import sys, pipeproof, pipeproof.theory, pipeproof.checks; "
            "print(sorted({'sympy', 'z3'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_check_one_theorem_by_id_or_object():
    report = check("thr-gpipe", profile="quick")
    assert report.theorem.id == "THR-GPIPE"
    assert report.as_expected
    assert report.status.value == "proved"
    assert check(by_id("THR-GPIPE"), profile="quick").status == report.status


@pytest.mark.parametrize(("theorem", "profile", "message"), [
    ("THR-NOPE", "quick", "theorem id"),
    (42, "quick", "theorem must be"),
    ("THR-GPIPE", "fast", "profile must be one of"),
])
def test_check_rejects_bad_input_with_a_parameter_error(theorem, profile, message):
    with pytest.raises(ParameterError, match=message):
        check(theorem, profile=profile)


def test_the_readme_python_example_runs():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    [example] = text.split("```python\n")[1:]
    namespace: dict[str, object] = {}
    exec(example.split("```", 1)[0], namespace)
    assert namespace["report"].as_expected
    assert namespace["table"].makespan > 0
    assert namespace["record"].summary["final_gap"] >= 0
