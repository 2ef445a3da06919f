"""cvc5's configurations side by side: the coverings configuration proves nonlinear real files
that cvc5's defaults leave unknown, a process past its limit is stopped, a process that dies or
an option cvc5 refuses is unknown, and no configuration proves a flipped goal."""

from __future__ import annotations

import re
import time

import pytest

from pipeproof.checks.certificates.smtlib import export_obligation
from pipeproof.checks.certificates.solvers import (
    CVC5_CONFIGURATIONS,
    GRACE_SECONDS,
    Cvc5Configuration,
    cvc5_answer,
    cvc5_available,
)
from pipeproof.checks.profiles import DEFAULT_RLIMIT
from pipeproof.theory.catalogue import by_id

pytestmark = pytest.mark.skipif(not cvc5_available(), reason="needs pipeproof[crosscheck]")

DEFAULT = CVC5_CONFIGURATIONS[0]


@pytest.fixture(scope="module")
def eps_goal() -> str:
    """CMP-EPS's first obligation (gamma_c maximises gamma (eps - B gamma - C gamma^2)): a
    nonlinear real query."""
    export = export_obligation(by_id("CMP-EPS"), 0, DEFAULT_RLIMIT)
    return next(file.text for file in export.files if file.role == "goal")


def test_coverings_prove_what_the_defaults_leave_unknown(eps_goal):
    assert cvc5_answer(eps_goal, 2.0, (DEFAULT,)).result == "unknown"
    answer = cvc5_answer(eps_goal, 2.0)
    assert answer.result == "unsat" and answer.configuration == "coverings"
    assert answer.to_json()["configuration"] == "coverings"


def test_no_configuration_proves_the_flipped_goal(eps_goal):
    flipped, count = re.subn(r"\(not ", "(and true ", eps_goal, count=1)
    assert count == 1
    assert cvc5_answer(flipped, 2.0).result in ("sat", "unknown")


def test_an_option_cvc5_refuses_is_unknown(eps_goal):
    wrong = Cvc5Configuration("wrong", (("no-such-option", "true"),), "an option cvc5 lacks")
    answer = cvc5_answer(eps_goal, 2.0, (wrong,))
    assert answer.result == "unknown" and "refused the options" in answer.reason


def test_a_process_past_its_limit_is_stopped(eps_goal, tmp_path, monkeypatch):
    """A process that never answers (it sleeps) is stopped at limit + grace: unknown."""
    from pipeproof.checks.certificates import solvers

    sleeper = tmp_path / "sleeper.py"
    sleeper.write_text("import time\ntime.sleep(60)\n")
    monkeypatch.setattr(solvers, "PROCESS", sleeper)
    started = time.perf_counter()
    answer = cvc5_answer(eps_goal, 0.2)
    seconds = time.perf_counter() - started
    assert answer.result == "unknown"
    assert all(f"{configuration.name}: stopped after" in answer.reason
               for configuration in CVC5_CONFIGURATIONS)
    assert 0.2 + GRACE_SECONDS - 0.1 < seconds < 0.2 + GRACE_SECONDS + 2.0


def test_a_process_that_dies_is_unknown(eps_goal, tmp_path, monkeypatch):
    from pipeproof.checks.certificates import solvers

    crash = tmp_path / "crash.py"
    crash.write_text("import sys\nsys.exit(3)\n")
    monkeypatch.setattr(solvers, "PROCESS", crash)
    answer = cvc5_answer(eps_goal, 1.0)
    assert answer.result == "unknown" and "exited with 3" in answer.reason
