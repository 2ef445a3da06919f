"""Catalogue section 1: schedules and throughput (THR-*)."""

from __future__ import annotations

import sympy as sp

from theory import memory, schedules, throughput
from theory.catalogue.common import (
    BOTH,
    COSTS,
    FLUSH,
    FLUSH_COSTS,
    FLUSH_SMALL_M,
    GPIPE,
    GPIPE_COSTS,
    LOCALSGD,
    LOCALSGD_WIDE,
    M2,
    ONE,
    PIPEDREAM,
    PIPEDREAM_COSTS,
    PIPEDREAM_SMALL_M,
    SMT,
    STEADY,
    claim,
    eq,
    ob,
)
from theory.symbols import H, M, R, S, m, s, t, t_B, t_F
from theory.theorem import Grid, Obligation, TableCheck, Theorem, Variant

T = sp.Symbol("T")  # makespan
BUBBLE = sp.Symbol("bubble")
PEAK = sp.Symbol("peak_s")

UNIT = {t_F: 1, t_B: 1}


def _validity(name: str, forward, backward, *costs: sp.Expr, symbols=(S, M, s, m)):
    forward_cost, backward_cost = costs if costs else (1, 1)
    goal = schedules.is_schedule(forward, backward, forward_cost, backward_cost, M2)
    return ob(f"{name} is a valid op table (dependencies, stage order, no overlap)", goal,
              *symbols, extra=(M2 <= M - 1,), methods=SMT)


def _bubble_obligations(makespan: sp.Expr) -> tuple:
    idle = throughput.idle_from_makespan(makespan)
    return (
        ob("idle slots per stage = T - M (t_F + t_B) = (t_F + t_B)(S - 1)",
           sp.Eq(idle, throughput.fill_drain_idle()), S, M, t_F, t_B),
        ob("bubble = S idle / (S T) = (S - 1)/(M + S - 1)",
           sp.Eq(S * idle / (S * makespan), throughput.bubble_fraction()), S, M, t_F, t_B),
    )


def gpipe() -> Theorem:
    """THR-GPIPE: fill-drain times, makespan, idle, bubble and activations."""
    forward, backward = schedules.gpipe_forward, schedules.gpipe_backward
    makespan = backward(0, M - 1) + t_B
    claims = (
        claim("forward_start", forward(), s, m),
        claim("backward_start", backward(), s, m),
        claim("makespan", throughput.fill_drain_makespan()),
        claim("idle_slots_per_stage", throughput.fill_drain_idle(), s),
        claim("bubble_fraction", throughput.bubble_fraction()),
        claim("peak_in_flight_per_stage", memory.gpipe_peak_in_flight(), s),
    )
    return Theorem(
        id="THR-GPIPE",
        tags=("empirical",),
        title="GPipe fill-drain: times, makespan, bubble (S-1)/(M+S-1), M live activations",
        statement=sp.And(sp.Eq(T, throughput.fill_drain_makespan()),
                         sp.Eq(BUBBLE, throughput.bubble_fraction()),
                         sp.Eq(PEAK, memory.gpipe_peak_in_flight())),
        hypotheses=("S >= 1 stages, M >= 1 microbatches", "integer costs t_F, t_B >= 1",
                    "fill-drain policy: a stage starts its backwards after its M forwards"),
        source="[L] Huang et al. 2019 (GPipe); [C]",
        obligations=(
            _validity("F = (m + s) t_F, B = (M + S - 1) t_F + (m + S - 1 - s) t_B",
                      forward, backward, t_F, t_B, symbols=(S, M, s, m, t_F, t_B)),
            ob("the last op is B(0, M - 1): B(s, m) <= B(0, M - 1)",
               backward() <= backward(0, M - 1), S, M, s, m, t_F, t_B, methods=SMT),
            ob("makespan B(0, M - 1) + t_B = (t_F + t_B)(M + S - 1)",
               sp.Eq(makespan, throughput.fill_drain_makespan()), S, M, t_F, t_B),
            *_bubble_obligations(makespan),
            ob("all M forwards of a stage end before its first backward",
               forward(s, M - 1) + t_F <= backward(s, 0), S, M, s, t_F, t_B, methods=SMT),
        ),
        tables=(TableCheck(GPIPE, claims), TableCheck(GPIPE_COSTS, claims)),
        variants=(
            Variant("bubble fraction off by one: (S - 1)/(M + S)",
                    (ob("bubble = (S - 1)/(M + S)", sp.Eq(S * throughput.idle_from_makespan(
                        makespan) / (S * makespan), (S - 1) / (M + S)), S, M, t_F, t_B),),
                    (claim("bubble_fraction", (S - 1) / (M + S)),)),
            Variant("makespan off by one stage: (t_F + t_B)(M + S)",
                    (ob("makespan = (t_F + t_B)(M + S)", sp.Eq(makespan, (t_F + t_B) * (M + S)),
                        S, M, t_F, t_B),),
                    (claim("makespan", (t_F + t_B) * (M + S)),)),
            Variant("idle slots per stage (t_F + t_B) S",
                    claims=(claim("idle_slots_per_stage", (t_F + t_B) * S, s),)),
            Variant("1F1B's activation count S - s instead of M",
                    claims=(claim("peak_in_flight_per_stage", S - s, s),)),
        ),
    )


