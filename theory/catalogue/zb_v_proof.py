"""THR-ZB-V's statement about its closed forms, and the obligations that prove it for all S.

The op times of :mod:`.zb_v_groups` are the meaning of F(s, n, u), I(s, n, u) (forward and input
gradient of microbatch nS + u on stage s), P(s, n, u) (the place of its W among the W of its
rank), Wt(r, p) (the p-th free slot of rank r) and W(s, n, u) = Wt(r, P(s, n, u)). For every
S >= 1, M >= 2S - 1 = ... with M - 1 = q_M S + k_M, every rank r and microbatches m = n1 S + u1,
m' = n2 S + u2 of [0, M) (m < m' read as n1 < n2, or n1 = n2 and u1 < u2), stage 0 <= j <= 2S - 2
and places p, p' (E = r the earlier, L = 2S - 1 - r the later stage of rank r):

1. along the V: F(j, m) + 1 <= F(j + 1, m), I(j + 1, m) + 1 <= I(j, m), F(2S - 1, m) + 1 <=
   I(2S - 1, m), and I(s, m) + 1 <= W(s, m) for s = E, L;
2. the F, I and W of each stage of rank r in microbatch order (m < m' gives X(s, m) < X(s, m'));
3. no two of F(E, .), F(L, .), I(E, .), I(L, .) share a slot;
4. the places: 0 <= P(s, m) <= 2M - 1, P(L, m) != P(E, m');
5. the free slots: Wt(r, p) < Wt(r, p') for 0 <= p < p' <= 2M - 1, and for 0 <= p <= 2M - 1,
   r <= Wt(r, p) <= r + 6M - 1 and Wt(r, p) is none of F(E, m'), F(L, m'), I(E, m'), I(L, m');
6. every F, I and W of rank r lies in [r, r + 6M - 1], no W shares a slot with another W or an F
   or I of its rank (from 4 and 5 at p = P(s, m): premises that are instances of those goals);
7. the last op: W(S - 1, q_M, k_M) + 1 = 6M + S - 1.

So rank r runs its 6M ops (2M each of F, I, W) in distinct slots of [r, r + 6M): without a gap
from r to r + 6M - 1, and the makespan is 6M + S - 1 (rank S - 1's W of microbatch M - 1 ends
last). Every m in [0, M) is n S + u for one group and offset, and M - 1 one q_M S + k_M, so the
statement speaks of every microbatch.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.catalogue import zb_v_groups as groups
from pipeproof.theory.catalogue.zb_v_groups import k_M, q_M
from pipeproof.theory.symbols import DOMAINS, M, S
from pipeproof.theory.theorem import Obligation, Premise

F = sp.Function("F", integer=True)
"""F(s, n, u): first slot of the forward of microbatch nS + u on stage s."""
I = sp.Function("I", integer=True)  # noqa: E741 (the input gradient's name in the paper)
"""I(s, n, u): first slot of its input gradient."""
W = sp.Function("W", integer=True)
"""W(s, n, u): first slot of its weight gradient."""
P = sp.Function("P", integer=True)
"""P(s, n, u): the place of its W among the W of its rank."""
Wt = sp.Function("Wt", integer=True)
"""Wt(r, p): the p-th free slot of rank r."""

r = sp.Symbol("r", integer=True, nonnegative=True)
"""A rank, 0 <= r <= S - 1."""
n1, u1, n2, u2 = (sp.Symbol(name, integer=True, nonnegative=True)
                  for name in ("n1", "u1", "n2", "u2"))
"""Group and offset of two microbatches m = n1 S + u1, m' = n2 S + u2."""
p1, p2 = (sp.Symbol(name, integer=True) for name in ("p1", "p2"))
"""Two places."""
j_V = sp.Symbol("j_V", integer=True, nonnegative=True)
"""A stage along the V, 0 <= j_V <= 2S - 2."""

EARLIER, LATER = r, 2 * S - 1 - r
FIRST, SECOND = (n1, u1), (n2, u2)
ORDERS = (n1 < n2, sp.Eq(n1, n2), n1 > n2)
"""The cases of two groups."""
LAST_GROUP = (n2 <= q_M - 2, sp.Eq(n2, q_M - 1), sp.Eq(n2, q_M), n2 >= q_M + 1)
"""The cases of the second group against the last one."""

_ARGS = {name: sp.Symbol(name, integer=True) for name in ("stage", "group", "offset", "rank",
                                                           "position")}


