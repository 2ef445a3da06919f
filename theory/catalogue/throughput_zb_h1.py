"""Catalogue section 5: ZB-H1 (THR-ZB-H1), the zero-bubble schedule with 1F1B's memory.

Qi et al. 2024 state ZB-H1's bubble per stage as (S - 1)(t_F + t_B - t_W), a third of 1F1B's
(S - 1)(t_F + t_B + t_W) when t_F = t_B = t_W (t_B: the input gradient I). The policy
(``pipeproof.checks.tables.action_policies``): a ready I first; a pending W once more than S - 1
are pending; a ready forward while fewer than S - s activations are live on stage s (1F1B's
limit); else the oldest pending W. Its unit-cost table, for M >= 2S - 2, in closed form:

  F(s, m) = m + s for m < S - s, else max(2m + s, 3m + 2s - 2S + 2),
  I(s, m) = max(2m + 2S - 1 - s, 3m + S - s),
  W(s, m) = min(3m + 4S - 2 - s,                               (steady: after I(s, m + S - 1))
                3(M - S + s) + S - s + 1 + p + floor(p/2),      (drain, p = m - (M - 2S + s + 1))
                2M + S - 1 + m)                                 (back to back to the end).

Every stage ends at 3M + S - 1 and runs 3M unit ops in distinct slots, so its idle is S - 1 =
(S - 1)(t_F + t_B - t_W) at unit costs. With integer costs the bubble formula is checked on the
policy tables where t_W = t_F <= t_B or t_W = 1 (t_F, t_B, t_W <= 3); it fails at t_W > t_F
(a variant), and at t_F = 3, t_B = t_W = 2 the policy's makespan exceeds it by up to 2 slots.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.catalogue import op_tables
from pipeproof.theory.catalogue.common import SMT, claim
from pipeproof.theory.catalogue.op_tables import B, F, Part
from pipeproof.theory.catalogue.throughput_zero_bubble import (
    W,
    definitions,
    obligations,
    unfold,
    weight_parts,
)
from pipeproof.theory.symbols import M, S, m, s, t_B, t_F, t_W
from pipeproof.theory.theorem import Grid, Obligation, TableCheck, Theorem, Variant

ZB_H1 = Grid("zb-h1", (1, 10), (2 * S - 2, 2 * S - 1, 2 * S, 3 * S, 4 * S))
ZB_H1_COSTS = Grid("zb-h1", (2, 6), (S, 2 * S, 4 * S),
                   costs=((1, 1, 1), (1, 2, 1), (1, 3, 1), (2, 2, 2), (2, 3, 2), (3, 3, 3),
                          (2, 1, 1), (2, 2, 1), (3, 2, 1), (3, 3, 1)))
ZB_H1_HEAVY_W = Grid("zb-h1", (2, 6), (S, 2 * S), costs=((1, 1, 2), (1, 2, 2)))
"""Costs outside the hypothesis: a weight gradient dearer than the forward."""
LONG = M >= 2 * S - 2


def h1_forward(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """F(s, m) = m + s for m < S - s, else max(2m + s, 3m + 2s - 2S + 2)."""
    later = sp.Max(2 * micro + stage, 3 * micro + 2 * stage - 2 * S + 2)
    return sp.Piecewise((micro + stage, micro < S - stage), (later, True))


def h1_input(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """I(s, m) = max(2m + 2S - 1 - s, 3m + S - s)."""
    return sp.Max(2 * micro + 2 * S - 1 - stage, 3 * micro + S - stage)


def h1_weight(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """W(s, m): the least of its steady, drain and back-to-back forms (module docstring)."""
    offset = micro - (M - 2 * S + stage + 1)
    drain = 3 * (M - S + stage) + S - stage + 1 + offset + sp.floor(offset / 2)
    return sp.Min(3 * micro + 4 * S - 2 - stage, drain, 2 * M + S - 1 + micro)


H1 = (h1_forward, h1_input, h1_weight)


def zb_h1() -> Theorem:
    """THR-ZB-H1: every stage idle S - 1 = (S - 1)(t_F + t_B - t_W), S - s live activations."""
    assumptions = (*op_tables.index_ranges(), LONG)
    end = 3 * M + S - 1
    window = sp.And(F(s, m) + 1 <= end, B(s, m) + 1 <= end, W(s, m) + 1 <= end,
                    F(s, m) >= 0, B(s, m) >= 0, W(s, m) >= 0)
    peak = S - s
    parts = (
        Part("F and I = B form a valid op table (dependencies, stage order, no overlap)",
             op_tables.valid_table()),
        *weight_parts(),
        Part("every op lies in [0, 3M + S - 1): each stage runs its 3M ops in distinct slots of "
             "3M + S - 1, idle S - 1", window),
        Part("every stage's last op W(s, M - 1) ends at 3M + S - 1, the makespan",
             sp.Eq(W(s, M - 1) + 1, end)),
        Part("peak live activations (F started, I not ended) S - s, 1F1B's",
             op_tables.peak_in_flight(peak)),
    )
    statement = sp.And(*(part.formula for part in parts))
    claims = (
        claim("forward_start", h1_forward(), s, m),
        claim("input_start", h1_input(), s, m),
        claim("weight_start", h1_weight(), s, m),
        claim("makespan", end),
        claim("idle_per_rank", S - 1, s),
        claim("peak_live_per_rank", peak, s),
    )
    bubble = (S - 1) * (t_F + t_B - t_W)
    cost_claims = (claim("idle_per_rank", bubble, s),
                   claim("makespan", M * (t_F + t_B + t_W) + bubble),
                   claim("peak_live_per_rank", sp.Min(S - s, M), s))
    return Theorem(
        id="THR-ZB-H1",
        title="ZB-H1: idle per stage (S-1)(t_F+t_B-t_W) (S - 1 at unit costs, a third of "
              "1F1B's), S - s live activations",
        statement=statement,
        assumptions=assumptions,
        definitions=definitions(H1),
        hypotheses=("S >= 1, M >= 2S - 2 (closed form; the tables also M = S)",
                    "unit costs t_F = t_B = t_W = 1 for the closed form; integer costs with "
                    "t_W = t_F <= t_B or t_W = 1 on the tables (t_B: the input gradient I)",
                    "policy: a ready I first, a pending W once more than S - 1 are pending, a "
                    "ready forward while fewer than S - s activations are live, else a W"),
        source="[L] Qi et al. 2024 (Zero Bubble Pipeline Parallelism, ZB-H1); closed form [D]",
        obligations=obligations(parts, assumptions, H1),
        tables=(TableCheck(ZB_H1, claims), TableCheck(ZB_H1_COSTS, cost_claims)),
        variants=(
            Variant("1F1B's idle (S - 1)(t_F + t_B + t_W)",
                    claims=(claim("idle_per_rank", (S - 1) * (t_F + t_B + t_W), s),),
                    grid=ZB_H1_COSTS),
            Variant("one more live activation: S - s + 1",
                    (Obligation("peak S - s + 1", unfold(op_tables.peak_in_flight(S - s + 1),
                                                         H1), assumptions, SMT),),
                    (claim("peak_live_per_rank", S - s + 1, s),)),
            Variant("no drain: W(s, m) = 3m + 4S - 2 - s for every m",
                    claims=(claim("weight_start", 3 * m + 4 * S - 2 - s, s, m),)),
            Variant("dropped t_W <= t_F: the bubble formula with a dearer weight gradient",
                    claims=(claim("idle_per_rank", bubble, s),), grid=ZB_H1_HEAVY_W),
        ),
        notes="Proved for all S and M >= 2S - 2 on the unit-cost closed form (Z3); that the "
              "ZB-H1 policy produces it is checked on the policy tables (S <= 10), and the "
              "integer-cost bubble (S - 1)(t_F + t_B - t_W) on the tables of ZB_H1_COSTS only.",
    )


THEOREMS = (zb_h1,)
"""Builders of the section's theorems."""
