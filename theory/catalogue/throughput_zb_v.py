"""Catalogue section 5: ZB-V (THR-ZB-V), the zero-bubble schedule with a V placement.

Qi et al. 2024 place two model chunks on each of S ranks in a V: rank r holds stages r and
2S - 1 - r of a pipeline of 2S stages. The policy (``pipeproof.checks.tables.action_policies``):
a ready I first (the later stage first), else a ready forward while fewer than 2S - j
activations are live on stage j (1F1B's limit over 2S stages), else the oldest pending W. Its
unit-cost table, for M >= 2S - 1, in closed form (checked on the policy tables; stage s =
0..2S - 1, r = min(s, 2S - 1 - s) its rank, g(n) = 4S floor(n/S) + 2 (n mod S) = 2n + 2S floor(n/S)
the slot of the n-th op of a line that runs groups of S ops two slots apart every 4S slots):

  F(s, m) = max(m + s, s + g(m - max(0, S - 1 - s)))      (warm-up m + s, then groups of S),
  I(s, m) = 4S - 1 - s + g(m).

Every rank runs its F and I in groups: per 4S slots, S forwards and S input gradients of each of
its two stages, gapless. Its W run in the order of its I (first in, first out): the W of
(s, m) has place p(s, m) on rank r,

  p = 2S floor(m/S) + k + max(0, k + r + 1 - S)                 (later stage, s >= S),
  p = min(m + M, 2S floor(m/S) + k + min(S, k + S - r))         (earlier stage),   k = m mod S,

and takes the p-th slot that the F and I of rank r leave free before its last I,
L_r = I(r, M - 1). There are h_r = L_r + 1 - r - 4M such slots, those where the F and I of
microbatches m >= M would fall if the lines went on:

  W = r + g(M - S + 1 + r + p)                   for p < h_r - c_r (forwards of the earlier
                                                 stage past M - 1, before the window),
  W = L_r - 2S + 2 + o(p - h_r + c_r)            for p < h_r (the window [L_r - 2S + 2, L_r)),
  W = r + 4M + p                                 otherwise (back to back after L_r),

where, with k_L = (M - 1) mod S, a = S - 1 - k_L and b = max(0, r - 1 - k_L), the window's slot
2x (x = 0..S - 2) is free iff x < a and its slot 2x + 1 iff x < b or x >= r, so it has
c_r = a + b + S - 1 - r free slots and o(q), the offset of the q-th, is q for q < 2b, then
2q - 2b while q < b + min(a, r), then 2(q - a - b + r) + 1 if a <= r, else q + r - b while
q < b + r + 2(a - r) and 2(q - b + r - a) + 1 after. So rank r is busy without a gap from slot
r to r + 6M - 1, the makespan is 6M + S - 1, and it holds at most 2S chunk activations (1F1B's
peak over 2S stages: S whole-stage activations).

Proved for all S >= 1 and M >= 2S - 1 (:mod:`.zb_v_proof`): with the divisions done,
m = nS + u and M - 1 = q_M S + k_M as variables of the statement (:mod:`.zb_v_groups`), Z3
proves that each rank's F, I and W lie in distinct slots of [r, r + 6M), each W after its I,
that rank S - 1's last W ends at 6M + S - 1, and, numbering a rank's forwards and input
gradients in time order (K and p), that K(x) - p(y) <= 2S - 1 whenever F(x) <= I(y): at most 2S
live chunk activations, 2S after the forward of (2S - 1 - r, r). That the policy produces
these forms is checked on its tables (the claims read the group forms at n = floor(m/S)).
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.catalogue import zb_v_groups as groups
from pipeproof.theory.catalogue import zb_v_proof as proof
from pipeproof.theory.catalogue.common import SMT, claim
from pipeproof.theory.symbols import M, S, m, s
from pipeproof.theory.theorem import Grid, Obligation, TableCheck, Theorem, Variant

ZB_V = Grid("zb-v", (1, 8), (2 * S - 1, 2 * S, 2 * S + 1, 3 * S - 1, 4 * S), chunks=(2,))
ZB_V_SHORT = Grid("zb-v", (2, 8), (S,), chunks=(2,))
"""M = S, outside the hypothesis M >= 2S - 1."""


def group_slot(n: sp.Expr) -> sp.Expr:
    """g(n) = 2n + 2S floor(n/S) = 4S floor(n/S) + 2 (n mod S): the n-th op of a line that runs
    groups of S ops two slots apart, one group every 4S slots."""
    return 2 * n + 2 * S * sp.floor(n / S)


def residue(n: sp.Expr) -> sp.Expr:
    """n mod S, written n - S floor(n/S) (the SMT encoder takes a constant modulus only)."""
    return n - S * sp.floor(n / S)


def rank_of(stage: sp.Expr = s) -> sp.Expr:
    """r = min(s, 2S - 1 - s), the rank of stage s in the V."""
    return sp.Min(stage, 2 * S - 1 - stage)


def v_forward(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """F(s, m) = max(m + s, s + g(m - max(0, S - 1 - s)))."""
    return sp.Max(micro + stage, stage + group_slot(micro - sp.Max(0, S - 1 - stage)))


def v_input(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """I(s, m) = 4S - 1 - s + g(m)."""
    return 4 * S - 1 - stage + group_slot(micro)


def w_position(stage: sp.Expr, micro: sp.Expr, later: bool) -> sp.Expr:
    """p(s, m): the place of W(s, m) among the W of its rank (their I's order); ``later``: s is
    the later stage of its rank (s >= S)."""
    rank, k = rank_of(stage), residue(micro)
    before = 2 * S * sp.floor(micro / S) + k
    if later:
        return before + sp.Max(0, k + rank + 1 - S)
    return sp.Min(micro + M, before + sp.Min(S, k + S - rank))


def last_input(stage: sp.Expr = s) -> sp.Expr:
    """L_r = I(r, M - 1), the last input gradient of rank r."""
    return v_input(rank_of(stage), M - 1)


def free_slots(stage: sp.Expr = s) -> sp.Expr:
    """h_r = L_r + 1 - r - 4M: the slots F and I leave free on rank r before L_r."""
    return last_input(stage) + 1 - rank_of(stage) - 4 * M


def window_hole(q: sp.Expr, stage: sp.Expr = s) -> sp.Expr:
    """Offset from L_r - 2S + 2 of the q-th free slot in the window [L_r - 2S + 2, L_r).

    With x = 0..S - 2 and k_L = (M - 1) mod S, the slot 2x is free iff x < a = S - 1 - k_L (a
    forward of the later stage past M - 1), the slot 2x + 1 iff x < b = max(0, r - 1 - k_L) (a
    forward of the earlier stage past M - 1) or x >= r (an input gradient of the later stage or
    a forward of the earlier one past M - 1).
    """
    rank = rank_of(stage)
    a = S - 1 - residue(M - 1)
    b = sp.Max(0, rank - 1 - residue(M - 1))
    return groups.hole_offset(q, a, b, rank)


def window_holes(stage: sp.Expr = s) -> sp.Expr:
    """The free slots in the window [L_r - 2S + 2, L_r): a + b + S - 1 - r."""
    rank = rank_of(stage)
    return (S - 1 - residue(M - 1)) + sp.Max(0, rank - 1 - residue(M - 1)) + S - 1 - rank


def weight_at(stage: sp.Expr, place: sp.Expr) -> sp.Expr:
    """The slot of the W of place p on the rank of ``stage``: the p-th free slot (module
    docstring): a forward slot of the earlier stage past M - 1 for p < h_r - (free slots of the
    window), then the window, then r + 4M + p."""
    rank = rank_of(stage)
    early = free_slots(stage) - window_holes(stage)
    return sp.Piecewise(
        (rank + group_slot(M - S + 1 + rank + place), place < early),
        (last_input(stage) - 2 * S + 2 + window_hole(place - early, stage),
         place < free_slots(stage)),
        (rank + 4 * M + place, True))


def v_weight(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """W(s, m): the p(s, m)-th free slot of rank r (module docstring)."""
    return sp.Piecewise((weight_at(stage, w_position(stage, micro, True)), stage >= S),
                        (weight_at(stage, w_position(stage, micro, False)), True))


GROUP, OFFSET = sp.Symbol("n", integer=True), sp.Symbol("u", integer=True)
"""Group and offset of a microbatch in the group forms, read at m by the claims."""


def at_m(form) -> sp.Expr:
    """A group form of (stage, group, offset) read at stage s and microbatch m."""
    return groups.at_microbatch(form(s, GROUP, OFFSET), GROUP, OFFSET, m)


def _wrong(name: str, goal: sp.Basic) -> Obligation:
    """A wrong part of the statement, for a variant."""
    return Obligation(name, proof.unfold(goal), proof.assumptions(), SMT, (),
                      proof.hypothesis_premises())


def zb_v() -> Theorem:
    """THR-ZB-V: the V placement, gapless ranks and 1F1B's peak memory."""
    claims = (claim("makespan", 6 * M + S - 1),
              claim("gaps_per_rank", 0, s),
              claim("peak_live_per_rank", 2 * S, s),
              claim("forward_start", at_m(groups.forward), s, m),
              claim("input_start", at_m(groups.input_gradient), s, m),
              claim("weight_start", at_m(groups.weight), s, m))
    return Theorem(
        id="THR-ZB-V",
        title="ZB-V (unit costs, M >= 2S - 1): makespan 6M + S - 1 chunk slots, no gap on any "
              "rank, 2S chunk activations (1F1B's peak)",
        statement=proof.statement(),
        assumptions=proof.assumptions(),
        definitions=proof.definitions(),
        obligations=proof.obligations(),
        hypotheses=("S >= 1 ranks, two chunks per rank: stages r and 2S - 1 - r, M >= 2S - 1",
                    "unit chunk ops F, I, W",
                    "policy: a ready I first (the later stage first), else a ready forward "
                    "while fewer than 2S - j activations are live on stage j, else the oldest "
                    "pending W"),
        source="[L] Qi et al. 2024 (ZB-V); the forms here [D]",
        tables=(TableCheck(ZB_V, claims),),
        variants=(
            Variant("one chunk activation more than 1F1B: 2S + 1",
                    claims=(claim("peak_live_per_rank", 2 * S + 1, s),)),
            Variant("one chunk activation less: at most 2S - 1 live on a rank",
                    (_wrong("at most 2S - 1 live", proof.live_bound(2 * S - 1)),),
                    (claim("peak_live_per_rank", 2 * S - 1, s),)),
            Variant("the last W one slot later: makespan 6M + S",
                    (_wrong("the last W ends at 6M + S", proof.last_op(6 * M + S)),),
                    (claim("makespan", 6 * M + S),)),
            Variant("makespan 6M + 2(S - 1), ZB-H1's bubble counted in chunk pairs",
                    claims=(claim("makespan", 6 * M + 2 * (S - 1)),)),
            Variant("dropped M >= 2S - 1: no gap at M = S too",
                    claims=(claim("gaps_per_rank", 0, s),), grid=ZB_V_SHORT),
            Variant("input gradients two slots apart throughout: I(s, m) = 2m + 4S - 1 - s",
                    claims=(claim("input_start", 2 * m + 4 * S - 1 - s, s, m),)),
            Variant("no shift of the earlier stage's groups: F(s, m) = max(m + s, s + g(m))",
                    claims=(claim("forward_start", sp.Max(m + s, s + group_slot(m)), s, m),)),
            Variant("every W back to back after the last I: W(s, m) = r + 4M + p(s, m)",
                    claims=(claim("weight_start", sp.Piecewise(
                        (rank_of() + 4 * M + w_position(s, m, True), s >= S),
                        (rank_of() + 4 * M + w_position(s, m, False), True)), s, m),)),
        ),
        notes="Proved for all S and M >= 2S - 1 on the unit-cost closed forms (Z3, with "
              "microbatches as group and offset, zb_v_proof); that the policy produces them "
              "is checked on its tables (S <= 8). The policy differs from the "
              "hand-made ZB-V of Qi et al. in its warm-up, and PyTorch's ScheduleZBVZeroBubble "
              "agrees with its makespan, gaps and peak for S = 2..8, M in {2S, 4S, 8S} "
              "(pipeproof external torch).",
    )


THEOREMS = (zb_v,)
"""Builders of the section's theorems."""
