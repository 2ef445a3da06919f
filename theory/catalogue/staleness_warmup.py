"""Catalogue section 2, continued: STL-PD-WARMUP, PipeDream's delays over the whole run
(warm-up, steady state and drain) on the closed form of THR-PD-CLOSED."""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import schedules, staleness
from pipeproof.theory.catalogue.common import PIPEDREAM, SMT, SYMBOLIC, claim, for_both_conventions
from pipeproof.theory.catalogue.staleness_terms import D1, proof, steady_top, x, y
from pipeproof.theory.symbols import M, S, j, m, m2, s
from pipeproof.theory.theorem import Grid, TableCheck, Theorem, Variant

F, B = schedules.pipedream_forward, schedules.pipedream_backward
PIPEDREAM_MID = Grid("pipedream", (1, 64), (10 * S,))
PD_HYPOTHESES = ("S >= 1 stages", "unit costs t_F = t_B = 1", "NOAM = S",
                 "greedy 1F1B policy with weight stashing (THR-PD-CLOSED)",
                 "steady state: microbatches S <= m < M - S")


def _parts(top_run: sp.Expr) -> dict[str, sp.Basic]:
    """The facts the whole-run maximum rests on, by name (x a stage, m2 a microbatch)."""
    last = m + sp.ceiling(x / 2) - 1  # last update of stage x before B(0, m)
    first = m - S + 1 + sp.floor(x / 2)  # first update of stage x after F(0, m), m >= S
    steady_top = staleness.steady_max_delay()
    return {
        "nesting": sp.And(F(0, m) <= F(j, m), B(s, m) <= B(0, m)),
        "first": sp.And(sp.Implies(x <= S - 1, B(x, m2) >= S),
                        sp.Implies(m <= S - 1, F(0, m) < S)),
        "stage": sp.Implies(sp.And(m <= S - 1, x <= S - 1),
                            sp.And(B(x, last) < B(0, m), B(x, last + 1) >= B(0, m),
                                   last <= M - 1)),
        "bounds": sp.And(sp.Implies(m <= S - 1, staleness.warmup_delay(m)
                                    <= staleness.warmup_delay(S - 1)),
                         steady_top <= staleness.warmup_delay(S - 1),
                         sp.Eq(staleness.warmup_delay(S - 1), top_run)),
        "drain": sp.Implies(sp.And(m >= S, x <= S - 1),
                            sp.And(B(x, first - 1) < F(0, m), F(0, m) <= B(x, first),
                                   B(x, last) < B(0, m), B(x, last + 1) >= B(0, m),
                                   sp.Eq(last - first + 1, S - 1 + sp.Mod(x, 2)))),
        "steady sum": sp.And(sp.Eq(sp.Sum(S - 1 + staleness.odd(y), (y, 0, S - 1)),
                                   steady_top), steady_top <= top_run),
    }


