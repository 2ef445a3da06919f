"""THR-ZB-V: the closed forms of F, I and W are the ZB-V policy's table beyond the theorem's grid,
and wrong forms (a W window shifted by one slot, W back to back only) are refuted on it."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from pipeproof.checks.exhaustive import BROADCASTING, GridRun, compile_claim
from pipeproof.checks.tables.action_views import ActionView, action_spec
from pipeproof.checks.verdict import Status
from pipeproof.theory.catalogue import throughput_zb_v as zbv
from pipeproof.theory.catalogue.common import claim
from pipeproof.theory.symbols import M, S, m, s

FORMS = {op: sp.lambdify((S, M, s, m), form, [BROADCASTING, "numpy"]) for op, form in
         (("F", zbv.v_forward()), ("I", zbv.v_input()), ("W", zbv.v_weight()))}


FORMS_W = zbv.v_weight()


def _evaluate(function, stages: int, micro: int) -> np.ndarray:
    rows = np.arange(2 * stages).reshape(-1, 1)
    columns = np.arange(micro).reshape(1, -1)
    return np.broadcast_to(function(stages, micro, rows, columns), (2 * stages, micro))


@pytest.mark.parametrize("stages", range(1, 11))
def test_closed_forms_are_the_policy_table(stages):
    for micro in [*range(2 * stages - 1, 4 * stages + 2), 8 * stages + 3]:
        view = ActionView(action_spec("zb-v", stages, micro, 2))
        for op, form in FORMS.items():
            expected = _evaluate(form, stages, micro)
            assert np.array_equal(view.starts(op), expected), (op, stages, micro)


def test_every_rank_is_busy_from_r_to_r_plus_6m():
    for stages in (3, 5):
        for micro in (2 * stages - 1, 3 * stages + 1):
            slots = {r: [] for r in range(stages)}
            for form in FORMS.values():
                times = _evaluate(form, stages, micro)
                for stage in range(2 * stages):
                    slots[min(stage, 2 * stages - 1 - stage)].extend(times[stage])
            for rank, used in slots.items():
                assert sorted(used) == list(range(rank, rank + 6 * micro))


def test_wrong_weight_forms_are_refuted_on_the_tables(monkeypatch):
    window_hole = zbv.window_hole
    monkeypatch.setattr(zbv, "window_hole", lambda q, stage: window_hole(q, stage) + 1)
    shifted = zbv.v_weight()
    assert shifted != FORMS_W
    for wrong in (shifted, S + 4 * M + m):
        run = GridRun(zbv.ZB_V, [compile_claim(claim("weight_start", wrong, s, m))])
        run.run()
        verdict = run.verdict(run.claims[0], 0.0)
        assert verdict.status is Status.REFUTED and verdict.counterexample["quantity"] == (
            "weight_start")


def test_claims_mix_parameter_and_index_conditions():
    mixed = sp.Piecewise((m, (M > 3) & (s >= 1)), (s, True))
    state = compile_claim(claim("weight_start", mixed, s, m))
    rows, columns = np.arange(3).reshape(-1, 1), np.arange(4).reshape(1, -1)
    value = state.evaluate(1, 5, 0, 0, 0, 0, 0, 0, 0, rows, 0, columns)
    assert np.array_equal(np.broadcast_to(value, (3, 4)),
                          np.where(rows >= 1, columns, rows + 0 * columns))
