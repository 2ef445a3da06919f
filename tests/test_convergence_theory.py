"""Convergence theory (catalogue section 3): every CONV proof method proves, every wrong variant
is refuted with a counterexample that really breaks it, the chains are connected (CONV-NOG's window
sums included, with no finite check), and the bound formulas agree with direct numerical
evaluation."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from sympy.core.function import AppliedUndef

from pipeproof.checks.verdict import Status
from pipeproof.theory import assumptions
from pipeproof.theory import convergence as cv
from pipeproof.theory.catalogue import by_id
from pipeproof.theory.catalogue import convergence as section
from pipeproof.theory.catalogue.convergence import windows as windows
from pipeproof.theory.convergence import F0, G, K, L, S, delta, epsilon, gamma

IDS = ("CONV-RPD", "CONV-TUNED", "CONV-BLOCK", "CONV-PD-LAG", "CONV-VAR", "CONV-NOG")


@pytest.fixture(scope="module")
def reports(quick_reports):
    return {report.theorem.id: report for report in quick_reports if report.theorem.id in IDS}


@pytest.mark.parametrize("theorem_id", IDS)
def test_every_method_proves_every_obligation(reports, theorem_id):
    report = reports[theorem_id]
    assert report.as_expected
    proofs = [verdict for verdict in report.verdicts if verdict.method in ("symbolic", "smt")]
    assert proofs and {verdict.method for verdict in proofs} <= {"symbolic", "smt"}
    for verdict in proofs:
        assert verdict.status is Status.PROVED
        assert verdict.steps and all(step.status is Status.PROVED for step in verdict.steps)


@pytest.mark.parametrize("theorem_id", IDS)
def test_every_variant_is_refuted(reports, theorem_id):
    report = reports[theorem_id]
    assert len(report.variants) >= 3
    for variant in report.variants:
        assert variant.status is Status.REFUTED
        assert variant.refutation is not None and variant.refutation.counterexample


def _value(text):
    return sp.Rational(text) if isinstance(text, str) else sp.Integer(text)


def _binding(obligation, counterexample):
    parts = (obligation.goal, *obligation.assumptions)
    names = {str(atom): atom for part in parts
             for atom in sp.sympify(part).atoms(sp.Symbol, AppliedUndef)}
    return {names[name]: _value(value) for name, value in counterexample.items() if name in names}


@pytest.mark.parametrize("theorem_id", IDS)
def test_counterexamples_satisfy_the_premises_and_break_the_variant(reports, theorem_id):
    theorem, checked, skipped = by_id(theorem_id), 0, 0
    for variant, report in zip(theorem.variants, reports[theorem_id].variants, strict=True):
        model = report.refutation.counterexample
        if any(isinstance(v, str) and v.endswith("?") for v in model.values()):
            skipped += len(variant.obligations)  # an algebraic number Z3 prints approximately
            continue
        for obligation in variant.obligations:
            binding = _binding(obligation, model)
            assert sp.sympify(obligation.goal).xreplace(binding).doit() is sp.false
            for premise in obligation.assumptions:
                assert sp.sympify(premise).xreplace(binding).doit() is sp.true
            checked += 1
    assert checked == sum(len(variant.obligations) for variant in theorem.variants) - skipped


def test_rpd_chain_is_connected_and_ends_in_the_statement():
    """Walking back from the last step through the premises that name earlier goals reaches every
    step, and every proved lemma a step uses is an obligation of the theorem."""
    theorem = by_id("CONV-RPD")
    obligations = {ob.name: ob for ob in theorem.obligations}
    final = theorem.obligations[-1]
    assert final.goal == theorem.statement
    reached, frontier = {final.name}, [final]
    while frontier:
        for premise in frontier.pop().premises:
            if premise.kind == "goal" and premise.source not in reached:
                reached.add(premise.source)
                frontier.append(obligations[premise.source])
    lemmas = [ob.name for ob in theorem.obligations if ob.name.startswith("lemma")]
    assert reached | set(lemmas) == set(obligations)
    assert theorem.obligations[0].name.startswith("step 1, descent lemma")


@pytest.mark.parametrize("theorem_id", ("CONV-RPD", "CONV-BLOCK", "CONV-PD-LAG", "CONV-VAR",
                                        "CONV-NOG"))
def test_every_chain_leads_back_from_the_statement_to_the_descent_lemma(theorem_id):
    """Follow the premises that name an earlier goal (by obligation name) or a goal of a cited
    theorem, and assumptions that are goals of the same theorem (CONV-NOG's staleness step states
    its premise), from the step that concludes the statement, to step 1."""
    final = next(ob for ob in by_id(theorem_id).obligations
                 if ob.goal == by_id(theorem_id).statement)
    reached, frontier = set(), [(theorem_id, final)]
    while frontier:
        owner, current = frontier.pop()
        for premise in current.premises:
            if premise.kind == "goal":
                source = (owner, next(ob for ob in by_id(owner).obligations
                                      if ob.name == premise.source))
            elif premise.kind == "theorem" and premise.source in IDS:
                source = (premise.source, next(ob for ob in by_id(premise.source).obligations
                                               if ob.goal == premise.formula))
            else:
                continue
            if source[1].goal not in reached:
                reached.add(source[1].goal)
                frontier.append(source)
        for assumption in current.assumptions:
            source = next(((owner, ob) for ob in by_id(owner).obligations
                           if ob.goal == assumption), None)
            if source is not None and source[1].goal not in reached:
                reached.add(source[1].goal)
                frontier.append(source)
    assert section.sampled_descent().goal in reached


def test_the_section_is_split_into_small_modules_in_catalogue_order():
    modules = sorted(Path(section.__file__).parent.glob("*.py"))
    assert len(modules) >= 5
    for module in modules:
        assert len(module.read_text().splitlines()) < 400, module.name
    assert tuple(build().id for build in section.THEOREMS)[:len(IDS)] == IDS


def test_no_obligation_is_a_finite_check_and_every_chain_names_its_rules():
    for theorem_id in IDS:
        theorem = by_id(theorem_id)
        assert any(words in theorem.notes for words in (
            "Used without checking", "none uses a rule", "Lemmas (pipeproof.theory.lemmas)"))
        for obligation in theorem.obligations:
            assert "checked for" not in obligation.name, obligation.name
            goal = sp.sympify(obligation.goal)  # true: an identity SymPy decides when built
            assert goal is sp.true or goal.free_symbols, obligation.name
    notes = by_id("CONV-NOG").notes
    for rule in ("descent", "recurrence", "induction", "expectation", "exchange"):
        assert section.RULES[rule] in notes


def test_nog_concludes_the_window_bound_from_proved_steps(reports):
    """Walk back from sum_k window_stale2(k) <= delta P(K): every premise is a definition of
    STALE, the recurrence or induction lemma, or the goal of an earlier window-sums obligation,
    and the walk reaches every one of them."""
    theorem = by_id("CONV-NOG")
    assert reports["CONV-NOG"].as_expected
    final = next(ob for ob in theorem.obligations if ob.goal == windows.BOUND)
    steps = {ob.name: ob for ob in theorem.obligations if ob.name.startswith("window sums")}
    assert {name.split(",")[0] for name in steps} == {f"window sums {n}" for n in range(1, 7)}
    visited, frontier = set(), [final]
    while frontier:
        current = frontier.pop()
        visited.add(current.name)
        for premise in current.premises:
            if premise.kind == "goal":
                assert premise.source in steps, premise.source
                if premise.source not in visited:
                    frontier.append(steps[premise.source])
            else:
                assert (premise.kind, premise.source) in {
                    ("assumption", "STALE"), ("lemma", "recurrence"), ("lemma", "induction")}
    assert visited == {final.name, *steps}


def _numbers(rng, count):
    return rng.uniform(0.2, 3.0, size=count)


def _evaluate(expr, **values):
    symbols = {"S": S, "K": K, "L": L, "G": G, "F0": F0, "gamma": gamma, "delta": delta,
               "epsilon": epsilon}
    return float(expr.subs({symbols[name]: value for name, value in values.items()}))


def test_tuned_rate_is_the_bound_at_the_tuned_step():
    rng = np.random.default_rng(4)
    for _ in range(20):
        smooth, moment, gap = _numbers(rng, 3)
        stages, length, lag = int(rng.integers(1, 17)), int(rng.integers(1, 10**6)), int(
            rng.integers(0, 300))
        common = {"S": stages, "K": length, "L": smooth, "G": moment, "F0": gap, "delta": lag}
        step_size = _evaluate(cv.tuned_step_size(), **common)
        bound = _evaluate(cv.rpd_bound(), gamma=step_size, **common)
        assert bound == pytest.approx(_evaluate(cv.tuned_rate(), **common), rel=1e-12)
        first = 2 * stages * gap / (step_size * length)
        assert first == pytest.approx(step_size * stages * smooth * moment**2, rel=1e-12)


def test_the_threshold_is_where_the_stale_and_leading_terms_meet():
    for stages in (2, 3, 8, 16, 33):
        lag = stages**2 - math.ceil(stages / 2)
        common = {"S": stages, "L": 1.5, "G": 0.7, "F0": 2.0, "delta": lag}
        threshold = _evaluate(cv.dominance_threshold(), **common)

        def terms(length, lag=lag, common=common):
            stale = 2 * 1.5 * 2.0 * lag**2 / length
            return stale, _evaluate(cv.leading_term(), K=length, **common)

        stale, leading = terms(threshold)
        assert stale == pytest.approx(leading, rel=1e-9)
        assert terms(threshold / 4)[0] > terms(threshold / 4)[1]
        assert terms(threshold * 4)[0] < terms(threshold * 4)[1]
        constant = 1.5 * 2.0 / 0.7**2
        assert 81 / 512 * constant * stages**6 <= threshold <= constant / 2 * stages**6
        assert threshold <= _evaluate(cv.six_power_length(), **common)


def test_best_step_size_minimises_the_bound_and_is_below_the_tuned_one():
    common = {"S": 8, "K": 10**5, "L": 2.0, "G": 1.3, "F0": 5.0, "delta": 60}
    polynomial = sp.Poly(cv.best_step_equation().subs(
        {symbol: common[symbol.name] for symbol in (S, K, L, G, F0, delta)}), gamma)
    roots = [root.real for root in np.roots([float(c) for c in polynomial.all_coeffs()])
             if abs(root.imag) < 1e-12 and root.real > 0]
    assert len(roots) == 1
    best = roots[0]
    grid = np.geomspace(best / 50, best * 50, 401)
    bounds = [_evaluate(cv.rpd_bound(), gamma=value, **common) for value in grid]
    assert _evaluate(cv.rpd_bound(), gamma=best, **common) <= min(bounds) * (1 + 1e-9)
    assert best <= _evaluate(cv.tuned_step_size(), **common)


def test_iteration_complexity_reaches_the_accuracy():
    for accuracy in (1.0, 1e-1, 1e-2):
        common = {"S": 4, "L": 3.0, "G": 0.5, "F0": 1.0, "delta": 14}
        length = math.ceil(_evaluate(cv.iteration_complexity(), epsilon=accuracy, **common))
        assert _evaluate(cv.tuned_rate(), K=length, **common) <= accuracy


def test_lag_sum_closed_form_matches_the_profile():
    for stages in range(1, 60):
        direct = sum((stages - 1 - block // 2) ** 2 for block in range(stages))
        assert cv.pd_lag_sum().subs(S, stages) == direct
        for blocks in range(0, stages + 1, 7):
            assert cv.pd_lag_partial_sum(blocks).subs(S, stages) == sum(
                (stages - 1 - block // 2) ** 2 for block in range(blocks))
        assert 7 * (stages - 1) ** 3 <= 12 * direct <= 7 * stages**3


def test_block_counting_is_the_exact_mean_over_block_sequences():
    for stages, lag in itertools.product(range(1, 4), range(0, 5)):
        sequences = list(itertools.product(range(stages), repeat=lag))
        mean = Fraction(sum(sum(sequence.count(block) ** 2 for block in range(stages))
                            for sequence in sequences), len(sequences))
        assert cv.stale_window_block().subs({delta: lag, S: stages}) == sp.Rational(
            mean.numerator, mean.denominator)


def test_steady_block_window_has_exponent_three():
    for stages in range(2, 80):
        value = cv.stale_window_block().subs({delta: stages**2 - math.ceil(stages / 2),
                                              S: stages})
        assert sp.Rational(9, 16) * stages**3 <= value <= stages**3


def test_assumption_records_decide_on_measured_numbers():
    assert assumptions.A4.holds({"max_block_grad_norm": 1.0, "G": 1.0})
    assert not assumptions.A4.holds({"max_block_grad_norm": 1.01, "G": 1.0})
    assert assumptions.A1.holds({"smoothness_observed": 2.0, "L": 2.0})
    assert not assumptions.A2.holds({"f_star": -math.inf, "f_min_observed": 0.0})
    delays = {"min_delay_observed": 0, "max_delay_observed": 60, "delta": 60,
              "uniform_blocks": 1, "independent_delays": 1}
    assert assumptions.DELAYS.holds(delays)
    assert not assumptions.DELAYS.holds({**delays, "uniform_blocks": 0})
    assert not assumptions.DELAYS.holds({**delays, "max_delay_observed": 61})
    with pytest.raises(KeyError, match="G"):
        assumptions.A4.holds({"max_block_grad_norm": 1.0})
    for theorem_id, ids in section.ASSUMPTIONS.items():
        assert all(assumptions.by_id(name).text() in by_id(theorem_id).hypotheses
                   for name in ids)


def test_step_size_conditions_are_relations_a_run_can_evaluate():
    variance = section.CONDITIONS["CONV-VAR"][0]
    assert bool(variance.subs({L: 2.0, gamma: 0.5}))
    assert not bool(variance.subs({L: 2.0, gamma: 0.6}))
    half, window = section.CONDITIONS["CONV-NOG"]
    values = {L: 1.0, gamma: 0.05, S: 8, delta: 20}
    assert bool(half.subs(values)) and bool(window.subs(values))
    assert not bool(window.subs({**values, gamma: 0.15}))
