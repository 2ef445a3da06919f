"""The empirical confirmations: every theorem tagged empirical is confirmed on training runs
(the paper's exact form refuted), and a wrong claim would be refuted with a counterexample."""

from __future__ import annotations

import numpy as np
import pytest

from pipeproof.checks.empirical import confirm, load
from pipeproof.checks.empirical import staleness as confirm_staleness
from pipeproof.checks.empirical.runs import Comparison, pipedream_run
from pipeproof.checks.profiles import PROFILES
from pipeproof.checks.verdict import Status
from pipeproof.theory.catalogue import catalogue

QUICK = PROFILES["quick"]


def test_every_empirical_theorem_has_a_confirmation() -> None:
    tagged = {theorem.id for theorem in catalogue() if "empirical" in theorem.methods()}
    assert tagged <= set(load())
    assert {"THR-PD", "STL-PD-MAX", "STL-2BW", "STL-SYNC"} <= tagged


@pytest.mark.parametrize("theorem", sorted(
    theorem.id for theorem in catalogue() if "empirical" in theorem.methods()))
def test_confirmation_reaches_the_expected_status(theorem: str) -> None:
    expected = {record.id: record.expected for record in catalogue()}[theorem]
    verdict = confirm(theorem, QUICK)
    assert verdict.method == "empirical" and verdict.solver == "executor numpy float64"
    if expected == "refuted":
        assert verdict.status is Status.REFUTED and verdict.counterexample
    else:
        assert verdict.status is Status.CONFIRMED, verdict.counterexample
        assert "agree" in verdict.detail and verdict.budget


def test_paper_form_is_refuted_at_the_first_odd_s() -> None:
    verdict = confirm("STL-PD-PAPER", QUICK)
    assert verdict.counterexample["S"] == 1
    assert verdict.counterexample["measured"] == 0.0
    assert verdict.counterexample["theorem"] == 0.5


def test_comparison_keeps_the_first_disagreement() -> None:
    comparison = Comparison()
    comparison.check("delay", [1, 2, 3], [1, 2, 3], S=2)
    comparison.check("delay", [1, 5, 3], [1, 2, 4], S=3)
    comparison.check("delay", [0], [9], S=4)
    verdict = comparison.verdict("toy", "budget")
    assert verdict.status is Status.REFUTED
    assert verdict.counterexample == {"S": 3, "quantity": "delay", "index": [1],
                                      "measured": 5.0, "theorem": 2.0, "relation": "=="}


def test_a_wrong_stash_claim_would_be_refuted() -> None:
    """S - s + 1 versions (a variant of STL-PD-STASH) disagrees with the measured stash."""
    record = pipedream_run(5)
    comparison = Comparison()
    comparison.check("held versions", record.measurements["steady"]["held_versions_per_stage"],
                     6 - np.arange(5), S=5)
    assert comparison.counterexample["measured"] == 5.0


def test_rpd_replay_is_exact_to_rounding() -> None:
    assert confirm_staleness.replay_gap("quadratic", 4) <= 1e-14
    assert confirm_staleness.replay_gap("logistic", 3) <= 1e-14


def test_twobw_reference_recurrence_matches_the_run() -> None:
    from pipeproof.checks.empirical.runs import run

    record = run("2bw", 3, 12, accumulation=3)
    reference = confirm_staleness.two_buffer_reference(record)
    np.testing.assert_allclose(record.final_point, reference, rtol=1e-12, atol=1e-15)
    assert not np.allclose(reference, 0.0)
