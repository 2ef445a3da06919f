"""Catalogue section 3 against the proof standard: derived premises, no tautology, coverage.

Every premise of a CONV chain resolves to an assumption record, a lemma, an earlier goal, a
catalogue theorem or a formal hypothesis (``pipeproof.checks.soundness.provenance``); no goal is a
tautology; and hostile edits of the kind a reviewer would try (a weakened premise, a dropped
assumption or lemma, delta in place of delta^2) make a step unprovable or the provenance fail. Each
edit is made in memory on a copy of the theorem (``dataclasses.replace``).
"""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.soundness.coverage import check_coverage
from pipeproof.checks.soundness.provenance import check_provenance, problems
from pipeproof.checks.soundness.tautology import is_tautology
from pipeproof.checks.verdict import Status
from pipeproof.theory import convergence as cv
from pipeproof.theory import lemmas
from pipeproof.theory.catalogue import by_id
from pipeproof.theory.catalogue.convergence import tuned as tuned
from pipeproof.theory.convergence import G, K, L, S, delta, dist2, gamma, k, window_g2, window_n
from pipeproof.theory.theorem import Obligation, Premise, Theorem

IDS = ("CONV-RPD", "CONV-TUNED", "CONV-BLOCK", "CONV-PD-LAG", "CONV-VAR", "CONV-NOG")
DERIVED = IDS
"""The theorems whose premises are all derived."""


def _obligation(theorem: Theorem, prefix: str) -> Obligation:
    return next(ob for ob in theorem.obligations if ob.name.startswith(prefix))


def _with(theorem: Theorem, old: Obligation, new: Obligation) -> Theorem:
    return dataclasses.replace(theorem, obligations=tuple(
        new if ob is old else ob for ob in theorem.obligations))


def _without(obligation: Obligation, source: str) -> Obligation:
    """``obligation`` without its premises from ``source`` (a prefix of the source; premise and
    assumption both)."""
    dropped = {p.formula for p in obligation.premises if p.source.startswith(source)}
    assert dropped, source
    return dataclasses.replace(
        obligation, premises=tuple(p for p in obligation.premises
                                   if not p.source.startswith(source)),
        assumptions=tuple(a for a in obligation.assumptions if a not in dropped))


def _typed(obligation: Obligation, source: str, formula: sp.Basic) -> Obligation:
    """``obligation`` with the premise from ``source`` stated as ``formula`` instead."""
    old = next(p for p in obligation.premises if p.source.startswith(source))
    return dataclasses.replace(
        obligation,
        premises=tuple(dataclasses.replace(p, formula=formula) if p is old else p
                       for p in obligation.premises),
        assumptions=tuple(formula if a == old.formula else a for a in obligation.assumptions))


def _proved(obligation: Obligation) -> bool:
    return prove_smt(obligation).status is Status.PROVED


@pytest.mark.parametrize("theorem_id", DERIVED)
def test_every_premise_has_provenance(theorem_id):
    theorem = by_id(theorem_id)
    assert check_provenance(theorem).status is Status.PROVED, problems(theorem)[:3]
    assert sum(len(ob.premises) for ob in theorem.obligations) >= 5


@pytest.mark.parametrize("theorem_id", IDS)
def test_no_goal_is_a_tautology(theorem_id):
    for obligation in by_id(theorem_id).obligations:
        assert not is_tautology(obligation.goal), obligation.name


@pytest.mark.parametrize("theorem_id", DERIVED)
def test_a_weakened_premise_of_each_kind_has_no_provenance(theorem_id):
    """The first premise of each kind, made weaker (or P(fresh)), resolves to nothing."""
    theorem = by_id(theorem_id)
    fresh = sp.Symbol("tampered")
    seen = set()
    for obligation in theorem.obligations:
        for premise in obligation.premises:
            if premise.kind in seen:
                continue
            seen.add(premise.kind)
            weaker = sp.Or(premise.formula, sp.Eq(fresh, 1))
            edited = _with(theorem, obligation, _typed(obligation, premise.source, weaker))
            assert check_provenance(edited).status is not Status.PROVED, premise
    assert {"assumption", "goal"} <= seen or theorem_id == "CONV-TUNED"


def test_the_tuned_statement_is_covered():
    verdict = check_coverage(by_id("CONV-TUNED"))
    assert verdict.status is Status.PROVED, verdict.reason
    assert verdict.seconds < 10


def test_the_variance_chain_is_covered():
    """Covered by its derivation (tests/test_derivation.py attacks it)."""
    verdict = check_coverage(by_id("CONV-VAR"))
    assert verdict.status is Status.PROVED, verdict.reason


