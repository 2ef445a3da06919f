"""Every theorem's formulas match op tables at parameter points drawn by Hypothesis,
and every wrong variant's formula fails on some table of its grid."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeproof.checks.exhaustive import GridRun, compile_claim, grid_points
from pipeproof.checks.tables.action_views import ActionSpec, ActionView
from pipeproof.checks.tables.measures import TableView
from pipeproof.checks.tables.simulator import simulate
from pipeproof.theory.catalogue import catalogue

CHECKS = [(theorem, number) for theorem in catalogue() if theorem.expected == "proved"
          for number in range(len(theorem.tables))]


@pytest.mark.parametrize(("theorem", "number"), CHECKS,
                         ids=[f"{t.id}-{n}" for t, n in CHECKS])
@settings(max_examples=12)
@given(data=st.data())
def test_formulas_match_tables(theorem, number, data):
    check = theorem.tables[number]
    low, high = check.grid.stages
    stages = data.draw(st.integers(low, min(high, 24)), label="S")
    points = [point for point in grid_points(check.grid, stages) if point.values["S"] == stages]
    if not points:
        return
    point = data.draw(st.sampled_from(points), label="point")
    spec = point.spec
    view = ActionView(spec) if isinstance(spec, ActionSpec) else TableView(simulate(spec))
    for claim in check.claims:
        state = compile_claim(claim)
        state.check(view, point)
        assert state.counterexample is None, state.counterexample


VARIANTS = [(theorem, number) for theorem in catalogue()
            for number, variant in enumerate(theorem.variants) if variant.claims]


@pytest.mark.parametrize(("theorem", "number"), VARIANTS,
                         ids=[f"{t.id}-v{n}" for t, n in VARIANTS])
def test_variant_claims_fail_on_small_tables(theorem, number):
    variant = theorem.variants[number]
    grid = variant.grid or theorem.tables[0].grid
    run = GridRun(grid, [compile_claim(claim) for claim in variant.claims])
    run.run(max_stages=16)
    assert any(state.counterexample for state in run.claims), variant.description
