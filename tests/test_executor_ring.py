"""Randomized PipeDream's version ring: mixed points equal the ones read off the full history."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pipeproof.checks.executor.backend import NUMPY
from pipeproof.checks.executor.methods.ring import VersionRing
from pipeproof.checks.executor.objectives.base import even_blocks, split_blocks


@given(st.integers(1, 5), st.integers(0, 12), st.integers(1, 120), st.booleans(),
       st.integers(0, 2**31))
def test_mixed_points_match_the_history(stages: int, max_delay: int, updates: int,
                                        equal: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    blocks = even_blocks(2 * stages, stages) if equal else split_blocks(
        list(rng.integers(1, 4, size=stages)))
    dim = blocks[-1].stop
    history = [rng.standard_normal(dim)]
    ring = VersionRing(NUMPY, blocks, history[0], max_delay)
    skew = rng.random(stages) ** 3  # some blocks far more often than others
    for iteration in range(updates):
        delays = rng.integers(0, min(max_delay, iteration) + 1, size=stages)
        expected = np.concatenate([history[iteration - d][block]
                                   for d, block in zip(delays, blocks, strict=True)])
        np.testing.assert_array_equal(ring.mixed_point(delays), expected)
        stage = int(rng.choice(stages, p=skew / skew.sum()))
        values = rng.standard_normal(blocks[stage].stop - blocks[stage].start)
        ring.update(stage, values)
        following = history[-1].copy()
        following[blocks[stage]] = values
        history.append(following)
    assert ring.capacity <= max_delay + 1


def test_capacity_grows_only_when_a_block_is_read_that_far_back() -> None:
    blocks = even_blocks(4, 4)
    ring = VersionRing(NUMPY, blocks, np.zeros(4), 40)
    start = ring.capacity
    for _ in range(40):
        ring.update(0, np.ones(1))  # every update hits block 0
    assert start < ring.capacity <= 41
