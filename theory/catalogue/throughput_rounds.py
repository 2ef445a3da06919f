"""Catalogue section 1, continued: LocalSGD rounds (THR-LSGD).

The round is stated on the op times F(s, q, r), B(s, q, r) of microbatch i = q R + r of a round
(local step q of copy r), defined by the closed form of ``pipeproof.theory.schedules`` and proved,
for all R, S, H, to be a valid op table that obeys the copy rule and the greedy policy, and to take
2[max(R, S) H + min(R, S) - 1] slots. The policy step's case R >= S is proved on the microbatch
index (:mod:`.localsgd_index`).
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from pipeproof.theory import schedules, throughput
from pipeproof.theory.catalogue import localsgd_index, op_tables
from pipeproof.theory.catalogue.common import (
    LOCALSGD,
    LOCALSGD_WIDE,
    SMT,
    claim,
    eq,
    ob,
)
from pipeproof.theory.catalogue.op_tables import B, F, Part
from pipeproof.theory.symbols import DOMAINS, H, M, R, S, m, s, t, t_B, t_F
from pipeproof.theory.theorem import Obligation, TableCheck, Theorem, Variant

q = sp.Symbol("q", integer=True, nonnegative=True)
"""Local step of a copy inside a LocalSGD round (microbatch i = q R + r of the round)."""
r = sp.Symbol("r", integer=True, nonnegative=True)
"""Copy of a microbatch (r = i mod R)."""
q2 = sp.Symbol("q2", integer=True, nonnegative=True)
"""Local step of a second microbatch (one op per stage per slot)."""
r2 = sp.Symbol("r2", integer=True, nonnegative=True)
"""Copy of a second microbatch."""

UNIT = {t_F: 1, t_B: 1}


def _round_ranges() -> tuple[sp.Basic, ...]:
    """S, R, H >= 1, 0 <= s <= S - 1, t >= 0, 0 <= q, q2 <= H - 1, 0 <= r, r2 <= R - 1."""
    return (DOMAINS[S], DOMAINS[R], DOMAINS[H], *sp.And.make_args(DOMAINS[s]), DOMAINS[t],
            q >= 0, q <= H - 1, r >= 0, r <= R - 1, q2 >= 0, q2 <= H - 1, r2 >= 0, r2 <= R - 1)


def _policy_cases() -> tuple[sp.Basic, ...]:
    """R >= S; R <= S on stages s >= 1; R <= S on stage 0 by qf - qb (< 0, 0, 1, >= 2), the
    local steps of the next forward and the next backward."""
    qf, qb = (sp.Symbol(name, integer=True, nonnegative=True) for name in ("qf", "qb"))
    fewer = sp.And(R <= S, sp.Eq(s, 0))
    return (R >= S, sp.And(R <= S, s >= 1), sp.And(fewer, qf < qb), sp.And(fewer, sp.Eq(qf, qb)),
            sp.And(fewer, sp.Eq(qf, qb + 1)), sp.And(fewer, qf >= qb + 2))


def _round_parts(round_time: sp.Expr) -> tuple[Part, ...]:
    """The LocalSGD round, stated on F(s, q, r), B(s, q, r) (unit costs)."""
    same = (q, r)
    return (
        Part("copy r re-enters stage 0 only after its previous microbatch left it: "
             "F(0, q, r) >= B(0, q - 1, r) + 1",
             sp.Implies(q >= 1, F(0, q, r) >= B(0, q - 1, r) + 1)),
        Part("dependencies: F(s, q, r) before F(s + 1, q, r), F(S - 1, q, r) before "
             "B(S - 1, q, r), B(s + 1, q, r) before B(s, q, r)",
             sp.And(sp.Implies(s <= S - 2, F(s, *same) + 1 <= F(s + 1, *same)),
                    F(S - 1, *same) + 1 <= B(S - 1, *same),
                    sp.Implies(s <= S - 2, B(s + 1, *same) + 1 <= B(s, *same)))),
        Part("a stage runs its forwards and its backwards in microbatch order i = q R + r",
             sp.And(sp.Implies(r <= R - 2, sp.And(F(s, q, r) + 1 <= F(s, q, r + 1),
                                                  B(s, q, r) + 1 <= B(s, q, r + 1))),
                    sp.Implies(q <= H - 2, sp.And(F(s, q, R - 1) + 1 <= F(s, q + 1, 0),
                                                  B(s, q, R - 1) + 1 <= B(s, q + 1, 0))))),
        Part("one op per stage per slot: F(s, q, r) != B(s, q2, r2)",
             sp.Ne(F(s, q, r), B(s, q2, r2))),
        Part("the round starts empty at the barrier (slot 0) and takes "
             "2[max(R, S) H + min(R, S) - 1] slots: every op ends by then, the last "
             "backward B(0, H - 1, R - 1) at it",
             sp.And(F(s, q, r) >= 0, F(s, q, r) + 1 <= round_time,
                    B(s, q, r) + 1 <= round_time,
                    sp.Eq(B(0, H - 1, R - 1) + 1, round_time))),
        Part("the closed form is the greedy policy's output inside a round (inductive step "
             "over slots; stage 0 admits while fewer than R are in flight)",
             op_tables.localsgd_policy(), cases=_policy_cases()),
        Part("R = S: idle fraction 1 - 2RH/T_round = (S - 1)/(S H + S - 1)",
             sp.Implies(sp.Eq(R, S), sp.Eq(1 - 2 * R * H / (B(0, H - 1, R - 1) + 1),
                                           throughput.localsgd_idle_fraction()))),
        Part("R = S: time per block update T_round/(S H S) over PipeDream's 2/S is "
             "beta = 1 + (S - 1)/(S H)",
             sp.Implies(sp.Eq(R, S), sp.Eq((B(0, H - 1, R - 1) + 1) / (S * H * S)
                                           / throughput.pipedream_time_per_update().subs(UNIT),
                                           throughput.localsgd_bubble_factor()))),
    )


def _round_end(round_time: sp.Expr) -> sp.Basic:
    """Every backward of the round ends by ``round_time`` and the last one at it."""
    return sp.And(B(s, q, r) + 1 <= round_time, sp.Eq(B(0, H - 1, R - 1) + 1, round_time))


def _by_index(obligations: tuple[Obligation, ...]) -> tuple[Obligation, ...]:
    """The case R >= S of the policy step proved through the index form
    (:mod:`.localsgd_index`): its three lemmas come first, and the case takes their instances
    as premises."""
    lemmas = (localsgd_index.index_form(), localsgd_index.counts(), localsgd_index.index_step())
    wide = next(number for number, obligation in enumerate(obligations)
                if obligation.name.endswith(f"(case {R >= S})"))
    case = obligations[wide]
    premises = localsgd_index.premises(lemmas)
    case = replace(case, assumptions=case.assumptions + tuple(p.formula for p in premises),
                   premises=case.premises + premises)
    return (*obligations[:wide], *lemmas, case, *obligations[wide + 1:])


def localsgd() -> Theorem:
    """THR-LSGD: LocalSGD round time, idle fraction and bubble factor, for all R, S, H."""
    forward, backward = schedules.localsgd_forward, schedules.localsgd_backward
    round_time = throughput.localsgd_round_time().subs(UNIT)
    equal = round_time.subs(R, S)
    assumptions = _round_ranges()
    parts = _round_parts(round_time)
    statement, definitions, obligations = op_tables.formal(parts, forward, backward, assumptions,
                                                           "stage", "step", "copy")
    obligations = _by_index(obligations)
    rounds = M / (R * H)
    claims = (
        claim("forward_start", schedules.localsgd_table_start("forward"), s, m),
        claim("backward_start", schedules.localsgd_table_start("backward"), s, m),
        claim("makespan", rounds * round_time),
        claim("bubble_fraction", 1 - 2 * R * H / round_time),
    )
    formula_checks = (
        ob("R = S: idle fraction of the round-time formula, 1 - 2 S H / T_round = "
           "(S - 1)/(S H + S - 1)",
           sp.Eq(1 - 2 * S * H / equal, throughput.localsgd_idle_fraction()), S, H),
        ob("R = S: time per block update over PipeDream's = 1 + (S - 1)/(S H)",
           eq(throughput.localsgd_time_per_update() / throughput.pipedream_time_per_update(),
              throughput.localsgd_bubble_factor()), S, H, t_F, t_B),
    )

    def wrong(name: str, formula: sp.Basic) -> Obligation:
        return Obligation(name, op_tables.unfold(formula, forward, backward), assumptions, SMT)

    return Theorem(
        id="THR-LSGD",
        tags=("empirical",),
        title="LocalSGD round: 2[max(R,S)H + min(R,S) - 1] slots; R = S: beta = 1 + (S-1)/(SH)",
        statement=statement,
        assumptions=assumptions,
        definitions=definitions,
        hypotheses=("S, R, H >= 1", "unit costs", "microbatch i = q R + r of a round belongs to "
                    "copy r, which re-enters the pipeline only after its previous microbatch "
                    "left it", "a hard barrier after every R H microbatches"),
        source="[D]; matches [C]",
        obligations=obligations + formula_checks,
        tables=(TableCheck(LOCALSGD, claims), TableCheck(LOCALSGD_WIDE, claims)),
        variants=(
            Variant("no min/max: 2(R H + S - 1) for every R",
                    (wrong("round time 2(R H + S - 1)", _round_end(2 * (R * H + S - 1))),),
                    (claim("makespan", rounds * 2 * (R * H + S - 1)),)),
            Variant("off by one: 2[max(R, S) H + min(R, S)]",
                    (wrong("round time 2[max(R, S) H + min(R, S)]", _round_end(
                        2 * (sp.Max(R, S) * H + sp.Min(R, S)))),),
                    (claim("makespan", rounds * 2 * (sp.Max(R, S) * H + sp.Min(R, S))),)),
            Variant("bubble factor 1 + (S - 1)/H",
                    (ob("beta = 1 + (S - 1)/H",
                        eq(throughput.localsgd_time_per_update()
                           / throughput.pipedream_time_per_update(), 1 + (S - 1) / H),
                        S, H, t_F, t_B),)),
            Variant("idle fraction (S - 1)/(S H)",
                    (ob("idle = (S - 1)/(S H)", sp.Eq(1 - 2 * S * H / equal, (S - 1) / (S * H)),
                        S, H),)),
        ),
        notes="F(s, q, r), B(s, q, r) are the op times of microbatch i = q R + r of a round "
              "(local step q of copy r), unit costs; rounds repeat every T_round slots after "
              "the barrier. The closed form: B = 2 max(R, S) q + 2r + 2S - 1 - s, F = the "
              "largest of i + s, 2i + 3s - 2S + 2 and (for q >= 1) B(0, q - 1, r) + 1 + s. "
              "Proved for all R, S, H: it is a valid op table obeying the copy rule, it satisfies "
              "the greedy policy's step at every slot of a round (six cases: R >= S; R <= S on "
              "stages s >= 1; R <= S on stage 0 by qf - qb), so by induction on the slot it is "
              "the policy's output, and a round takes 2[max(R, S) H + min(R, S) - 1] slots. "
              "The case R >= S goes through the microbatch index i = R q + r: three lemmas "
              "(the closed form read on i, the counts read on i, PipeDream's step on i with "
              "the limit R) whose instances at the counts give the case without a product "
              "R q of its own. "
              "The tables compare it with the simulator over whole runs of two rounds "
              "(S <= 24 with six R per S, and R = S up to 256).",
    )

