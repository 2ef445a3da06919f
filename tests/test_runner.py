"""The runner: statuses per method, variants, and what counts as expected."""

from __future__ import annotations

import sympy as sp

from pipeproof.checks.profiles import PROFILES
from pipeproof.checks.runner import run_checks
from pipeproof.checks.verdict import Status, Verdict, combine, strongest
from pipeproof.theory.catalogue.common import claim, ob
from pipeproof.theory.symbols import M, S
from pipeproof.theory.theorem import Grid, TableCheck, Theorem, Variant


def test_strongest_puts_refutation_first_and_unknown_last():
    assert strongest([Status.CHECKED, Status.PROVED]) is Status.PROVED
    assert strongest([Status.PROVED, Status.REFUTED]) is Status.REFUTED
    assert strongest([Status.UNKNOWN, Status.CONFIRMED]) is Status.CONFIRMED
    assert strongest([Status.UNKNOWN]) is Status.UNKNOWN


def test_combine_never_promotes_unknown():
    proved = Verdict("smt", Status.PROVED, 0.1, "a")
    unknown = Verdict("smt", Status.UNKNOWN, 0.1, "b", reason="canceled")
    folded = combine("smt", [proved, unknown], Status.PROVED, "two")
    assert folded.status is Status.UNKNOWN and folded.reason == "canceled"
    refuted = Verdict("smt", Status.REFUTED, 0.1, "c", counterexample={"S": 3})
    assert combine("smt", [proved, refuted, unknown], Status.PROVED, "").counterexample == {"S": 3}


def _toy(goal: sp.Basic, formula: sp.Expr, variants=()) -> Theorem:
    return Theorem(
        id="TOY", title="toy", statement=goal, hypotheses=(), source="[D]",
        obligations=(ob("goal", goal, S, M),),
        tables=(TableCheck(Grid("pipedream", (1, 6), (10 * S,)),
                           (claim("makespan", formula),)),),
        variants=variants,
    )


def test_true_theorem_with_refuted_variant_is_as_expected():
    makespan = 2 * (M + S - 1)
    variant = Variant("off by one", claims=(claim("makespan", makespan + 1),))
    theorem = _toy(sp.Eq(makespan**2, sp.expand(makespan**2)), makespan, (variant,))
    [report] = run_checks([theorem], PROFILES["quick"], workers=1)
    statuses = {verdict.method: verdict.status for verdict in report.verdicts}
    assert statuses == {"symbolic": Status.PROVED, "smt": Status.PROVED,
                        "exhaustive": Status.CHECKED, "coverage": Status.PROVED,
                        "provenance": Status.PROVED, "tautology": Status.PROVED}
    assert report.status is Status.PROVED and report.outcome.also == (Status.CHECKED,)
    assert report.variants[0].refutation.counterexample["measured"] == 20
    assert report.as_expected


def test_false_claim_or_unrefuted_variant_is_not_as_expected():
    wrong = _toy(sp.Eq(2 * (M + S - 1), 2 * (M + S)), 2 * (M + S))
    [report] = run_checks([wrong], PROFILES["quick"], workers=1)
    assert report.status is Status.REFUTED and not report.as_expected
    true_variant = Variant("not actually wrong", claims=(claim("makespan", 2 * (M + S - 1)),))
    weak = _toy(sp.Eq(M, M), 2 * (M + S - 1), (true_variant,))
    [report] = run_checks([weak], PROFILES["quick"], workers=1)
    assert report.variants[0].refutation is None and not report.as_expected


def test_a_tautological_toy_is_unknown_not_proved():
    makespan = 2 * (M + S - 1)
    # SymPy distributes 2(M + S - 1) as it builds the relation: both sides are one expression
    [report] = run_checks([_toy(sp.Eq(makespan, 2 * M + 2 * S - 2), makespan)], PROFILES["quick"],
                          workers=1)
    assert report.verdict("smt").status is Status.PROVED
    assert report.status is Status.UNKNOWN and not report.as_expected
    assert Status.CHECKED in report.also


def test_quick_profile_every_schedule_and_staleness_theorem_as_expected(quick_reports):
    reports = [r for r in quick_reports if r.theorem.id.startswith(("THR", "STL"))]
    failing = [report.theorem.id for report in reports if not report.as_expected]
    assert not failing
    paper = next(report for report in reports if report.theorem.id == "STL-PD-PAPER")
    odd = next(v.counterexample for v in paper.verdicts if v.method == "smt")
    assert odd["S"] % 2 == 1
