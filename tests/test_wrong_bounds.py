"""Wrong convergence bounds are refuted only by stored instances that meet every hypothesis."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from pipeproof.checks.empirical.convergence import exact_expectation
from pipeproof.checks.empirical.convergence.bound_instance import (
    WrongBound,
    holds,
    judge,
    number,
    rerun,
)
from pipeproof.checks.empirical.convergence.bounds import BOUNDS
from pipeproof.checks.empirical.convergence.confirm import with_wrong_bounds
from pipeproof.checks.empirical.convergence.exact_expectation import exact_average
from pipeproof.checks.empirical.convergence.wrong_bounds import (
    NOISY,
    ONE_BLOCK,
    ONE_STEP,
    SCALED,
    STALE,
    TUNED,
    WRONG_BOUNDS,
    for_theorem,
)
from pipeproof.checks.executor.objectives.pseudo_huber import PseudoHuber
from pipeproof.checks.runner import MeasuredVerdict
from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory.catalogue import convergence
from pipeproof.theory.parameters import ParameterError

CONV = ("CONV-RPD", "CONV-TUNED", "CONV-BLOCK", "CONV-PD-LAG", "CONV-VAR", "CONV-NOG")
IDS = [f"{wrong.theorem}: {wrong.description[:40]}" for wrong in WRONG_BOUNDS]


def _theorems() -> dict:
    return {theorem.id: theorem for theorem in (build() for build in convergence.THEOREMS)}


def _wrong(theorem: str, start: str) -> WrongBound:
    return next(w for w in for_theorem(theorem) if w.description.startswith(start))


@pytest.mark.parametrize("wrong", WRONG_BOUNDS, ids=IDS)
def test_each_instance_reruns_and_refutes_its_variant(wrong: WrongBound) -> None:
    verdict = judge(wrong)
    assert verdict.status is Status.REFUTED, verdict.reason or verdict.detail
    example = verdict.counterexample
    assert example["left"] > example["right"]
    assert math.isclose(example["left"], wrong.instance.left, rel_tol=1e-9)
    assert math.isclose(example["right"], wrong.right, rel_tol=1e-9)
    for key in ("objective", "stages", "step_size", "delta", "delays", "updates", "seed", "L",
                "G", "F0", "sigma", "start"):
        assert key in example, key
    assert example["expectation"].startswith("exact (")


@pytest.mark.parametrize("wrong", WRONG_BOUNDS, ids=IDS)
def test_each_instance_satisfies_the_true_bound(wrong: WrongBound) -> None:
    instance = wrong.instance
    left = rerun(instance).value
    conditions = BOUNDS[wrong.theorem].conditions
    if all(holds(condition, instance) for condition in conditions):
        assert left <= number(BOUNDS[wrong.theorem].bound, instance)
    else:
        assert wrong.dropped_conditions, "a condition fails that the variant keeps"
        assert not all(holds(condition, instance) for condition in wrong.dropped_conditions)
    assert all(holds(condition, instance) for condition in wrong.kept_conditions)


def test_descriptions_match_the_catalogue() -> None:
    theorems = _theorems()
    for wrong in WRONG_BOUNDS:
        descriptions = [variant.description for variant in theorems[wrong.theorem].variants]
        assert wrong.description in descriptions, wrong.description
    for theorem_id in CONV:
        stored = {wrong.description for wrong in for_theorem(theorem_id)}
        for variant in theorems[theorem_id].variants:
            if not variant.obligations and not variant.claims:
                assert variant.description in stored, variant.description


def test_the_confirmation_carries_the_variant_verdicts() -> None:
    main = Verdict("empirical", Status.CONFIRMED, 0.0, "main")
    merged = with_wrong_bounds("CONV-VAR", main)
    assert isinstance(merged, MeasuredVerdict)
    assert merged.status is Status.CONFIRMED
    assert [description for description, _ in merged.variants] == [
        wrong.description for wrong in for_theorem("CONV-VAR")]
    assert all(verdict.status is Status.REFUTED for _, verdict in merged.variants)


def _rejected(wrong: WrongBound, words: str) -> None:
    verdict = judge(wrong)
    assert verdict.status is Status.NOT_APPLICABLE
    assert not verdict.counterexample
    assert words in verdict.detail


def test_g_measured_on_the_trajectory_is_rejected() -> None:
    wrong = _wrong("CONV-VAR", "missing factor 2")
    x = ONE_STEP.start[0]
    on_path = abs(x) / math.sqrt(1 + x * x)
    _rejected(replace(wrong, instance=replace(ONE_STEP, G=on_path)), "A4")


def test_step_above_the_condition_is_rejected() -> None:
    wrong = _wrong("CONV-VAR", "variance term")
    _rejected(replace(wrong, instance=replace(NOISY, step_size=1.5)), "step-size condition")
    tuned = _wrong("CONV-TUNED", "delta instead")
    _rejected(replace(tuned, instance=replace(TUNED, step_size=2 * TUNED.step_size)),
              "step-size condition")


def test_delays_above_delta_are_rejected() -> None:
    wrong = _wrong("CONV-RPD", "delta instead")
    _rejected(replace(wrong, instance=replace(STALE, delta=500)), "DELAY")


def test_a_local_smoothness_constant_is_rejected() -> None:
    wrong = _wrong("CONV-RPD", "L instead")
    _rejected(replace(wrong, instance=replace(SCALED, L=50.0)), "A1")


def test_a_wrong_f0_is_rejected() -> None:
    wrong = _wrong("CONV-RPD", "stale term dropped")
    _rejected(replace(wrong, instance=replace(STALE, F0=0.1)), "A2")


def test_delays_outside_the_lag_profile_are_rejected() -> None:
    wrong = _wrong("CONV-PD-LAG", "no factor S")
    instance = replace(ONE_BLOCK, depth=3, delta=3, updates=8)
    _rejected(replace(wrong, instance=instance), "lag profile")


def test_a_true_bound_is_not_refuted() -> None:
    for wrong in WRONG_BOUNDS:
        honest = replace(wrong, bound=BOUNDS[wrong.theorem].bound)
        if all(holds(c, wrong.instance) for c in BOUNDS[wrong.theorem].conditions):
            verdict = judge(honest)
            assert verdict.status is Status.UNKNOWN
            assert "not refuted" in verdict.reason


def test_hit_count_and_one_path_agree_with_enumeration() -> None:
    objective = PseudoHuber(2, 1.5)
    start = (2.0, -0.5)
    counted = exact_average(objective, start, 0.3, 0, 7)
    enumerated = exact_expectation._enumeration(objective, start, 0.3, 0, 7)
    assert counted.method == "hit count" and enumerated.method == "enumeration"
    assert math.isclose(counted.value, enumerated.value, rel_tol=1e-12)
    single = PseudoHuber(1, 2.0)
    one = exact_average(single, (3.0,), 0.2, 2, 9)
    assert one.method == "one path"
    assert math.isclose(one.value, exact_expectation._enumeration(single, (3.0,), 0.2, 2, 9).value,
                        rel_tol=1e-12)


def test_too_many_paths_are_refused() -> None:
    with pytest.raises(ParameterError, match="paths"):
        exact_average(PseudoHuber(3, 1.0, 0.1), (1.0, 1.0, 1.0), 0.1, 1, 40)


def test_pseudo_huber_constants_hold_at_random_points() -> None:
    rng = np.random.default_rng(0)
    objective = PseudoHuber(3, 7.0, 0.4)
    x, y = rng.normal(scale=50, size=(2, 1000, 3))
    difference = np.linalg.norm(objective.gradient(x) - objective.gradient(y), axis=1)
    assert (difference <= objective.smoothness * np.linalg.norm(x - y, axis=1)).all()
    moment = objective.gradient(x) ** 2 + objective.noise**2
    assert (moment <= objective.moment_bound**2).all()
    assert (objective.value(x) >= objective.f_star).all()
    with pytest.raises(ParameterError, match="scale"):
        PseudoHuber(2, -1.0)
