"""Catalogue section 5: zero-bubble schedules with the backward split into I and W (THR-ZB-*).

Qi et al. 2024 ("Zero Bubble Pipeline Parallelism", ICLR 2024) split the backward of a stage
into the input gradient (their B, here I: the op on the critical path) and the weight gradient
W, which may wait. Costs t_F, t_B (of I) and t_W. The tables are made by the zero-bubble policies
of ``pipeproof.checks.tables.action_policies`` (never by the closed forms stated here).

THR-ZB-H2 is stated on the closed form of its unit-cost table, with the op times F(s, m),
I(s, m) = B(s, m) (the function B of :mod:`.op_tables` plays I) and W(s, m):

  F(s, m) = max(m + s, 2m + 3s - 2S + 2)        (PipeDream's warm-up form),
  I(s, m) = 2m + 2S - 1 - s                     (PipeDream's backward form),
  W(s, m) = min(2M + 3s - 2S + 2 + 2m, 2M + s + m),

for M >= 2S - 1: stage s warms up with 2(S - s) - 1 forwards, then alternates I and F, then I
and W, then runs its last W back to back. Every op of stage s lies in [s, s + 3M - 1] and no two
share a slot, so the 3M ops fill that window: no gap inside a stage's busy span, and steps that
overlap through a post-validated optimizer step (Qi et al. 2024, section 4) repeat every 3M
slots with no bubble. The policy tables equal this form for M >= 2S - 1 and differ from it at
M = 2S - 2 (the variants).
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.catalogue import op_tables
from pipeproof.theory.catalogue.common import SMT, claim
from pipeproof.theory.catalogue.op_tables import B, F, Part
from pipeproof.theory.symbols import DOMAINS, M, S, m, m2, s
from pipeproof.theory.theorem import Grid, Obligation, Premise, TableCheck, Theorem, Variant

W = sp.Function("W", integer=True)
"""W(s, m): first slot of the weight-gradient op of microbatch m on stage s."""

ZB_H2 = Grid("zb-h2", (1, 10), (2 * S - 1, 2 * S, 3 * S, 4 * S))
ZB_H2_SHORT = Grid("zb-h2", (2, 10), (2 * S - 2,))
"""One microbatch short of the hypothesis M >= 2S - 1."""
LONG = M >= 2 * S - 1


def h2_forward(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """F(s, m) = max(m + s, 2m + 3s - 2S + 2)."""
    return sp.Max(micro + stage, 2 * micro + 3 * stage - 2 * S + 2)


def h2_input(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """I(s, m) = 2m + 2S - 1 - s."""
    return 2 * micro + 2 * S - 1 - stage


def h2_weight(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """W(s, m) = min(2M + 3s - 2S + 2 + 2m, 2M + s + m)."""
    return sp.Min(2 * M + 3 * stage - 2 * S + 2 + 2 * micro, 2 * M + stage + micro)


H2 = (h2_forward, h2_input, h2_weight)


def unfold(formula: sp.Basic, forms: tuple = H2) -> sp.Basic:
    """``formula`` with the closed forms ``forms`` = (F, I, W) put in for F, B (= I) and W."""
    forward, backward, weight = forms
    return sp.sympify(formula).replace(F, forward).replace(B, backward).replace(W, weight)


def definitions(forms: tuple = H2) -> tuple[sp.Basic, ...]:
    """F = forward, B = I = input, W = weight, for all integers stage, micro."""
    stage, micro = op_tables.ARGUMENTS["stage"], op_tables.ARGUMENTS["micro"]
    return (*op_tables.definitions(forms[0], forms[1]),
            sp.Eq(W(stage, micro), forms[2](stage, micro)))


def obligations(parts: tuple[Part, ...], assumptions: tuple[sp.Basic, ...],
                forms: tuple = H2) -> tuple[Obligation, ...]:
    """One SMT obligation per part, its formula unfolded, its non-domain hypotheses premises;
    a part that SymPy reduces to true once unfolded follows from the definitions alone (the
    coverage check proves it) and gets none, as in :func:`.op_tables.obligations`."""
    known = {r for value in DOMAINS.values() for r in sp.And.make_args(value)}
    premises = tuple(Premise(a, "hypothesis", str(a)) for a in assumptions
                     if a not in known and len(a.free_symbols) > 1)
    made = []
    for part in parts:
        goal = unfold(part.formula, forms)
        if goal is sp.true:
            continue
        if goal is sp.false:
            raise ValueError(f"the closed form contradicts {part.name!r}")
        made.append(Obligation(part.name, goal, assumptions, part.methods, (), premises))
    return tuple(made)


def weight_parts() -> tuple[Part, ...]:
    """W after I and in microbatch order; no W in the slot of a forward or an I (unit costs)."""
    distinct = sp.And(sp.Or(W(s, m) + 1 <= F(s, m2), F(s, m2) + 1 <= W(s, m)),
                      sp.Or(W(s, m) + 1 <= B(s, m2), B(s, m2) + 1 <= W(s, m)))
    return (
        Part("W(s, m) after I(s, m), and the W of a stage in microbatch order",
             sp.And(B(s, m) + 1 <= W(s, m),
                    sp.Implies(m <= M - 2, W(s, m) + 1 <= W(s, m + 1)))),
        Part("no W shares a slot with a forward or an input gradient of its stage", distinct),
    )


def zb_h2() -> Theorem:
    """THR-ZB-H2: the unit-cost ZB-H2 table, gapless on every stage, 2(S - s) - 1 live."""
    assumptions = (*op_tables.index_ranges(), LONG)
    window = sp.And(F(s, m) >= s, W(s, m) + 1 <= 3 * M + s, B(s, m) + 1 <= 3 * M + s,
                    F(s, m) + 1 <= 3 * M + s, W(s, m) >= s, B(s, m) >= s)
    peak = 2 * (S - s) - 1
    parts = (
        Part("F and I = B form a valid op table (dependencies, stage order, no overlap)",
             op_tables.valid_table()),
        *weight_parts(),
        Part("every op of stage s lies in [s, s + 3M - 1]: its 3M ops fill the window, no gap",
             window),
        Part("the last op W(S - 1, M - 1) ends at 3M + S - 1, the makespan",
             sp.Eq(W(S - 1, M - 1) + 1, 3 * M + S - 1)),
        Part("peak live activations (F started, I not ended) 2(S - s) - 1",
             op_tables.peak_in_flight(peak)),
    )
    statement = sp.And(*(part.formula for part in parts))
    claims = (
        claim("forward_start", h2_forward(), s, m),
        claim("input_start", h2_input(), s, m),
        claim("weight_start", h2_weight(), s, m),
        claim("makespan", 3 * M + S - 1),
        claim("gaps_per_rank", 0, s),
        claim("peak_live_per_rank", peak, s),
    )
    return Theorem(
        id="THR-ZB-H2",
        tags=(),
        title="ZB-H2 (unit costs, M >= 2S - 1): no gap on any stage, makespan 3M + S - 1, "
              "2(S - s) - 1 live activations",
        statement=statement,
        assumptions=assumptions,
        definitions=definitions(),
        hypotheses=("S >= 1, M >= 2S - 1", "unit costs t_F = t_B = t_W = 1 (t_B: the input "
                    "gradient I)", "policy: a ready I first, else a ready forward while fewer "
                    "than 2(S - s) - 1 activations are live on stage s, else the oldest "
                    "pending W"),
        source="[L] Qi et al. 2024 (Zero Bubble Pipeline Parallelism, ZB-H2); closed form [D]",
        obligations=obligations(parts, assumptions),
        tables=(TableCheck(ZB_H2, claims),),
        variants=(
            Variant("one more live activation: 2(S - s)",
                    (Obligation("peak 2(S - s)", unfold(op_tables.peak_in_flight(2 * (S - s))),
                                assumptions, SMT),),
                    (claim("peak_live_per_rank", 2 * (S - s), s),)),
            Variant("makespan 3M + S (off by one)", claims=(claim("makespan", 3 * M + S),)),
            Variant("the W run back to back only: W(s, m) = 2M + s + m",
                    claims=(claim("weight_start", 2 * M + s + m, s, m),)),
            Variant("dropped M >= 2S - 1: no gap at M = 2S - 2 too",
                    claims=(claim("gaps_per_rank", 0, s),), grid=ZB_H2_SHORT),
        ),
        notes="Proved for all S and M >= 2S - 1 on the closed form (Z3); that the ZB-H2 policy "
              "produces it is checked on the policy tables (S <= 10). The gapless busy span is "
              "the counting step: 3M ops of stage s, pairwise in distinct slots (valid table "
              "and the W parts), all inside the 3M slots [s, s + 3M - 1].",
    )


THEOREMS = (zb_h2,)
"""Builders of the section's theorems."""
