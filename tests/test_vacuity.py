"""No obligation is proved from hypotheses that have no model."""

from __future__ import annotations

import pytest
import sympy as sp

from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.provers.symbolic import prove_symbolic, vacuity
from pipeproof.checks.verdict import Status
from pipeproof.theory.symbols import S, domain
from pipeproof.theory.theorem import Obligation

CONTRADICTION = (S >= 3, S <= 1)


@pytest.mark.parametrize("prover", [prove_symbolic, prove_smt])
def test_contradictory_assumptions_give_unknown_not_proved(prover):
    # the goal is even true (an identity SymPy proves), but nothing may rest on S >= 3, S <= 1
    obligation = Obligation("from nothing", sp.Eq(S**2 - S, S * (S - 1), evaluate=False),
                            CONTRADICTION)
    verdict = prover(obligation)
    assert verdict.status is Status.UNKNOWN
    assert verdict.reason.startswith("vacuous hypotheses")


def test_false_goal_under_contradiction_is_neither_proved_nor_refuted():
    obligation = Obligation("false from nothing", sp.Eq(S, S + 1, evaluate=False), CONTRADICTION)
    for verdict in (prove_smt(obligation), prove_symbolic(obligation)):
        assert verdict.status is Status.UNKNOWN


@pytest.mark.parametrize("prover", [prove_symbolic, prove_smt])
def test_a_case_with_no_model_makes_the_obligation_unknown(prover):
    # S odd is assumed, so the even case of the split has no model
    obligation = Obligation("odd S", sp.Eq(2 * sp.floor(S / 2), S - 1),
                            (*domain(S), sp.Eq(sp.Mod(S, 2), 1)), parity=(S,))
    verdict = prover(obligation)
    assert verdict.status is Status.UNKNOWN and "vacuous" in verdict.reason
    assert prove_smt(Obligation("odd S", obligation.goal, obligation.assumptions)).status \
        is Status.PROVED


def test_point_search_finds_a_model_where_z3_cannot_encode():
    x = sp.Symbol("x", positive=True)
    satisfiable = Obligation("sqrt", sp.Eq(x, x), (sp.sqrt(x) >= 1,))
    assert vacuity(satisfiable) is None
    empty = Obligation("sqrt", sp.Eq(x, x), (sp.sqrt(x) >= 1, sp.sqrt(x) <= sp.Rational(1, 2)))
    assert vacuity(empty).startswith("vacuous hypotheses")


def test_satisfiable_hypotheses_still_prove():
    obligation = Obligation("square", sp.Ge(S**2, S, evaluate=False), (*domain(S), S <= 10))
    assert prove_smt(obligation).status is Status.PROVED
    assert prove_symbolic(obligation).status is Status.PROVED