def flush() -> Theorem:
    """THR-FLUSH: 1F1B with a flush."""
    forward, backward = schedules.flush_forward, schedules.flush_backward
    goal, assumptions = schedules.policy_step(forward, backward, schedules.flush_admits)
    unit_claims = (
        claim("forward_start", forward(), s, m),
        claim("backward_start", backward(), s, m),
        claim("peak_in_flight_per_stage", memory.flush_peak_in_flight(), s),
    )
    cost_claims = (
        claim("makespan", throughput.fill_drain_makespan()),
        claim("bubble_fraction", throughput.bubble_fraction()),
        claim("peak_in_flight_per_stage", memory.flush_peak_in_flight(), s),
    )
    pd_goal, pd_assumptions = schedules.policy_step(forward, backward, schedules.pipedream_admits)
    return Theorem(
        id="THR-FLUSH",
        tags=("empirical",),
        title="1F1B with a flush: GPipe's makespan and bubble, at most min(S-s, M) in flight",
        statement=sp.And(sp.Eq(T, throughput.fill_drain_makespan()),
                         sp.Eq(BUBBLE, throughput.bubble_fraction()),
                         sp.Eq(PEAK, memory.flush_peak_in_flight())),
        hypotheses=("S >= 1, M >= 1", "integer costs t_F, t_B >= 1 (closed form: unit costs)",
                    "stage s starts a forward only while fewer than S - s microbatches are in "
                    "flight on it; a ready backward goes first"),
        source="[L] Narayanan et al. 2021 (PipeDream-Flush, Megatron-LM 1F1B)",
        obligations=(
            _validity("F = m + s (m < S - s) else 2m + s, B = 2m + 2S - 1 - s",
                      forward, backward),
            Obligation("the closed form is the greedy policy's output (inductive step)",
                       goal, assumptions, SMT),
            ob("makespan B(0, M - 1) + 1 = 2(M + S - 1)",
               eq(backward(0, M - 1) + 1, throughput.fill_drain_makespan().subs(UNIT)),
               S, M),
            *_bubble_obligations(throughput.fill_drain_makespan()),
            ob("in flight <= S - s: F(s, m) starts after B(s, m - (S - s)) ends",
               sp.Implies(m >= S - s, forward() >= backward(s, m - (S - s)) + 1), S, M, s, m,
               methods=SMT),
            ob("min(S - s, M) forwards start before the first backward",
               forward(s, sp.Min(S - s, M) - 1) < backward(s, 0), S, M, s, methods=SMT),
        ),
        tables=(TableCheck(FLUSH, unit_claims), TableCheck(FLUSH_SMALL_M, unit_claims),
                TableCheck(FLUSH_COSTS, cost_claims)),
        variants=(
            Variant("one more activation: S - s + 1 in flight",
                    claims=(claim("peak_in_flight_per_stage", S - s + 1, s),)),
            Variant("dropped min with M: S - s in flight for every M",
                    claims=(claim("peak_in_flight_per_stage", S - s, s),), grid=FLUSH_SMALL_M),
            Variant("makespan off by one: (t_F + t_B)(M + S)",
                    claims=(claim("makespan", (t_F + t_B) * (M + S)),), grid=FLUSH_COSTS),
            Variant("PipeDream admission (only stage 0 limited) gives the same table",
                    (Obligation("policy step with PipeDream admission", pd_goal,
                                pd_assumptions, SMT),)),
        ),
    )


