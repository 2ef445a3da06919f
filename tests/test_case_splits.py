"""Case splits are complete: every residue class proved, none twice, by every prover.

A claim false only on one residue class must be refuted; a prover that skips a class (a split
that drops one, or a loop that stops after the first case) must not yield ``proved``.
"""

from __future__ import annotations

import pytest
import sympy as sp

from pipeproof.checks.provers import smt, symbolic
from pipeproof.checks.provers.parity import split_cases, split_gap
from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.provers.symbolic import prove_symbolic
from pipeproof.checks.verdict import Status
from pipeproof.theory.symbols import S, domain, j
from pipeproof.theory.theorem import Obligation

PROVERS = (prove_symbolic, prove_smt)

FLOOR = Obligation("floor identity", sp.Eq(S**2 - sp.ceiling(S / 2), sp.floor(S**2 - S / 2)),
                   domain(S), parity=(S,))
"""True for every S >= 1, proved with a parity split."""

HERMITE = Obligation("Hermite at S/4", sp.Eq(sp.floor((S + 2) / 4) + sp.floor(S / 4),
                                             sp.floor(S / 2)), domain(S), parity=((S, 4),))
"""floor(x + 1/2) + floor(x) = floor(2x) at x = S/4, proved with a split modulo 4."""


def _patch_cases(monkeypatch: pytest.MonkeyPatch, keep) -> None:
    """Make both provers see only the cases ``keep`` selects from the true split."""
    def cases(obligation):
        return keep(split_cases(obligation.parity))
    monkeypatch.setattr(smt, "parity_cases", cases)
    monkeypatch.setattr(symbolic, "parity_cases", cases)


@pytest.mark.parametrize("prover", PROVERS)
@pytest.mark.parametrize("obligation", [FLOOR, HERMITE], ids=["mod 2", "mod 4"])
def test_true_claims_proved_listing_every_case(prover, obligation):
    verdict = prover(obligation)
    assert verdict.status is Status.PROVED, verdict.reason
    modulus = 2 if obligation is FLOOR else 4
    assert len(verdict.cases) == modulus and len(set(verdict.cases)) == modulus


@pytest.mark.parametrize("prover", PROVERS)
def test_claim_false_only_for_even_S_is_refuted(prover):
    # 2 floor(S/2) = S - 1 holds exactly for odd S; the odd case comes first in the split
    obligation = Obligation("odd only", sp.Eq(2 * sp.floor(S / 2), S - 1), domain(S),
                            parity=(S,))
    verdict = prover(obligation)
    assert verdict.status is Status.REFUTED
    value = verdict.counterexample["S"]
    assert value % 2 == 0 and not bool(obligation.goal.subs(S, value))


@pytest.mark.parametrize("prover", PROVERS)
def test_claim_false_only_for_S_2_mod_4_is_refuted(prover):
    # floor((S + 2)/4) = floor((S + 1)/4) fails exactly when S = 2 (mod 4)
    goal = sp.Eq(sp.floor((S + 2) / 4), sp.floor((S + 1) / 4))
    obligation = Obligation("not 2 mod 4", goal, domain(S), parity=((S, 4),))
    verdict = prover(obligation)
    assert verdict.status is Status.REFUTED
    value = verdict.counterexample["S"]
    assert value % 4 == 2 and not bool(goal.subs(S, value))


@pytest.mark.parametrize("prover", PROVERS)
@pytest.mark.parametrize("obligation", [FLOOR, HERMITE], ids=["mod 2", "mod 4"])
def test_split_that_drops_a_residue_class_is_not_proved(monkeypatch, prover, obligation):
    _patch_cases(monkeypatch, lambda cases: cases[:-1])
    verdict = prover(obligation)
    assert verdict.status is Status.UNKNOWN
    assert "case split incomplete" in verdict.reason


@pytest.mark.parametrize("prover", PROVERS)
def test_prover_that_proves_only_the_first_case_is_not_proved(monkeypatch, prover):
    _patch_cases(monkeypatch, lambda cases: cases[:1])
    verdict = prover(HERMITE)
    assert verdict.status is Status.UNKNOWN and "incomplete" in verdict.reason
    assert verdict.cases == (split_cases(HERMITE.parity)[0][0],)


@pytest.mark.parametrize("prover", PROVERS)
def test_dropped_class_hides_no_counterexample(monkeypatch, prover):
    # the claim is false only on the class the patched split drops: still not proved
    obligation = Obligation("odd only", sp.Eq(2 * sp.floor(S / 2), S - 1), domain(S),
                            parity=(S,))
    _patch_cases(monkeypatch, lambda cases: [c for c in cases if "odd" in c[0]])
    assert prover(obligation).status is not Status.PROVED


@pytest.mark.parametrize("prover", PROVERS)
def test_split_by_a_wrong_step_is_not_proved(monkeypatch, prover):
    # cases S = 1 + 4a and S = 2 + 4a labelled as a parity split leave S = 3, 4 uncovered
    def cases(obligation):
        half = sp.Symbol("S_half", integer=True, nonnegative=True)
        return [("S odd", {S: 1 + 4 * half}), ("S even", {S: 2 + 4 * half})]
    monkeypatch.setattr(smt, "parity_cases", cases)
    monkeypatch.setattr(symbolic, "parity_cases", cases)
    verdict = prover(FLOOR)
    assert verdict.status is Status.UNKNOWN and "S = 3" in verdict.reason


def test_split_gap_names_the_missing_point_and_overlaps():
    cases = [substitution for _, substitution in split_cases((S, (j, 3)))]
    assert len(cases) == 6
    assert split_gap(cases, (S, j)) is None
    assert "incomplete" in split_gap(cases[1:], (S, j))
    assert "not disjoint" in split_gap([*cases, cases[0]], (S, j))
    part = sp.Symbol("a", integer=True, nonnegative=True)
    assert "not disjoint" in split_gap([{S: 1 + part}, {S: 2 + 2 * part}], (S,))
    assert "not recognised" in split_gap([{S: part**2 + 1}], (S,))
    assert split_gap([], (S,)) is not None
    assert split_gap([{}]) is None and split_gap([]) is not None


def test_split_labels_name_the_residues():
    labels = [label for label, _ in split_cases(((S, 4),))]
    assert labels == [f"S = {r} (mod 4)" for r in (1, 2, 3, 0)]
    assert [label for label, _ in split_cases((S,))] == ["S odd", "S even"]
    with pytest.raises(ValueError, match="modulus"):
        split_cases(((S, 1),))
