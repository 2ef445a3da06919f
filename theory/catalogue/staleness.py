"""Catalogue section 2: staleness (STL-*), the steady-state delays of PipeDream.

STL-PD-MATRIX states that the delays counted in the steady window (the sums of
:mod:`pipeproof.theory.catalogue.staleness_terms`, for S <= m <= M - S - 1) are D1(s, j) under C1
and D0(s, j) under C0; STL-PD-MAX bounds those counts; the other delay theorems speak about D1 and
D0. A maximum is stated as an upper bound for all s, j and its value at the witness s = 0.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import schedules, staleness
from pipeproof.theory.catalogue.common import (
    PIPEDREAM,
    PIPEDREAM_SMALL_M,
    SMT,
    SYMBOLIC,
    claim,
    for_both_conventions,
)
from pipeproof.theory.catalogue.staleness_terms import (
    D0,
    D1,
    INDEX_RANGES,
    STEADY_HYPOTHESES,
    STEADY_M,
    counted_c0,
    counted_c1,
    counting_obligation,
    monotone_obligation,
    proof,
    slot_mates_obligation,
    smooth_c1,
    smooth_obligation,
    steady_top,
    top_obligation,
    x,
    y,
)
from pipeproof.theory.catalogue.staleness_versions import lag, stash, synchronous, two_buffer
from pipeproof.theory.catalogue.staleness_warmup import PD_HYPOTHESES, PIPEDREAM_MID, warmup
from pipeproof.theory.symbols import M, S, j, m, s
from pipeproof.theory.theorem import Grid, TableCheck, Theorem, Variant

F, B = schedules.pipedream_forward, schedules.pipedream_backward
m2 = sp.Symbol("m2", integer=True, nonnegative=True)


def _no_drop_noam(quantity: str, formula: sp.Expr, *index: sp.Symbol) -> Variant:
    return Variant("dropped NOAM = S: the same with NOAM = ceil(S/2)",
                   claims=(claim(quantity, formula, *index),),
                   grid=Grid("pipedream", (2, 40), (10 * S,), noam=(sp.ceiling(S / 2),)))


def _window_obligations() -> tuple:
    """In the steady window the updates are exactly the pairs (x, u) with x + u odd."""
    u = sp.Symbol("u", integer=True, nonnegative=True)
    witness = sp.floor((u - 2 * S + 1 + x) / 2)
    window = sp.And(u >= 2 * m + j, u <= 2 * m + 2 * S - 1 - s, x <= S - 1,
                    sp.Eq(sp.Mod(x + u, 2), 1))
    return (
        proof("steady window: a slot u with F(j,m) <= u <= B(s,m) and x + u odd holds an update "
              "of stage x", sp.Implies(window, sp.And(witness >= 0, witness <= M - 1,
                                                      sp.Eq(B(x, witness), u))),
              S, M, s, j, m, hypotheses=STEADY_M, methods=SMT),
        proof("every update B(x, m') = u of stage x has x + u odd",
              sp.Implies(sp.Eq(B(x, m2), u), sp.Eq(sp.Mod(x + u, 2), 1)), S, methods=SMT),
    )


def matrix() -> Theorem:
    """STL-PD-MATRIX: the closed form of every steady-state delay."""
    claims = tuple(claim(q, staleness.delay(conv), s, j, convention=conv)
                   for conv in ("C1", "C0")
                   for q in ("delay.steady_matrix_min", "delay.steady_matrix_max"))
    return Theorem(
        id="STL-PD-MATRIX",
        tags=("empirical",),
        title="Delay of block j at the update of block s: D1(s,j) (C1), D1 + ceil(j/2) (C0)",
        statement=sp.And(sp.Eq(counted_c1(), D1()), sp.Eq(counted_c0(), D0())),
        hypotheses=PD_HYPOTHESES,
        source="[D]",
        uses=("THR-PD-CLOSED",),
        assumptions=STEADY_HYPOTHESES,
        obligations=(
            *_window_obligations(),
            counting_obligation(),
            slot_mates_obligation(),
        ),
        tables=(TableCheck(PIPEDREAM_MID, claims),),
        variants=(
            Variant("no parity term: floor((S-j)/2) + S floor((2S-2-s-j)/2) + floor(s/2)",
                    (proof("counting = D1 without parity term", sp.Eq(
                        staleness.delay_by_counting(), sp.floor((S - j) / 2) + S * sp.floor(
                            (2 * S - 2 - s - j) / 2) + sp.floor(s / 2)), S, s, j, m,
                        methods=SMT),),
                    (claim("delay.steady_matrix_max", sp.floor((S - j) / 2) + S * sp.floor(
                        (2 * S - 2 - s - j) / 2) + sp.floor(s / 2), s, j),)),
            Variant("C0 equals C1 (slot-mates ignored)",
                    claims=(claim("delay.steady_matrix_max", D1(), s, j, convention="C0"),)),
            Variant("leading terms only: S^2 - S(s + j + 1)/2",
                    claims=(claim("delay.steady_matrix_max", S**2 - S * (s + j + 1) / 2, s, j),)),
            Variant("the delay does not depend on the updated block: D1(0, j)",
                    claims=(claim("delay.steady_matrix_max", D1(0, j), s, j),)),
        ),
        notes="The statement's sums count, in the window from F(j, m) to B(s, m), the pairs "
              "(stage x, slot u) with x + u odd (C1 order; C0 adds the slot-mates of F(j, m) on "
              "stages x < j); the first two obligations show that these pairs are exactly the "
              "updates of the closed-form schedule (THR-PD-CLOSED) in the steady window. That "
              "link is proved for the pairs one by one; the step 'equal sets have equal counts' "
              "is not encoded.",
    )




def steady_max() -> Theorem:
    """STL-PD-MAX: the steady-state maximum delay."""
    top = staleness.steady_max_delay()
    nesting = sp.And(F(0, m) <= F(j, m), B(s, m) <= B(0, m))
    claims = for_both_conventions("delay.steady_max", lambda conv: top)
    return Theorem(
        id="STL-PD-MAX",
        tags=("empirical",),
        title="Steady-state PipeDream maximum delay S^2 - ceil(S/2) = floor(S^2 - S/2), C1 and C0",
        statement=sp.And(D1() <= top, D0() <= top, sp.Eq(D1(0, 0), top), sp.Eq(D0(0, 0), top),
                         sp.Eq(top, sp.floor(S**2 - S / 2)), nesting),
        hypotheses=PD_HYPOTHESES,
        source="[P] order S^2 - S/2 + O(1); exact form [D]",
        uses=("THR-PD-CLOSED", "STL-PD-MATRIX"),
        assumptions=(*INDEX_RANGES, M >= 1, m >= 0, m <= M - 1),
        obligations=(
            proof("window nesting: F(0, m) <= F(j, m), B(s, m) <= B(0, m), so d(s, j, m) <= "
                  "d(0, 0, m) for every m", nesting, S, M, s, j, m, methods=SMT),
            monotone_obligation(),
            top_obligation(),
            proof("D0(s, j) <= D1(0, 0) = D0(0, 0): the slot-mates never lift a delay above "
                  "block 0's", sp.And(D0() <= D1(0, 0), sp.Eq(D0(0, 0), D1(0, 0), evaluate=False)),
                  S, s, j, methods=SMT, parity=(S, s, j)),
            proof("S^2 - ceil(S/2) = floor(S^2 - S/2)", sp.Eq(top, sp.floor(S**2 - S / 2)), S,
                  parity=(S,)),
        ),
        tables=(TableCheck(PIPEDREAM, claims), TableCheck(PIPEDREAM_SMALL_M, claims)),
        variants=(
            Variant("S^2 - S", (proof("D1(0, 0) = S^2 - S", sp.Eq(D1(0, 0), S**2 - S), S),),
                    (claim("delay.steady_max", S**2 - S),)),
            Variant("off by one: S^2 - ceil(S/2) + 1",
                    (proof("D1(0, 0) = S^2 - ceil(S/2) + 1", sp.Eq(D1(0, 0), top + 1), S),),
                    (claim("delay.steady_max", top + 1),)),
            Variant("(S - 1)^2", claims=(claim("delay.steady_max", (S - 1) ** 2),)),
            Variant("C0 adds the slot-mates: S^2 - ceil(S/2) + floor(S/2)",
                    claims=(claim("delay.steady_max", top + sp.floor(S / 2), convention="C0"),)),
            _no_drop_noam("delay.steady_max", top),
        ),
        notes="D1 and D0 are the counted steady delays under C1 and C0 (STL-PD-MATRIX): every "
              "one is at most S^2 - ceil(S/2), and the delay of block 0 at its own update "
              "attains it. The window of (s, j, m) lies inside that of (0, 0, m) for every m, "
              "warm-up included. The maximum over the whole run is STL-PD-WARMUP.",
    )


def paper_exact() -> Theorem:
    """STL-PD-PAPER: the paper's S^2 - S/2 read as an exact value (false for odd S)."""
    paper = staleness.paper_delay()
    return Theorem(
        id="STL-PD-PAPER",
        tags=("empirical",),
        title="The paper's form read exactly: steady maximum delay = S^2 - S/2 (false for odd S)",
        statement=sp.And(D1() <= paper, sp.Eq(D1(0, 0), paper)),
        hypotheses=PD_HYPOTHESES,
        source="[P] arXiv 2606.03498, read as an exact equality",
        uses=("STL-PD-MAX", "STL-PD-MATRIX"),
        expected="refuted",
        assumptions=INDEX_RANGES,
        obligations=(proof("D1(0, 0) = S^2 - S/2", sp.Eq(D1(0, 0), paper), S),),
        tables=(TableCheck(PIPEDREAM, (claim("delay.steady_max", paper),)),),
        variants=(
            Variant("exact for every S >= 2",
                    claims=(claim("delay.steady_max", paper),),
                    grid=Grid("pipedream", (2, 64), (10 * S,))),
            Variant("exact after rounding up: ceil(S^2 - S/2)",
                    (proof("D1(0, 0) = ceil(S^2 - S/2)", sp.Eq(D1(0, 0), sp.ceiling(paper)),
                           S),),
                    (claim("delay.steady_max", sp.ceiling(paper)),)),
            Variant("exact with the half removed: S^2 - S/2 - 1/2",
                    (proof("D1(0, 0) = S^2 - S/2 - 1/2",
                           sp.Eq(D1(0, 0), paper - sp.Rational(1, 2)), S),),
                    (claim("delay.steady_max", paper - sp.Rational(1, 2)),)),
        ),
        notes="D1 is the steady delay matrix (STL-PD-MATRIX), D1(0, 0) its maximum (STL-PD-MAX). "
              "Refuted for every odd S (S = 1: 0 versus 1/2; S = 3: 7 versus 7.5). The "
              "obligation follows from the statement (coverage in that direction), so its "
              "counterexample refutes it. The paper's claim is the order S^2 - S/2 + O(1), "
              "proved with |O(1)| <= 1/2 as STL-PD-ORDER.",
    )


