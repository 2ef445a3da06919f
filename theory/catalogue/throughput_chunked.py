"""Catalogue section 5: interleaved 1F1B (THR-INTERLEAVED), several model chunks per rank.

It is stated on the tables its order makes (``pipeproof.checks.tables.action_policies``) and
checked there; no closed form of its op times is proved (interleaved 1F1B idles at places that
move with S, v and M), so its status is at most ``checked``. ZB-V, the other chunked schedule,
is ``throughput_zb_v``.

* Interleaved 1F1B (Narayanan et al. 2021, Megatron-LM), S ranks with v chunks each, stage
  j = cS + r on rank r, S | M, chunk ops of cost t_F and t_B: makespan (t_F + t_B)(vM + S - 1),
  so every rank idles (t_F + t_B)(S - 1) and the bubble over the ideal time is (S - 1)/(vM); the
  peak of live chunk activations on rank r is min(2(S - 1 - r) + (v - 1)S + 1, vM) for v >= 2.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.catalogue.common import claim
from pipeproof.theory.symbols import M, S, s, t_B, t_F, v
from pipeproof.theory.theorem import Grid, TableCheck, Theorem, Variant

INTERLEAVED = Grid("interleaved", (1, 8), (S, 2 * S, 4 * S), chunks=(2, 3, 4))
INTERLEAVED_COSTS = Grid("interleaved", (2, 6), (S, 2 * S), chunks=(2, 3),
                         costs=((1, 2), (2, 1), (2, 3)))


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


THEOREMS = (interleaved,)
"""Builders of the section's theorems."""
