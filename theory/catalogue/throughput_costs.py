"""Catalogue section 1, continued: integer op costs (THR-COST)."""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import schedules, throughput
from pipeproof.theory.catalogue import op_tables
from pipeproof.theory.catalogue.common import (
    COSTS,
    FLUSH_COSTS,
    GPIPE_COSTS,
    ONE,
    PIPEDREAM_COSTS,
    SMT,
    claim,
)
from pipeproof.theory.catalogue.op_tables import Part
from pipeproof.theory.symbols import H, M, R, S, s, t_B, t_F
from pipeproof.theory.theorem import Grid, Obligation, TableCheck, Theorem, Variant

f = sp.Function("f", integer=True)
"""f(s, m): first slot of the forward of microbatch m on stage s in ANY valid op table."""
b = sp.Function("b", integer=True)
"""b(s, m): first slot of its backward."""
a = sp.Symbol("a", integer=True)
"""Forwards counted on the last stage."""
c = sp.Symbol("c", integer=True)
"""Backwards counted on the last stage."""

LAST = S - 1


def _end(forwards: sp.Expr, backwards: sp.Expr) -> sp.Expr:
    """E(a, c): the latest end among the first a forwards and c backwards of the last stage,
    max(f(S - 1, a - 1) + t_F, b(S - 1, c - 1) + t_B) (the forward alone when c = 0)."""
    last_forward = f(LAST, forwards - 1) + t_F
    return sp.Piecewise((last_forward, sp.Eq(backwards, 0)),
                        (sp.Max(last_forward, b(LAST, backwards - 1) + t_B), True))


def _work(forwards: sp.Expr, backwards: sp.Expr) -> sp.Basic:
    """W(a, c): E(a, c) >= f(S - 1, 0) + a t_F + c t_B (a stage cannot overlap its ops)."""
    return _end(forwards, backwards) >= f(LAST, 0) + forwards * t_F + backwards * t_B


def _combine(bound: sp.Expr) -> sp.Basic:
    """Fill, W(M, M) and drain imply b(0, M - 1) + t_B >= ``bound``."""
    return sp.Implies(
        sp.And(f(LAST, 0) >= LAST * t_F, _work(M, M), f(LAST, M - 1) + t_F <= b(LAST, M - 1),
               b(0, M - 1) >= b(LAST, M - 1) + LAST * t_B),
        b(0, M - 1) + t_B >= bound)


def lower_bound_parts() -> tuple[Part, ...]:
    """T >= (t_F + t_B)(M + S - 1) for every valid table with integer costs, in three
    inductions whose steps are proved for all parameters, and their combination.

    Fill: f(s, 0) >= s t_F (induction on s; f(0, 0) >= 0). Work: W(a, c) for 0 <= c <= a <= M,
    a >= 1 (induction on a + c; W(1, 0) is E(1, 0) = f(S - 1, 0) + t_F): the op of the pair
    F(a - 1), B(c - 1) that starts later starts after the other ends. Drain:
    b(s, M - 1) >= b(S - 1, M - 1) + (S - 1 - s) t_B (induction down from s = S - 1).
    """
    counted = sp.And(a >= 1, a <= M, c >= 0, c <= a)
    table = sp.And(
        sp.Implies(a >= 2, f(LAST, a - 2) + t_F <= f(LAST, a - 1)),
        sp.Implies(c >= 2, b(LAST, c - 2) + t_B <= b(LAST, c - 1)),
        sp.Implies(c >= 1, f(LAST, c - 1) + t_F <= b(LAST, c - 1)),
        sp.Implies(c >= 1, sp.Or(f(LAST, a - 1) + t_F <= b(LAST, c - 1),
                                 b(LAST, c - 1) + t_B <= f(LAST, a - 1))))
    induction = sp.And(sp.Implies(sp.And(a >= 2, c <= a - 1), _work(a - 1, c)),
                       sp.Implies(c >= 1, _work(a, c - 1)))
    fill = sp.Implies(sp.And(s <= S - 2, f(s, 0) >= s * t_F, f(s, 0) + t_F <= f(s + 1, 0)),
                      f(s + 1, 0) >= (s + 1) * t_F)
    drain = sp.Implies(
        sp.And(s <= S - 2, b(s + 1, M - 1) >= b(LAST, M - 1) + (LAST - s - 1) * t_B,
               b(s + 1, M - 1) + t_B <= b(s, M - 1)),
        b(s, M - 1) >= b(LAST, M - 1) + (LAST - s) * t_B)
    combine = _combine(throughput.fill_drain_makespan())
    return (
        Part("any valid table, fill step: f(s, 0) >= s t_F and F(s, 0) before F(s + 1, 0) give "
             "f(s + 1, 0) >= (s + 1) t_F", fill),
        Part("any valid table, work step on the last stage: W(a - 1, c) and W(a, c - 1) give "
             "W(a, c)", sp.Implies(sp.And(counted, table, induction), _work(a, c))),
        Part("any valid table, drain step: b(s + 1, M - 1) >= b(S - 1, M - 1) + (S - 2 - s) t_B "
             "gives b(s, M - 1) >= b(S - 1, M - 1) + (S - 1 - s) t_B", drain),
        Part("fill, work W(M, M) and drain give T >= b(0, M - 1) + t_B >= (t_F + t_B)(M + S - 1)",
             combine),
    )