def paper_order() -> Theorem:
    """STL-PD-ORDER: S^2 - S/2 + O(1) with the explicit constant 1/2."""
    paper = staleness.paper_delay()
    half = sp.Rational(1, 2)
    claims = (claim("delay.steady_max", paper, relation="<="),
              claim("delay.steady_max", paper - half, relation=">="))
    return Theorem(
        id="STL-PD-ORDER",
        tags=("empirical",),
        title="The paper's order made explicit: S^2 - S/2 - 1/2 <= steady maximum <= S^2 - S/2",
        statement=sp.And(D1() <= paper, D1(0, 0) >= paper - half),
        hypotheses=PD_HYPOTHESES,
        source="[P] S^2 - S/2 + O(1); constant [D]",
        uses=("STL-PD-MAX", "STL-PD-MATRIX"),
        assumptions=INDEX_RANGES,
        notes="D1(s, j) is the steady delay of block j at the update of block s "
              "(STL-PD-MATRIX); its maximum D1(0, 0) lies in [S^2 - S/2 - 1/2, S^2 - S/2].",
        obligations=(
            monotone_obligation(),
            proof("with D1(0, 0) = S^2 - ceil(S/2) (STL-PD-MAX): S^2 - S/2 - 1/2 <= D1(0, 0) "
                  "<= S^2 - S/2", sp.And(D1(0, 0) <= paper, D1(0, 0) >= paper - half), S,
                  results=(steady_top(),), methods=SMT),
        ),
        tables=(TableCheck(PIPEDREAM, claims),),
        variants=(
            Variant("constant 1/4: D >= S^2 - S/2 - 1/4",
                    (proof("D1(0, 0) >= S^2 - S/2 - 1/4",
                           D1(0, 0) >= paper - sp.Rational(1, 4), S),),
                    (claim("delay.steady_max", paper - sp.Rational(1, 4), relation=">="),)),
            Variant("wrong side: D >= S^2 - S/2",
                    claims=(claim("delay.steady_max", paper, relation=">="),)),
            Variant("S^2 + O(1) with constant 4: D >= S^2 - 4",
                    (proof("D1(0, 0) >= S^2 - 4", D1(0, 0) >= S**2 - 4, S),),
                    (claim("delay.steady_max", S**2 - 4, relation=">="),)),
        ),
    )


