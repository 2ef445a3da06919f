"""Catalogue section 2: staleness (STL-*)."""

from __future__ import annotations

import sympy as sp

from theory import memory, schedules, staleness
from theory.catalogue.common import (
    BOTH,
    LOCALSGD,
    ONE,
    PIPEDREAM,
    PIPEDREAM_SMALL_M,
    SMT,
    SYMBOLIC,
    TWO,
    claim,
    eq,
    for_both_conventions,
    le,
    lt,
    ob,
)
from theory.symbols import M, R, S, j, m, s, t_B, t_F
from theory.theorem import Grid, TableCheck, Theorem, Variant

F, B = schedules.pipedream_forward, schedules.pipedream_backward
F_STEADY = schedules.pipedream_steady_forward
D1, D0 = staleness.delay_c1, staleness.delay_c0
DELTA = sp.Symbol("delta_ss")  # steady maximum delay
PIPEDREAM_MID = Grid("pipedream", (1, 64), (10 * S,))
STEADY_M = (m >= S, m <= M - S - 1)
SYNC_GRIDS = (Grid("gpipe", (1, 48), (10 * S, ONE, S)), Grid("flush", (1, 48), (10 * S, ONE, S)),
              LOCALSGD)
PD_HYPOTHESES = ("S >= 1 stages", "unit costs t_F = t_B = 1", "NOAM = S",
                 "greedy 1F1B policy with weight stashing (THR-PD-CLOSED)",
                 "steady state: microbatches S <= m < M - S")
x = sp.Symbol("x", integer=True, nonnegative=True)


def window_nesting() -> sp.Basic:
    """F(0, m) <= F(j, m) and B(s, m) <= B(0, m): the window of (s, j) lies inside that of (0, 0),
    so d(s, j, m) <= d(0, 0, m) for every m, warm-up included."""
    return sp.And(F(0, m) <= F(j, m), B(s, m) <= B(0, m))


def _nesting_obligation():
    return ob("window nesting: F(0, m) <= F(j, m), B(s, m) <= B(0, m), so d(s, j, m) <= "
              "d(0, 0, m)", window_nesting(), S, M, s, j, m, methods=SMT)


def _no_drop_noam(quantity: str, formula: sp.Expr, *index: sp.Symbol) -> Variant:
    return Variant("dropped NOAM = S: the same with NOAM = ceil(S/2)",
                   claims=(claim(quantity, formula, *index),),
                   grid=Grid("pipedream", (2, 40), (10 * S,), noam=(sp.ceiling(S / 2),)))


