"""Catalogue section 4: simulated time of PipeDream and LocalSGD (CMP-TIME).

The makespans are the schedule theorems' results: PipeDream takes (t_F + t_B)(M + S - 1) slots
(THR-PD, THR-COST) and a LocalSGD round 2[max(R, S) H + min(R, S) - 1] slots at unit costs
(THR-LSGD). CMP-TIME states what the comparison needs from them, proved for all parameters:
slots per block update of each method, the bubble factor beta = 1 + (S - 1)/(S H) at R = S, that
LocalSGD never needs fewer slots per block update than PipeDream (equal only at S = 1), the
bounds 1 <= beta <= min(2 - 1/S, 1 + 1/H), and the slots PipeDream saves on the n S H microbatches
of n rounds. The tables check slots per block update (makespan over the S M backward ops) on the
policy simulator's tables, so that R H S block updates per round and the makespans are measured,
not assumed.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import comparison as cmp
from pipeproof.theory.catalogue.common import (
    BOTH,
    LOCALSGD,
    LOCALSGD_WIDE,
    ONE,
    PIPEDREAM,
    SMT,
    claim,
    eq,
    ob,
)
from pipeproof.theory.catalogue.convergence.premises import derive, earlier
from pipeproof.theory.symbols import DOMAINS, H, M, R, S, t_B, t_F
from pipeproof.theory.theorem import Grid, Obligation, TableCheck, Theorem, Variant

n = sp.Symbol("n", integer=True, positive=True)  # LocalSGD rounds
UNIT = {t_F: 1, t_B: 1}
TAU = cmp.pd_slots_per_update()
"""(t_F + t_B)/S."""
COSTS = ((1, 2), (1, 3), (2, 2), (2, 4))
"""Integer costs with t_F dividing t_B, where PipeDream's makespan is (t_F + t_B)(M + S - 1)
(THR-COST)."""
PIPEDREAM_DIVISIBLE = Grid("pipedream", (1, 24), (ONE, S, 3 * S), costs=COSTS)


def _parts() -> tuple[tuple[str, sp.Basic, tuple[sp.Symbol, ...]], ...]:
    """(name, goal, symbols) of every part of the statement."""
    beta = cmp.bubble_factor()
    per_update = cmp.lsgd_slots_per_update()
    equal = cmp.lsgd_slots_per_update(S)
    return (
        ("PipeDream: T(M)/(M S) = ((t_F + t_B)/S)(1 + (S - 1)/M) slots per block update",
         eq(cmp.pd_slots(M) / (M * S), TAU * (1 + (S - 1) / M)), (S, M, t_F, t_B)),
        ("LocalSGD, R = S: slots per block update = beta (t_F + t_B)/S, "
         "beta = 1 + (S - 1)/(S H)", eq(equal, beta * TAU), (S, H, t_F, t_B)),
        ("LocalSGD, R = S: a local step of every copy takes (t_F + t_B) S beta slots",
         eq(cmp.lsgd_slots_per_step(S), (t_F + t_B) * S * beta), (S, H, t_F, t_B)),
        ("LocalSGD, R >= S: slots per block update = ((t_F + t_B)/S)(1 + (S - 1)/(R H))",
         sp.Implies(R >= S, eq(per_update, TAU * (1 + (S - 1) / (R * H)))), (S, R, H, t_F, t_B)),
        ("LocalSGD, R <= S: slots per block update = ((t_F + t_B)/S)(S H + R - 1)/(R H)",
         sp.Implies(R <= S, eq(per_update, TAU * (S * H + R - 1) / (R * H))),
         (S, R, H, t_F, t_B)),
        ("for every R, LocalSGD needs at least PipeDream's (t_F + t_B)/S slots per block "
         "update, equal only at S = 1", sp.And(per_update >= TAU,
                                               sp.Implies(S >= 2, per_update > TAU)),
         (S, R, H, t_F, t_B)),
        ("1 <= beta <= 2 - 1/S and beta <= 1 + 1/H; beta = 1 only at S = 1",
         sp.And(beta >= 1, beta <= 2 - 1 / S, beta <= 1 + 1 / H,
                sp.Implies(S >= 2, beta > 1)), (S, H)),
        ("n rounds (R = S) take (n - 1)(S - 1)(t_F + t_B) slots more than PipeDream on the same "
         "n S H microbatches", eq(n * cmp.round_slots(S) - cmp.pd_slots(n * S * H),
                                  (n - 1) * (S - 1) * (t_F + t_B)), (S, H, t_F, t_B)),
    )


def _obligations() -> tuple[Obligation, ...]:
    """Equalities go to SymPy and Z3; the case splits and inequalities (with Max, Min) to Z3.
    The part R >= S follows from the round time at R >= S (:func:`_wide_round`)."""
    obligations = []
    for name, goal, symbols in _parts():
        if name.startswith("LocalSGD, R >= S"):
            wide = _wide_round()
            obligations += [wide, derive(name, goal, earlier(wide), domains=tuple(
                DOMAINS[symbol] for symbol in symbols))]
            continue
        obligations.append(ob(name, goal, *symbols,
                              extra=(n >= 1,) if n in goal.free_symbols else (),
                              methods=BOTH if isinstance(goal, sp.Eq) else SMT))
    return tuple(obligations)


def _wide_round() -> Obligation:
    """R >= S: max(R, S) = R and min(R, S) = S, so a round takes (t_F + t_B)(R H + S - 1)."""
    return ob("R >= S: max(R, S) = R and min(R, S) = S, so a round takes "
              "(t_F + t_B)(R H + S - 1) slots",
              sp.Implies(R >= S, eq(cmp.round_slots(R), (t_F + t_B) * (R * H + S - 1))),
              S, R, H, t_F, t_B, methods=SMT)


def _statement() -> sp.Basic:
    return sp.And(*(goal for _, goal, _ in _parts()))


def _assumptions() -> tuple[sp.Basic, ...]:
    return (*tuple(DOMAINS[symbol] for symbol in (S, M, R, H, t_F, t_B)), n >= 1)


def _round(formula: sp.Expr) -> sp.Expr:
    """Slots per block update of LocalSGD with round time ``formula`` (unit costs)."""
    return formula / (R * H * S)


def _variants() -> tuple[Variant, ...]:
    per_update = cmp.lsgd_slots_per_update().subs(UNIT)
    beta_wrong = 1 + (S - 1) / S
    return (
        Variant("off by one: round 2[max(R, S) H + min(R, S)]",
                (ob("R = S: slots per update 2(S H + S)/(S^2 H) = beta 2/S",
                    eq(2 * (S * H + S) / (S * S * H), cmp.bubble_factor() * 2 / S), S, H),),
                (claim("slots_per_update", _round(2 * (sp.Max(R, S) * H + sp.Min(R, S)))),),
                grid=LOCALSGD),
        Variant("max and min swapped: round 2[min(R, S) H + max(R, S) - 1]",
                (ob("R >= S: slots per update = (2/S)(1 + (S - 1)/(R H)) with min and max "
                    "swapped", sp.Implies(R >= S, eq(_round(2 * (sp.Min(R, S) * H
                                                                 + sp.Max(R, S) - 1)),
                                                     2 / S * (1 + (S - 1) / (R * H)))),
                    S, R, H),),
                (claim("slots_per_update", _round(2 * (sp.Min(R, S) * H + sp.Max(R, S) - 1))),),
                grid=LOCALSGD),
        Variant("missing factor 2 (t_F + t_B): round max(R, S) H + min(R, S) - 1 slots",
                (ob("R = S: slots per update (S H + S - 1)/(S^2 H) = beta 2/S",
                    eq((S * H + S - 1) / (S * S * H), cmp.bubble_factor() * 2 / S), S, H),),
                (claim("slots_per_update", per_update / 2),), grid=LOCALSGD),
        Variant("beta with H dropped: 1 + (S - 1)/S",
                (ob("R = S: slots per update = (1 + (S - 1)/S) 2/S",
                    eq(cmp.lsgd_slots_per_update(S).subs(UNIT), beta_wrong * 2 / S), S, H),),
                (claim("slots_per_update", beta_wrong * 2 / S),), grid=LOCALSGD_WIDE),
        Variant("PipeDream: 1/S slots per block update (t_F + t_B dropped)",
                (ob("T(M)/(M S) = (1/S)(1 + (S - 1)/M)",
                    eq(cmp.pd_slots(M) / (M * S), (1 + (S - 1) / M) / S), S, M, t_F, t_B),),
                (claim("slots_per_update", (M + S - 1) / (M * S)),), grid=PIPEDREAM_DIVISIBLE),
        Variant("LocalSGD with more copies than stages beats PipeDream per block update",
                (ob("R > S: slots per update < (t_F + t_B)/S",
                    sp.Implies(R >= S + 1, cmp.lsgd_slots_per_update() < TAU), S, R, H, t_F,
                    t_B),),
                (claim("slots_per_update", 2 / S, relation="<="),), grid=LOCALSGD),
    )


def time() -> Theorem:
    """CMP-TIME: slots per block update of PipeDream and LocalSGD, for all parameters."""
    pd_claims = (claim("slots_per_update", cmp.pd_slots(M) / (M * S)),)
    lsgd_claims = (claim("slots_per_update", cmp.lsgd_slots_per_update().subs(UNIT)),)
    wide_claims = (*lsgd_claims, claim("slots_per_update", cmp.bubble_factor() * 2 / S))
    return Theorem(
        id="CMP-TIME",
        title="Slots per block update: PipeDream (t_F+t_B)/S; LocalSGD R = S beta times that, "
              "beta = 1 + (S-1)/(SH); R H S block updates per round",
        statement=_statement(),
        assumptions=_assumptions(),
        hypotheses=("S, M, R, H, n >= 1; integer costs t_F, t_B >= 1 with t_F dividing t_B "
                    "for PipeDream (otherwise its greedy policy loses slots, THR-COST), unit "
                    "costs for the LocalSGD tables",
                    "PipeDream's makespan (t_F + t_B)(M + S - 1) (THR-PD, THR-COST); a LocalSGD "
                    "round of R H microbatches takes 2[max(R, S) H + min(R, S) - 1] slots at "
                    "unit costs (THR-LSGD) and updates each of S blocks R H times; its parts "
                    "with (t_F + t_B) scale that unit-cost round and say nothing about other "
                    "costs, where the round does not keep its shape (THR-COST)"),
        source="[D]",
        uses=("THR-PD", "THR-COST", "THR-LSGD"),
        obligations=_obligations(),
        tables=(TableCheck(PIPEDREAM, pd_claims), TableCheck(PIPEDREAM_DIVISIBLE, pd_claims),
                TableCheck(LOCALSGD, lsgd_claims), TableCheck(LOCALSGD_WIDE, wide_claims)),
        variants=_variants(),
        notes="The parts are proved for all parameters from the makespan formulas; the tables "
              "measure slots per block update as makespan / (S M) on the policy simulator's "
              "tables (PipeDream S <= 256 and with costs t_F | t_B, S <= 24; LocalSGD two rounds, "
              "S <= 24 with six R per S and R = S up to 256), which checks the makespans and "
              "the R H S block updates per round together. PipeDream's per-update time "
              "includes its one-time fill (S - 1)(t_F + t_B); LocalSGD pays S - 1 idle "
              "microbatch times every round.",
    )


THEOREMS = (time,)
"""Builders of CMP-TIME."""
