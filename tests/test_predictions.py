"""CMP-EPS predictions on the experiments: bounds at the budget on known constants, the
constants measured at x0, and the claim against hand-made outcomes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipeproof.checks.experiments import claims
from pipeproof.checks.experiments.methods import MethodSpec, parse_methods
from pipeproof.checks.experiments.predictions import (
    Constants,
    best_bound,
    lsgd_steps,
    pd_updates,
    predict,
    setting_constants,
    terms,
)
from pipeproof.checks.experiments.statistics import mean_interval
from pipeproof.checks.experiments.sweep import Comparison, MethodOutcome, Setting
from pipeproof.theory.comparison import Guarantee
from pipeproof.theory.parameters import ParameterError


def outcome(name: str, method: str, gaps: list[float]) -> MethodOutcome:
    spec = MethodSpec(name, method, tuple(sorted(parse_methods(name)[0].options)))
    return MethodOutcome(spec, 0.1, tuple(gaps), mean_interval(gaps), 10, ((0.1, 1.0),),
                         (np.zeros(2),) * 4, False)


def brute(guarantee: Guarantee, iterations: float) -> float:
    steps = np.linspace(1e-6, guarantee.cap, 200001)
    values = (guarantee.A / (steps * iterations) + guarantee.B * steps
              + guarantee.C * steps**2)
    return float(values.min())


@pytest.mark.parametrize("guarantee", [Guarantee(2.0, 0.0, 0.0, 0.5, 1.0),
                                       Guarantee(2.0, 3.0, 0.0, 10.0, 1.0),
                                       Guarantee(2.0, 0.0, 5.0, 10.0, 1.0),
                                       Guarantee(2.0, 3.0, 5.0, 0.01, 1.0),
                                       Guarantee(8.0, 0.7, 40.0, 1.0, 1.0)])
def test_best_bound_is_the_minimum_over_the_steps(guarantee: Guarantee) -> None:
    value, step = best_bound(guarantee, 100.0)
    assert 0 < step <= guarantee.cap
    assert value == pytest.approx(brute(guarantee, 100.0), rel=1e-4)


def test_best_bound_closed_forms() -> None:
    value, step = best_bound(Guarantee(2.0, 0.0, 0.0, 0.5, 1.0), 10.0)
    assert (value, step) == (pytest.approx(0.4), 0.5)
    value, step = best_bound(Guarantee(2.0, 3.0, 0.0, math.inf, 1.0), 6.0)
    assert step == pytest.approx(1 / 3) and value == pytest.approx(2.0)
    with pytest.raises(ParameterError, match="iterations"):
        best_bound(Guarantee(2.0, 3.0, 0.0, 1.0, 1.0), 0.0)


def test_iterations_at_the_budget() -> None:
    assert pd_updates(16, 270) == 16 * 120
    assert lsgd_steps(16, 16, 5, 2 * (16 * 5 + 15)) == 5


def test_regimes() -> None:
    deterministic = Constants(L=1.0, F0=1.0, sigma2=0.0, G2=1.0)
    assert predict(deterministic, 4, 4, 5, 1000).winner == "localsgd"
    noisy = Constants(L=1.0, F0=1.0, sigma2=100.0, G2=1e-12)
    assert predict(noisy, 4, 4, 1, 10**6).winner == "pipedream"
    with pytest.raises(ParameterError, match="slot_budget"):
        predict(noisy, 4, 4, 1, 6)


QUICK = Setting("tridiagonal", 4, 86, (0, 1), (("batch_size", 5), ("batching", "cyclic"),
                                               ("dim", 64), ("label_noise", 0.0),
                                               ("num_samples", 80)))


def test_constants_at_x0() -> None:
    found = setting_constants(QUICK)
    assert found.L > 0 and found.F0 > 0 and found.sigma2 > 0 and found.sigma2 <= found.G2
    whole = Setting(QUICK.objective, 4, 86, (0,), (*QUICK.options[1:3],
                                                   ("batch_size", 80), *QUICK.options[3:]))
    assert setting_constants(whole).sigma2 == pytest.approx(0.0, abs=1e-9)
    noisy = Setting(QUICK.objective, 4, 86, (0,), (*whole.options, ("noise", 0.5)))
    assert setting_constants(noisy).sigma2 == pytest.approx(64 * 0.25)


def test_claim_follows_the_measured_winner() -> None:
    pd = outcome("pipedream", "pipedream", [1.0, 1.2])
    guess = predict(setting_constants(QUICK), 4, 4, 30, 86).winner
    assert guess == "pipedream"
    agrees = Comparison(QUICK, (0.1,), (pd, outcome("localsgd:H=30", "localsgd", [10.0, 13.0])))
    verdict = claims.eps_predictions([("q", agrees)], "e")
    assert verdict.reproduced and "predicted pipedream" in verdict.numbers
    assert "upper bounds" in verdict.claim
    disagrees = Comparison(QUICK, (0.1,), (pd, outcome("localsgd:H=30", "localsgd",
                                                       [0.1, 0.12])))
    verdict = claims.eps_predictions([("q", disagrees)], "e")
    assert not verdict.reproduced and "1 of 1" in verdict.finding
    assert "0 of them undecided" in verdict.finding and "larger guarantee" in verdict.finding


def test_random_batching_divides_the_row_variance_by_the_batch() -> None:
    def sigma2(batch: int) -> float:
        options = dict(QUICK.options) | {"batching": "random", "batch_size": batch}
        return setting_constants(Setting(QUICK.objective, 4, 86, (0,),
                                         tuple(sorted(options.items())))).sigma2
    assert sigma2(1) == pytest.approx(5 * sigma2(5))


def test_terms_add_up_and_name_what_sets_the_step() -> None:
    """At an interior minimum A/(gamma^2 K) = B + 2 C gamma: the larger of B and 2 C gamma
    names the limit; a step at the cap names the cap."""
    stale = Guarantee(2.0, 1e-3, 50.0, 10.0, 1.0)
    value, step = best_bound(stale, 100.0)
    found = terms(stale, 100.0, step)
    assert found.total == pytest.approx(value) and found.limit == "gamma^2"
    assert found.start == pytest.approx(found.variance + 2 * found.square, rel=1e-6)
    noisy = Guarantee(2.0, 5.0, 1e-3, 10.0, 1.0)
    assert terms(noisy, 100.0, best_bound(noisy, 100.0)[1]).limit == "variance"
    capped = Guarantee(2.0, 0.0, 0.0, 0.5, 1.0)
    assert terms(capped, 100.0, best_bound(capped, 100.0)[1]).limit == "cap"


def test_failed_prediction_names_the_deciding_term() -> None:
    """A large G^2 makes PipeDream's stale-read term set its step and its guarantee the larger
    one; a run where PipeDream wins then fails the prediction, and the finding says so."""
    constants = Constants(L=1.0, F0=1.0, sigma2=0.01, G2=100.0)
    guess = predict(constants, 16, 16, 5, 830)
    assert guess.winner == "localsgd" and guess.pd_terms.limit == "gamma^2"
    text = claims.dominant_terms([(guess, 16)])
    assert text.startswith("in 1 pair(s) the larger guarantee is PipeDream's")
    assert "stale-read term L^2 delta^2 G^2 gamma^2 (delta = 248)" in text
    pd = outcome("pipedream", "pipedream", [1.0, 1.2])
    wins = Comparison(QUICK, (0.1,), (pd, outcome("localsgd:H=5", "localsgd", [10.0, 13.0])))
    if predict(setting_constants(QUICK), 4, 4, 5, 86).winner == "localsgd":
        finding = claims.eps_predictions([("q", wins)], "e").finding
        assert "the bounds, not the methods, decide" in finding
