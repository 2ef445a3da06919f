"""The staleness theorems (STL-*) meet the proof standard: coverage, provenance, no tautology.

Every statement follows from its obligations' goals (Z3, ``pipeproof.checks.soundness.coverage``),
every premise resolves (``pipeproof.checks.soundness.provenance``) and no goal is an identity. The
attacks below break one statement, witness, hypothesis or obligation at a time, on in-memory copies
of the records, and check that the coverage check stops proving the statement or that a prover
refutes the edited obligation.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import sympy as sp

from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.soundness.coverage import check_coverage
from pipeproof.checks.soundness.provenance import check_provenance
from pipeproof.checks.soundness.tautology import is_tautology
from pipeproof.checks.verdict import Status
from pipeproof.theory import memory, schedules, staleness
from pipeproof.theory.catalogue import by_id
from pipeproof.theory.catalogue.staleness_terms import D0, D1, counted_c0, counted_c1
from pipeproof.theory.symbols import M, S, j, m, m2, s
from pipeproof.theory.theorem import Theorem

IDS = ("STL-PD-MATRIX", "STL-PD-MAX", "STL-PD-PAPER", "STL-PD-ORDER", "STL-PD-WARMUP",
       "STL-PD-STAGE", "STL-PD-MEAN", "STL-PD-LAG", "STL-PD-STASH", "STL-SYNC", "STL-2BW")
F, B = schedules.pipedream_forward, schedules.pipedream_backward
x = sp.Symbol("x", integer=True, nonnegative=True)
TOP = staleness.steady_max_delay()
PAPER = staleness.paper_delay()


@pytest.mark.parametrize("theorem_id", IDS)
def test_statement_is_covered_by_the_obligations(theorem_id: str) -> None:
    verdict = check_coverage(by_id(theorem_id))
    assert verdict.status is Status.PROVED, verdict.reason


@pytest.mark.parametrize("theorem_id", IDS)
def test_every_premise_resolves(theorem_id: str) -> None:
    verdict = check_provenance(by_id(theorem_id))
    assert verdict.status is Status.PROVED, verdict.reason


@pytest.mark.parametrize("theorem_id", IDS)
def test_no_goal_is_a_tautology(theorem_id: str) -> None:
    theorem = by_id(theorem_id)
    assert theorem.obligations
    assert [ob.name for ob in theorem.obligations if is_tautology(ob.goal)] == []


def _uncovered(theorem: Theorem) -> bool:
    return check_coverage(theorem).status is not Status.PROVED


def _with_statement(theorem_id: str, statement: sp.Basic) -> Theorem:
    return replace(by_id(theorem_id), statement=statement)


def _conjunct(theorem_id: str, old: sp.Basic, new: sp.Basic) -> Theorem:
    """The theorem with one conjunct of its statement replaced."""
    theorem = by_id(theorem_id)
    parts = sp.And.make_args(theorem.statement)
    assert old in parts, f"{old} is not a conjunct of {theorem_id}"
    return replace(theorem, statement=sp.And(*(new if p == old else p for p in parts)))


def _without(theorem_id: str, name_start: str) -> Theorem:
    theorem = by_id(theorem_id)
    kept = tuple(ob for ob in theorem.obligations if not ob.name.startswith(name_start))
    assert len(kept) == len(theorem.obligations) - 1
    return replace(theorem, obligations=kept)


def _obligation(theorem_id: str, name_start: str):
    (found,) = [ob for ob in by_id(theorem_id).obligations if ob.name.startswith(name_start)]
    return found


def _refuted(obligation) -> bool:
    return prove_smt(obligation).status is Status.REFUTED


ATTACKS = {
    "MATRIX: D1 off by one": lambda: _uncovered(_with_statement(
        "STL-PD-MATRIX", sp.And(sp.Eq(counted_c1(), D1() + 1), sp.Eq(counted_c0(), D0())))),
    "MATRIX: C0 without the slot-mates": lambda: _uncovered(_with_statement(
        "STL-PD-MATRIX", sp.And(sp.Eq(counted_c1(), D1()), sp.Eq(counted_c0(), D1())))),
    "MATRIX: the counting obligation dropped": lambda: _uncovered(
        _without("STL-PD-MATRIX", "counting the updates")),
    "MAX: attained value off by one": lambda: _uncovered(_conjunct(
        "STL-PD-MAX", sp.Eq(D1(0, 0), TOP), sp.Eq(D1(0, 0), TOP + 1))),
    "MAX: wrong witness j = 1": lambda: _uncovered(_conjunct(
        "STL-PD-MAX", sp.Eq(D1(0, 0), TOP), sp.Eq(D1(0, 1), TOP))),
    "MAX: bound one too low": lambda: _uncovered(_conjunct(
        "STL-PD-MAX", D1() <= TOP, D1() <= TOP - 1)),
    "MAX: ceil for floor in the closed form": lambda: _uncovered(_conjunct(
        "STL-PD-MAX", sp.Eq(TOP, sp.floor(S**2 - S / 2)), sp.Eq(TOP, sp.ceiling(S**2 - S / 2)))),
    "PAPER: obligation not implied by the paper's statement": lambda: _uncovered(replace(
        by_id("STL-PD-PAPER"), obligations=(by_id("STL-PD-PAPER").obligations[0].with_goal(
            sp.Eq(D1(0, 0), S**2 - S)),))),
    "PAPER: statement without the exact value": lambda: _uncovered(_with_statement(
        "STL-PD-PAPER", D1() <= PAPER)),
    "ORDER: constant 1/4": lambda: _uncovered(_conjunct(
        "STL-PD-ORDER", D1(0, 0) >= PAPER - sp.Rational(1, 2),
        D1(0, 0) >= PAPER - sp.Rational(1, 4))),
    "ORDER: upper bound one too low": lambda: _uncovered(_conjunct(
        "STL-PD-ORDER", D1() <= PAPER, D1() <= PAPER - 1)),
    "WARMUP: wrong witness m = S - 2": lambda: _uncovered(_conjunct(
        "STL-PD-WARMUP", sp.Eq(staleness.warmup_delay(S - 1), staleness.run_max_delay()),
        sp.Eq(staleness.warmup_delay(S - 2), staleness.run_max_delay()))),
    "WARMUP: dropped M >= S + floor(S/2) - 1": lambda: _refuted(replace(
        _obligation("STL-PD-WARMUP", "for m < S, stage x"), premises=(),
        assumptions=tuple(a for a in _obligation("STL-PD-WARMUP", "for m < S, stage x")
                          .assumptions if a != (staleness.warmup_min_microbatches() <= M)))),
    "WARMUP: drain count without the odd stages' extra update": lambda: _refuted(_obligation(
        "STL-PD-WARMUP", "steady state and drain").with_goal(_obligation(
            "STL-PD-WARMUP", "steady state and drain").goal.xreplace(
            {S - 1 + sp.Mod(x, 2): S - 1}))),
    "WARMUP: warm-up delay off by one": lambda: _uncovered(_with_statement(
        "STL-PD-WARMUP", by_id("STL-PD-WARMUP").statement.xreplace(
            {staleness.warmup_delay(m): staleness.warmup_delay(m) + 1}))),
    "STAGE: floor for ceil": lambda: _uncovered(_conjunct(
        "STL-PD-STAGE", sp.Eq(D1(0, j), staleness.stage_max_delay("C1")),
        sp.Eq(D1(0, j), TOP - sp.floor(j * (S + 1) / 2)))),
    "STAGE: wrong witness s = 1": lambda: _uncovered(_conjunct(
        "STL-PD-STAGE", sp.Eq(D0(0, j), staleness.stage_max_delay("C0")),
        sp.Eq(D0(1, j), staleness.stage_max_delay("C0")))),
    "MEAN: the fit S^2/2": lambda: _uncovered(_with_statement(
        "STL-PD-MEAN", by_id("STL-PD-MEAN").statement.xreplace(
            {staleness.mean_delay("C1"): S**2 / 2}))),
    "MEAN: C0 mean of the slot-mates off by 1/S": lambda: _uncovered(replace(
        by_id("STL-PD-MEAN"), statement=by_id("STL-PD-MEAN").statement.xreplace(
            {sp.floor(S**2 / 4) / S: (sp.floor(S**2 / 4) + 1) / S}))),
    "LAG: own lag off by one": lambda: _uncovered(_with_statement(
        "STL-PD-LAG", sp.And(by_id("STL-PD-LAG").statement,
                             B(s, m - S + s + 1) < F(s, m)))),
    "LAG: dropped steady state": lambda: _refuted(replace(
        _obligation("STL-PD-LAG", "B(s, m - S + s)"), premises=(),
        assumptions=tuple(a for a in _obligation("STL-PD-LAG", "B(s, m - S + s)").assumptions
                          if a != (m >= S)))),
    "STASH: warm-up peak S - s": lambda: _uncovered(_with_statement(
        "STL-PD-STASH", by_id("STL-PD-STASH").statement.xreplace(
            {memory.pipedream_peak_in_flight(): S - s}))),
    "STASH: peak witness one microbatch late": lambda: _uncovered(_with_statement(
        "STL-PD-STASH", sp.And(by_id("STL-PD-STASH").statement,
                               B(s, 0) >= F(s, memory.pipedream_peak_in_flight()) + 1))),
    "STASH: peak without the cap M": lambda: _refuted(_obligation(
        "STL-PD-STASH", "warm-up peak").with_goal(_obligation(
            "STL-PD-STASH", "warm-up peak").goal.xreplace(
            {memory.pipedream_peak_in_flight(): sp.Min(S, 2 * (S - s) - 1)}))),
    "SYNC: forwards end a slot before the first GPipe backward": lambda: _uncovered(
        _with_statement("STL-SYNC", sp.And(by_id("STL-SYNC").statement,
                                           schedules.gpipe_forward() + sp.Symbol(
                                               "t_F", integer=True, positive=True) + 1
                                           <= schedules.gpipe_backward(S - 1, 0)))),
    "SYNC: LocalSGD admits one microbatch early": lambda: _uncovered(replace(
        by_id("STL-SYNC"), statement=by_id("STL-SYNC").statement.xreplace(
            {sp.Symbol("nb", integer=True, nonnegative=True) >= m + 1:
             sp.Symbol("nb", integer=True, nonnegative=True) >= m + 2}))),
    "2BW: dropped A >= S": lambda: _uncovered(replace(by_id("STL-2BW"), assumptions=tuple(
        a for a in by_id("STL-2BW").assumptions
        if a != (sp.Symbol("A", integer=True, positive=True) >= S)))),
    "2BW: at most A - 1 in flight": lambda: _uncovered(_with_statement(
        "STL-2BW", sp.And(by_id("STL-2BW").statement, sp.Implies(
            m + sp.Symbol("A", integer=True, positive=True) - 1 <= M - 1,
            F(s, m + sp.Symbol("A", integer=True, positive=True) - 1) >= B(s, m) + 1)))),
}


def _unresolved(theorem: Theorem) -> bool:
    return check_provenance(theorem).status is not Status.PROVED


def _edit_imported(theorem_id: str, formula=None, source=None) -> Theorem:
    """The theorem with the first premise taken from another theorem edited."""
    theorem = by_id(theorem_id)
    for index, obligation in enumerate(theorem.obligations):
        imported = [p for p in obligation.premises if p.kind == "theorem"]
        if imported:
            old = imported[0]
            new = replace(old, formula=formula if formula is not None else old.formula,
                          source=source or old.source)
            edited = replace(obligation, premises=tuple(
                new if p is old else p for p in obligation.premises),
                assumptions=tuple(new.formula if a == old.formula else a
                                  for a in obligation.assumptions))
            obligations = list(theorem.obligations)
            obligations[index] = edited
            return replace(theorem, obligations=tuple(obligations))
    raise AssertionError(f"{theorem_id} imports no result")


ATTACKS.update({
    "ORDER: imported maximum typed in off by one": lambda: _unresolved(_edit_imported(
        "STL-PD-ORDER", formula=sp.Eq(D1(0, 0), TOP + 1))),
    "WARMUP: imported maximum from a theorem it does not use": lambda: _unresolved(
        _edit_imported("STL-PD-WARMUP", source="STL-PD-STAGE")),
})

SLOW_ATTACKS = {"MATRIX: the counting obligation dropped"}
"""Attacks whose coverage query runs Z3 to its budget (seconds): run with -m slow."""


@pytest.mark.parametrize("attack", [
    pytest.param(name, marks=pytest.mark.slow) if name in SLOW_ATTACKS else name
    for name in sorted(ATTACKS)])
def test_attack_is_caught(attack: str) -> None:
    assert ATTACKS[attack](), f"not caught: {attack}"


def test_every_theorem_has_two_attacks() -> None:
    for theorem_id in IDS:
        short = theorem_id.removeprefix("STL-PD-").removeprefix("STL-")
        assert sum(name.startswith(short + ":") for name in ATTACKS) >= 2, theorem_id


def test_the_drain_and_the_warmup_peak_are_obligations() -> None:
    warm = [ob.name for ob in by_id("STL-PD-WARMUP").obligations]
    assert any("drain" in name for name in warm)
    stash = by_id("STL-PD-STASH")
    peak = memory.pipedream_peak_in_flight()
    assert any(peak in ob.goal.atoms(sp.Min) for ob in stash.obligations)
    assert m2 in stash.statement.free_symbols