# CONV-RPD: the stale distance (issue: window_g2 <= delta G^2 weakened to <= G^2).

def test_rpd_window_weakened_to_one_g2_and_delta_has_no_provenance():
    theorem = by_id("CONV-RPD")
    distance = _obligation(theorem, "stale distance 5")
    weakened = _typed(distance, "stale distance 3", window_g2 <= G**2)
    weakened = weakened.with_goal(dist2(k) <= gamma**2 * delta * G**2)
    assert _proved(weakened)  # the weak premise would carry the false bound ...
    problems_found = problems(_with(theorem, distance, weakened))
    assert any("stale distance 3" in text for text in problems_found)  # ... but comes from nowhere


def test_rpd_window_bound_stated_as_one_g2_is_not_provable():
    theorem = by_id("CONV-RPD")
    window = _obligation(theorem, "stale distance 3")
    assert _proved(window)
    assert not _proved(window.with_goal(
        sp.Le(cv.window_sum(window_n), G**2, evaluate=False)))
    assert not _proved(_obligation(theorem, "stale distance 2").with_goal(sp.And(
        sp.Le(cv.window_sum(0), 0), sp.Implies(
            sp.Le(cv.window_sum(sp.Symbol("n", integer=True, nonnegative=True)), G**2),
            sp.Le(cv.window_sum(sp.Symbol("n", integer=True, nonnegative=True) + 1), G**2)))))


def test_rpd_delta_for_delta_squared_in_the_stale_distance_is_not_provable():
    distance = _obligation(by_id("CONV-RPD"), "stale distance 5")
    assert not _proved(distance.with_goal(dist2(k) <= gamma**2 * delta * G**2))


def test_rpd_without_a4_is_not_provable():
    theorem = by_id("CONV-RPD")
    assert not _proved(_without(_obligation(theorem, "stale distance 2"), "A4"))
    assert not _proved(_without(_obligation(theorem, "step 2"), "A4"))


def test_rpd_delta_for_delta_squared_in_the_statement_is_not_provable():
    theorem = by_id("CONV-RPD")
    final = theorem.obligations[-1]
    assert final.goal == theorem.statement
    assert not _proved(final.with_goal(theorem.statement.lhs <= cv.rpd_bound(window=delta)))


def test_rpd_without_its_lemmas_is_not_provable():
    theorem = by_id("CONV-RPD")
    assert not _proved(_without(_obligation(theorem, "stale distance 4"), "cauchy-schwarz"))
    assert not _proved(_without(_obligation(theorem, "stale distance 3"), "induction"))
    assert not _proved(_without(_obligation(theorem, "step 1"), "descent"))


def test_rpd_lemma_at_a_wrong_instance_has_no_provenance():
    theorem = by_id("CONV-RPD")
    spread = _obligation(theorem, "stale distance 4")
    edited = _typed(spread, "cauchy-schwarz", dist2(k) <= cv.window2)
    assert any("cauchy-schwarz" in text for text in problems(_with(theorem, spread, edited)))


def test_an_induction_with_a_fixed_witness_is_rejected():
    """The least-number principle holds for a fresh witness W only: W = 0 would let a step that
    is true at 0 alone conclude P(K). The provenance check compares formulas; the library's
    consistency check rejects such an instance."""
    theorem = by_id("CONV-RPD")
    use = next(p for p in _obligation(theorem, "stale distance 3").premises
               if p.source == "induction")
    assert lemmas.consistent(use)
    values = dict(use.instance)
    pinned = {key: value.xreplace({lemmas.witness: 0}) for key, value in values.items()}
    fixed = Premise(lemmas.INDUCTION.xreplace({**pinned, lemmas.witness: 0}), "lemma",
                    "induction", (*pinned.items(), (lemmas.witness, sp.Integer(0))))
    assert not lemmas.consistent(fixed)


# CONV-TUNED

def test_tuned_without_the_delay_hypothesis_is_not_provable():
    theorem = by_id("CONV-TUNED")
    for prefix in ("steady PipeDream delay", "and 3 S^2/4"):
        obligation = _obligation(theorem, prefix)
        assert _proved(obligation)
        premise = next(p for p in obligation.premises if p.kind == "hypothesis")
        assert not _proved(_without(obligation, premise.source)), prefix


def test_tuned_with_a_wrong_delay_has_no_provenance():
    theorem = by_id("CONV-TUNED")
    obligation = _obligation(theorem, "steady PipeDream delay")
    wrong = sp.Eq(sp.Symbol("delta_ss", nonnegative=True), S**2 - sp.floor(S / 2))
    source = next(p.source for p in obligation.premises if p.kind == "hypothesis")
    edited = _typed(obligation, source, wrong)
    assert any("not a hypothesis" in text
               for text in problems(_with(theorem, obligation, edited)))