def warmup() -> Theorem:
    """STL-PD-WARMUP: the maximum over the whole run."""
    top = staleness.run_max_delay()
    least = staleness.warmup_min_microbatches()
    claims = for_both_conventions("delay.run_max", lambda conv: top)
    boundary = Grid("pipedream", (1, 96), (least,))
    parts = _parts(top)
    enough = least <= M
    counted = staleness.warmup_delay_by_counting(m)
    statement = sp.And(
        parts["nesting"], parts["first"], parts["stage"], parts["drain"], parts["steady sum"],
        sp.Implies(m <= S - 1, sp.And(sp.Eq(counted, staleness.warmup_delay(m)),
                                      counted <= top)),
        sp.Eq(staleness.warmup_delay(S - 1), top), D1(0, 0) <= top)
    return Theorem(
        id="STL-PD-WARMUP",
        tags=("empirical",),
        title="Whole-run PipeDream maximum delay S^2 - ceil(S/2) + floor((S-1)^2/4) (warm-up)",
        statement=statement,
        hypotheses=(*PD_HYPOTHESES[:4], f"M >= {least} (else the warm-up peak is cut short)"),
        source="[D]",
        uses=("THR-PD-CLOSED", "STL-PD-MAX"),
        assumptions=(S >= 1, enough, s >= 0, s <= S - 1, j >= 0, j <= S - 1, m >= 0,
                     m <= M - 1, x <= S - 1, m2 >= 0, m2 <= M - 1),
        obligations=(
            proof("window nesting: F(0, m) <= F(j, m), B(s, m) <= B(0, m), so d(s, j, m) <= "
                  "d(0, 0, m) for every m", parts["nesting"], S, M, s, j, m, methods=SMT),
            proof("no update before slot S, and F(0, m) = m < S for m < S: r(0, m) = 0",
                  parts["first"], S, M, m, m2, methods=SMT),
            proof("for m < S, stage x has exactly m + ceil(x/2) updates before B(0, m)",
                  parts["stage"], S, M, m, hypotheses=(enough,), methods=SMT),
            proof("summing over stages: d(0, 0, m) = m S + floor(S^2/4) for m < S",
                  sp.Eq(counted, staleness.warmup_delay(m)), S, m, methods=SYMBOLIC,
                  parity=(S,)),
            proof("the warm-up delay grows with m, beats the steady maximum and reaches "
                  "S^2 - ceil(S/2) + floor((S - 1)^2/4) at m = S - 1", parts["bounds"], S, m,
                  methods=SMT, parity=(S,)),
            proof("steady state and drain (m >= S, so every m >= max(S, M - S)): the updates of "
                  "stage x in the window of (0, 0, m) are microbatches m - S + 1 + floor(x/2) .. "
                  "m + ceil(x/2) - 1 (those below M), at most S - 1 + [x odd]",
                  parts["drain"], S, M, m, methods=SMT),
            proof("summing over stages: S^2 - ceil(S/2) <= S^2 - ceil(S/2) + floor((S-1)^2/4)",
                  parts["steady sum"], S, methods=SYMBOLIC, parity=(S,)),
            proof("with D1(0, 0) = S^2 - ceil(S/2) (STL-PD-MAX), the steady maximum is at most "
                  "the warm-up's", D1(0, 0) <= top, S, results=(steady_top(),), methods=SMT),
        ),
        tables=(TableCheck(PIPEDREAM, claims), TableCheck(boundary, claims)),
        variants=(
            Variant("dropped M >= S + floor(S/2) - 1: the same for M = S",
                    (proof("stage x has m + ceil(x/2) updates before B(0, m) for M = S",
                           parts["stage"].xreplace({M: S}), S, m, methods=SMT),),
                    (claim("delay.run_max", top),),
                    grid=Grid("pipedream", (1, 48), (S,))),
            Variant("no warm-up excess: the run maximum is the steady one",
                    (proof("d(0, 0, S - 1) = S^2 - ceil(S/2)",
                           sp.Eq(staleness.warmup_delay(S - 1), staleness.steady_max_delay()),
                           S),),
                    (claim("delay.run_max", staleness.steady_max_delay()),)),
            Variant("floor(S^2/4) for floor((S - 1)^2/4)",
                    claims=(claim("delay.run_max", staleness.steady_max_delay()
                                  + sp.floor(S**2 / 4)),)),
            Variant("5 S^2 / 4",
                    claims=(claim("delay.run_max", sp.Rational(5, 4) * S**2),)),
            Variant("the drain counts one more update per stage: S + [x odd]",
                    (proof("drain count S + [x odd]", parts["drain"].xreplace(
                        {S - 1 + sp.Mod(x, 2): S + sp.Mod(x, 2)}), S, M, m, methods=SMT),)),
        ),
        notes="Proved: the window of (s, j, m) lies inside that of (0, 0, m) for every m; in the "
              "warm-up (m < S) no update precedes F(0, m) and stage x updates exactly "
              "m + ceil(x/2) times before B(0, m); these counts sum to m S + floor(S^2/4), at "
              "most S^2 - ceil(S/2) + floor((S - 1)^2/4), reached at m = S - 1; for m >= S "
              "(steady state and drain m >= max(S, M - S)) stage x updates in the window at most "
              "S - 1 + [x odd] times (fewer in the drain, where microbatches >= M are missing), "
              "which sum to S^2 - ceil(S/2) (STL-PD-MAX). "
              "The step from these to "
              "'every counted delay of the run is at most the maximum' (the count of a window "
              "is the sum of its per-stage counts and grows with the window) is not encoded; "
              "the whole-run maximum itself is checked on the tables (exhaustive), C1 and C0.",
    )
