"""THR-LSGD's policy step at R >= S through the microbatch index (theory/catalogue/
localsgd_index.py): the three lemmas and the case are proved by Z3 and the case by cvc5 from
its exported file; a wrong index form or a wider admission is refuted; the case without its
lemmas does not resolve; and the coverage check needs the lemmas' instances."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sympy as sp
import z3

from pipeproof.checks.certificates.smtlib import export_obligation
from pipeproof.checks.certificates.solvers import cvc5_answer, cvc5_available
from pipeproof.checks.profiles import DEFAULT_RLIMIT
from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.soundness.coverage import QuantifiableEncoder, check_coverage, instances
from pipeproof.checks.soundness.coverage import parameters as shared_parameters
from pipeproof.checks.soundness.provenance import check_provenance
from pipeproof.checks.verdict import Status
from pipeproof.theory import schedules
from pipeproof.theory.catalogue import by_id, localsgd_index
from pipeproof.theory.symbols import R, S
from pipeproof.theory.theorem import Theorem

LEMMAS = (localsgd_index.INDEX_FORM, localsgd_index.COUNTS, localsgd_index.INDEX_STEP)


def _number(theorem: Theorem, name: str) -> int:
    return next(n for n, ob in enumerate(theorem.obligations) if ob.name == name)


def _wide_case(theorem: Theorem) -> int:
    return next(n for n, ob in enumerate(theorem.obligations)
                if ob.name.endswith(f"(case {R >= S})"))


def test_the_lemmas_come_before_the_case_that_uses_them() -> None:
    theorem = by_id("THR-LSGD")
    case = theorem.obligations[_wide_case(theorem)]
    used = {premise.source for premise in case.premises if premise.kind == "goal"}
    assert used == set(LEMMAS)
    assert max(_number(theorem, name) for name in LEMMAS) < _wide_case(theorem)
    assert len([p for p in case.premises if p.kind == "goal"]) == 11


def test_lemmas_and_case_are_proved_by_z3() -> None:
    theorem = by_id("THR-LSGD")
    for number in (*(_number(theorem, name) for name in LEMMAS), _wide_case(theorem)):
        verdict = prove_smt(theorem.obligations[number])
        assert verdict.status is Status.PROVED, (number, verdict.reason)


@pytest.mark.skipif(not cvc5_available(), reason="needs pipeproof[crosscheck]")
def test_cvc5_proves_the_exported_case() -> None:
    export = export_obligation(by_id("THR-LSGD"), _wide_case(by_id("THR-LSGD")), DEFAULT_RLIMIT)
    goal = next(file.text for file in export.files if file.role == "goal")
    assert cvc5_answer(goal, 30.0).result == "unsat"


def test_an_index_form_reentering_one_slot_late_is_refuted(monkeypatch) -> None:
    right = schedules.localsgd_index_forward

    def late(stage, index):
        return sp.Piecewise((right(stage, index) + 1, index >= R), (right(stage, index), True))

    monkeypatch.setattr(schedules, "localsgd_index_forward", late)
    assert prove_smt(localsgd_index.index_form()).status is Status.REFUTED


def test_an_index_step_admitting_one_more_is_refuted() -> None:
    lemma = localsgd_index.index_step()
    admission = [relation for relation in lemma.goal.atoms(sp.StrictLessThan)
                 if relation.rhs == R]
    assert len(admission) == 1
    wider = lemma.goal.xreplace({admission[0]: sp.StrictLessThan(admission[0].lhs, R + 1)})
    assert prove_smt(lemma.with_goal(wider)).status is Status.REFUTED


def test_the_case_without_its_index_step_does_not_resolve() -> None:
    theorem = by_id("THR-LSGD")
    kept = tuple(ob for ob in theorem.obligations if ob.name != localsgd_index.INDEX_STEP)
    verdict = check_provenance(replace(theorem, obligations=kept))
    assert verdict.status is not Status.PROVED
    assert localsgd_index.INDEX_STEP in verdict.reason


def test_the_index_step_instance_is_what_covers_the_case() -> None:
    theorem = by_id("THR-LSGD")
    encoder = QuantifiableEncoder(z3.Context())
    assert len(instances(encoder, theorem, shared_parameters(theorem))) == 11
    assert check_coverage(theorem).status is Status.PROVED
