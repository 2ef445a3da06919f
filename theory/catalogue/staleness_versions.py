"""Catalogue section 2, continued: version lags, weight stashing, synchronous schedules and
PipeDream-2BW, stated on the closed-form schedules of :mod:`pipeproof.theory.schedules`."""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import memory, schedules, staleness
from pipeproof.theory.catalogue.common import (
    BOTH,
    LOCALSGD,
    ONE,
    PIPEDREAM,
    PIPEDREAM_SMALL_M,
    SMT,
    SYMBOLIC,
    TWO,
    claim,
    le,
    lt,
)
from pipeproof.theory.catalogue.staleness_terms import INDEX_RANGES, STEADY_M, proof, x
from pipeproof.theory.catalogue.staleness_warmup import PD_HYPOTHESES, PIPEDREAM_MID
from pipeproof.theory.symbols import M, R, S, j, m, m2, s, t_B, t_F
from pipeproof.theory.theorem import Grid, TableCheck, Theorem, Variant

F, B = schedules.pipedream_forward, schedules.pipedream_backward
SYNC_GRIDS = (Grid("gpipe", (1, 48), (10 * S, ONE, S)), Grid("flush", (1, 48), (10 * S, ONE, S)),
              LOCALSGD)
STEADY = sp.And(*STEADY_M)


def _own_lag() -> sp.Basic:
    """B(s, m - S + s) < F(s, m) < B(s, m - S + s + 1): the updates of block s after F(s, m)
    and before B(s, m) are those of microbatches m - S + s + 1, ..., m - 1 (S - 1 - s)."""
    return sp.And(lt(B(s, m - S + s), F()), lt(F(), B(s, m - S + 1 + s)))


def _mixed_lag() -> sp.Basic:
    """Block j is updated by microbatches first..last between F(j, m) and B(0, m) (C1 order),
    first = m + j - S + 1, last = m + ceil(j/2) - 1: S - 1 - floor(j/2) <= S - 1 updates."""
    first, last = m + j - S + 1, m + sp.ceiling(j / 2) - 1
    return sp.And(B(j, first - 1) < F(j, m), F(j, m) < B(j, first),
                  B(j, last) < B(0, m), B(j, last + 1) >= B(0, m))


def _lag_count() -> sp.Basic:
    last, first = m + sp.ceiling(j / 2) - 1, m + j - S + 1
    return sp.And(sp.Eq(last - first + 1, staleness.mixed_lag()),
                  le(staleness.mixed_lag(), S - 1), sp.Eq(staleness.mixed_lag(0), S - 1))


def lag() -> Theorem:
    """STL-PD-LAG: version lags."""
    claims = (
        claim("version_lag.steady_min_per_stage", staleness.own_lag(), s),
        claim("version_lag.steady_max_per_stage", staleness.own_lag(), s),
        claim("mixed_lag.steady_max_per_block", staleness.mixed_lag(), j),
    )
    return Theorem(
        id="STL-PD-LAG",
        tags=("empirical",),
        title="Version lag of block s at its own backward = S - 1 - s; mixed read lag <= S - 1",
        statement=sp.And(_own_lag(), _mixed_lag(), _lag_count()),
        hypotheses=PD_HYPOTHESES,
        source="[L] Harlap et al. 2018 (PipeDream); [D]",
        uses=("THR-PD-CLOSED",),
        assumptions=(*INDEX_RANGES, M >= 1, *STEADY_M),
        obligations=(
            proof("B(s, m - S + s) < F(s, m) < B(s, m - S + 1 + s): S - 1 - s own updates in "
                  "between", _own_lag(), S, M, s, m, hypotheses=STEADY_M, methods=SMT),
            proof("block j: updates first..last lie between F(j, m) and B(0, m) (C1 order)",
                  _mixed_lag(), S, M, j, m, hypotheses=STEADY_M, methods=SMT),
            proof("their number is S - 1 - floor(j/2) <= S - 1, with S - 1 for block 0",
                  _lag_count(), S, j, methods=SMT),
        ),
        tables=(TableCheck(PIPEDREAM, claims),),
        variants=(
            Variant("S - s (counting the update itself)",
                    claims=(claim("version_lag.steady_max_per_stage", S - s, s),)),
            Variant("uniform S - 1", claims=(claim("version_lag.steady_max_per_stage", S - 1, s),)),
            Variant("mixed read lag S", claims=(claim("mixed_lag.steady_max_per_block", S, j),)),
            Variant("lag grows with the stage: s",
                    claims=(claim("version_lag.steady_min_per_stage", s, s),)),
            Variant("off by one: B(s, m - S + s + 1) already precedes F(s, m)",
                    (proof("B(s, m - S + s + 1) < F(s, m)", lt(B(s, m - S + s + 1), F()),
                           S, M, s, m, hypotheses=STEADY_M, methods=SMT),)),
        ),
        notes="B(s, m') increases with m', so the bracketing microbatches give the counts: "
              "S - 1 - s own updates, S - 1 - floor(j/2) updates of block j.",
    )


