"""THR-ZB-V: the closed forms of F, I and W are the ZB-V policy's table beyond the theorem's grid,
and wrong forms (a W window shifted by one slot, W back to back only) are refuted on it."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from pipeproof.checks.exhaustive import BROADCASTING, GridRun, compile_claim
from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.tables.action_views import ActionView, action_spec
from pipeproof.checks.verdict import Status
from pipeproof.theory.catalogue import throughput_zb_v as zbv
from pipeproof.theory.catalogue.common import claim
from pipeproof.theory.symbols import M, S, m, m2, s
from pipeproof.theory.theorem import Obligation

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


RANK = sp.Symbol("r", integer=True)
RANGES = (S >= 1, M >= 2 * S - 1, m >= 0, m <= M - 1, m2 >= 0, m2 <= M - 1, RANK >= 0,
          RANK <= S - 1)
RANK_OPS = {"F earlier": lambda k: zbv.v_forward(RANK, k),
            "F later": lambda k: zbv.v_forward(2 * S - 1 - RANK, k),
            "I later": lambda k: zbv.v_input(2 * S - 1 - RANK, k),
            "I earlier": lambda k: zbv.v_input(RANK, k)}


def _z3(name: str, goal: sp.Basic) -> Status:
    return prove_smt(Obligation(name, goal, RANGES, ("smt",))).status


@pytest.mark.slow
def test_forward_and_input_forms_share_no_slot_of_a_rank_by_z3():
    """For all S and M >= 2S - 1: F(j, m) < F(j + 1, m) and I(j + 1, m) < I(j, m) along the 2S
    stages; the F and I of rank r lie in [r, L_r], in microbatch order, no two in one slot (the F
    and I half of the valid-table and window obligations)."""
    names = list(RANK_OPS)
    for i, first in enumerate(names):
        for second in names[i:]:
            one, other = RANK_OPS[first], RANK_OPS[second]
            goal = (sp.Implies(m < m2, one(m) < one(m2)) if first == second
                    else sp.Ne(one(m), other(m2)))
            assert _z3(f"{first} / {second}", goal) is Status.PROVED, (first, second)
        inside = sp.And(RANK_OPS[first](m) >= RANK, RANK_OPS[first](m) <= zbv.last_input(RANK))
        assert _z3(f"{first} in [r, L_r]", inside) is Status.PROVED, first
    stage = sp.Symbol("j", integer=True)
    along = sp.And(zbv.v_forward(stage, m) + 1 <= zbv.v_forward(stage + 1, m),
                   zbv.v_input(stage + 1, m) + 1 <= zbv.v_input(stage, m))
    on_the_v = Obligation("F and I along the V", along, (*RANGES, stage >= 0, stage <= 2 * S - 2),
                          ("smt",))
    assert prove_smt(on_the_v).status is Status.PROVED


@pytest.mark.slow
def test_weight_after_its_input_outside_the_window_by_z3():
    """W(s, m) > I(s, m) and W inside [r, r + 6M) where W is a forward slot past M - 1 or runs
    after L_r; a tail one slot later (r + 4M + p + 1) leaves the window and is refuted."""
    for later, stage in ((True, 2 * S - 1 - RANK), (False, RANK)):
        place = zbv.w_position(stage, m, later)
        early = zbv.free_slots(RANK) - zbv.window_holes(RANK)
        before = RANK + zbv.group_slot(M - S + 1 + RANK + place)
        after = RANK + 4 * M + place
        start = zbv.v_input(stage, m) + 1
        for case, slot in ((place < early, before), (place >= zbv.free_slots(RANK), after)):
            goal = sp.Implies(case, sp.And(start <= slot, slot >= RANK, slot <= RANK + 6 * M - 1))
            assert _z3(f"W later={later} case {case}", goal) is Status.PROVED
    place = zbv.w_position(RANK, m, False)
    wrong = RANK + 4 * M + place + 1
    assert _z3("wrong tail", sp.Implies(place >= zbv.free_slots(RANK),
                                        wrong <= RANK + 6 * M - 1)) is Status.REFUTED