def per_stage() -> Theorem:
    """STL-PD-STAGE: steady maximum of the delay of each read block."""
    claims = for_both_conventions("delay.steady_max_per_stage",
                                  lambda conv: staleness.stage_max_delay(conv), j)
    top_c1, top_c0 = staleness.stage_max_delay("C1"), staleness.stage_max_delay("C0")
    return Theorem(
        id="STL-PD-STAGE",
        tags=("empirical",),
        title="Steady maximum delay of block j: S^2 - ceil(S/2) - ceil(j(S+1)/2) (C1)",
        statement=sp.And(D1() <= top_c1, sp.Eq(D1(0, j), top_c1),
                         D0() <= top_c0, sp.Eq(D0(0, j), top_c0)),
        hypotheses=PD_HYPOTHESES,
        source="[D]",
        uses=("STL-PD-MATRIX",),
        assumptions=INDEX_RANGES,
        notes="D1 and D0 are the steady delays under C1 and C0 (STL-PD-MATRIX); the maximum "
              "over the updated block s is at s = 0.",
        obligations=(
            monotone_obligation(),
            proof("D1(0, j) = S^2 - ceil(S/2) - ceil(j(S+1)/2)", sp.Eq(D1(0, j), top_c1), S, j,
                  parity=(S, j)),
            proof("D0(0, j) = S^2 - ceil(S/2) - floor(j S/2)", sp.Eq(D0(0, j), top_c0), S, j,
                  parity=(S, j)),
        ),
        tables=(TableCheck(PIPEDREAM, claims),),
        variants=(
            Variant("C1 with ceil(j S/2)",
                    claims=(claim("delay.steady_max_per_stage", staleness.steady_max_delay()
                                  - sp.ceiling(j * S / 2), j),)),
            Variant("floor instead of ceil: S^2 - ceil(S/2) - floor(j(S+1)/2)",
                    (proof("D1(0, j) with floor", sp.Eq(D1(0, j), staleness.steady_max_delay()
                                                         - sp.floor(j * (S + 1) / 2)), S, j),),
                    (claim("delay.steady_max_per_stage", staleness.steady_max_delay()
                           - sp.floor(j * (S + 1) / 2), j),)),
            Variant("linear in j: (S^2 - ceil(S/2))(1 - j/S)",
                    claims=(claim("delay.steady_max_per_stage",
                                  staleness.steady_max_delay() * (1 - j / S), j),)),
            Variant("C0 has the C1 formula",
                    claims=(claim("delay.steady_max_per_stage", staleness.stage_max_delay("C1"),
                                  j, convention="C0"),)),
        ),
    )


