"""A theorem is proved only when its proof is complete, obligation by obligation.

Proved: every obligation proved by some prover (none refuting, no tautology), the goals cover the
statement, every premise resolves. Anything less is at most checked or confirmed, never proved.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.checks.profiles import PROFILES
from pipeproof.checks.runner import run_checks
from pipeproof.checks.verdict import (
    ObligationVerdict,
    Status,
    Verdict,
    fold_obligation,
    theorem_status,
)
from pipeproof.theory.catalogue.common import claim, eq
from pipeproof.theory.symbols import M, S, domain
from pipeproof.theory.theorem import Grid, Obligation, Premise, TableCheck, Theorem

PROVED = Verdict("coverage", Status.PROVED, 0.0)


def _v(method: str, status: Status, **extra) -> Verdict:
    return Verdict(method, status, 0.01, "x", **extra)


def _ob(status: Status, name: str = "o") -> ObligationVerdict:
    return ObligationVerdict(name, "goal", status, reason=None if status is Status.PROVED
                             else "why")


def test_one_prover_proving_and_none_refuting_proves_an_obligation():
    folded = fold_obligation("o", "g", [_v("symbolic", Status.UNKNOWN, reason="gave up"),
                                        _v("smt", Status.PROVED, cases=("S odd", "S even"))])
    assert folded.status is Status.PROVED and folded.proved_by == ("smt",)
    assert folded.to_json()["cases"] == {"smt": ["S odd", "S even"]}
    assert fold_obligation("o", "g", [_v("smt", Status.UNKNOWN, reason="timeout")]).status \
        is Status.UNKNOWN
    assert fold_obligation("o", "g", []).status is Status.UNKNOWN


def test_refuting_disagreeing_and_tautological_obligations():
    refuted = fold_obligation("o", "g", [_v("smt", Status.REFUTED, counterexample={"S": 2})])
    assert refuted.status is Status.REFUTED and refuted.counterexample == {"S": 2}
    split = fold_obligation("o", "g", [_v("symbolic", Status.PROVED),
                                       _v("smt", Status.REFUTED, counterexample={"S": 2})])
    assert split.status is Status.UNKNOWN and "disagree" in split.reason
    empty = fold_obligation("o", "g", [_v("smt", Status.PROVED)], tautology="tautology: x = x")
    assert empty.status is Status.UNKNOWN and empty.reason.startswith("tautology")


def test_unknown_obligations_are_not_hidden_by_proved_ones():
    # SymPy proves 4 obligations, Z3 answers unknown on the other 9: not proved
    obligations = [_ob(Status.PROVED, f"p{n}") for n in range(4)]
    obligations += [_ob(Status.UNKNOWN, f"u{n}") for n in range(9)]
    outcome = theorem_status(obligations, PROVED, PROVED, [_v("empirical", Status.CONFIRMED)])
    assert outcome.status is Status.UNKNOWN and "'u0' unknown" in outcome.reason
    assert outcome.also == (Status.CONFIRMED,)
    assert theorem_status(obligations, PROVED, PROVED, []).status is Status.UNKNOWN


def test_complete_proof_is_proved_with_finite_methods_beside_it():
    finite = [_v("exhaustive", Status.CHECKED), _v("empirical", Status.CONFIRMED)]
    outcome = theorem_status([_ob(Status.PROVED)], PROVED, PROVED, finite)
    assert outcome.status is Status.PROVED
    assert outcome.also == (Status.CHECKED, Status.CONFIRMED) and outcome.reason is None


def test_missing_coverage_or_provenance_caps_at_checked():
    finite = [_v("exhaustive", Status.CHECKED), _v("empirical", Status.CONFIRMED)]
    unknown = Verdict("coverage", Status.UNKNOWN, 0.0, reason="not covered: ...")
    for coverage, provenance in ((unknown, PROVED), (PROVED, unknown), (None, PROVED)):
        outcome = theorem_status([_ob(Status.PROVED)], coverage, provenance, finite)
        assert outcome.status is Status.CHECKED and outcome.also == (Status.CONFIRMED,)
    # a claim with no obligations (a measurement) is what the finite methods reached
    assert theorem_status([], PROVED, PROVED, finite).status is Status.CHECKED


def test_refutations_and_the_reverse_direction():
    finite = [_v("exhaustive", Status.REFUTED)]
    assert theorem_status([_ob(Status.PROVED)], PROVED, PROVED, finite).status is Status.REFUTED
    # an obligation refuted: the theorem is refuted only when the statement implies it
    refuted = [_ob(Status.REFUTED)]
    assert theorem_status(refuted, PROVED, PROVED, [], reverse=True).status is Status.REFUTED
    assert theorem_status(refuted, PROVED, PROVED, []).status is Status.UNKNOWN
    unknown = Verdict("coverage", Status.UNKNOWN, 0.0, reason="not covered")
    assert theorem_status(refuted, unknown, PROVED, [], reverse=True).status is Status.UNKNOWN
    # proved obligations never prove a statement covered the other way round
    assert theorem_status([_ob(Status.PROVED)], PROVED, PROVED, [], reverse=True).status \
        is Status.UNKNOWN


IDENTITY = sp.Eq(S**2 - sp.ceiling(S / 2), sp.floor(S**2 - S / 2))
FLOOR = Obligation("floor identity", IDENTITY, domain(S), parity=(S,))
MAKESPAN = TableCheck(Grid("pipedream", (1, 5), (2 * S,)), (claim("makespan", 2 * (M + S - 1)),))


def _tiny(**changes) -> Theorem:
    fields = dict(id="TINY", title="tiny", statement=IDENTITY, hypotheses=("S >= 1",),
                  source="[D]", obligations=(FLOOR,), assumptions=domain(S), parity=(S,))
    fields.update(changes)
    return Theorem(**fields)


def _report(theorem: Theorem):
    [report] = run_checks([theorem], PROFILES["quick"], workers=1)
    return report


def test_covered_theorem_with_resolved_premises_is_proved():
    report = _report(_tiny())
    assert report.status is Status.PROVED and report.as_expected
    [obligation] = report.obligations
    assert obligation.proved_by == ("symbolic", "smt")
    assert dict(obligation.cases)["smt"] == ("S odd", "S even")
    methods = {v.method: v.status for v in report.verdicts}
    assert methods["coverage"] is methods["provenance"] is methods["tautology"] is Status.PROVED


def test_uncovered_statement_is_at_most_checked():
    wider = sp.And(IDENTITY, sp.Eq(sp.Function("d")(S), S))
    report = _report(_tiny(statement=wider, tables=(MAKESPAN,)))
    assert report.status is Status.CHECKED and not report.as_expected
    assert report.outcome.reason.startswith("coverage: not covered")
    assert _report(_tiny(statement=wider, tables=(MAKESPAN,), expected="checked")).as_expected


def test_premise_without_provenance_is_not_proved():
    typed = Obligation("uses M <= S", sp.Le(M, S**2, evaluate=False), (*domain(S, M), M <= S))
    report = _report(_tiny(obligations=(FLOOR, typed)))
    assert report.status is Status.UNKNOWN
    assert "provenance: uses M <= S: premise typed in by hand" in report.outcome.reason
    resolved = Obligation("uses M <= S", typed.goal, typed.assumptions,
                          premises=(Premise(M <= S, "hypothesis", "M <= S"),))
    report = _report(_tiny(obligations=(FLOOR, resolved), assumptions=(*domain(S, M), M <= S)))
    assert report.status is Status.PROVED


def test_tautological_obligation_is_not_proved():
    same = 2 * (S * M + S - 1)
    report = _report(_tiny(statement=eq(same, same), obligations=(
        Obligation("x = x", eq(same, same), domain(S, M)),), parity=()))
    assert report.status is Status.UNKNOWN
    assert report.obligations[0].reason.startswith("tautology")


def test_paper_statement_refuted_through_a_refuted_obligation():
    wrong = sp.Eq(S**2 - sp.ceiling(S / 2), S**2 - S / 2)
    report = _report(_tiny(statement=wrong, obligations=(Obligation("paper", wrong, domain(S)),),
                           parity=(), expected="refuted"))
    assert report.status is Status.REFUTED and report.as_expected
    assert report.obligations[0].refuted_by == ("symbolic", "smt")


def test_a_prover_verdict_reading_proved_must_agree_with_its_obligations():
    report = _report(_tiny())
    assert report.provers_agree
    # a fold that promoted an unknown step would say "symbolic: proved" over an unproved step
    report.obligations = [ObligationVerdict("floor identity", "goal", Status.PROVED,
                                            proved_by=("smt",))]
    assert report.verdict("symbolic").status is Status.PROVED
    assert not report.provers_agree and not report.as_expected