def assumptions() -> tuple[sp.Basic, ...]:
    """S >= 1, M >= 2S - 1 = q_M S + k_M + 1 - ..., the ranges of r, the groups and j_V."""
    return (DOMAINS[S], M >= 2 * S - 1, sp.Eq(M - 1, q_M * S + k_M), k_M <= S - 1, r <= S - 1,
            u1 <= S - 1, u2 <= S - 1, n1 * S + u1 <= M - 1, n2 * S + u2 <= M - 1,
            j_V <= 2 * S - 2)


def definitions() -> tuple[sp.Basic, ...]:
    """F, I, P, Wt and W by the forms of :mod:`.zb_v_groups` (for all integer arguments)."""
    stage, group, offset = _ARGS["stage"], _ARGS["group"], _ARGS["offset"]
    rank, position = _ARGS["rank"], _ARGS["position"]
    return (sp.Eq(F(stage, group, offset), groups.forward(stage, group, offset)),
            sp.Eq(I(stage, group, offset), groups.input_gradient(stage, group, offset)),
            sp.Eq(P(stage, group, offset), groups.place(stage, group, offset)),
            sp.Eq(Wt(rank, position), groups.slot(rank, position)),
            sp.Eq(W(stage, group, offset), groups.weight(stage, group, offset, free=Wt)))


def unfold(formula: sp.Basic, slot=groups.slot) -> sp.Basic:
    """``formula`` with the forms put in for F, I, P, Wt and W (``slot`` for Wt)."""
    return (sp.sympify(formula)
            .replace(W, lambda *args: groups.weight(*args, free=slot))
            .replace(F, groups.forward).replace(I, groups.input_gradient)
            .replace(P, groups.place).replace(Wt, slot))


def _before(first: tuple, second: tuple) -> sp.Basic:
    """m < m' by groups: n1 < n2, or n1 = n2 and u1 < u2."""
    return sp.Or(first[0] < second[0], sp.And(sp.Eq(first[0], second[0]), first[1] < second[1]))


def _ops(index: tuple) -> dict[str, sp.Expr]:
    return {"F(E)": F(EARLIER, *index), "F(L)": F(LATER, *index),
            "I(E)": I(EARLIER, *index), "I(L)": I(LATER, *index)}


def _distinct(values: list[sp.Expr]) -> sp.Basic:
    return sp.And(*(sp.Ne(a, b) for i, a in enumerate(values) for b in values[i + 1:]))


def _in_rank(value: sp.Expr) -> sp.Basic:
    return sp.And(value >= r, value <= r + 6 * M - 1)


def along_the_v() -> sp.Basic:
    """Part 1."""
    return sp.And(F(j_V, *FIRST) + 1 <= F(j_V + 1, *FIRST),
                  I(j_V + 1, *FIRST) + 1 <= I(j_V, *FIRST),
                  F(2 * S - 1, *FIRST) + 1 <= I(2 * S - 1, *FIRST),
                  I(EARLIER, *FIRST) + 1 <= W(EARLIER, *FIRST),
                  I(LATER, *FIRST) + 1 <= W(LATER, *FIRST))


def in_order() -> sp.Basic:
    """Part 2 for F and I."""
    return sp.Implies(_before(FIRST, SECOND), sp.And(*(
        op < _ops(SECOND)[name] for name, op in _ops(FIRST).items())))


def no_shared_slot() -> sp.Basic:
    """Part 3, with F and I in [r, r + 6M - 1]."""
    first, second = list(_ops(FIRST).values()), list(_ops(SECOND).values())
    crossed = [sp.Ne(a, b) for i, a in enumerate(first) for k, b in enumerate(second) if i != k]
    return sp.And(*crossed, *(_in_rank(a) for a in first))


def places_range() -> sp.Basic:
    """Part 4, the range of the places."""
    return sp.And(*(sp.And(P(stage, *FIRST) >= 0, P(stage, *FIRST) <= 2 * M - 1)
                    for stage in (EARLIER, LATER)))


def places_apart() -> sp.Basic:
    """Part 4, the places of a rank in order and apart."""
    ordered = sp.Implies(_before(FIRST, SECOND), sp.And(
        P(EARLIER, *FIRST) < P(EARLIER, *SECOND), P(LATER, *FIRST) < P(LATER, *SECOND)))
    return sp.And(ordered, sp.Ne(P(LATER, *FIRST), P(EARLIER, *SECOND)))


def slots_increase() -> sp.Basic:
    """Part 5, the order of the free slots."""
    return sp.Implies(sp.And(p1 >= 0, p1 < p2, p2 <= 2 * M - 1), Wt(r, p1) < Wt(r, p2))


def slots_free() -> sp.Basic:
    """Part 5, the free slots lie in the rank's span and hold no F or I."""
    taken = _ops(SECOND).values()
    return sp.Implies(sp.And(p1 >= 0, p1 <= 2 * M - 1), sp.And(
        _in_rank(Wt(r, p1)), *(sp.Ne(Wt(r, p1), op) for op in taken)))