def matrix() -> Theorem:
    """STL-PD-MATRIX: the closed form of every steady-state delay."""
    u = sp.Symbol("u", integer=True, nonnegative=True)
    witness = sp.floor((u - 2 * S + 1 + x) / 2)
    window = (u >= 2 * m + j, u <= 2 * m + 2 * S - 1 - s, x >= 0, x <= S - 1,
              sp.Eq(sp.Mod(x + u, 2), 1), *STEADY_M)
    smooth = (S**2 - S * (s + j + 1) / 2 - (j - s + 1) / sp.Integer(2)
              + ((-1) ** j + (-1) ** s + (-1) ** (S + j) + (-1) ** (S + s)) / sp.Integer(8))
    claims = tuple(claim(q, staleness.delay(conv), s, j, convention=conv)
                   for conv in ("C1", "C0")
                   for q in ("delay.steady_matrix_min", "delay.steady_matrix_max"))
    return Theorem(
        id="STL-PD-MATRIX",
        tags=("empirical",),
        title="Delay of block j at the update of block s: D1(s,j) (C1), D1 + ceil(j/2) (C0)",
        statement=sp.And(sp.Eq(sp.Function("d_C1")(s, j), D1()),
                         sp.Eq(sp.Function("d_C0")(s, j), D0())),
        hypotheses=PD_HYPOTHESES,
        source="[D]",
        uses=("THR-PD-CLOSED",),
        obligations=(
            ob("steady window: stage x updates in slot u (F(j,m) <= u <= B(s,m)) iff x + u odd",
               sp.And(witness >= 0, witness <= M - 1, sp.Eq(B(x, witness), u)),
               S, M, s, j, m, extra=window, methods=SMT),
            ob("every update of stage x falls on a slot u with x + u odd",
               eq(sp.Mod(B(x, m) + x, 2), 1), S, m, methods=BOTH),
            ob("counting the updates in the window gives D1(s, j)",
               sp.Eq(staleness.delay_by_counting(), D1()), S, s, j, m, methods=SYMBOLIC,
               parity=(S, s, j)),
            ob("C0 also counts the ceil(j/2) slot-mates on stages x < j of F(j, m)",
               sp.Eq(sp.Sum(staleness.odd(x + 2 * m + j), (x, 0, j - 1)), sp.ceiling(j / 2)),
               j, m, methods=SYMBOLIC, parity=(j,)),
            ob("smooth form: D1 = S^2 - S(s+j+1)/2 - (j-s+1)/2 + [(-1)^j + (-1)^s + (-1)^(S+j) "
               "+ (-1)^(S+s)]/8", sp.Eq(D1(), smooth), S, s, j, methods=SYMBOLIC,
               parity=(S, s, j)),
        ),
        tables=(TableCheck(PIPEDREAM_MID, claims),),
        variants=(
            Variant("no parity term: floor((S-j)/2) + S floor((2S-2-s-j)/2) + floor(s/2)",
                    (ob("counting = D1 without parity term", sp.Eq(
                        staleness.delay_by_counting(), sp.floor((S - j) / 2) + S * sp.floor(
                            (2 * S - 2 - s - j) / 2) + sp.floor(s / 2)), S, s, j, m,
                        methods=SYMBOLIC),),
                    (claim("delay.steady_matrix_max", sp.floor((S - j) / 2) + S * sp.floor(
                        (2 * S - 2 - s - j) / 2) + sp.floor(s / 2), s, j),)),
            Variant("C0 equals C1 (slot-mates ignored)",
                    claims=(claim("delay.steady_matrix_max", D1(), s, j, convention="C0"),)),
            Variant("leading terms only: S^2 - S(s + j + 1)/2",
                    claims=(claim("delay.steady_matrix_max", S**2 - S * (s + j + 1) / 2, s, j),)),
            Variant("the delay does not depend on the updated block: D1(0, j)",
                    claims=(claim("delay.steady_matrix_max", D1(0, j), s, j),)),
        ),
    )


def steady_max() -> Theorem:
    """STL-PD-MAX: the steady-state maximum delay."""
    top = staleness.steady_max_delay()
    claims = for_both_conventions("delay.steady_max", lambda conv: top)
    return Theorem(
        id="STL-PD-MAX",
        tags=("empirical",),
        title="Steady-state PipeDream maximum delay S^2 - ceil(S/2) = floor(S^2 - S/2), C1 and C0",
        statement=sp.Eq(DELTA, top),
        hypotheses=PD_HYPOTHESES,
        source="[P] order S^2 - S/2 + O(1); exact form [D]",
        uses=("THR-PD-CLOSED", "STL-PD-MATRIX"),
        obligations=(
            _nesting_obligation(),
            ob("D1(s, j) <= D1(0, j) <= D1(0, 0)", sp.And(D1() <= D1(0, j), D1(0, j) <= D1(0, 0)),
               S, s, j, methods=SMT, parity=(S, s, j)),
            ob("D1(0, 0) = S^2 - ceil(S/2)", sp.Eq(D1(0, 0), top), S, parity=(S,)),
            ob("D0(0, 0) = D1(0, 0): block 0 has no slot-mates below it", eq(D0(0, 0), D1(0, 0)),
               S),
            ob("S^2 - ceil(S/2) = floor(S^2 - S/2)", sp.Eq(top, sp.floor(S**2 - S / 2)), S,
               parity=(S,)),
        ),
        tables=(TableCheck(PIPEDREAM, claims), TableCheck(PIPEDREAM_SMALL_M, claims)),
        variants=(
            Variant("S^2 - S", (ob("D1(0, 0) = S^2 - S", sp.Eq(D1(0, 0), S**2 - S), S),),
                    (claim("delay.steady_max", S**2 - S),)),
            Variant("off by one: S^2 - ceil(S/2) + 1",
                    (ob("D1(0, 0) = S^2 - ceil(S/2) + 1", sp.Eq(D1(0, 0), top + 1), S),),
                    (claim("delay.steady_max", top + 1),)),
            Variant("(S - 1)^2", claims=(claim("delay.steady_max", (S - 1) ** 2),)),
            Variant("C0 adds the slot-mates: S^2 - ceil(S/2) + floor(S/2)",
                    claims=(claim("delay.steady_max", top + sp.floor(S / 2), convention="C0"),)),
            _no_drop_noam("delay.steady_max", top),
        ),
    )


