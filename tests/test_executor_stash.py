"""Weight stashing: the backward of every (stage, microbatch) uses the weights its forward used."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from pipeproof.checks.executor.backend import NUMPY
from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.methods import pipedream
from pipeproof.checks.executor.methods.stash import StashingError, WeightStash
from pipeproof.checks.executor.objectives.registry import build_objective
from pipeproof.checks.executor.run import train


def test_stash_keeps_what_in_flight_microbatches_read() -> None:
    stash = WeightStash(np.zeros(2))
    first = stash.read(0)
    stash.replace(np.ones(2))
    second = stash.read(1)
    assert stash.held() == 2
    assert stash.take(0) == first and first[0] == 0 and not first[1].any()
    assert stash.held() == 1
    assert stash.take(1)[0] == second[0] == 1
    with pytest.raises(StashingError):
        stash.take(1)


def test_stashed_versions_are_read_only() -> None:
    stash = WeightStash(np.zeros(3))
    with pytest.raises(ValueError, match="read-only"):
        stash.current += 1.0


def _objective_and_config(method: str = "pipedream", **options):
    config = run_config(method, "quadratic", 4, 20, 0.05, dim=8, num_samples=16, **options)
    return build_objective(config, NUMPY, np.random.default_rng(0)), config


def test_pipedream_backward_gets_the_forward_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a stash that hands out the current version instead, the engine stops the run."""
    def current_instead(self, stage: int, micro: int):
        self.stashes[stage].take(micro)
        return self.stashes[stage].version, self.stashes[stage].current
    monkeypatch.setattr(pipedream.PipeDreamPolicy, "take", current_instead)
    objective, config = _objective_and_config()
    with pytest.raises(StashingError, match=r"B\(\d+, \d+\) would use weight version"):
        train(objective, config, np.random.default_rng(1), 0.0)


def test_in_place_update_is_caught_by_the_checksum(monkeypatch: pytest.MonkeyPatch) -> None:
    """LocalSGD updates in place; a change between F(s, m) and B(s, m) fails the checksum."""
    from pipeproof.checks.executor.methods import localsgd

    original = localsgd.LocalPolicy.take

    def nudge_then_take(self, stage: int, micro: int):
        version, weights = original(self, stage, micro)
        if (stage, micro) == (1, 3):
            weights += 1e-3
        return version, weights
    monkeypatch.setattr(localsgd.LocalPolicy, "take", nudge_then_take)
    objective, config = _objective_and_config("localsgd", num_runs=2, local_steps=5)
    with pytest.raises(StashingError, match=r"B\(1, 3\)"):
        train(objective, config, np.random.default_rng(1), 0.0)


def test_two_buffers_are_too_few_for_short_steps() -> None:
    """2BW with steps of A = S - 2 microbatches needs a version it already dropped (STL-2BW's
    variant "A >= S - 2"); the policy stops the run."""
    objective, config = _objective_and_config("2bw")
    short = replace(config, accumulation=2, num_microbatches=20)
    with pytest.raises(StashingError, match="needs version"):
        train(objective, short, np.random.default_rng(1), 0.0)


def test_two_buffers_suffice_for_steps_of_s_minus_one() -> None:
    """The readiness obligation of STL-2BW holds for A = S - 1 already (its notes)."""
    objective, config = _objective_and_config("2bw")
    _, result, _ = train(objective, replace(config, accumulation=3, num_microbatches=24),
                                np.random.default_rng(1), 0.0)
    assert result.measurements["held_versions_max_per_stage"] == [2, 2, 2, 2]
    assert result.measurements["step_delays"] == [1]