def test_tuned_lower_order_with_a_larger_constant_is_not_provable():
    order = _obligation(by_id("CONV-TUNED"), "so the stale term is Theta")
    stronger = order.goal.xreplace({sp.Rational(9, 8): sp.Rational(17, 8)})
    assert not _proved(order.with_goal(stronger))


@pytest.mark.slow
def test_tuned_statement_with_delta_in_the_rate_is_not_covered():
    theorem = by_id("CONV-TUNED")
    rate = next(p for p in sp.And.make_args(theorem.statement) if isinstance(p, sp.Eq))
    wrong = sp.Eq(rate.lhs, rate.rhs.xreplace({delta**2: delta}), evaluate=False)
    edited = dataclasses.replace(theorem, statement=theorem.statement.xreplace({rate: wrong}))
    assert check_coverage(edited).status is not Status.PROVED


# CONV-BLOCK

def test_block_without_the_block_counting_lemma_is_not_provable():
    staleness = _obligation(by_id("CONV-BLOCK"), "staleness, block counting")
    assert _proved(staleness)
    assert not _proved(_without(staleness, "block counting"))
    assert not _proved(_without(_obligation(by_id("CONV-BLOCK"), "the induction at n = K"), "A2"))


def test_block_with_the_diagonal_dropped_has_no_provenance():
    theorem = by_id("CONV-BLOCK")
    staleness = _obligation(theorem, "staleness, block counting")
    counting = next(p for p in staleness.premises if p.source == "block counting")
    dropped = counting.formula.xreplace({delta + delta * (delta - 1) * lemmas.COINCIDE.lhs:
                                         delta * (delta - 1) * lemmas.COINCIDE.lhs})
    assert dropped != counting.formula
    edited = _typed(staleness, "block counting", dropped)
    assert any("block counting" in text for text in problems(_with(theorem, staleness, edited)))


# CONV-PD-LAG

def test_pd_lag_without_the_lag_hypothesis_or_a4_is_not_provable():
    theorem = by_id("CONV-PD-LAG")
    block = _obligation(theorem, "block j: its read misses")
    assert _proved(block)
    lags = next(p.source for p in block.premises if p.kind == "hypothesis")
    assert not _proved(_without(block, lags))
    assert not _proved(_without(_obligation(theorem, "block j, A4 over"), "A4"))


def test_pd_lag_with_the_halving_dropped_has_no_provenance():
    theorem = by_id("CONV-PD-LAG")
    block = _obligation(theorem, "block j: its read misses")
    cited_lags = next(p for p in block.premises if p.kind == "hypothesis")
    j = sp.Symbol("j", integer=True, nonnegative=True)
    wrong = cited_lags.formula.xreplace({sp.floor(j / 2): j})
    assert wrong != cited_lags.formula
    edited = _typed(block, cited_lags.source, wrong)
    assert any("not a hypothesis" in text for text in problems(_with(theorem, block, edited)))
    assert not _proved(block.with_goal(block.goal.xreplace({sp.floor(j / 2): j})))


# CONV-VAR

def test_var_without_the_step_size_condition_is_not_provable():
    theorem = by_id("CONV-VAR")
    condition = _obligation(theorem, "step-size condition")
    source = next(p.source for p in condition.premises if p.kind == "hypothesis")
    assert not _proved(_without(condition, source))
    edited = _typed(condition, source, L * gamma <= 2)
    assert not _proved(edited)
    assert problems(_with(theorem, condition, edited))


def test_var_without_a3_variance_is_not_provable():
    second = _obligation(by_id("CONV-VAR"), "step 2")
    assert _proved(second)
    assert not _proved(_without(second, "A3'"))
    assert not _proved(_without(second, "variance"))


def test_every_statement_speaks_of_the_running_average_of_the_chain():
    for theorem_id in IDS:
        theorem = by_id(theorem_id)
        if theorem_id == "CONV-TUNED":
            continue
        assert theorem.obligations[-1].goal == theorem.statement or any(
            ob.goal == theorem.statement for ob in theorem.obligations), theorem_id
        assert sp.Sum(cv.grad2(sp.Symbol("i", integer=True, nonnegative=True)),
                      (sp.Symbol("i", integer=True, nonnegative=True), 0, K - 1)) in \
            theorem.statement.atoms(sp.Sum), theorem_id