def paper_exact() -> Theorem:
    """STL-PD-PAPER: the paper's S^2 - S/2 read as an exact value (false for odd S)."""
    paper = staleness.paper_delay()
    return Theorem(
        id="STL-PD-PAPER",
        tags=("empirical",),
        title="The paper's form read exactly: steady maximum delay = S^2 - S/2 (false for odd S)",
        statement=sp.Eq(DELTA, paper),
        hypotheses=PD_HYPOTHESES,
        source="[P] arXiv 2606.03498, read as an exact equality",
        uses=("STL-PD-MAX",),
        expected="refuted",
        obligations=(ob("D1(0, 0) = S^2 - S/2", sp.Eq(D1(0, 0), paper), S),),
        tables=(TableCheck(PIPEDREAM, (claim("delay.steady_max", paper),)),),
        variants=(
            Variant("exact for every S >= 2",
                    claims=(claim("delay.steady_max", paper),),
                    grid=Grid("pipedream", (2, 64), (10 * S,))),
            Variant("exact after rounding up: ceil(S^2 - S/2)",
                    (ob("D1(0, 0) = ceil(S^2 - S/2)", sp.Eq(D1(0, 0), sp.ceiling(paper)), S),),
                    (claim("delay.steady_max", sp.ceiling(paper)),)),
            Variant("exact with the half removed: S^2 - S/2 - 1/2",
                    (ob("D1(0, 0) = S^2 - S/2 - 1/2", sp.Eq(D1(0, 0), paper - sp.Rational(1, 2)),
                        S),),
                    (claim("delay.steady_max", paper - sp.Rational(1, 2)),)),
        ),
        notes="Refuted for every odd S (S = 1: 0 versus 1/2; S = 3: 7 versus 7.5). The paper's "
              "claim is the order S^2 - S/2 + O(1), proved with |O(1)| <= 1/2 as STL-PD-ORDER.",
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
        statement=sp.And(paper >= DELTA, paper - half <= DELTA),
        hypotheses=PD_HYPOTHESES,
        source="[P] S^2 - S/2 + O(1); constant [D]",
        uses=("STL-PD-MAX",),
        obligations=(
            ob("S^2 - S/2 - 1/2 <= D1(0, 0) <= S^2 - S/2",
               sp.And(D1(0, 0) <= paper, D1(0, 0) >= paper - half), S, parity=(S,)),
        ),
        tables=(TableCheck(PIPEDREAM, claims),),
        variants=(
            Variant("constant 1/4: D >= S^2 - S/2 - 1/4",
                    (ob("D1(0, 0) >= S^2 - S/2 - 1/4", D1(0, 0) >= paper - sp.Rational(1, 4), S),),
                    (claim("delay.steady_max", paper - sp.Rational(1, 4), relation=">="),)),
            Variant("wrong side: D >= S^2 - S/2",
                    claims=(claim("delay.steady_max", paper, relation=">="),)),
            Variant("S^2 + O(1) with constant 4: D >= S^2 - 4",
                    (ob("D1(0, 0) >= S^2 - 4", D1(0, 0) >= S**2 - 4, S),),
                    (claim("delay.steady_max", S**2 - 4, relation=">="),)),
        ),
    )