def pipedream() -> Theorem:
    """THR-PD: PipeDream's makespan and steady-state throughput."""
    forward, backward = schedules.pipedream_forward, schedules.pipedream_backward
    makespan_claims = (claim("makespan", throughput.fill_drain_makespan().subs(UNIT)),)
    steady_claims = (
        claim("completion_spacing.steady_min", 2),
        claim("completion_spacing.steady_max", 2),
        claim("updates_per_slot_pair.steady_min", S),
        claim("updates_per_slot_pair.steady_max", S),
    )
    steady_slot = (t >= 2 * S - 1, t <= 2 * M + S - 3)
    witness = sp.floor((t + 1 - (2 * S - 1 - s)) / 2)
    return Theorem(
        id="THR-PD",
        tags=("empirical",),
        title="PipeDream 1F1B: makespan 2(M+S-1), one microbatch and S block updates per 2 slots",
        statement=sp.And(sp.Eq(T, 2 * (M + S - 1)),
                         sp.Eq(sp.Symbol("updates_per_2_slots"), S)),
        hypotheses=("S >= 1, M >= 1", "unit costs t_F = t_B = 1", "NOAM = S",
                    "greedy 1F1B: a ready backward first, else a ready forward"),
        source="[C] the authors' simulator; [D] proved from THR-PD-CLOSED",
        uses=("THR-PD-CLOSED",),
        obligations=(
            ob("makespan B(0, M - 1) + 1 = 2(M + S - 1)",
               eq(backward(0, M - 1) + 1, 2 * (M + S - 1)), S, M),
            ob("the last op is B(0, M - 1)", sp.And(backward() <= backward(0, M - 1),
                                                    forward() < backward(0, M - 1)),
               S, M, s, m, methods=SMT),
            ob("consecutive microbatches leave a stage 2 slots apart",
               eq(backward(s, m + 1) - backward(), 2), S, s, m),
            ob("every stage updates exactly once in any two steady slots t, t + 1",
               sp.And(witness >= 0, witness <= M - 1,
                      sp.Or(sp.Eq(backward(s, witness), t), sp.Eq(backward(s, witness), t + 1))),
               S, M, s, t, extra=steady_slot, methods=SMT),
        ),
        tables=(TableCheck(PIPEDREAM, makespan_claims + steady_claims),
                TableCheck(PIPEDREAM_SMALL_M, makespan_claims)),
        variants=(
            Variant("makespan off by one: 2(M + S)",
                    (ob("makespan = 2(M + S)", eq(backward(0, M - 1) + 1, 2 * (M + S)), S, M),),
                    (claim("makespan", 2 * (M + S)),)),
            Variant("S block updates per slot (not per two slots)",
                    claims=(claim("updates_per_slot_pair.steady_max", 2 * S),)),
            Variant("one microbatch per slot",
                    (ob("spacing 1", eq(backward(s, m + 1) - backward(), 1), S, s, m),),
                    (claim("completion_spacing.steady_min", 1),)),
            Variant("dropped NOAM = S: the same makespan with NOAM = ceil(S/2)",
                    claims=makespan_claims,
                    grid=Grid("pipedream", (1, 32), (10 * S,), noam=(sp.ceiling(S / 2),))),
        ),
    )


