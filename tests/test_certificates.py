"""Certificates: exported SMT-LIB files are the proving queries, cvc5 re-checks them, a flipped
goal or a wrong answer is caught, the SymPy script re-plays the steps without pipeproof."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import sympy as sp

from pipeproof.checks.certificates import folder, replay
from pipeproof.checks.certificates.crosscheck import FileCheck, check_file, solvers_proving
from pipeproof.checks.certificates.smtlib import EXPECTED, export_obligation
from pipeproof.checks.certificates.solvers import (
    Answer,
    cvc5_answer,
    cvc5_available,
    z3_answer,
)
from pipeproof.checks.profiles import DEFAULT_RLIMIT
from pipeproof.checks.verdict import Status
from pipeproof.theory.catalogue import by_id

needs_cvc5 = pytest.mark.skipif(not cvc5_available(), reason="needs pipeproof[crosscheck]")


@pytest.fixture(scope="module")
def split_export():
    """STL-PD-MAX obligation 2: D1(0, 0) = S^2 - ceil(S/2), split by the parity of S."""
    theorem = by_id("STL-PD-MAX")
    number = next(n for n, ob in enumerate(theorem.obligations)
                  if ob.name == "D1(0, 0) = S^2 - ceil(S/2)")
    return theorem, export_obligation(theorem, number, DEFAULT_RLIMIT)


def _goal_files(export):
    return [file for file in export.files if file.role == "goal"]


def flip(text: str) -> str:
    """The query with its negated goal replaced by the goal (``(not X)`` -> ``(and true X)``)."""
    flipped, count = re.subn(r"\(not ", "(and true ", text, count=1)
    assert count == 1
    return flipped


def test_every_case_has_a_goal_file_and_a_hypotheses_file(split_export):
    theorem, export = split_export
    assert export.verdict.status is Status.PROVED
    cases = {file.case for file in export.files}
    assert cases == {"S odd", "S even", ""}
    assert sorted(file.role for file in export.files) == ["goal", "goal", "hypotheses",
                                                          "hypotheses", "split"]
    for file in export.files:
        assert file.path.startswith(f"smt/o{export.number:02d}-")
        assert f"; theorem: {theorem.id}:" in file.text
        assert f"; obligation {export.number}: {export.obligation.name}" in file.text
        assert f"; case: {file.case or 'S odd; S even'}" in file.text
        assert f"; expected answer: {file.expected}" in file.text
        assert file.text.count("(check-sat)") == 1
        assert "set-logic" not in file.text


def test_files_read_back_by_z3_give_the_proofs_answers(split_export):
    _, export = split_export
    for file in export.files:
        answer = z3_answer(file.text, file.rlimit)
        assert answer.result == file.expected == EXPECTED[file.role]
    assert EXPECTED == {"goal": "unsat", "hypotheses": "sat", "split": "unsat"}


def test_the_split_file_catches_a_dropped_case(split_export):
    from pipeproof.checks.certificates.split import split_query
    from pipeproof.checks.provers.parity import parity_cases

    _, export = split_export
    cases = [substitution for _, substitution in parity_cases(export.obligation)]
    assert str(split_query(export.obligation.parity, cases).check()) == "unsat"
    assert str(split_query(export.obligation.parity, cases[:1]).check()) == "sat"
    assert str(split_query(export.obligation.parity, [*cases, cases[0]]).check()) == "sat"


def test_a_flipped_goal_is_satisfiable(split_export):
    _, export = split_export
    for file in _goal_files(export):
        assert z3_answer(flip(file.text), file.rlimit).result == "sat"


def test_an_unproved_obligation_exports_no_file():
    paper = by_id("STL-PD-PAPER")
    export = export_obligation(paper, 0, DEFAULT_RLIMIT)
    assert export.verdict.status is Status.REFUTED
    assert export.files == ()


@needs_cvc5
def test_cvc5_re_proves_the_goal_files_and_finds_the_models(split_export):
    _, export = split_export
    checks = [check_file(file) for file in export.files]
    for check in checks:
        assert check.answer("cvc5").result == check.file.expected, check.to_json()
        assert check.disagreement is None
    assert solvers_proving(export, checks) == ["z3", "cvc5"]


@needs_cvc5
def test_cvc5_never_proves_a_flipped_goal(split_export):
    _, export = split_export
    for file in _goal_files(export):
        assert cvc5_answer(flip(file.text), seconds=2).result in ("sat", "unknown")


@needs_cvc5
def test_cvc5_unknown_is_reported_as_unknown():
    theorem = by_id("STL-PD-MAX")
    export = export_obligation(theorem, 1, DEFAULT_RLIMIT)
    goal = _goal_files(export)[0]
    answer = cvc5_answer(goal.text, seconds=0.001)
    assert answer.result == "unknown" and answer.reason
    check = FileCheck(goal, (z3_answer(goal.text, goal.rlimit), answer))
    assert check.disagreement is None
    assert solvers_proving(export, [check]) == ["z3"]


@needs_cvc5
def test_cvc5_on_a_file_it_cannot_read_is_unknown():
    answer = cvc5_answer("(assert (> x 0))\n(check-sat)\n")
    assert answer.result == "unknown" and "could not read" in answer.reason


def test_solvers_that_disagree_are_a_disagreement(split_export):
    _, export = split_export
    goal = _goal_files(export)[0]
    check = FileCheck(goal, (Answer("z3", "unsat", 0.0), Answer("cvc5", "sat", 0.0)))
    assert "expected unsat" in check.disagreement
    assert solvers_proving(export, [check]) == ["z3"]


def test_z3_answer_on_a_broken_file_is_unknown():
    answer = z3_answer("(assert (> x 0)", DEFAULT_RLIMIT)
    assert answer.result == "unknown" and "does not parse" in answer.reason


def _run(script: str, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / replay.SCRIPT_NAME
    path.write_text(script, "utf-8")
    return subprocess.run([sys.executable, "-I", str(path)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)


def test_sympy_script_replays_the_steps_without_pipeproof(tmp_path):
    theorem = by_id("STL-PD-MAX")
    proved = {n: tuple(label for label in ("S odd", "S even")) for n, ob in
              enumerate(theorem.obligations) if "symbolic" in ob.methods}
    steps = replay.steps(theorem, proved)
    script = replay.script(theorem, steps)
    assert "pipeproof" not in script.split('"""', 2)[2]  # no import of pipeproof
    done = _run(script, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == f"all {len(steps)} steps hold"
    assert len(steps) == 4


def test_sympy_script_fails_on_a_false_step(tmp_path):
    paper = by_id("STL-PD-PAPER")
    done = _run(replay.script(paper, replay.steps(paper, {0: ()})), tmp_path)
    assert done.returncode == 1
    assert "FAILED obligation 0" in done.stdout


def test_sympy_text_keeps_the_assumptions_of_functions():
    f = sp.Function("f", nonnegative=True)
    x = sp.Symbol("x", integer=True)
    rebuilt = eval(replay.text(f(x) + 1), vars(sp))
    assert rebuilt == f(x) + 1 and rebuilt.is_positive


def test_seal_lists_every_file_and_hashes_the_list(tmp_path):
    files = {"a.txt": b"one", "smt/b.smt2": b"two"}
    digest = folder.write_folder(tmp_path, files)
    assert (tmp_path / folder.DIGEST).read_text().strip() == digest
    sums = (tmp_path / folder.SUMS).read_text()
    assert folder.sha256(sums.encode()) == digest
    assert folder.read_folder(tmp_path) == files
    assert folder.seal({"a.txt": b"one", "smt/b.smt2": b"twO"})[1] != digest


def test_only_profiles_with_crosscheck_plan_the_cvc5_tasks():
    from pipeproof.checks.profiles import PROFILES
    from pipeproof.checks.tasks import CrossCheckTask, plan

    theorem = by_id("STL-PD-MATRIX")
    for name in ("quick", "default"):
        assert not any(isinstance(task, CrossCheckTask)
                       for task in plan([theorem], PROFILES[name], None))
    thorough = [task for task in plan([theorem], PROFILES["thorough"], None)
                if isinstance(task, CrossCheckTask)]
    assert len(thorough) == (1 if cvc5_available() else 0)


@needs_cvc5
def test_crosscheck_verdict_re_proves_every_smt_obligation():
    from pipeproof.checks.certificates.crosscheck import crosscheck_verdict

    verdict = crosscheck_verdict(by_id("STL-PD-MATRIX"), DEFAULT_RLIMIT)
    assert verdict.status is Status.PROVED, verdict.reason
    assert len(verdict.steps) == 2
    assert all(step.detail.endswith("proved by z3, cvc5") for step in verdict.steps)


@needs_cvc5
def test_crosscheck_reports_cvc5_unknown_as_unknown():
    from pipeproof.checks.certificates.crosscheck import crosscheck_verdict

    verdict = crosscheck_verdict(by_id("STL-PD-MATRIX"), DEFAULT_RLIMIT, cvc5_seconds=1e-6)
    assert verdict.status is Status.UNKNOWN and "cvc5 unknown on" in verdict.reason


def test_a_solver_disagreement_fails_the_run(quick_reports):
    from pipeproof.checks.verdict import Verdict

    report = next(r for r in quick_reports if r.theorem.id == "STL-PD-MATRIX")
    assert report.as_expected
    disagreement = Verdict("crosscheck", Status.REFUTED, 0.0, "files",
                           counterexample={"smt/o00-all.smt2": {"z3": "unsat", "cvc5": "sat"}})
    report.verdicts.append(disagreement)
    try:
        assert not report.as_expected
    finally:
        report.verdicts.remove(disagreement)


@pytest.mark.slow
@needs_cvc5
def test_every_smt_obligation_of_the_catalogue_is_exported_and_cross_checked():
    from pipeproof.checks.certificates.crosscheck import crosscheck_verdict
    from pipeproof.theory.catalogue import catalogue

    for theorem in catalogue():
        if not any("smt" in ob.methods for ob in theorem.obligations):
            continue
        verdict = crosscheck_verdict(theorem, DEFAULT_RLIMIT)
        assert verdict.status is not Status.REFUTED, (theorem.id, verdict.counterexample)
        if theorem.expected != "refuted":
            assert verdict.steps and all(step.detail.split("proved by ")[1].startswith("z3")
                                         for step in verdict.steps), theorem.id


def test_without_cvc5_only_z3_reads_the_files(split_export, monkeypatch):
    from pipeproof.checks.certificates import crosscheck, solvers

    monkeypatch.setattr(solvers, "cvc5_available", lambda: False)
    monkeypatch.setattr(crosscheck, "cvc5_available", lambda: False)
    _, export = split_export
    goal = _goal_files(export)[0]
    answer = solvers.cvc5_answer(goal.text)
    assert answer.result == "unknown" and "not installed" in answer.reason
    checks = [check_file(file) for file in export.files]
    assert all([a.solver for a in check.answers] == ["z3"] for check in checks)
    assert solvers_proving(export, checks) == ["z3"]