def warmup() -> Theorem:
    """STL-PD-WARMUP: the maximum over the whole run."""
    top = staleness.run_max_delay()
    least = staleness.warmup_min_microbatches()
    last = m + sp.ceiling(x / 2) - 1  # last update of stage x before B(0, m), m < S
    claims = for_both_conventions("delay.run_max", lambda conv: top)
    boundary = Grid("pipedream", (1, 96), (least,))
    return Theorem(
        id="STL-PD-WARMUP",
        tags=("empirical",),
        title="Whole-run PipeDream maximum delay S^2 - ceil(S/2) + floor((S-1)^2/4) (warm-up)",
        statement=sp.Eq(sp.Symbol("delta_run"), top),
        hypotheses=(*PD_HYPOTHESES[:4], f"M >= {least} (else the warm-up peak is cut short)"),
        source="[D]",
        uses=("THR-PD-CLOSED", "STL-PD-MAX"),
        obligations=(
            _nesting_obligation(),
            ob("no update before slot S, and F(0, m) = m < S for m < S: r(0, m) = 0",
               sp.And(B() >= S, sp.Implies(m <= S - 1, F(0, m) < S)), S, M, s, m, methods=SMT),
            ob("for m < S, stage x has exactly m + ceil(x/2) updates before B(0, m)",
               sp.And(B(x, last) < B(0, m), B(x, last + 1) >= B(0, m), last <= M - 1),
               S, M, m, extra=(m <= S - 1, x <= S - 1, least <= M), methods=SMT),
            ob("summing over stages: d(0, 0, m) = m S + floor(S^2/4) for m < S",
               sp.Eq(staleness.warmup_delay_by_counting(), staleness.warmup_delay()), S, m,
               methods=SYMBOLIC, parity=(S,)),
            ob("the warm-up delay grows with m and beats the steady maximum",
               sp.And(staleness.warmup_delay(m) <= staleness.warmup_delay(S - 1),
                      staleness.steady_max_delay() <= staleness.warmup_delay(S - 1)),
               S, extra=(m <= S - 1,), methods=SMT, parity=(S,)),
            ob("d(0, 0, S - 1) = S^2 - ceil(S/2) + floor((S - 1)^2/4)",
               sp.Eq(staleness.warmup_delay(S - 1), top), S, parity=(S,)),
        ),
        tables=(TableCheck(PIPEDREAM, claims), TableCheck(boundary, claims)),
        variants=(
            Variant("dropped M >= S + floor(S/2) - 1: the same for M = S",
                    claims=(claim("delay.run_max", top),),
                    grid=Grid("pipedream", (1, 48), (S,))),
            Variant("no warm-up excess: the run maximum is the steady one",
                    (ob("d(0, 0, S - 1) = S^2 - ceil(S/2)",
                        sp.Eq(staleness.warmup_delay(S - 1), staleness.steady_max_delay()), S),),
                    (claim("delay.run_max", staleness.steady_max_delay()),)),
            Variant("floor(S^2/4) for floor((S - 1)^2/4)",
                    claims=(claim("delay.run_max", staleness.steady_max_delay()
                                  + sp.floor(S**2 / 4)),)),
            Variant("5 S^2 / 4",
                    claims=(claim("delay.run_max", sp.Rational(5, 4) * S**2),)),
        ),
    )


