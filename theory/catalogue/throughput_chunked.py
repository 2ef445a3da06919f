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
from pipeproof.theory.symbols import M, S, s
from pipeproof.theory.theorem import Grid, TableCheck, Theorem, Variant

ZB_V = Grid("zb-v", (1, 8), (2 * S - 1, 2 * S, 4 * S), chunks=(2,))
ZB_V_SHORT = Grid("zb-v", (2, 8), (S,), chunks=(2,))


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


THEOREMS = (zb_v,)
"""Builders of the section's theorems."""