def pipedream_closed() -> Theorem:
    """THR-PD-CLOSED: the closed form of PipeDream's op table, warm-up included."""
    forward, backward = schedules.pipedream_forward, schedules.pipedream_backward
    steady_forward = schedules.pipedream_steady_forward
    goal, assumptions = schedules.policy_step(forward, backward, schedules.pipedream_admits)
    steady_goal, _ = schedules.policy_step(steady_forward, backward, schedules.pipedream_admits)
    table_claims = (
        claim("forward_start", forward(), s, m),
        claim("backward_start", backward(), s, m),
        claim("forward_start", steady_forward(), s, m, where=STEADY),
    )
    steady = (m >= S, m <= M - 1)
    return Theorem(
        id="THR-PD-CLOSED",
        tags=("empirical",),
        title="PipeDream steady state: F(s,m) = 2m + s, B(s,m) = 2m + 2S - 1 - s (all S, M)",
        statement=sp.And(sp.Eq(sp.Function("F")(s, m), steady_forward()),
                         sp.Eq(sp.Function("B")(s, m), backward())),
        hypotheses=("S >= 1, M >= 1, m >= S for the steady form (the warm-up m < S has "
                    "F(s, m) = max(m + s, 2m + 3s - 2S + 2))", "unit costs", "NOAM = S",
                    "greedy 1F1B policy"),
        source="[D]",
        obligations=(
            ob("F(s, m) < F(s + 1, m), B(s + 1, m) < B(s, m), F(s, m) < B(s, m) in steady state",
               sp.And(sp.Implies(s <= S - 2, steady_forward() < steady_forward(s + 1, m)),
                      sp.Implies(s <= S - 2, backward(s + 1, m) < backward()),
                      steady_forward() < backward()), S, M, s, m, extra=steady, methods=SMT),
            ob("one op per stage per slot: F(s, m) and B(s, m') differ in parity",
               eq(sp.Mod(steady_forward() - backward(s, M2), 2), 1), S, s, m, M2,
               methods=BOTH),
            ob("the steady form is the closed form for m >= S",
               sp.Eq(forward(), steady_forward()), S, M, s, m, extra=steady, methods=SMT),
            _validity("the full closed form", forward, backward),
            ob("stage 0 admits microbatch m only after B(0, m - S): at most S in flight",
               sp.Implies(m >= S, forward(0, m) >= backward(0, m - S) + 1), S, M, m,
               methods=SMT),
            Obligation("the closed form is the greedy policy's output (inductive step over "
                       "slots)", goal, assumptions, SMT),
        ),
        tables=(TableCheck(PIPEDREAM, table_claims), TableCheck(PIPEDREAM_SMALL_M, table_claims)),
        variants=(
            Variant("forward off by one: F(s, m) = 2m + s + 1",
                    (ob("F = 2m + s + 1 is the closed form for m >= S",
                        sp.Eq(forward(), steady_forward() + 1), S, M, s, m, extra=steady,
                        methods=SMT),),
                    (claim("forward_start", steady_forward() + 1, s, m, where=STEADY),)),
            Variant("backward off by one: B(s, m) = 2m + 2S - s",
                    claims=(claim("backward_start", backward() + 1, s, m),)),
            Variant("steady form from the start (no warm-up): F(s, m) = 2m + s for all m",
                    (Obligation("policy step with F = 2m + s for all m", steady_goal,
                                assumptions, SMT),),
                    (claim("forward_start", steady_forward(), s, m),)),
            Variant("backward slope 2 in s: B(s, m) = 2m + 2S - 1 - 2s",
                    claims=(claim("backward_start", 2 * m + 2 * S - 1 - 2 * s, s, m),)),
            Variant("dropped NOAM = S: the closed form with NOAM = S - 1",
                    claims=(claim("backward_start", backward(), s, m),),
                    grid=Grid("pipedream", (2, 32), (10 * S,), noam=(S - 1,))),
        ),
    )


def localsgd() -> Theorem:
    """THR-LSGD: LocalSGD round time, idle fraction and bubble factor."""
    round_time = throughput.localsgd_round_time().subs(UNIT)
    equal = round_time.subs(R, S)
    rounds = M / (R * H)
    claims = (
        claim("makespan", rounds * round_time),
        claim("bubble_fraction", 1 - 2 * R * H / round_time),
    )
    return Theorem(
        id="THR-LSGD",
        tags=("empirical",),
        title="LocalSGD round: 2[max(R,S)H + min(R,S) - 1] slots; R = S: beta = 1 + (S-1)/(SH)",
        statement=sp.And(sp.Eq(sp.Symbol("T_round"), round_time),
                         sp.Eq(sp.Symbol("beta"), throughput.localsgd_bubble_factor())),
        hypotheses=("S, R, H >= 1", "unit costs", "microbatch m belongs to copy m mod R, which "
                    "re-enters the pipeline only after its previous microbatch left it",
                    "a hard barrier after every R H microbatches"),
        source="[D]; matches [C]",
        uses=("THR-PD-CLOSED",),
        obligations=(
            ob("R = S: a round is PipeDream (NOAM = S) on S H microbatches, 2(SH + S - 1)",
               eq(equal, 2 * (S * H + S - 1)), S, H),
            ob("R = S: idle fraction 1 - 2 R H / T_round = (S - 1)/(S H + S - 1)",
               sp.Eq(1 - 2 * S * H / equal, throughput.localsgd_idle_fraction()), S, H),
            ob("R = S: time per block update over PipeDream's = 1 + (S - 1)/(S H)",
               eq(throughput.localsgd_time_per_update() / throughput.pipedream_time_per_update(),
                     throughput.localsgd_bubble_factor()), S, H, t_F, t_B),
        ),
        tables=(TableCheck(LOCALSGD, claims), TableCheck(LOCALSGD_WIDE, claims)),
        variants=(
            Variant("no min/max: 2(R H + S - 1) for every R",
                    claims=(claim("makespan", rounds * 2 * (R * H + S - 1)),)),
            Variant("off by one: 2[max(R, S) H + min(R, S)]",
                    claims=(claim("makespan", rounds * 2 * (sp.Max(R, S) * H + sp.Min(R, S))),)),
            Variant("bubble factor 1 + (S - 1)/H",
                    (ob("beta = 1 + (S - 1)/H",
                        eq(throughput.localsgd_time_per_update()
                              / throughput.pipedream_time_per_update(), 1 + (S - 1) / H),
                        S, H, t_F, t_B),)),
            Variant("idle fraction (S - 1)/(S H)",
                    (ob("idle = (S - 1)/(S H)", sp.Eq(1 - 2 * S * H / equal, (S - 1) / (S * H)),
                        S, H),)),
        ),
    )