def weights_apart() -> sp.Basic:
    """Part 6 (W): in microbatch order, distinct, in the rank's span, apart from F and I."""
    first = [W(EARLIER, *FIRST), W(LATER, *FIRST)]
    second = [W(EARLIER, *SECOND), W(LATER, *SECOND)]
    ordered = sp.Implies(_before(FIRST, SECOND), sp.And(first[0] < second[0],
                                                        first[1] < second[1]))
    apart = [sp.Ne(w, op) for w in first for op in _ops(SECOND).values()]
    return sp.And(ordered, sp.Ne(first[1], second[0]), *(_in_rank(w) for w in first), *apart)


def last_op() -> sp.Basic:
    """Part 7."""
    return sp.Eq(W(S - 1, q_M, k_M) + 1, 6 * M + S - 1)


def parts() -> tuple[tuple[str, sp.Basic, tuple[sp.Basic, ...]], ...]:
    """(name, formula, cases) of the statement, in proof order."""
    return (("F, I and W along the V", along_the_v(), ()),
            ("F and I of a rank in microbatch order", in_order(), ORDERS[:2]),
            ("F and I of a rank in distinct slots of [r, r + 6M)", no_shared_slot(), ORDERS),
            ("W places in [0, 2M)", places_range(), ()),
            ("W places of a rank in order and apart", places_apart(), ORDERS),
            ("free slots increase with the place", slots_increase(), ()),
            ("free slots in [r, r + 6M) hold no F or I", slots_free(), LAST_GROUP),
            ("the last W ends at 6M + S - 1", last_op(), ()))


def statement() -> sp.Basic:
    """The conjunction of the parts."""
    return sp.And(*(formula for _, formula, _ in parts()))


def _domain(formula: sp.Basic) -> bool:
    formula = sp.sympify(formula)
    return isinstance(formula, sp.core.relational.Relational) and len(formula.free_symbols) == 1


def _instances(obligations: list[Obligation], name: str,
               substitutions: tuple[dict, ...]) -> list[Premise]:
    """The goals of the obligations named ``name`` (or ``name (case ...)``) at each
    substitution, as premises of kind goal."""
    found = [ob for ob in obligations if ob.name == name or ob.name.startswith(name + " (case")]
    return [Premise(ob.goal.xreplace(sub), "goal", ob.name, tuple(sub.items()))
            for ob in found for sub in substitutions]


def _weight_premises(obligations: list[Obligation]) -> list[Premise]:
    """Parts 4 and 5 at the places of the W: p = P(s, m), P(s, m') (unfolded)."""
    place = {"E1": groups.earlier_place(r, *FIRST), "L1": groups.later_place(r, *FIRST),
             "E2": groups.earlier_place(r, *SECOND), "L2": groups.later_place(r, *SECOND)}
    pairs = (("L1", "E2"), ("E2", "L1"), ("E1", "E2"), ("L1", "L2"))
    return [*_instances(obligations, "W places in [0, 2M)",
                        ({}, {n1: n2, u1: u2})),
            *_instances(obligations, "W places of a rank in order and apart", ({},)),
            *_instances(obligations, "free slots increase with the place",
                        tuple({p1: place[a], p2: place[b]} for a, b in pairs)),
            *_instances(obligations, "free slots in [r, r + 6M) hold no F or I",
                        ({p1: place["E1"]}, {p1: place["L1"]}))]


WEIGHTS = "W of a rank in order, apart, in [r, r + 6M)"
"""The name of the obligation of part 6."""


def obligations(slot=groups.slot) -> tuple[Obligation, ...]:
    """One obligation per part and case, then part 6 from instances of parts 4 and 5, with
    ``slot`` for the free slots (a wrong one is for the attack tests)."""
    hypotheses = assumptions()
    premises = tuple(Premise(a, "hypothesis", str(a)) for a in hypotheses if not _domain(a))
    made: list[Obligation] = []
    for name, formula, cases in parts():
        goal = unfold(formula, slot)
        for case in cases or (sp.true,):
            label = name if case is sp.true else f"{name} (case {case})"
            split = goal if case is sp.true else sp.Implies(case, goal)
            made.append(Obligation(label, split, hypotheses, ("smt",), (), premises))
    extra = _weight_premises(made)
    made.append(Obligation(WEIGHTS, unfold(weights_apart(), slot),
                           (*hypotheses, *(p.formula for p in extra)), ("smt",), (),
                           (*premises, *extra)))
    return tuple(made)
