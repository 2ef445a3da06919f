"""Catalogue section 5: schedules with several model chunks per rank (THR-INTERLEAVED, THR-ZB-V).

Both are stated on the tables their policies make (``pipeproof.checks.tables.action_policies``)
and checked there; no closed form of their op times is proved (interleaved 1F1B idles at places
that move with S, v and M, and ZB-V's V placement mixes two chunk orders), so their status is at
most ``checked``.

* Interleaved 1F1B (Narayanan et al. 2021, Megatron-LM), S ranks with v chunks each, stage
  j = cS + r on rank r, S | M, chunk ops of cost t_F and t_B: makespan (t_F + t_B)(vM + S - 1),
  so every rank idles (t_F + t_B)(S - 1) and the bubble over the ideal time is (S - 1)/(vM); the
  peak of live chunk activations on rank r is min(2(S - 1 - r) + (v - 1)S + 1, vM) for v >= 2.
* ZB-V (Qi et al. 2024): rank r holds stages r and 2S - 1 - r; unit chunk ops F, I, W; for
  M >= 2S - 1 the makespan is 6M + S - 1, no rank has a gap inside its busy span (zero bubble for
  steps that overlap), and every rank holds at most 2S chunk activations, i.e. S whole-stage
  activations: 1F1B's peak on its first stage.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.catalogue.common import claim
from pipeproof.theory.symbols import M, S, s, t_B, t_F, v
from pipeproof.theory.theorem import Grid, TableCheck, Theorem, Variant

INTERLEAVED = Grid("interleaved", (1, 8), (S, 2 * S, 4 * S), chunks=(2, 3, 4))
INTERLEAVED_COSTS = Grid("interleaved", (2, 6), (S, 2 * S), chunks=(2, 3),
                         costs=((1, 2), (2, 1), (2, 3)))
ZB_V = Grid("zb-v", (1, 8), (2 * S - 1, 2 * S, 4 * S), chunks=(2,))
ZB_V_SHORT = Grid("zb-v", (2, 8), (S,), chunks=(2,))


def interleaved() -> Theorem:
    """THR-INTERLEAVED: Megatron's interleaved 1F1B, bubble (S - 1)/(vM)."""
    makespan = (t_F + t_B) * (v * M + S - 1)
    peak = sp.Min(2 * (S - 1 - s) + (v - 1) * S + 1, v * M)
    claims = (claim("makespan", makespan),
              claim("idle_per_rank", (t_F + t_B) * (S - 1), s),
              claim("bubble_over_ideal", (S - 1) / (v * M)),
              claim("peak_live_per_rank", peak, s))
    return Theorem(
        id="THR-INTERLEAVED",
        title="Interleaved 1F1B, v chunks: makespan (t_F+t_B)(vM+S-1), bubble (S-1)/(vM), "
              "peak min(2(S-1-r)+(v-1)S+1, vM) chunk activations",
        statement=sp.Eq(sp.Symbol("makespan"), makespan, evaluate=False),
        hypotheses=("S >= 1 ranks, v >= 2 chunks per rank, S | M",
                    "Megatron's order: forwards in groups of S microbatches chunk by chunk, "
                    "min(2(S - 1 - r) + (v - 1)S, vM) warm-up forwards on rank r, then one "
                    "forward and one backward in turn",
                    "chunk ops of integer cost t_F, t_B, timed as early as dependencies allow"),
        source="[L] Narayanan et al. 2021 (Megatron-LM interleaved schedule); peak [D]",
        expected="checked",
        tables=(TableCheck(INTERLEAVED, claims), TableCheck(INTERLEAVED_COSTS, claims[:3])),
        variants=(
            Variant("bubble without the chunks: (S - 1)/M",
                    claims=(claim("bubble_over_ideal", (S - 1) / M),)),
            Variant("makespan off by one chunk slot pair: (t_F + t_B)(vM + S)",
                    claims=(claim("makespan", (t_F + t_B) * (v * M + S)),)),
            Variant("peak without the current microbatch: 2(S - 1 - r) + (v - 1)S",
                    claims=(claim("peak_live_per_rank", sp.Min(2 * (S - 1 - s) + (v - 1) * S,
                                                               v * M), s),)),
            Variant("dropped v >= 2: the peak form with one chunk (1F1B has S - r)",
                    claims=(claim("peak_live_per_rank", peak, s),),
                    grid=Grid("interleaved", (2, 8), (2 * S,), chunks=(1,))),
        ),
        notes="Checked on the tables of Megatron's order (no closed form of the op times is "
              "proved); PyTorch's ScheduleInterleaved1F1B (two chunks) gives the same makespan "
              "and peaks for S = 2..8, M in {S, 2S, 4S, 8S} (pipeproof external torch).",
    )


def zb_v() -> Theorem:
    """THR-ZB-V: the V placement, gapless ranks and 1F1B's peak memory."""
    claims = (claim("makespan", 6 * M + S - 1),
              claim("gaps_per_rank", 0, s),
              claim("peak_live_per_rank", 2 * S, s))
    return Theorem(
        id="THR-ZB-V",
        title="ZB-V (unit costs, M >= 2S - 1): makespan 6M + S - 1 chunk slots, no gap on any "
              "rank, 2S chunk activations (1F1B's peak)",
        statement=sp.Eq(sp.Symbol("makespan"), 6 * M + S - 1, evaluate=False),
        hypotheses=("S >= 1 ranks, two chunks per rank: stages r and 2S - 1 - r, M >= 2S - 1",
                    "unit chunk ops F, I, W",
                    "policy: a ready I first (the later stage first), else a ready forward "
                    "while fewer than 2S - j activations are live on stage j, else the oldest "
                    "pending W"),
        source="[L] Qi et al. 2024 (ZB-V); the forms here [D]",
        expected="checked",
        tables=(TableCheck(ZB_V, claims),),
        variants=(
            Variant("one chunk activation more than 1F1B: 2S + 1",
                    claims=(claim("peak_live_per_rank", 2 * S + 1, s),)),
            Variant("makespan 6M + 2(S - 1), ZB-H1's bubble counted in chunk pairs",
                    claims=(claim("makespan", 6 * M + 2 * (S - 1)),)),
            Variant("dropped M >= 2S - 1: no gap at M = S too",
                    claims=(claim("gaps_per_rank", 0, s),), grid=ZB_V_SHORT),
        ),
        notes="Checked on the policy tables only; the policy differs from the hand-made ZB-V "
              "of Qi et al. in its warm-up, and PyTorch's ScheduleZBVZeroBubble agrees with "
              "these forms for S = 2..8, M in {2S, 4S, 8S} (pipeproof external torch).",
    )


THEOREMS = (interleaved, zb_v)
"""Builders of the section's theorems."""
