"""Section 1 (THR-*) meets the proof standard: covered statements, resolving premises, no
tautologies, every obligation proved; and breaking a statement, a closed form or a hypothesis
makes coverage fail or a prover refute."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sympy as sp

from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.provers.symbolic import prove_symbolic
from pipeproof.checks.soundness.coverage import check_coverage
from pipeproof.checks.soundness.provenance import check_provenance
from pipeproof.checks.soundness.tautology import is_tautology
from pipeproof.checks.verdict import Status
from pipeproof.theory import memory, schedules, throughput
from pipeproof.theory.catalogue import by_id, op_tables, throughput_costs, throughput_rounds
from pipeproof.theory.catalogue.op_tables import B, F
from pipeproof.theory.symbols import H, M, R, S, m, s, t, t_B, t_F
from pipeproof.theory.theorem import Obligation, Theorem

IDS = ("THR-GPIPE", "THR-FLUSH", "THR-PD", "THR-PD-CLOSED", "THR-LSGD", "THR-COST")


@pytest.mark.parametrize("theorem_id", IDS)
def test_statement_is_covered(theorem_id: str) -> None:
    verdict = check_coverage(by_id(theorem_id))
    assert verdict.status is Status.PROVED, verdict.reason


@pytest.mark.parametrize("theorem_id", IDS)
def test_premises_resolve(theorem_id: str) -> None:
    verdict = check_provenance(by_id(theorem_id))
    assert verdict.status is Status.PROVED, verdict.reason


@pytest.mark.parametrize("theorem_id", IDS)
def test_no_obligation_is_a_tautology(theorem_id: str) -> None:
    theorem = by_id(theorem_id)
    assert theorem.obligations
    assert not [ob.name for ob in theorem.obligations if is_tautology(ob.goal)]


@pytest.mark.parametrize("theorem_id", IDS)
def test_every_obligation_is_proved(theorem_id: str) -> None:
    for obligation in by_id(theorem_id).obligations:
        for method in obligation.methods:
            prove = prove_smt if method == "smt" else prove_symbolic
            verdict = prove(obligation)
            assert verdict.status is Status.PROVED, (obligation.name, method, verdict.reason)


def test_the_statements_speak_of_no_opaque_symbol() -> None:
    for theorem_id in IDS:
        theorem = by_id(theorem_id)
        mentioned = set().union(*(ob.goal.free_symbols | set().union(
            *(sp.sympify(a).free_symbols for a in ob.assumptions)) for ob in theorem.obligations))
        defined = set().union(*(d.free_symbols for d in theorem.definitions))
        assert theorem.statement.free_symbols <= mentioned | defined, theorem_id


# --- attacks: each break must leave coverage unproved or make a prover refute ---------------

def _swap(theorem: Theorem, old: sp.Basic, new: sp.Basic) -> Theorem:
    """``theorem`` with the conjuncts of ``old`` in its statement replaced by ``new``."""
    conjuncts = list(sp.And.make_args(theorem.statement))
    removed = sp.And.make_args(old)
    assert all(part in conjuncts for part in removed), "the attack must hit the statement"
    kept = [part for part in conjuncts if part not in removed]
    return replace(theorem, statement=sp.And(*kept, new))


def _drop(theorem: Theorem, hypothesis: sp.Basic) -> Theorem:
    assert hypothesis in theorem.assumptions
    return replace(theorem, assumptions=tuple(a for a in theorem.assumptions if a != hypothesis))


def _not_covered(theorem: Theorem) -> None:
    verdict = check_coverage(theorem)
    assert verdict.status is not Status.PROVED
    assert "not covered" in verdict.reason


def _refuted(obligations: tuple[Obligation, ...]) -> None:
    assert any(prove_smt(ob).status is Status.REFUTED for ob in obligations)


def test_gpipe_peak_s_minus_s_is_not_covered() -> None:
    theorem = by_id("THR-GPIPE")
    _not_covered(_swap(theorem, op_tables.peak_in_flight(memory.gpipe_peak_in_flight(), t_B),
                       op_tables.peak_in_flight(S - s, t_B)))


def test_gpipe_makespan_one_stage_more_is_not_covered() -> None:
    theorem = by_id("THR-GPIPE")
    _not_covered(_swap(theorem, op_tables.makespan(throughput.fill_drain_makespan(), t_F, t_B),
                       op_tables.makespan((t_F + t_B) * (M + S), t_F, t_B)))


def test_gpipe_dropped_microbatch_range_is_not_covered() -> None:
    _not_covered(_drop(by_id("THR-GPIPE"), m <= M - 1))


def test_gpipe_backward_one_slot_late_is_refuted() -> None:
    theorem = by_id("THR-GPIPE")
    late = op_tables.obligations(
        (op_tables.Part("makespan", op_tables.makespan(throughput.fill_drain_makespan(),
                                                       t_F, t_B)),),
        schedules.gpipe_forward, lambda st, mi: schedules.gpipe_backward(st, mi) + 1,
        theorem.assumptions)
    _refuted(late)


def test_flush_peak_one_more_is_not_covered_and_refuted() -> None:
    theorem = by_id("THR-FLUSH")
    right = op_tables.peak_in_flight(memory.flush_peak_in_flight())
    wrong = op_tables.peak_in_flight(S - s + 1)
    _not_covered(_swap(theorem, right, wrong))
    _refuted(op_tables.obligations((op_tables.Part("peak", wrong),), schedules.flush_forward,
                                   schedules.flush_backward, theorem.assumptions))


def test_flush_peak_without_min_is_not_covered() -> None:
    theorem = by_id("THR-FLUSH")
    _not_covered(_swap(theorem, op_tables.peak_in_flight(memory.flush_peak_in_flight()),
                       op_tables.peak_in_flight(S - s)))


def test_flush_with_pipedream_admission_is_refuted() -> None:
    theorem = by_id("THR-FLUSH")
    _refuted(op_tables.obligations(
        (op_tables.Part("step", op_tables.policy(schedules.pipedream_admits)),),
        schedules.flush_forward, schedules.flush_backward, theorem.assumptions))


def test_flush_dropped_stage_range_is_not_covered() -> None:
    _not_covered(_drop(by_id("THR-FLUSH"), s <= S - 1))


def test_pipedream_makespan_off_by_one_is_not_covered() -> None:
    theorem = by_id("THR-PD")
    _not_covered(_swap(theorem, op_tables.makespan(2 * (M + S - 1)),
                       op_tables.makespan(2 * (M + S))))


def test_pipedream_wrong_steady_witness_is_not_covered() -> None:
    theorem = by_id("THR-PD")
    window = sp.And(t >= 2 * S - 1, t <= 2 * M + S - 3)

    def update(witness: sp.Expr) -> sp.Basic:
        return sp.Implies(window, sp.And(witness >= 0, witness <= M - 1,
                                         sp.Or(sp.Eq(B(s, witness), t),
                                               sp.Eq(B(s, witness), t + 1))))

    right = sp.floor((t + 1 - (2 * S - 1 - s)) / 2)
    _not_covered(_swap(theorem, update(right), update(right + 1)))


def test_pipedream_closed_steady_forward_off_by_one_is_not_covered() -> None:
    theorem = by_id("THR-PD-CLOSED")
    _not_covered(_swap(theorem, sp.Implies(m >= S, sp.Eq(F(s, m), 2 * m + s)),
                       sp.Implies(m >= S, sp.Eq(F(s, m), 2 * m + s + 1))))


def test_pipedream_closed_form_without_warmup_is_refuted() -> None:
    theorem = by_id("THR-PD-CLOSED")
    _refuted(op_tables.obligations(
        (op_tables.Part("step", op_tables.policy(schedules.pipedream_admits)),),
        schedules.pipedream_steady_forward, schedules.pipedream_backward, theorem.assumptions))


def _round(round_time: sp.Expr, forward=schedules.localsgd_forward,
           backward=schedules.localsgd_backward) -> tuple[sp.Basic, tuple[Obligation, ...]]:
    parts = throughput_rounds._round_parts(round_time)
    statement, _, obligations = op_tables.formal(
        parts, forward, backward, by_id("THR-LSGD").assumptions, "stage", "step", "copy")
    return statement, obligations


def test_localsgd_round_with_r_for_min_is_not_covered_and_refuted() -> None:
    theorem = by_id("THR-LSGD")
    wrong = 2 * (sp.Max(R, S) * H + R - 1)
    statement, obligations = _round(wrong)
    _not_covered(replace(theorem, statement=statement))
    _refuted(obligations)


def test_localsgd_round_with_s_for_max_is_not_covered() -> None:
    theorem = by_id("THR-LSGD")
    statement, _ = _round(2 * (S * H + sp.Min(R, S) - 1))
    _not_covered(replace(theorem, statement=statement))


def test_localsgd_copy_reentering_one_slot_early_is_refuted() -> None:
    def early(stage, step, copy):
        return schedules.localsgd_forward(stage, step, copy) - sp.Piecewise(
            (1, sp.And(step >= 1, sp.Eq(stage, 0))), (0, True))

    _, obligations = _round(schedules.localsgd_round(), forward=early)
    _refuted(obligations)


def test_localsgd_dropped_copy_range_is_not_covered() -> None:
    _not_covered(_drop(by_id("THR-LSGD"), throughput_rounds.r <= R - 1))


def test_cost_lower_bound_one_stage_more_is_not_covered_and_refuted() -> None:
    theorem = by_id("THR-COST")
    right = throughput_costs._combine(throughput.fill_drain_makespan())
    wrong = throughput_costs._combine((t_F + t_B) * (M + S))
    _not_covered(_swap(theorem, right, wrong))
    _refuted((Obligation("wrong", wrong, theorem.assumptions, ("smt",)),))


def test_cost_work_step_needs_the_no_overlap_hypothesis() -> None:
    theorem = by_id("THR-COST")
    step = next(ob for ob in theorem.obligations if "work step" in ob.name)
    premise, conclusion = step.goal.args
    overlap = next(part for part in sp.And.make_args(premise)
                   if isinstance(part, sp.Implies) and isinstance(part.args[1], sp.Or))
    weakened = sp.Implies(sp.And(*(p for p in sp.And.make_args(premise) if p != overlap)),
                          conclusion)
    assert prove_smt(step).status is Status.PROVED
    _refuted((step.with_goal(weakened),))


def test_cost_work_step_one_slot_more_is_refuted() -> None:
    theorem = by_id("THR-COST")
    step = next(ob for ob in theorem.obligations if "work step" in ob.name)
    premise, conclusion = step.goal.args
    stronger = sp.Implies(premise, conclusion.lhs >= conclusion.rhs + 1)
    _refuted((step.with_goal(stronger),))


def _fails(theorem: Theorem) -> None:
    """Some obligation of ``theorem`` is refuted (coverage then proves nothing: it assumes the
    obligations' goals, and a refuted goal makes that assumption false)."""
    _refuted(theorem.obligations)


def test_editing_the_flush_peak_formula_is_refuted(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeproof.theory.catalogue import throughput as section

    monkeypatch.setattr(memory, "flush_peak_in_flight", lambda stage=s: S - stage + 1)
    _fails(section.flush())


def test_editing_the_round_time_formula_is_refuted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throughput, "localsgd_round_time",
                        lambda runs=R: (t_F + t_B) * (sp.Max(runs, S) * H + runs - 1))
    _fails(throughput_rounds.localsgd())


def _one_more_copy(forward, backward) -> sp.Basic:
    """The LocalSGD policy step with stage 0 admitting while fewer than R + 1 are in flight."""
    goal, assumptions = schedules.localsgd_policy_step(forward, backward)
    admission = [relation for relation in goal.atoms(sp.StrictLessThan) if relation.rhs == R]
    assert len(admission) == 1
    wider = goal.xreplace({admission[0]: sp.StrictLessThan(admission[0].lhs, R + 1)})
    return sp.Implies(sp.And(*assumptions[6:]), wider)


def test_localsgd_policy_with_one_more_copy_is_not_covered() -> None:
    theorem = by_id("THR-LSGD")
    _not_covered(_swap(theorem, op_tables.localsgd_policy(), _one_more_copy(F, B)))


def test_localsgd_policy_with_one_more_copy_is_refuted() -> None:
    goal = _one_more_copy(schedules.localsgd_forward, schedules.localsgd_backward)
    instance = (sp.Eq(S, 3), sp.Eq(R, 1), sp.Eq(H, 2))  # a small instance: a quick model
    _refuted((Obligation("R + 1 in flight", goal, by_id("THR-LSGD").assumptions + instance,
                         ("smt",)),))