def _steady_in_flight() -> sp.Basic:
    """After F(s, m), microbatches m - S + s + 1..m are in flight (S - s) and their versions
    differ: B(s, m - S + s) ended before F(s, m), and one update of block s falls between
    consecutive forwards."""
    return sp.And(le(B(s, m - S + s) + 1, F()), le(F(), B(s, m - S + s + 1)),
                  lt(F(), B(s, m + s - S + 1)), lt(B(s, m + s - S + 1), F(s, m + 1)))


def _peak(peak: sp.Expr) -> sp.Basic:
    """At most ``peak`` in flight at any forward: F(s, m') >= B(s, m' - P) + 1 for m' >= P;
    ``peak`` attained: microbatch P - 1 exists (P <= M) and microbatch 0 is still in flight at
    F(s, P - 1)."""
    return sp.And(sp.Implies(m2 >= peak, F(s, m2) >= B(s, m2 - peak) + 1),
                  peak - 1 <= M - 1, B(s, 0) >= F(s, peak - 1) + 1)


def stash() -> Theorem:
    """STL-PD-STASH: stashed weight versions and the warm-up peak of live activations."""
    claims = (
        claim("stash.steady_per_stage", memory.stashed_versions(), s),
        claim("stash.steady_total", memory.stashed_total()),
        claim("in_flight.steady_max_per_stage", memory.pipedream_steady_in_flight(), s),
        claim("peak_in_flight_per_stage", memory.pipedream_peak_in_flight(), s),
    )
    total = sp.Eq(sp.Sum(S - x, (x, 0, S - 1)), memory.stashed_total())
    peak = memory.pipedream_peak_in_flight()
    return Theorem(
        id="STL-PD-STASH",
        tags=("empirical",),
        title="Stashed weight versions at stage s = S - s in steady state, S(S+1)/2 in all; "
              "warm-up peak min(S, 2(S - s) - 1, M) live activations",
        statement=sp.And(sp.Implies(STEADY, _steady_in_flight()), total, _peak(peak)),
        hypotheses=(*PD_HYPOTHESES[:4], "every M >= 1; steady state S <= m < M - S for the "
                    "stash count"),
        source="[D]; weight stashing from [L] Harlap et al. 2018",
        uses=("THR-PD-CLOSED",),
        assumptions=(S >= 1, M >= 1, s >= 0, s <= S - 1, m >= 0, m <= M - 1, m2 >= 0,
                     m2 <= M - 1),
        obligations=(
            proof("steady state: S - s in flight after F(s, m), each with its own version",
                  sp.Implies(STEADY, _steady_in_flight()), S, M, s, m, methods=SMT),
            proof("sum over stages: S(S + 1)/2", total, S, methods=SYMBOLIC),
            proof("warm-up peak: at most min(S, 2(S - s) - 1, M) in flight, attained at "
                  "F(s, P - 1)", _peak(peak), S, M, s, m2, methods=SMT),
        ),
        tables=(TableCheck(PIPEDREAM, claims), TableCheck(PIPEDREAM_SMALL_M, claims[3:])),
        variants=(
            Variant("one more version: S - s + 1",
                    claims=(claim("stash.steady_per_stage", S - s + 1, s),)),
            Variant("S versions on every stage", claims=(claim("stash.steady_per_stage", S, s),)),
            Variant("S^2/2 in all", (proof("sum = S^2/2", sp.Eq(sp.Sum(S - x, (x, 0, S - 1)),
                                                                S**2 / 2), S, methods=SYMBOLIC),),
                    (claim("stash.steady_total", S**2 / 2),)),
            Variant("the warm-up peak of live activations is S - s too",
                    (proof("peak S - s", _peak(S - s), S, M, s, m2, methods=SMT),),
                    (claim("peak_in_flight_per_stage", S - s, s),)),
            Variant("warm-up peak off by one: min(S, 2(S - s), M)",
                    (proof("peak min(S, 2(S - s), M)", _peak(sp.Min(S, 2 * (S - s), M)),
                           S, M, s, m2, methods=SMT),),
                    (claim("peak_in_flight_per_stage", sp.Min(S, 2 * (S - s), M), s),)),
        ),
        notes="In flight at stage s = forward started, backward not ended. F and B increase "
              "with m, so 'F(s, m') >= B(s, m' - P) + 1 for every m' >= P' bounds the number "
              "in flight by P, and microbatches 0..P-1 all in flight at F(s, P - 1) attains "
              "it; both on the full closed form, warm-up included, for every S and M.",
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
    gpipe = (schedules.gpipe_forward() + t_F
             <= schedules.gpipe_backward(0, M - 1) + t_B)
    flush = schedules.flush_forward() < schedules.flush_backward(0, M - 1) + 1
    localsgd = sp.Implies(m + R - started < R, started >= m + 1)
    return Theorem(
        id="STL-SYNC",
        tags=("empirical",),
        title="GPipe, Flush and LocalSGD (within a copy): zero staleness, one weight version",
        statement=sp.And(gpipe, flush, localsgd),
        hypotheses=("GPipe and Flush: one optimizer step per block at the flush",
                    "LocalSGD: copy m mod R re-enters only after its previous microbatch left",
                    "delay counted in updates of other steps; the S block updates of one "
                    "step apply one gradient and do not make it stale"),
        source="[D]",
        assumptions=(S >= 1, M >= 1, s >= 0, s <= S - 1, m >= 0, m <= M - 1, t_F >= 1,
                     t_B >= 1, R >= 1),
        obligations=(
            proof("GPipe: every forward ends before the flush", gpipe, S, M, s, m, t_F, t_B,
                  methods=SMT),
            proof("Flush: every forward starts before the flush", flush, S, M, s, m,
                  methods=SMT),
            proof("LocalSGD: admitting m + R with fewer than R in flight needs B(0, m) done",
                  localsgd, m, R, methods=SMT),
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
        notes="The statement is the timing fact behind zero staleness: no forward of a step "
              "starts after that step's optimizer update (the flush after B(0, M - 1)); in "
              "LocalSGD a copy admits a microbatch only after its previous one left.",
    )


def two_buffer() -> Theorem:
    """STL-2BW: PipeDream-2BW's one-step delay and two weight versions."""
    steps = sp.Symbol("A", integer=True, positive=True)  # microbatches per optimizer step
    ready = sp.Implies(m + steps + 1 <= M - 1, B(s, m) + 1 <= F(s, m + steps + 1))
    window = sp.Implies(m + steps <= M - 1, F(s, m + steps) >= B(s, m) + 1)
    late = sp.Implies(m + steps <= M - 1, lt(B(s, m), B(s, m + steps)))
    hypothesis = steps >= S
    return Theorem(
        id="STL-2BW",
        title="PipeDream-2BW (steps of A >= S): gradient applied one step late, two versions",
        statement=sp.And(ready, window, late),
        hypotheses=("S >= 1 stages, unit costs, PipeDream's 1F1B table with NOAM = S "
                    "(THR-PD-CLOSED)",
                    "steps of A >= S consecutive microbatches; every microbatch of step t reads "
                    "V_{max(t-1, 0)} on every stage, in its forward and its backward",
                    "when the last backward of step t ends on stage s, the stage makes "
                    "V_{t+1} = V_t - gamma (1/A) sum_{m in t} g_s(V_{t-1}; B_m) and drops "
                    "V_{t-1}"),
        source="[L] Narayanan et al. 2021 (PipeDream-2BW); [D]",
        uses=("THR-PD-CLOSED",),
        assumptions=(S >= 1, M >= 1, s >= 0, s <= S - 1, m >= 0, m <= M - 1, hypothesis),
        obligations=(
            proof("the version step t reads is made when step t - 2 ends on the stage (after "
                  "B(s, m), m = (t - 1)A - 1), before step t's first forward F(s, m + A + 1)",
                  ready, S, M, s, m, hypotheses=(hypothesis,), methods=SMT),
            proof("at most A microbatches in flight on a stage (F(s, m + A) starts after "
                  "B(s, m) ends), so in-flight reads come from at most two steps",
                  window, S, M, s, m, hypotheses=(hypothesis,), methods=SMT),
            proof("the update made when step t ends goes to V_t, made when step t - 1 ended: "
                  "B(s, tA - 1) < B(s, (t + 1)A - 1), one step after the version it read",
                  late, S, M, s, m, methods=BOTH),
        ),
        variants=(
            Variant("dropped A >= S: the version is ready for steps of A >= S - 2",
                    (_loose("ready with A >= S - 2", ready, steps >= S - 2),)),
            Variant("no delay: step t reads the version made when step t - 1 ends "
                    "(W(t + 1) = W(t) - nu grad f(W(t)))",
                    (_loose("B(s, tA - 1) ends before F(s, tA)",
                            sp.Implies(m + 1 <= M - 1, B(s, m) + 1 <= F(s, m + 1)),
                            hypothesis),)),
            Variant("off by one: at most A - 1 microbatches in flight on a stage",
                    (_loose("F(s, m + A - 1) starts after B(s, m) ends",
                            sp.Implies(m + steps - 1 <= M - 1,
                                       F(s, m + steps - 1) >= B(s, m) + 1), hypothesis),)),
        ),
        notes="With the closed form of THR-PD-CLOSED the readiness obligation holds already "
              "for A >= S - 1 (and a window of S consecutive microbatches still meets at most "
              "two steps of S - 1), so two buffers would suffice for A = S - 1 in this unit-cost "
              "model; A = S - 2 fails at stage 0. The theorem keeps the source's A >= S.",
        tags=("empirical",),
    )


def _loose(name: str, goal: sp.Basic, condition: sp.Basic):
    """A wrong-variant obligation over S, M, s, m with ``condition`` on A."""
    return proof(name, goal, S, M, s, m, hypotheses=(condition,), methods=SMT)
