"""Catalogue section 5: zero staleness of the synchronous chunked and zero-bubble schedules.

A synchronous step updates stage s once, when its last weight-gradient op has ended:
U_s = W(s, M - 1) + 1 (the W of a stage run in microbatch order). Every op of stage s reads its
weights (F and I) or the activations they made (W), so the step reads no update of another step
when every op of stage s of the step ends by U_s, and the next step's first op of stage s
starts at or after U_s. ZB-H2 is the case where the second part is not trivial: with a
post-validated optimizer step (Qi et al. 2024) the steps overlap and repeat every 3M slots, so
stage s starts step k + 1 at F(s, 0) + 3M while other stages still run step k.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.catalogue import op_tables
from pipeproof.theory.catalogue.common import SMT, claim
from pipeproof.theory.catalogue.op_tables import B, F, Part
from pipeproof.theory.catalogue.throughput_interleaved import INTERLEAVED
from pipeproof.theory.catalogue.throughput_zb_h1 import ZB_H1, ZB_H1_COSTS
from pipeproof.theory.catalogue.throughput_zb_v import ZB_V
from pipeproof.theory.catalogue.throughput_zero_bubble import (
    LONG,
    ZB_H2,
    W,
    definitions,
    obligations,
    unfold,
)
from pipeproof.theory.symbols import M, m, s
from pipeproof.theory.theorem import Obligation, TableCheck, Theorem, Variant


def synchronous_zero_bubble() -> Theorem:
    """STL-SYNC-ZB: no read of another step's update, even with ZB-H2's overlapping steps."""
    assumptions = (*op_tables.index_ranges(), LONG)
    update = W(s, M - 1) + 1
    period = 3 * M
    parts = (
        Part("every op of stage s in the step ends by its update U_s = W(s, M - 1) + 1",
             sp.And(F(s, m) + 1 <= update, B(s, m) + 1 <= update, W(s, m) + 1 <= update)),
        Part("with steps every 3M slots, stage s starts the next step (F(s, 0) + 3M) at or "
             "after U_s", update <= F(s, 0) + period),
    )
    statement = sp.And(*(part.formula for part in parts))
    claims = (claim("stale_reads", 0), claim("weight_versions", 1))
    grids = (ZB_H2, ZB_H1, ZB_H1_COSTS, INTERLEAVED, ZB_V)
    return Theorem(
        id="STL-SYNC-ZB",
        title="Interleaved 1F1B, ZB-H1, ZB-H2, ZB-V: zero staleness, one weight version; "
              "ZB-H2's overlapping steps too",
        statement=statement,
        assumptions=assumptions,
        definitions=definitions(),
        hypotheses=("S >= 1, M >= 2S - 1, ZB-H2's unit-cost table (THR-ZB-H2's closed form)",
                    "stage s updates once per step, after its last W; the next step repeats the "
                    "table 3M slots later (post-validated optimizer step)",
                    "tables: every family's policy table, stage j updated after its last W or B"),
        source="[D]",
        uses=("THR-ZB-H2",),
        obligations=obligations(parts, assumptions),
        tables=tuple(TableCheck(grid, claims) for grid in grids),
        variants=(
            Variant("updates as soon as each W ends (PipeDream's order) read nothing stale",
                    claims=(claim("reads_after_first_update", 0),), grid=ZB_H2),
            Variant("steps every 3M - 1 slots still read no update of another step",
                    (Obligation("U_s <= F(s, 0) + 3M - 1", unfold(
                        W(s, M - 1) + 1 <= F(s, 0) + period - 1), assumptions, SMT),)),
        ),
        notes="Proved for ZB-H2 with overlapping steps (the closed form of THR-ZB-H2); the "
              "tables of interleaved 1F1B, ZB-H1 (unit and integer costs), ZB-H2 and ZB-V are "
              "checked to have no read of a stage at or after that stage's update.",
    )


THEOREMS = (synchronous_zero_bubble,)
"""Builders of the section's theorems."""