def mean() -> Theorem:
    """STL-PD-MEAN: the exact mean steady-state delay."""
    average = sp.Sum(sp.Sum(smooth_c1(y, x), (x, 0, S - 1)), (y, 0, S - 1)) / S**2
    half_up = (x + staleness.odd(x)) / 2
    mates = sp.Sum(half_up, (x, 0, S - 1)) / S
    claims = for_both_conventions("delay.steady_mean", staleness.mean_delay)
    return Theorem(
        id="STL-PD-MEAN",
        tags=("empirical",),
        title="Mean steady-state delay (S^2 - 1)/2 (C1), plus floor(S^2/4)/S under C0",
        statement=sp.And(sp.Eq(D1(), smooth_c1()),
                         sp.Eq(sp.ceiling(j / 2), half_up.xreplace({x: j})),
                         sp.Eq(average, staleness.mean_delay("C1")),
                         sp.Eq(mates, staleness.mean_delay("C0") - staleness.mean_delay("C1"))),
        hypotheses=PD_HYPOTHESES,
        source="[C] fit 0.5 S^2; exact [D]",
        uses=("STL-PD-MATRIX",),
        assumptions=INDEX_RANGES,
        obligations=(
            smooth_obligation(),
            proof("ceil(j/2) = (j + [j odd])/2", sp.Eq(sp.ceiling(j / 2),
                                                       half_up.xreplace({x: j})), j,
                  methods=SYMBOLIC, parity=(j,)),
            proof("the mean of D1's smooth form over s, j is (S^2 - 1)/2",
                  sp.Eq(average, staleness.mean_delay("C1")), S, methods=SYMBOLIC, parity=(S,)),
            proof("C0 adds the mean of ceil(j/2): floor(S^2/4)/S",
                  sp.Eq(mates, staleness.mean_delay("C0") - staleness.mean_delay("C1")), S,
                  methods=SYMBOLIC, parity=(S,)),
        ),
        tables=(TableCheck(PIPEDREAM, claims), TableCheck(PIPEDREAM_SMALL_M, claims)),
        variants=(
            Variant("the authors' fit S^2/2 as an exact value",
                    (proof("mean = S^2/2", sp.Eq(average, S**2 / 2), S, methods=SYMBOLIC),),
                    (claim("delay.steady_mean", S**2 / 2),)),
            Variant("(S^2 - S)/2", claims=(claim("delay.steady_mean", (S**2 - S) / 2),)),
            Variant("C0 has the C1 mean",
                    claims=(claim("delay.steady_mean", staleness.mean_delay("C1"),
                                  convention="C0"),)),
        ),
        notes="D1 and D0 = D1 + ceil(j/2) are the steady delays (STL-PD-MATRIX). Proved: D1 "
              "equals its smooth form and ceil(j/2) equals (j + [j odd])/2 for every s, j, and "
              "the means of those forms are (S^2 - 1)/2 and floor(S^2/4)/S. The step 'equal "
              "terms have equal means' is not encoded; the means of the measured delays are "
              "checked on the tables.",
    )


THEOREMS = (matrix, steady_max, paper_exact, paper_order, warmup, per_stage, mean, lag, stash,
            synchronous, two_buffer)
"""Builders of the section's theorems, in catalogue order."""
