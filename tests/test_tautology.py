"""Goals that hold whatever their terms mean are rejected as proofs of anything."""

from __future__ import annotations

import sympy as sp

from pipeproof.checks.soundness.tautology import check_tautologies, is_tautology, tautology_reason
from pipeproof.checks.verdict import Status
from pipeproof.theory.catalogue.common import eq, ob
from pipeproof.theory.symbols import H, R, S
from pipeproof.theory.theorem import Theorem

ROUND = 2 * (sp.Max(R, S) * H + sp.Min(R, S) - 1)
"""LocalSGD's round time at unit costs."""

BY_CASES = sp.Piecewise((2 * (R * H + S - 1), R >= S), (2 * (S * H + R - 1), True))
"""The same round time, one formula for R >= S and one for R < S."""


def test_localsgd_round_at_R_equal_S_is_an_identity_after_max_s_s():
    # the old THR-LSGD obligation "R = S: a round is ... 2(SH + S - 1)": SymPy turns
    # Max(S, S) into S while building it, so both sides are the same expression
    goal = eq(ROUND.subs(R, S), 2 * (S * H + S - 1))
    assert is_tautology(goal)
    assert tautology_reason(goal).startswith("tautology: ")
    # the claim for all R and S, against the round counted case by case, is not one
    assert not is_tautology(eq(ROUND, BY_CASES))
    assert not is_tautology(eq(ROUND, 2 * (R * H + S - 1)))


def test_goals_that_depend_on_their_terms_are_kept():
    assert not is_tautology(sp.Eq(S**2 - sp.ceiling(S / 2), sp.floor(S**2 - S / 2)))
    assert not is_tautology(sp.Le(S, S**2, evaluate=False))
    assert is_tautology(sp.Or(S > 1, sp.Not(S > 1)))


def test_check_lists_each_obligation():
    old = ob("R = S: a round is PipeDream on S H microbatches, 2(SH + S - 1)",
             eq(ROUND.subs(R, S), 2 * (S * H + S - 1)), S, H)
    real = ob("round for all R, S", eq(ROUND, BY_CASES),
              S, H, R)
    theorem = Theorem("T", "t", real.goal, (), "[D]", obligations=(real, old))
    verdict = check_tautologies(theorem)
    assert verdict.status is Status.UNKNOWN
    assert [step.status for step in verdict.steps] == [Status.PROVED, Status.UNKNOWN]
    assert verdict.reason.startswith("tautology: ")
