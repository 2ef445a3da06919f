"""Catalogue section 1: schedules and throughput (THR-*).

Each statement speaks about the op times F(s, m), B(s, m) of a schedule's closed form (given by
definitions) in the vocabulary of ``pipeproof.theory.catalogue.op_tables``: a valid table, the
makespan as the end of the last backward, the bubble fraction, the peak in flight and the greedy
policy's step. LocalSGD (THR-LSGD) is in ``throughput_rounds``, integer costs (THR-COST) in
``throughput_costs``.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import memory, schedules, throughput
from pipeproof.theory.catalogue import op_tables, throughput_costs, throughput_rounds
from pipeproof.theory.catalogue.common import (
    BOTH,
    FLUSH,
    FLUSH_COSTS,
    FLUSH_SMALL_M,
    GPIPE,
    GPIPE_COSTS,
    PIPEDREAM,
    PIPEDREAM_SMALL_M,
    SMT,
    STEADY,
    claim,
    eq,
    ob,
)
from pipeproof.theory.catalogue.op_tables import Part
from pipeproof.theory.symbols import DOMAINS, M, S, m, s, t, t_B, t_F
from pipeproof.theory.theorem import Grid, Obligation, TableCheck, Theorem, Variant

UNIT = {t_F: 1, t_B: 1}


def _unit(theorem_assumptions: tuple = ()) -> tuple[sp.Basic, ...]:
    """Domains of S, M, s, m, m2 and the slot t (unit-cost closed forms)."""
    return (*op_tables.index_ranges(), DOMAINS[t], *theorem_assumptions)


def gpipe() -> Theorem:
    """THR-GPIPE: fill-drain times, makespan, idle, bubble and activations."""
    forward, backward = schedules.gpipe_forward, schedules.gpipe_backward
    makespan = backward(0, M - 1) + t_B
    bound = throughput.fill_drain_makespan()
    assumptions = (*op_tables.index_ranges(), *op_tables.cost_ranges())
    parts = (
        Part("F = (m + s) t_F, B = (M + S - 1) t_F + (m + S - 1 - s) t_B is a valid op table "
             "(dependencies, stage order, no overlap)", op_tables.valid_table(t_F, t_B)),
        Part("every op ends by (t_F + t_B)(M + S - 1), the last backward B(0, M - 1) at it",
             op_tables.makespan(bound, t_F, t_B)),
        Part("idle slots per stage: B(0, M - 1) + t_B - M (t_F + t_B) = (t_F + t_B)(S - 1)",
             sp.Eq(op_tables.B(0, M - 1) + t_B - M * (t_F + t_B), throughput.fill_drain_idle()),
             BOTH),
        Part("bubble = S idle / (S T) = (S - 1)/(M + S - 1)",
             op_tables.bubble(throughput.bubble_fraction(), t_F, t_B), BOTH),
        Part("all M microbatches are in flight at F(s, M - 1): the peak is M",
             op_tables.peak_in_flight(memory.gpipe_peak_in_flight(), t_B)),
    )
    statement, definitions, obligations = op_tables.formal(parts, forward, backward, assumptions)
    claims = (
        claim("forward_start", forward(), s, m),
        claim("backward_start", backward(), s, m),
        claim("makespan", bound),
        claim("idle_slots_per_stage", throughput.fill_drain_idle(), s),
        claim("bubble_fraction", throughput.bubble_fraction()),
        claim("peak_in_flight_per_stage", memory.gpipe_peak_in_flight(), s),
    )
    return Theorem(
        id="THR-GPIPE",
        tags=("empirical",),
        title="GPipe fill-drain: times, makespan, bubble (S-1)/(M+S-1), M live activations",
        statement=statement,
        assumptions=assumptions,
        definitions=definitions,
        hypotheses=("S >= 1 stages, M >= 1 microbatches", "integer costs t_F, t_B >= 1",
                    "fill-drain policy: a stage starts its backwards after its M forwards"),
        source="[L] Huang et al. 2019 (GPipe); [C]",
        obligations=obligations,
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
                    (Obligation("peak in flight S - s", op_tables.unfold(
                        op_tables.peak_in_flight(S - s, t_B), forward, backward), assumptions,
                        SMT),),
                    (claim("peak_in_flight_per_stage", S - s, s),)),
        ),
        notes="The statement is about the closed-form op times F, B (definitions); that they are "
              "the fill-drain policy's output is checked on the tables (forward_start, "
              "backward_start).",
    )


def flush() -> Theorem:
    """THR-FLUSH: 1F1B with a flush."""
    forward, backward = schedules.flush_forward, schedules.flush_backward
    assumptions = _unit()
    unit_bound = throughput.fill_drain_makespan().subs(UNIT)
    parts = (
        Part("F = m + s (m < S - s) else 2m + s, B = 2m + 2S - 1 - s is a valid op table",
             op_tables.valid_table()),
        Part("the closed form is the greedy policy's output (inductive step over slots, "
             "admission while fewer than S - s are in flight)",
             op_tables.policy(schedules.flush_admits)),
        Part("every op ends by 2(M + S - 1), the last backward B(0, M - 1) at it",
             op_tables.makespan(unit_bound)),
        Part("bubble = S idle / (S T) = (S - 1)/(M + S - 1)",
             op_tables.bubble(throughput.bubble_fraction()), BOTH),
        Part("peak in flight min(S - s, M): B(s, k) ends before F(s, m) for k <= m - min(S - s, "
             "M), and 0..min(S - s, M) - 1 are in flight at F(s, min(S - s, M) - 1)",
             op_tables.peak_in_flight(memory.flush_peak_in_flight())),
    )
    statement, definitions, obligations = op_tables.formal(parts, forward, backward, assumptions)
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
    pd_step = op_tables.unfold(op_tables.policy(schedules.pipedream_admits), forward, backward)
    return Theorem(
        id="THR-FLUSH",
        tags=("empirical",),
        title="1F1B with a flush: GPipe's makespan and bubble, at most min(S-s, M) in flight",
        statement=statement,
        assumptions=assumptions,
        definitions=definitions,
        hypotheses=("S >= 1, M >= 1", "integer costs t_F, t_B >= 1 (closed form: unit costs)",
                    "stage s starts a forward only while fewer than S - s microbatches are in "
                    "flight on it; a ready backward goes first"),
        source="[L] Narayanan et al. 2021 (PipeDream-Flush, Megatron-LM 1F1B)",
        obligations=obligations,
        tables=(TableCheck(FLUSH, unit_claims), TableCheck(FLUSH_SMALL_M, unit_claims),
                TableCheck(FLUSH_COSTS, cost_claims)),
        variants=(
            Variant("one more activation: S - s + 1 in flight",
                    (Obligation("peak in flight S - s + 1", op_tables.unfold(
                        op_tables.peak_in_flight(S - s + 1), forward, backward), assumptions,
                        SMT),),
                    (claim("peak_in_flight_per_stage", S - s + 1, s),)),
            Variant("dropped min with M: S - s in flight for every M",
                    (Obligation("peak in flight S - s", op_tables.unfold(
                        op_tables.peak_in_flight(S - s), forward, backward), assumptions,
                        SMT),),
                    (claim("peak_in_flight_per_stage", S - s, s),), grid=FLUSH_SMALL_M),
            Variant("makespan off by one: (t_F + t_B)(M + S)",
                    claims=(claim("makespan", (t_F + t_B) * (M + S)),), grid=FLUSH_COSTS),
            Variant("PipeDream admission (only stage 0 limited) gives the same table",
                    (Obligation("policy step with PipeDream admission", pd_step, assumptions,
                                SMT),)),
        ),
        notes="Proved for unit costs (the closed form); with integer costs t_F, t_B the "
              "makespan (t_F + t_B)(M + S - 1), the bubble and the peak are checked on the "
              "tables only (S <= 24, the FLUSH_COSTS grid).",
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
    steady_slot = sp.And(t >= 2 * S - 1, t <= 2 * M + S - 3)
    witness = sp.floor((t + 1 - (2 * S - 1 - s)) / 2)
    assumptions = _unit()
    B = op_tables.B
    parts = (
        Part("every op ends by 2(M + S - 1), the last backward B(0, M - 1) at it",
             op_tables.makespan(2 * (M + S - 1))),
        Part("bubble = S idle / (S T) = (S - 1)/(M + S - 1)",
             op_tables.bubble(throughput.bubble_fraction()), BOTH),
        Part("consecutive microbatches leave a stage 2 slots apart: at most one update of stage "
             "s in slots t, t + 1", sp.Implies(m <= M - 2, sp.Eq(B(s, m + 1) - B(s, m), 2))),
        Part("every stage updates once in any two steady slots t, t + 1 (2S - 1 <= t <= "
             "2M + S - 3): microbatch floor((t + 2 - 2S + s)/2)",
             sp.Implies(steady_slot, sp.And(witness >= 0, witness <= M - 1,
                                            sp.Or(sp.Eq(B(s, witness), t),
                                                  sp.Eq(B(s, witness), t + 1))))),
    )
    statement, definitions, obligations = op_tables.formal(parts, forward, backward, assumptions)
    return Theorem(
        id="THR-PD",
        tags=("empirical",),
        title="PipeDream 1F1B: makespan 2(M+S-1), one microbatch and S block updates per 2 slots",
        statement=statement,
        assumptions=assumptions,
        definitions=definitions,
        hypotheses=("S >= 1, M >= 1", "unit costs t_F = t_B = 1", "NOAM = S",
                    "greedy 1F1B: a ready backward first, else a ready forward"),
        source="[C] the authors' simulator; [D] proved from THR-PD-CLOSED",
        uses=("THR-PD-CLOSED",),
        obligations=obligations,
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
        notes="F and B are THR-PD-CLOSED's closed form, which is the greedy policy's output "
              "(proved there by its inductive step over slots). With S updates (one per "
              "stage) in every two steady slots, PipeDream applies S block updates per 2 slots.",
    )


def pipedream_closed() -> Theorem:
    """THR-PD-CLOSED: the closed form of PipeDream's op table, warm-up included."""
    forward, backward = schedules.pipedream_forward, schedules.pipedream_backward
    steady_forward = schedules.pipedream_steady_forward
    steady_goal = op_tables.unfold(op_tables.policy(schedules.pipedream_admits), steady_forward,
                                   backward)
    table_claims = (
        claim("forward_start", forward(), s, m),
        claim("backward_start", backward(), s, m),
        claim("forward_start", steady_forward(), s, m, where=STEADY),
    )
    steady = (m >= S, m <= M - 1)
    assumptions = _unit()
    F, B = op_tables.F, op_tables.B
    parts = (
        Part("steady state m >= S: F(s, m) = 2m + s",
             sp.Implies(m >= S, sp.Eq(F(s, m), steady_forward()))),
        Part("B(s, m) = 2m + 2S - 1 - s", sp.Eq(B(s, m), backward())),
        Part("the closed form is a valid op table", op_tables.valid_table()),
        Part("stage 0 admits microbatch m only after B(0, m - S): at most S in flight",
             sp.Implies(m >= S, F(0, m) >= B(0, m - S) + 1)),
        Part("the closed form is the greedy policy's output (inductive step over slots)",
             op_tables.policy(schedules.pipedream_admits)),
    )
    statement, definitions, obligations = op_tables.formal(parts, forward, backward, assumptions)
    return Theorem(
        id="THR-PD-CLOSED",
        tags=("empirical",),
        title="PipeDream steady state: F(s,m) = 2m + s, B(s,m) = 2m + 2S - 1 - s (all S, M)",
        statement=statement,
        assumptions=assumptions,
        definitions=definitions,
        hypotheses=("S >= 1, M >= 1, m >= S for the steady form (the warm-up m < S has "
                    "F(s, m) = max(m + s, 2m + 3s - 2S + 2))", "unit costs", "NOAM = S",
                    "greedy 1F1B policy"),
        source="[D]",
        obligations=obligations,
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
        notes="F and B are defined as the closed form; the statement proves that this form is a "
              "valid table and satisfies the greedy policy's step at every slot, so by induction "
              "on the slot it is the policy's output. The tables compare it with the simulator.",
    )


THEOREMS = (gpipe, flush, pipedream, pipedream_closed, throughput_rounds.localsgd,
            throughput_costs.costs)
"""Builders of the section's theorems, in catalogue order."""
