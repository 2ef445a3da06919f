"""Section 4 (CMP-TIME, CMP-LSGD-BOUND, CMP-EPS) meets the proof standard, and breaking a
statement, a formula, a bound or an instance makes a prover, the coverage check, the tables or
the runs object."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import sympy as sp

from pipeproof.checks.empirical import lsgd_bound, lsgd_instances
from pipeproof.checks.exhaustive import GridRun, compile_claim
from pipeproof.checks.profiles import PROFILES
from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.soundness.coverage import check_coverage
from pipeproof.checks.soundness.provenance import check_provenance
from pipeproof.checks.soundness.tautology import is_tautology
from pipeproof.checks.verdict import Status
from pipeproof.theory import comparison as cmp
from pipeproof.theory.catalogue import by_id, comparison_eps
from pipeproof.theory.catalogue.common import claim
from pipeproof.theory.parameters import ParameterError
from pipeproof.theory.symbols import H, R, S
from pipeproof.theory.theorem import Grid

PROVED = ("CMP-TIME", "CMP-EPS")
IDS = ("CMP-TIME", "CMP-LSGD-BOUND", "CMP-EPS")


def test_section_four_is_in_the_catalogue():
    expected = {"CMP-TIME": "proved", "CMP-LSGD-BOUND": "confirmed", "CMP-EPS": "proved"}
    assert {i: by_id(i).expected for i in IDS} == expected
    assert all(len(by_id(i).variants) >= 3 for i in IDS)


@pytest.mark.parametrize("theorem_id", PROVED)
def test_statement_is_covered(theorem_id):
    verdict = check_coverage(by_id(theorem_id))
    assert verdict.status is Status.PROVED, verdict.reason


def test_the_literature_bound_is_not_covered():
    verdict = check_coverage(by_id("CMP-LSGD-BOUND"))
    assert verdict.status is Status.UNKNOWN


@pytest.mark.parametrize("theorem_id", IDS)
def test_premises_resolve_and_no_tautology(theorem_id):
    theorem = by_id(theorem_id)
    assert check_provenance(theorem).status is Status.PROVED
    assert not [ob.name for ob in theorem.obligations if is_tautology(ob.goal)]


@pytest.mark.parametrize("theorem_id", IDS)
def test_every_obligation_is_proved_by_z3(theorem_id):
    for obligation in by_id(theorem_id).obligations:
        verdict = prove_smt(obligation)
        assert verdict.status is Status.PROVED, (obligation.name, verdict.reason)


@pytest.mark.parametrize("theorem_id", IDS)
def test_every_obligation_variant_is_refuted_by_z3(theorem_id):
    for variant in by_id(theorem_id).variants:
        for obligation in variant.obligations:
            assert prove_smt(obligation).status is Status.REFUTED, variant.description


def _mutated(theorem_id, index, goal):
    """The theorem with obligation ``index``'s goal and the statement's copy of it replaced."""
    theorem = by_id(theorem_id)
    old = theorem.obligations[index]
    obligations = list(theorem.obligations)
    obligations[index] = old.with_goal(goal)
    statement = theorem.statement.xreplace({old.goal: goal})
    return replace(theorem, obligations=tuple(obligations), statement=statement)


def test_attack_beta_without_h_is_refuted():
    wrong_beta = 1 + (S - 1) / S
    goal = sp.Eq(cmp.lsgd_slots_per_update(S), wrong_beta * cmp.pd_slots_per_update(),
                 evaluate=False)
    theorem = _mutated("CMP-TIME", 1, goal)
    assert prove_smt(theorem.obligations[1]).status is Status.REFUTED


def test_attack_a_wrong_statement_is_not_covered():
    theorem = by_id("CMP-TIME")
    part = theorem.obligations[1].goal
    wrong = sp.Eq(part.lhs, (1 + (S - 1) / S) * cmp.pd_slots_per_update(), evaluate=False)
    statement = theorem.statement.xreplace({part: wrong})
    assert statement != theorem.statement
    assert check_coverage(replace(theorem, statement=statement)).status is Status.UNKNOWN


@pytest.mark.slow
def test_attack_noise_ratio_beta_squared_loses_proved():
    """Z3 finds no model of the nonlinear goals within the coverage budget (reason timeout or
    not covered): either way the statement is not proved."""
    theorem = by_id("CMP-EPS")
    part = theorem.obligations[7].goal
    ratio = next(a for a in part.args if R not in a.free_symbols)
    statement = theorem.statement.xreplace({ratio: sp.Eq(ratio.lhs, ratio.rhs**2,
                                                         evaluate=False)})
    assert statement != theorem.statement
    verdict = check_coverage(replace(theorem, statement=statement))
    assert verdict.status is Status.UNKNOWN


def test_attack_drift_condition_without_its_factor_is_refuted():
    theorem = by_id("CMP-EPS")
    wins = theorem.obligations[12]
    [condition] = [a for a in wins.goal.args[1].args if sp.Symbol("u", nonnegative=True)
                   in a.free_symbols]
    wrong = wins.goal.xreplace({condition: sp.Lt(condition.lhs, condition.rhs.subs(
        {S: 1, H: 1}), evaluate=False)})
    assert wrong != wins.goal
    assert prove_smt(wins.with_goal(wrong)).status is Status.REFUTED


def test_attack_off_by_one_round_is_refuted_on_tables():
    grid = Grid("localsgd", (1, 6), (2 * R * H,), runs=(S - 1, S, S + 1),
                local_steps=(sp.Integer(1), sp.Integer(3)))
    right = compile_claim(claim("slots_per_update", cmp.lsgd_slots_per_update()
                                .subs({cmp.t_F: 1, cmp.t_B: 1})))
    wrong = compile_claim(claim("slots_per_update", 2 * (sp.Max(R, S) * H + sp.Min(R, S))
                                / (R * H * S)))
    run = GridRun(grid, [right, wrong])
    run.run()
    assert right.counterexample is None and right.points > 0
    assert wrong.counterexample is not None


def test_noise_regime_ratio_tends_to_beta():
    pd = cmp.pd_guarantee(8, 1.0, 1.0, 1.0, 1.0, 100.0)
    lsgd = cmp.lsgd_guarantee(8, 8, 5, 1.0, 1.0, 1.0)
    beta = 1 + 7 / 40
    assert lsgd.time(1e-9) / pd.time(1e-9) == pytest.approx(beta, rel=1e-6)
    assert cmp.noise_ratio(8, 8, 5) == pytest.approx(beta)


@pytest.mark.parametrize(("sigma", "D"), [(1.0, 4.0), (1.0, 400.0), (0.3, 1.0)])
def test_drift_condition_decides_the_two_term_guarantees(sigma, D):
    S_, H_ = 4, 5
    pd = cmp.Guarantee(2 * S_, 0.0, D, math.inf, 2 / S_)
    lsgd = cmp.Guarantee(2.0, 0.0, sigma**2 * (H_ - 1), math.inf, 2 * (S_ * H_ + S_ - 1) / H_)
    pd_sooner = math.sqrt(D) < (S_ + (S_ - 1) / H_) * sigma * math.sqrt(H_ - 1)
    assert (pd.time(0.1) < lsgd.time(0.1)) == pd_sooner
    assert (cmp.drift_ratio(S_, S_, H_, sigma, 1.0, D) > 1) == pd_sooner


def test_deterministic_localsgd_sooner_below_the_crossover():
    eps_c = cmp.deterministic_crossover(8, 8, 5, 1.0, 1.0, 100.0)
    pd = cmp.pd_guarantee(8, 1.0, 1.0, 0.0, 1.0, 100.0)
    lsgd = cmp.lsgd_guarantee(8, 8, 5, 1.0, 1.0, 0.0)
    assert cmp.winner(0.5 * eps_c, pd, lsgd) == "localsgd"
    assert cmp.winner(1e-6 * eps_c, pd, lsgd) == "localsgd"
    assert cmp.crossover_eps(pd, lsgd)


def test_crossovers_in_s_and_h():
    stages = cmp.crossover_stages(1e-3, 5, 1.0, 1.0, 1.0, 1.0,
                                  lambda count: (count * count - (count + 1) // 2) ** 2)
    assert isinstance(stages, int) and stages >= 2
    steps = cmp.crossover_local_steps(0.1, 8, 1.0, 1.0, 1.0, 1.0, 100.0)
    assert steps is None or steps >= 2


@pytest.mark.parametrize("bad", [{"eps": 0.0}, {"eps": -1.0}, {"S": 0}, {"L": float("nan")}])
def test_bad_input_names_the_parameter(bad):
    values = {"eps": 0.1, "S": 4, "L": 1.0, "F0": 1.0, "sigma": 1.0, "G": 1.0, "D": 1.0} | bad
    with pytest.raises(ParameterError, match=next(iter(bad))):
        cmp.pd_time_to_eps(**values)


def test_best_step_is_the_maximiser():
    guarantee = cmp.Guarantee(1.0, 0.7, 0.3, 10.0, 1.0)
    eps = 0.4
    best = guarantee.best_step(eps)
    grid = np.linspace(1e-4, 2.0, 20001)
    phi = grid * (eps - 0.7 * grid - 0.3 * grid**2)
    assert best * (eps - 0.7 * best - 0.3 * best**2) >= phi.max() - 1e-9


def test_wrong_bounds_are_refuted_by_their_instances():
    verdicts = dict(lsgd_instances.judge_all())
    assert all(v.status is Status.REFUTED for v in verdicts.values()), verdicts
    described = {v.description for v in by_id("CMP-LSGD-BOUND").variants}
    assert set(verdicts) <= described


def test_attack_an_instance_outside_the_theorem_cannot_refute():
    wrong = lsgd_instances.WRONG_BOUNDS[1]
    outside = replace(wrong, instance=replace(wrong.instance, step=1.5))
    assert lsgd_instances.judge(outside).status is Status.NOT_APPLICABLE


def test_attack_a_true_form_is_not_refuted():
    wrong = lsgd_instances.WRONG_BOUNDS[2]
    honest = replace(wrong, value=lsgd_instances.true_bound)
    assert lsgd_instances.judge(honest).status is Status.UNKNOWN


def test_exact_recursion_matches_simulated_copies():
    instance = lsgd_instances.Instance(1.0, 0.5, 0.4, 1.0, 3, 2, 12)
    rng = np.random.default_rng(0)
    paths = 40000
    copies = np.full((paths, instance.runs), instance.start)
    total = np.zeros(paths)
    for k in range(instance.steps):
        total += copies.mean(axis=1) ** 2
        noise = instance.sigma * rng.standard_normal(copies.shape)
        copies = copies - instance.step * (instance.lam * copies + noise)
        if (k + 1) % instance.local_steps == 0:
            copies[:] = copies.mean(axis=1, keepdims=True)
    simulated = (total / instance.steps).mean()
    assert simulated == pytest.approx(lsgd_instances.exact_average(instance), rel=0.02)


def test_executor_trace_reads_the_average_after_each_local_step():
    case = lsgd_bound.Case("quadratic", 3, 2, 1.0, 10, 0.0, 1)
    objective, _ = lsgd_bound.objective_for(case, np.random.default_rng(7))
    L, f_star = objective.smoothness().value, objective.optimum().value
    step = cmp.lsgd_max_step(L, 2)
    measured = lsgd_bound.averages(case, objective, step, f_star)
    x = np.asarray(objective.initial_point(), dtype=float)
    norms = []
    for _ in range(case.steps):
        grad = np.asarray(objective.gradient(x), dtype=float)
        norms.append(grad @ grad)
        x = x - step * grad
    expected = np.cumsum(norms) / np.arange(1, case.steps + 1)
    assert np.allclose(measured, expected, rtol=1e-9)


def test_attack_a_smaller_bound_is_exceeded_on_the_runs():
    outcome = lsgd_bound.measure(lsgd_bound.cases(PROFILES["quick"])[0])
    assert outcome.holds
    assert not replace(outcome, bound=outcome.bound / 4).holds


def test_eps_statement_says_upper_bounds():
    theorem = by_id("CMP-EPS")
    assert "UPPER BOUNDS" in theorem.notes and "upper bounds" in theorem.title
    assert "CORRECTION" in theorem.notes
    assert comparison_eps.STATEMENT_PARTS[-1] == len(theorem.obligations) - 1


def test_second_moment_form_noise_limit():
    """CONV-RPD's form: T_LSGD/T_PD -> beta sigma^2/(S G^2) as eps -> 0 (A B products)."""
    pd = cmp.pd_moment_guarantee(4, 1.0, 1.0, 1.0, 14.0)
    lsgd = cmp.lsgd_guarantee(4, 4, 5, 1.0, 1.0, 1.0)
    beta = 1 + 3 / 20
    assert lsgd.time(1e-10) / pd.time(1e-10) == pytest.approx(beta / 4, rel=1e-4)