def costs() -> Theorem:
    """THR-COST: integer costs t_F, t_B."""
    forward, backward = schedules.gpipe_forward, schedules.gpipe_backward
    bound = throughput.fill_drain_makespan()
    divisible = sp.Eq(sp.Mod(t_B, t_F), 0)
    divisible_costs = tuple(c for c in COSTS if c[1] % c[0] == 0)
    assumptions = (*op_tables.index_ranges(), *op_tables.cost_ranges())
    parts = (
        Part("GPipe with integer costs is a valid op table", op_tables.valid_table(t_F, t_B)),
        Part("GPipe attains the bound: every op ends by (t_F + t_B)(M + S - 1), the last "
             "backward B(0, M - 1) at it", op_tables.makespan(bound, t_F, t_B)),
        *lower_bound_parts(),
    )
    statement, definitions, obligations = op_tables.formal(parts, forward, backward, assumptions)
    return Theorem(
        id="THR-COST",
        tags=("empirical",),
        title="Integer costs: T >= (t_F+t_B)(M+S-1); tight for GPipe, Flush, PipeDream if t_F|t_B",
        statement=statement,
        assumptions=assumptions,
        definitions=definitions,
        hypotheses=("S, M >= 1, integer t_F, t_B >= 1",
                    "PipeDream (NOAM = S) attains the bound when t_F divides t_B"),
        source="[D]",
        uses=("THR-GPIPE", "THR-FLUSH"),
        obligations=obligations,
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
            Variant("lower bound (t_F + t_B)(M + S) for every valid table",
                    (Obligation("fill, work and drain give T >= (t_F + t_B)(M + S)",
                                _combine((t_F + t_B) * (M + S)), assumptions, SMT),)),
            Variant("makespan 2 max(t_F, t_B)(M + S - 1) (the slower op twice)",
                    claims=(claim("makespan", 2 * sp.Max(t_F, t_B) * (M + S - 1)),),
                    grid=GPIPE_COSTS),
            Variant("LocalSGD rounds keep their unit-cost shape for every t_F, t_B",
                    claims=(claim("makespan", M / (R * H) * throughput.localsgd_round_time()),),
                    grid=Grid("localsgd", (2, 12), (2 * R * H,), runs=(S,),
                              local_steps=(sp.Integer(2),), costs=((2, 1), (3, 2)))),
        ),
        notes="Proved for all S, M, t_F, t_B: GPipe's closed form is a valid table that ends "
              "at (t_F + t_B)(M + S - 1); for ANY valid op table (op times f, b) the steps of "
              "three inductions (fill f(s, 0) >= s t_F, work on the last stage W(a, c), drain "
              "b(s, M - 1) >= b(S - 1, M - 1) + (S - 1 - s) t_B) and their combination into "
              "T >= (t_F + t_B)(M + S - 1). The inductions themselves (on s, on a + c) are the "
              "usual ones, stated in words, not checked by a solver. That Flush attains the "
              "bound with integer costs, and PipeDream when t_F divides t_B, is checked on the "
              "tables only (S <= 24). PipeDream's greedy policy with t_F not dividing t_B loses "
              "slots (e.g. S = 3, M = 7, t_F = 2, t_B = 1 takes 28 slots instead of 27); the "
              f"divisibility condition is {divisible}.",
    )
