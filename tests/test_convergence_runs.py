"""The convergence bounds on executor runs (CONV-RPD ... CONV-NOG) and the measured exponent of
the stale distance (CONV-EXP): confirmations on small cases, hypotheses that fail reported as
not applicable, a bound made wrong on purpose refuted, the exponent fit, the figures, and the
runner's use of per-variant empirical verdicts."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import sympy as sp

from pipeproof.checks.empirical import confirm, load
from pipeproof.checks.empirical.convergence import confirm as bounds_confirmation
from pipeproof.checks.empirical.convergence import confirm_exponent as exponent_confirmation
from pipeproof.checks.empirical.convergence.bounds import BOUNDS, judge
from pipeproof.checks.empirical.convergence.cases import Case, measure
from pipeproof.checks.empirical.convergence.exponent_fit import ExponentFit, fit_power
from pipeproof.checks.empirical.convergence.interval_claims import (
    FAILS,
    HOLDS,
    UNDECIDED,
    judge_relation,
)
from pipeproof.checks.empirical.convergence.plots import plot_bounds
from pipeproof.checks.empirical.convergence.stale_distance import stale_point
from pipeproof.checks.profiles import PROFILES
from pipeproof.checks.runner import MeasuredVerdict, run_checks
from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory.catalogue.convergence.measured import EXPONENTS, VARIANT_CLAIMS, exponent
from pipeproof.theory.theorem import Theorem, Variant

QUICK = PROFILES["quick"]
BOUND_IDS = ("CONV-RPD", "CONV-TUNED", "CONV-BLOCK", "CONV-PD-LAG", "CONV-VAR", "CONV-NOG")
SMALL = Case("quadratic", 2, 0.3, microbatches=6, seeds=2)
"""A small applicable case: uniform RPD, S = 2, gamma = 0.3/L, K = 12."""


@pytest.mark.parametrize("theorem_id", (*BOUND_IDS, "CONV-EXP"))
def test_every_convergence_theorem_has_a_confirmation(theorem_id):
    assert theorem_id in load()


@pytest.mark.parametrize("theorem_id", ("CONV-RPD", "CONV-BLOCK", "CONV-VAR", "CONV-NOG"))
def test_bound_holds_at_every_k_of_a_small_run(theorem_id):
    outcome = judge(BOUNDS[theorem_id], measure(SMALL))
    assert outcome.applicable, outcome.failures
    assert outcome.holds and outcome.slack >= 1
    assert 1 <= outcome.at <= 12 and outcome.average <= outcome.bound


@pytest.mark.parametrize("theorem_id", BOUND_IDS)
def test_bound_confirmations_are_confirmed_on_the_quick_profile(theorem_id):
    verdict = confirm(theorem_id, QUICK)
    assert verdict.status is Status.CONFIRMED, verdict.counterexample
    assert verdict.method == "empirical" and "agree" in verdict.detail and verdict.budget
    assert "not applicable" in verdict.detail  # the MLP is in every plan, outside A1


def test_step_size_above_one_over_l_is_not_applicable_to_the_variance_form():
    case = dataclasses.replace(SMALL, step_scale=1.2)
    outcome = judge(BOUNDS["CONV-VAR"], measure(case))
    assert not outcome.applicable
    assert any(failure.startswith("step-size condition L*gamma <= 1") for failure in
               outcome.failures)
    assert judge(BOUNDS["CONV-RPD"], measure(case)).applicable  # CONV-RPD has no condition


def test_no_moment_conditions_exclude_large_delays():
    outcome = judge(BOUNDS["CONV-NOG"], measure(Case("quadratic", 4, 0.3, 6, 2)))
    assert [f for f in outcome.failures if "2*L**2*delta**2*gamma**2 <= S" in f]


def test_a_verdict_over_too_large_steps_only_is_not_applicable():
    results = bounds_confirmation.outcomes(
        BOUNDS["CONV-VAR"], [dataclasses.replace(SMALL, step_scale=1.2)])
    verdict = bounds_confirmation.verdict("CONV-VAR", results, 2, "one case", 0.0)
    assert verdict.status is Status.NOT_APPLICABLE
    assert "L*gamma <= 1 fails" in verdict.detail


def test_mlp_local_smoothness_does_not_establish_a1():
    outcome = judge(BOUNDS["CONV-RPD"], measure(Case("mlp", 2, 0.3, 6, 2)))
    assert outcome.failures[0].startswith("A1 not established (L is a local estimate")


def test_pipedream_block_order_fails_the_uniform_block_hypothesis():
    measured = measure(Case("quadratic", 3, 0.3, 4, 1, delays="pipedream"))
    assert measured.delta > 0
    rpd = judge(BOUNDS["CONV-RPD"], measured)
    assert any(failure.startswith("DELAY") and "fixed order" in failure
               for failure in rpd.failures)
    lag = judge(BOUNDS["CONV-PD-LAG"], measured)
    assert any("fixed order" in failure for failure in lag.failures)


def test_lag_profile_holds_only_for_short_delays():
    short = judge(BOUNDS["CONV-PD-LAG"], measure(Case("quadratic", 4, 0.3, 6, 2, max_delay=2)))
    assert short.applicable and short.holds
    long = judge(BOUNDS["CONV-PD-LAG"], measure(Case("quadratic", 4, 0.3, 6, 2)))
    assert any("lag profile" in failure for failure in long.failures)


def test_a_bound_divided_by_100_is_refuted_with_the_run_as_counterexample():
    check = dataclasses.replace(BOUNDS["CONV-RPD"], bound=BOUNDS["CONV-RPD"].bound / 100)
    outcome = judge(check, measure(SMALL))
    assert outcome.applicable and not outcome.holds and outcome.slack < 1
    verdict = bounds_confirmation.verdict("CONV-RPD", [outcome], 2, "one case", 0.0)
    assert verdict.status is Status.REFUTED
    example = verdict.counterexample
    assert example["objective"] == "quadratic" and example["S"] == 2
    assert example["average"] > example["bound"] and 1 <= example["K"] <= 12


def test_exponent_fit_recovers_a_known_exponent():
    rng = np.random.default_rng(3)
    stages = (2, 4, 8, 16, 32)
    values = np.array([[0.7 * s**2.5 * math.exp(rng.normal(0, 0.05)) for _ in range(6)]
                       for s in stages])
    fit = fit_power(stages, values, np.random.default_rng(0))
    assert fit.low <= 2.5 <= fit.high and fit.high - fit.low < 0.2
    assert abs(fit.exponent - 2.5) < 0.05 and abs(fit.constant - 0.7) < 0.1
    exact = fit_power(stages, np.array([[s**3.0] * 2 for s in stages]), rng)
    assert exact.exponent == pytest.approx(3.0) and exact.local == pytest.approx((3.0,) * 4)


def test_exponent_fit_rejects_bad_input():
    with pytest.raises(ValueError, match="positive"):
        fit_power((2, 4), np.array([[1.0], [0.0]]), np.random.default_rng(0))
    with pytest.raises(ValueError, match="one row per S"):
        fit_power((2,), np.array([[1.0]]), np.random.default_rng(0))


def test_interval_claims():
    a = sp.Symbol("a", real=True)
    box = {a: (2.9, 3.1)}
    assert judge_relation(a < 4, box) == HOLDS
    assert judge_relation(sp.Eq(a, 4), box) == FAILS
    assert judge_relation(sp.Eq(a, 3), box) == UNDECIDED
    assert judge_relation(a >= 3, box) == UNDECIDED
    assert judge_relation(a <= 2, box) == FAILS
    assert judge_relation(sp.Integer(4) > a, box) == HOLDS


def test_stale_distance_counts_squares_when_aligned_and_hits_when_noisy():
    for regime, low, high in (("aligned", 0.2, 0.5), ("noisy", 0.3, 0.8)):
        power = 3 if regime == "aligned" else 2
        ratio = stale_point("rpd", regime, 8, 0).ratio / 8**power
        assert low < ratio < high, (regime, ratio)


def test_conv_exp_is_confirmed_and_every_variant_refuted_by_the_runner():
    [report] = run_checks([exponent()], QUICK, workers=1)
    verdict = report.verdicts[0]
    assert isinstance(verdict, MeasuredVerdict) and verdict.status is Status.CONFIRMED
    assert "agree" in verdict.detail and "bootstrap" in verdict.detail
    assert report.as_expected and len(report.variants) >= 3
    for variant in report.variants:
        refutation = variant.refutation
        assert refutation is not None and refutation.method == "empirical"
        assert refutation.counterexample["interval"][0] <= refutation.counterexample["exponent"]
    assert {variant.description for variant in report.variants} == {
        description for description, _ in VARIANT_CLAIMS}


def test_a_variant_the_measurement_supports_is_not_refuted():
    fit = ExponentFit(3.6, 3.5, 3.7, 1.0, (3.6,), (2, 4), (1.0, 12.1), 2)
    exponents = exponent_confirmation.Exponents({key: fit for key in EXPONENTS},
                                                {key: fit for key in EXPONENTS})
    aligned = EXPONENTS[("rpd", "aligned")]
    refuted = exponent_confirmation.decide(sp.Eq(aligned, 4), exponents, "budget", "toy")
    assert refuted.status is Status.REFUTED
    assert refuted.counterexample["interval"] == [3.5, 3.7]
    supported = exponent_confirmation.decide(aligned < 4, exponents, "budget", "toy")
    assert supported.status is Status.CONFIRMED and supported.counterexample is None
    straddled = exponent_confirmation.decide(aligned > 3.6, exponents, "budget", "toy")
    assert straddled.status is Status.UNKNOWN and "straddles" in straddled.reason


def test_runner_attaches_per_variant_empirical_verdicts(monkeypatch):
    wrong = Verdict("empirical", Status.REFUTED, 0.0, "measured", counterexample={"a": 1.0})
    right = Verdict("empirical", Status.CONFIRMED, 0.0, "measured")
    measured = MeasuredVerdict("empirical", Status.CONFIRMED, 0.0, "toy agrees",
                               variants=(("wrong", wrong), ("right", right)))
    monkeypatch.setitem(load(), "TOY-EMP", lambda profile, plots: measured)
    theorem = Theorem(id="TOY-EMP", title="toy", statement=sp.true, hypotheses=(),
                      source="measurement", variants=(Variant("wrong"), Variant("right")),
                      tags=("empirical",))
    [report] = run_checks([theorem], QUICK, workers=1)
    assert report.variants[0].refutation is wrong
    assert report.variants[1].refutation is None and not report.as_expected
    assert report.verdicts[0].to_json()["variants"][0]["description"] == "wrong"


def test_a_bound_figure_is_written(tmp_path):
    pytest.importorskip("matplotlib")
    measured = measure(SMALL)
    results = [judge(BOUNDS[theorem_id], measured) for theorem_id in ("CONV-RPD", "CONV-VAR")]
    path = plot_bounds(tmp_path, "conv-bounds-quadratic", measured, results)
    assert path == tmp_path / "conv-bounds-quadratic.png" and path.stat().st_size > 1000


@pytest.mark.slow
def test_bound_figures_are_written_for_every_objective(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(bounds_confirmation, "representative", lambda profile, name: Case(
        name, 2, 0.3, 4, 1))
    written = bounds_confirmation.figures(QUICK, tmp_path)
    names = {path.name for path in written}
    assert names == {f"conv-bounds-{name}.png" for name in
                     ("quadratic", "nesterov", "spectrum", "logistic", "mlp")}
    assert all(path.stat().st_size > 1000 for path in written)
    assert bounds_confirmation.figures(QUICK, None) == []


def test_exponent_figure_is_written(tmp_path):
    pytest.importorskip("matplotlib")
    exponents = exponent_confirmation.measure_exponents((2, 3, 4), 2)
    path = exponent_confirmation.figure(tmp_path, exponents, (2, 3, 4))
    assert path == tmp_path / "conv-exp-stale-distance.png" and path.stat().st_size > 1000
    assert exponent_confirmation.figure(None, exponents, (2, 3, 4)) is None