def per_stage() -> Theorem:
    """STL-PD-STAGE: steady maximum of the delay of each read block."""
    claims = for_both_conventions("delay.steady_max_per_stage",
                                  lambda conv: staleness.stage_max_delay(conv), j)
    return Theorem(
        id="STL-PD-STAGE",
        tags=("empirical",),
        title="Steady maximum delay of block j: S^2 - ceil(S/2) - ceil(j(S+1)/2) (C1)",
        statement=sp.And(sp.Eq(sp.Function("delta_C1")(j), staleness.stage_max_delay("C1")),
                         sp.Eq(sp.Function("delta_C0")(j), staleness.stage_max_delay("C0"))),
        hypotheses=PD_HYPOTHESES,
        source="[D]",
        uses=("STL-PD-MATRIX",),
        obligations=(
            _nesting_obligation(),
            ob("D1(0, j) = S^2 - ceil(S/2) - ceil(j(S+1)/2)",
               sp.Eq(D1(0, j), staleness.stage_max_delay("C1")), S, j, parity=(S, j)),
            ob("D0(0, j) = S^2 - ceil(S/2) - floor(j S/2)",
               sp.Eq(D0(0, j), staleness.stage_max_delay("C0")), S, j, parity=(S, j)),
        ),
        tables=(TableCheck(PIPEDREAM, claims),),
        variants=(
            Variant("C1 with ceil(j S/2)",
                    claims=(claim("delay.steady_max_per_stage", staleness.steady_max_delay()
                                  - sp.ceiling(j * S / 2), j),)),
            Variant("floor instead of ceil: S^2 - ceil(S/2) - floor(j(S+1)/2)",
                    (ob("D1(0, j) with floor", sp.Eq(D1(0, j), staleness.steady_max_delay()
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
    y = sp.Symbol("y", integer=True, nonnegative=True)
    smooth = (S**2 - S * (y + x + 1) / 2 - (x - y + 1) / sp.Integer(2)
              + ((-1) ** x + (-1) ** y + (-1) ** (S + x) + (-1) ** (S + y)) / sp.Integer(8))
    average = sp.Sum(sp.Sum(smooth, (x, 0, S - 1)), (y, 0, S - 1)) / S**2
    claims = for_both_conventions("delay.steady_mean", staleness.mean_delay)
    return Theorem(
        id="STL-PD-MEAN",
        tags=("empirical",),
        title="Mean steady-state delay (S^2 - 1)/2 (C1), plus floor(S^2/4)/S under C0",
        statement=sp.And(sp.Eq(sp.Symbol("mean_C1"), staleness.mean_delay("C1")),
                         sp.Eq(sp.Symbol("mean_C0"), staleness.mean_delay("C0"))),
        hypotheses=PD_HYPOTHESES,
        source="[C] fit 0.5 S^2; exact [D]",
        uses=("STL-PD-MATRIX",),
        obligations=(
            ob("the mean of D1's smooth form over s, j is (S^2 - 1)/2",
               sp.Eq(average, staleness.mean_delay("C1")), S, methods=SYMBOLIC, parity=(S,)),
            ob("C0 adds the mean of ceil(j/2): floor(S^2/4)/S",
               sp.Eq(sp.Sum((x + staleness.odd(x)) / 2, (x, 0, S - 1)) / S,
                     staleness.mean_delay("C0") - staleness.mean_delay("C1")), S,
               methods=SYMBOLIC, parity=(S,)),
        ),
        tables=(TableCheck(PIPEDREAM, claims), TableCheck(PIPEDREAM_SMALL_M, claims)),
        variants=(
            Variant("the authors' fit S^2/2 as an exact value",
                    (ob("mean = S^2/2", sp.Eq(average, S**2 / 2), S, methods=SYMBOLIC),),
                    (claim("delay.steady_mean", S**2 / 2),)),
            Variant("(S^2 - S)/2", claims=(claim("delay.steady_mean", (S**2 - S) / 2),)),
            Variant("C0 has the C1 mean",
                    claims=(claim("delay.steady_mean", staleness.mean_delay("C1"),
                                  convention="C0"),)),
        ),
    )


def lag() -> Theorem:
    """STL-PD-LAG: version lags."""
    first = m + j - S + 1  # first update of block j after F(j, m)
    last = m + sp.ceiling(j / 2) - 1  # last update of block j before B(0, m)
    claims = (
        claim("version_lag.steady_min_per_stage", staleness.own_lag(), s),
        claim("version_lag.steady_max_per_stage", staleness.own_lag(), s),
        claim("mixed_lag.steady_max_per_block", staleness.mixed_lag(), j),
    )
    return Theorem(
        id="STL-PD-LAG",
        tags=("empirical",),
        title="Version lag of block s at its own backward = S - 1 - s; mixed read lag <= S - 1",
        statement=sp.And(sp.Eq(sp.Function("lag")(s), staleness.own_lag()),
                         sp.Eq(sp.Function("mixed_lag")(j), staleness.mixed_lag())),
        hypotheses=PD_HYPOTHESES,
        source="[L] Harlap et al. 2018 (PipeDream); [D]",
        uses=("THR-PD-CLOSED",),
        obligations=(
            ob("B(s, m - S + s) < F(s, m) < B(s, m - S + 1 + s): S - 1 - s own updates in between",
               sp.And(lt(B(s, m - S + s), F_STEADY()), lt(F_STEADY(), B(s, m - S + 1 + s))),
               S, M, s, m, extra=STEADY_M, methods=SMT),
            ob("block j: updates first..last lie between F(j, m) and B(0, m) (C1 order)",
               sp.And(B(j, first - 1) < F_STEADY(j, m), F_STEADY(j, m) < B(j, first),
                      B(j, last) < B(0, m), B(j, last + 1) >= B(0, m)), S, M, j, m,
               extra=STEADY_M, methods=SMT),
            ob("their number is S - 1 - floor(j/2)",
               sp.Eq(last - first + 1, staleness.mixed_lag()), S, j, parity=(j,)),
            ob("the largest mixed lag is S - 1 (block 0)",
               sp.And(le(staleness.mixed_lag(), S - 1), eq(staleness.mixed_lag(0), S - 1)), S, j,
               methods=SMT),
        ),
        tables=(TableCheck(PIPEDREAM, claims),),
        variants=(
            Variant("S - s (counting the update itself)",
                    claims=(claim("version_lag.steady_max_per_stage", S - s, s),)),
            Variant("uniform S - 1", claims=(claim("version_lag.steady_max_per_stage", S - 1, s),)),
            Variant("mixed read lag S", claims=(claim("mixed_lag.steady_max_per_block", S, j),)),
            Variant("lag grows with the stage: s",
                    claims=(claim("version_lag.steady_min_per_stage", s, s),)),
        ),
    )


def stash() -> Theorem:
    """STL-PD-STASH: stashed weight versions."""
    claims = (
        claim("stash.steady_per_stage", memory.stashed_versions(), s),
        claim("stash.steady_total", memory.stashed_total()),
        claim("in_flight.steady_max_per_stage", memory.pipedream_steady_in_flight(), s),
        claim("peak_in_flight_per_stage", memory.pipedream_peak_in_flight(), s),
    )
    return Theorem(
        id="STL-PD-STASH",
        tags=("empirical",),
        title="Stashed weight versions at stage s = S - s in steady state, S(S+1)/2 in all",
        statement=sp.And(sp.Eq(sp.Function("v")(s), memory.stashed_versions()),
                         sp.Eq(sp.Symbol("v_total"), memory.stashed_total())),
        hypotheses=PD_HYPOTHESES,
        source="[D]; weight stashing from [L] Harlap et al. 2018",
        uses=("THR-PD-CLOSED",),
        obligations=(
            ob("S - s in flight after F(s, m): B(s, m - S + s) ends before it, B(s, m - S + s + 1) "
               "does not", sp.And(le(B(s, m - S + s) + 1, F_STEADY()),
                                  le(F_STEADY(), B(s, m - S + s + 1))),
               S, M, s, m, extra=STEADY_M, methods=SMT),
            ob("one update of block s between consecutive forwards, so all versions differ",
               sp.And(lt(F_STEADY(), B(s, m + s - S + 1)),
                      lt(B(s, m + s - S + 1), F_STEADY(s, m + 1))),
               S, M, s, m, extra=STEADY_M, methods=SMT),
            ob("sum over stages: S(S + 1)/2", sp.Eq(sp.Sum(S - x, (x, 0, S - 1)),
                                                   memory.stashed_total()), S, methods=SYMBOLIC),
        ),
        tables=(TableCheck(PIPEDREAM, claims), TableCheck(PIPEDREAM_SMALL_M, claims[3:])),
        variants=(
            Variant("one more version: S - s + 1",
                    claims=(claim("stash.steady_per_stage", S - s + 1, s),)),
            Variant("S versions on every stage", claims=(claim("stash.steady_per_stage", S, s),)),
            Variant("S^2/2 in all", (ob("sum = S^2/2", sp.Eq(sp.Sum(S - x, (x, 0, S - 1)),
                                                             S**2 / 2), S, methods=SYMBOLIC),),
                    (claim("stash.steady_total", S**2 / 2),)),
            Variant("the warm-up peak of live activations is S - s too",
                    claims=(claim("peak_in_flight_per_stage", S - s, s),)),
        ),
    )


def synchronous() -> Theorem:
    """STL-SYNC: synchronous schedules read no stale weights."""
    sync_claims = (
        claim("version_lag.max", 0),
        claim("foreign_delay.max", 0),
        claim("foreign_delay.max", 0, convention="C0"),
        claim("stash.max", 1),
    )
    started = sp.Symbol("nb", integer=True, nonnegative=True)
    return Theorem(
        id="STL-SYNC",
        tags=("empirical",),
        title="GPipe, Flush and LocalSGD (within a copy): zero staleness, one weight version",
        statement=sp.Eq(sp.Symbol("delay_steps"), 0),
        hypotheses=("GPipe and Flush: one optimizer step per block at the flush",
                    "LocalSGD: copy m mod R re-enters only after its previous microbatch left",
                    "delay counted in updates of other steps; the S block updates of one "
                    "step apply one gradient and do not make it stale"),
        source="[D]",
        obligations=(
            ob("GPipe: every forward starts before the flush",
               schedules.gpipe_forward() + t_F <= schedules.gpipe_backward(0, M - 1) + t_B,
               S, M, s, m, t_F, t_B, methods=SMT),
            ob("Flush: every forward starts before the flush",
               schedules.flush_forward() < schedules.flush_backward(0, M - 1) + 1, S, M, s, m,
               methods=SMT),
            ob("LocalSGD: admitting m + R with fewer than R in flight needs B(0, m) done",
               sp.Implies(m + R - started < R, started >= m + 1), m, R, methods=SMT),
        ),
        tables=tuple(TableCheck(grid, sync_claims) for grid in SYNC_GRIDS),
        variants=(
            Variant("PipeDream has zero version lag too",
                    claims=(claim("version_lag.max", 0),), grid=PIPEDREAM_MID),
            Variant("LocalSGD: zero delay counted in block updates (own step included)",
                    claims=(claim("delay.max", 0),), grid=LOCALSGD),
            Variant("GPipe keeps two versions", claims=(claim("stash.max", TWO),),
                    grid=SYNC_GRIDS[0]),
        ),
    )


def two_buffer() -> Theorem:
    """STL-2BW: PipeDream-2BW's one-step delay and two weight versions."""
    steps = sp.Symbol("A", integer=True, positive=True)  # microbatches per optimizer step
    last = (m + steps + 1 <= M - 1,)
    ready = B(s, m) + 1 <= F(s, m + steps + 1)
    next_step = B(s, m) + 1 <= F(s, m + 1)
    window = F(s, m + steps) >= B(s, m) + 1
    return Theorem(
        id="STL-2BW",
        title="PipeDream-2BW (steps of A >= S): gradient applied one step late, two versions",
        statement=sp.And(sp.Eq(sp.Symbol("delay_steps"), 1), sp.Symbol("versions") <= 2),
        hypotheses=("S >= 1 stages, unit costs, PipeDream's 1F1B table with NOAM = S "
                    "(THR-PD-CLOSED)",
                    "steps of A >= S consecutive microbatches; every microbatch of step t reads "
                    "V_{max(t-1, 0)} on every stage, in its forward and its backward",
                    "when the last backward of step t ends on stage s, the stage makes "
                    "V_{t+1} = V_t - gamma (1/A) sum_{m in t} g_s(V_{t-1}; B_m) and drops "
                    "V_{t-1}"),
        source="[L] Narayanan et al. 2021 (PipeDream-2BW); [D]",
        uses=("THR-PD-CLOSED",),
        obligations=(
            ob("the version step t reads is made when step t - 2 ends on the stage (after "
               "B(s, m), m = (t - 1)A - 1), before step t's first forward F(s, m + A + 1)",
               ready, S, M, s, m, extra=(steps >= S, *last), methods=SMT),
            ob("at most A microbatches in flight on a stage (F(s, m + A) starts after B(s, m) "
               "ends), so in-flight reads come from at most two steps",
               window, S, M, s, m, extra=(steps >= S, m + steps <= M - 1), methods=SMT),
            ob("the update made when step t ends goes to V_t, made when step t - 1 ended: "
               "B(s, tA - 1) < B(s, (t + 1)A - 1), one step after the version it read",
               lt(B(s, m), B(s, m + steps)), S, s, m, extra=(m + steps <= M - 1,), methods=BOTH),
        ),
        variants=(
            Variant("dropped A >= S: the version is ready for steps of A >= S - 2",
                    (ob("ready with A >= S - 2", ready, S, M, s, m,
                        extra=(steps >= S - 2, *last), methods=SMT),)),
            Variant("no delay: step t reads the version made when step t - 1 ends "
                    "(W(t + 1) = W(t) - nu grad f(W(t)))",
                    (ob("B(s, tA - 1) ends before F(s, tA)", next_step, S, M, s, m,
                        extra=(steps >= S, m + 1 <= M - 1), methods=SMT),)),
            Variant("off by one: at most A - 1 microbatches in flight on a stage",
                    (ob("F(s, m + A - 1) starts after B(s, m) ends",
                        F(s, m + steps - 1) >= B(s, m) + 1, S, M, s, m,
                        extra=(steps >= S, m + steps - 1 <= M - 1), methods=SMT),)),
        ),
        notes="With the closed form of THR-PD-CLOSED the readiness obligation holds already "
              "for A >= S - 1 (and a window of S consecutive microbatches still meets at most "
              "two steps of S - 1), so two buffers would suffice for A = S - 1 in this unit-cost "
              "model; A = S - 2 fails at stage 0. The theorem keeps the source's A >= S.",
        tags=("empirical",),
    )


THEOREMS = (matrix, steady_max, paper_exact, paper_order, warmup, per_stage, mean, lag, stash,
            synchronous, two_buffer)
"""Builders of the section's theorems, in catalogue order."""