def costs() -> Theorem:
    """THR-COST: integer costs t_F, t_B."""
    bound = throughput.fill_drain_makespan()
    divisible = sp.Eq(sp.Mod(t_B, t_F), 0)
    divisible_costs = tuple(c for c in COSTS if c[1] % c[0] == 0)
    return Theorem(
        id="THR-COST",
        tags=("empirical",),
        title="Integer costs: T >= (t_F+t_B)(M+S-1); tight for GPipe, Flush, PipeDream if t_F|t_B",
        statement=sp.Eq(T, bound),
        hypotheses=("S, M >= 1, integer t_F, t_B >= 1",
                    "PipeDream (NOAM = S) attains the bound when t_F divides t_B"),
        source="[D]",
        uses=("THR-GPIPE", "THR-FLUSH"),
        obligations=(
            ob("the last stage waits (S - 1) t_F, works M (t_F + t_B), and its last backward "
               "crosses S - 1 stages: (S - 1) t_F + M (t_F + t_B) + (S - 1) t_B = T",
               sp.Eq((S - 1) * t_F + M * (t_F + t_B) + (S - 1) * t_B, bound), S, M, t_F, t_B),
            ob("GPipe with costs ends at B(0, M - 1) + t_B = (t_F + t_B)(M + S - 1)",
               sp.Eq(schedules.gpipe_backward(0, M - 1) + t_B, bound), S, M, t_F, t_B),
        ),
        tables=(
            TableCheck(GPIPE_COSTS, (claim("makespan", bound),)),
            TableCheck(FLUSH_COSTS, (claim("makespan", bound),)),
            TableCheck(PIPEDREAM_COSTS, (claim("makespan", bound, relation=">="),)),
            TableCheck(Grid("pipedream", (1, 24), (ONE, S, 3 * S), costs=divisible_costs),
                       (claim("makespan", bound),)),
        ),
        variants=(
            Variant("PipeDream attains the bound for every t_F, t_B",
                    claims=(claim("makespan", bound),), grid=PIPEDREAM_COSTS),
            Variant("makespan 2 max(t_F, t_B)(M + S - 1) (the slower op twice)",
                    claims=(claim("makespan", 2 * sp.Max(t_F, t_B) * (M + S - 1)),),
                    grid=GPIPE_COSTS),
            Variant("LocalSGD rounds keep their unit-cost shape for every t_F, t_B",
                    claims=(claim("makespan", M / (R * H) * throughput.localsgd_round_time()),),
                    grid=Grid("localsgd", (2, 12), (2 * R * H,), runs=(S,),
                              local_steps=(sp.Integer(2),), costs=((2, 1), (3, 2)))),
        ),
        notes="PipeDream's greedy policy with t_F not dividing t_B loses slots (e.g. S = 3, "
              "M = 7, t_F = 2, t_B = 1 takes 28 slots instead of 27); the divisibility "
              f"condition is {divisible}.",
    )


THEOREMS = (gpipe, flush, pipedream, pipedream_closed, localsgd, costs)
"""Builders of the section's theorems, in catalogue order."""
