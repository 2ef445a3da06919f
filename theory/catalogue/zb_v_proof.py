"""THR-ZB-V's statement about its closed forms, and the obligations that prove it for all S.

The forms of :mod:`.zb_v_groups` are the meaning of F_E(r, n, u), F_L(r, n, u) (the forward of
microbatch nS + u on the earlier stage r and on the later stage 2S - 1 - r of rank r), I_E, I_L
(its input gradient), P_E, P_L (the place of its W among the W of the rank, in the order of the
input gradients), K_E, K_L (the index of its forward among the forwards of the rank, in time
order), Wt(r, p) (the p-th slot the F and I of rank r leave free), W_E = Wt(r, P_E) and
W_L = Wt(r, P_L), and F(s, n, u), I(s, n, u) of a stage s by the half it lies in. For every
S >= 1 and M >= 2S - 1 with M - 1 = q_M S + k_M (0 <= k_M <= S - 1), every rank r, microbatches
m = n1 S + u1 and m' = n2 S + u2 of [0, M) (offsets below S; m < m' read as n1 < n2, or n1 = n2
and u1 < u2), every stage 0 <= j <= 2S - 2 and places p, p' (X, Y each the E or the L half):

1. along the V: F(j, m) + 1 <= F(j + 1, m), I(j + 1, m) + 1 <= I(j, m),
   F(2S - 1, m) + 1 <= I(2S - 1, m), I_X(m) + 1 <= W_X(m);
2. m < m' gives F_X(m) < F_X(m') and I_X(m) < I_X(m');
3. F_E, F_L, I_E, I_L never share a slot, and lie in [r, r + 6M);
4. 0 <= P_X(m) <= 2M - 1, m < m' gives P_X(m) < P_X(m'), and P_L(m) != P_E(m');
5. 0 <= p < p' <= 2M - 1 gives Wt(r, p) < Wt(r, p'); 0 <= p <= 2M - 1 gives Wt(r, p) in
   [r, r + 6M) and none of F_E(m'), F_L(m'), I_E(m'), I_L(m');
7. W_E(S - 1, q_M, k_M) + 1 = 6M + S - 1 (rank S - 1's W of microbatch M - 1 ends then);
8. 0 <= K_X(m) <= 2M - 1, F_X(m) < F_Y(m') gives K_X(m) < K_Y(m'), and I_X(m) < I_Y(m')
   gives P_X(m) < P_Y(m');
9. F_X(m) <= I_Y(m') gives K_X(m) - P_Y(m') <= 2S - 1;
10. K_L(0, r) = 2S - 1 and F_L(0, r) <= I_E(m'), I_L(m').

Part 6, W_X(m) = Wt(r, P_X(m)) in [r, r + 6M), in microbatch order, W_L(m) != W_E(m') and
W_X(m) none of the F and I of its rank, follows from 4 and 5 at p = P_X(m), P_Y(m'); Z3 proves
it from those instances (:func:`weight_obligation`, premises of kind goal with their
substitution; tests/test_zb_v_groups.py). It is not part of the statement: the coverage check
would have to instantiate the goals of 4 and 5 itself, and the main job saves its seconds.

What follows, in words. By 2-6 rank r runs 6M ops (2M each of F, I and W) in distinct slots of
[r, r + 6M): no gap from r to r + 6M - 1, and with 7 the makespan is 6M + S - 1. By 2, 3 and 8,
K and P number the rank's forwards and input gradients 0..2M - 1 in time order. An activation
is live from its F to the end of its I (F before I by part 1), so at slot t the rank holds
#{F <= t} - #{I < t} = K(x) + 1 - P(y) of them, x its last forward at or before t and y its
first input gradient at or after t (none: at most 0): at most 2S by 9, and 2S at
t = F_L(0, r) by 10. Every m in [0, M) is nS + u for one group and offset, and M - 1 one
q_M S + k_M, so the statement speaks of every microbatch.
"""

from __future__ import annotations

from functools import cache

import sympy as sp
from sympy.core.function import AppliedUndef

from pipeproof.theory.catalogue import zb_v_groups as groups
from pipeproof.theory.catalogue.convergence.premises import earlier
from pipeproof.theory.catalogue.zb_v_groups import k_M, q_M
from pipeproof.theory.symbols import DOMAINS, M, S
from pipeproof.theory.theorem import Obligation, Premise

F = sp.Function("F", integer=True)
"""F(s, n, u): first slot of the forward of microbatch nS + u on stage s."""
I = sp.Function("I", integer=True)  # noqa: E741 (the input gradient's name in the paper)
"""I(s, n, u): first slot of its input gradient."""
Wt = sp.Function("Wt", integer=True)
"""Wt(r, p): the p-th free slot of rank r."""
HALVES = {(kind, half): sp.Function(f"{kind}_{half}", integer=True)
          for kind in "FIPKW" for half in "EL"}
"""F_E(r, n, u), F_L(r, n, u), ...: the op of the earlier stage r and of the later stage
2S - 1 - r of rank r (F, I, W), its place P and its forward order K."""
FORMS = {("F", "E"): groups.earlier_forward, ("F", "L"): groups.later_forward,
         ("I", "E"): groups.earlier_input, ("I", "L"): groups.later_input,
         ("P", "E"): groups.earlier_place, ("P", "L"): groups.later_place,
         ("K", "E"): groups.earlier_order, ("K", "L"): groups.later_order,
         ("W", "E"): groups.earlier_weight, ("W", "L"): groups.later_weight}
"""Their forms."""
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

FIRST, SECOND = (n1, u1), (n2, u2)
ORDERS = (n1 < n2, sp.Eq(n1, n2), n1 > n2)
"""The cases of two groups."""
NEAR_ORDERS = (n1 <= n2 - 2, sp.Eq(n1, n2 - 1), sp.Eq(n1, n2), sp.Eq(n1, n2 + 1), n1 >= n2 + 2)
"""The cases of two groups, neighbours apart."""
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
    """The halves by the forms of :mod:`.zb_v_groups`, W_E and W_L as Wt(r, P_E), Wt(r, P_L),
    and F, I of a stage by the halves (for all integer arguments)."""
    stage, group, offset = _ARGS["stage"], _ARGS["group"], _ARGS["offset"]
    rank, position = _ARGS["rank"], _ARGS["position"]
    halves = tuple(sp.Eq(HALVES[key](rank, group, offset), form(rank, group, offset))
                   for key, form in FORMS.items() if key[0] != "W")
    weights = tuple(sp.Eq(HALVES["W", half](rank, group, offset),
                          Wt(rank, HALVES["P", half](rank, group, offset))) for half in "EL")
    return (*halves, sp.Eq(Wt(rank, position), groups.slot(rank, position)), *weights,
            *(sp.Eq(function(stage, group, offset),
                    groups.by_stage(HALVES[kind, "E"], HALVES[kind, "L"], stage, group, offset))
              for kind, function in (("F", F), ("I", I))))


def unfold(formula: sp.Basic, slot: groups.Form = groups.slot) -> sp.Basic:
    """``formula`` with the forms put in for every function (``slot`` for Wt); the statement
    applies no function to another's value, so one substitution does it."""
    forms: dict = {HALVES[key]: form for key, form in FORMS.items()}
    forms[HALVES["W", "E"]] = lambda rank, group, offset: slot(
        rank, FORMS["P", "E"](rank, group, offset))
    forms[HALVES["W", "L"]] = lambda rank, group, offset: slot(
        rank, FORMS["P", "L"](rank, group, offset))
    forms.update({F: groups.forward, I: groups.input_gradient, Wt: slot})
    formula = sp.sympify(formula)
    return formula.xreplace({app: forms[app.func](*app.args)
                             for app in formula.atoms(AppliedUndef)})


def _at(kind: str, half: str, index: tuple) -> sp.Expr:
    """The op (or place, order) ``kind`` of the ``half`` ("E", "L") stage of rank r at a
    microbatch (group, offset)."""
    return HALVES[kind, half](r, *index)


def _before(first: tuple, second: tuple) -> sp.Basic:
    """m < m' by groups: n1 < n2, or n1 = n2 and u1 < u2."""
    return sp.Or(first[0] < second[0], sp.And(sp.Eq(first[0], second[0]), first[1] < second[1]))


def _ops(index: tuple) -> dict[str, sp.Expr]:
    return {f"{kind}({half})": _at(kind, half, index) for kind in "FI" for half in "EL"}


def _in_rank(value: sp.Expr) -> sp.Basic:
    return sp.And(value >= r, value <= r + 6 * M - 1)


def along_the_v() -> sp.Basic:
    """Part 1."""
    return sp.And(F(j_V, *FIRST) + 1 <= F(j_V + 1, *FIRST),
                  I(j_V + 1, *FIRST) + 1 <= I(j_V, *FIRST),
                  F(2 * S - 1, *FIRST) + 1 <= I(2 * S - 1, *FIRST),
                  _at("I", "E", FIRST) + 1 <= _at("W", "E", FIRST),
                  _at("I", "L", FIRST) + 1 <= _at("W", "L", FIRST))


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
    return sp.And(*(sp.And(_at("P", stage, FIRST) >= 0, _at("P", stage, FIRST) <= 2 * M - 1)
                    for stage in "EL"))


def places_apart() -> sp.Basic:
    """Part 4, the places of a rank in order and apart."""
    ordered = sp.Implies(_before(FIRST, SECOND), sp.And(
        _at("P", "E", FIRST) < _at("P", "E", SECOND), _at("P", "L", FIRST) < _at("P", "L", SECOND)))
    return sp.And(ordered, sp.Ne(_at("P", "L", FIRST), _at("P", "E", SECOND)))


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
    first = [_at("W", "E", FIRST), _at("W", "L", FIRST)]
    second = [_at("W", "E", SECOND), _at("W", "L", SECOND)]
    ordered = sp.Implies(_before(FIRST, SECOND), sp.And(first[0] < second[0],
                                                        first[1] < second[1]))
    apart = [sp.Ne(w, op) for w in first for op in _ops(SECOND).values()]
    return sp.And(ordered, sp.Ne(first[1], second[0]), *(_in_rank(w) for w in first), *apart)


def last_op(makespan: sp.Expr = 6 * M + S - 1) -> sp.Basic:
    """Part 7: the W of microbatch M - 1 on stage S - 1 ends at ``makespan``."""
    return sp.Eq(HALVES["W", "E"](S - 1, q_M, k_M) + 1, makespan)


def order_range() -> sp.Basic:
    """Part 8: K in [0, 2M)."""
    return sp.And(*(sp.And(_at("K", stage, FIRST) >= 0, _at("K", stage, FIRST) <= 2 * M - 1)
                    for stage in "EL"))


def forward_order() -> sp.Basic:
    """Part 8: K in the order of the forwards of the rank."""
    return _follow("F", "K")


def input_order() -> sp.Basic:
    """Part 8: P in the order of the input gradients of the rank."""
    return _follow("I", "P")


def _follow(op: str, index: str) -> sp.Basic:
    """op(x, m) < op(y, m') gives index(x, m) < index(y, m') for the stages x, y of rank r."""
    return sp.And(*(sp.Implies(_at(op, x, FIRST) < _at(op, y, SECOND),
                               _at(index, x, FIRST) < _at(index, y, SECOND))
                    for x in "EL" for y in "EL"))


def live_bound(peak: sp.Expr = 2 * S) -> sp.Basic:
    """Part 9: F(x, m) <= I(y, m') gives K(x, m) - P(y, m') <= peak - 1 (at most ``peak``
    live activations)."""
    return sp.And(*(sp.Implies(_at("F", x, FIRST) <= _at("I", y, SECOND),
                               _at("K", x, FIRST) - _at("P", y, SECOND) <= peak - 1)
                    for x in "EL" for y in "EL"))


def live_peak() -> sp.Basic:
    """Part 10: the forward of (2S - 1 - r, r) is the 2S-th of its rank and no input gradient
    of the rank starts before it."""
    first = _at("F", "L", (0, r))
    return sp.And(sp.Eq(_at("K", "L", (0, r)), 2 * S - 1), first <= _at("I", "E", SECOND),
                  first <= _at("I", "L", SECOND))


def parts() -> tuple[tuple[str, sp.Basic, tuple[sp.Basic, ...]], ...]:
    """(name, formula, cases) of the statement, in proof order."""
    return (("F, I and W along the V", along_the_v(), ()),
            ("F and I of a rank in microbatch order", in_order(), ORDERS[:2]),
            ("F and I of a rank in distinct slots of [r, r + 6M)", no_shared_slot(), ORDERS),
            ("W places in [0, 2M)", places_range(), ()),
            ("W places of a rank in order and apart", places_apart(), ORDERS),
            ("free slots increase with the place", slots_increase(), ()),
            ("free slots in [r, r + 6M) hold no F or I", slots_free(), LAST_GROUP),
            ("the last W ends at 6M + S - 1", last_op(), ()),
            ("forward order K in [0, 2M)", order_range(), ()),
            ("forward order K follows the forwards of a rank", forward_order(), NEAR_ORDERS),
            ("place P follows the input gradients of a rank", input_order(), ORDERS),
            ("at most 2S live activations on a rank", live_bound(), ORDERS),
            ("2S live activations after the forward of (2S - 1 - r, r)", live_peak(), ()))


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
    return [earlier(ob, sub) for ob in found for sub in substitutions]


def _weight_premises(obligations: list[Obligation]) -> list[Premise]:
    """Parts 4 and 5 at the places of the W: p = P(s, m), P(s, m') (unfolded)."""
    place = {f"{half}{number}": FORMS["P", half](r, *index) for half in "EL"
             for number, index in (("1", FIRST), ("2", SECOND))}
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


@cache
def obligations(slot: groups.Form = groups.slot) -> tuple[Obligation, ...]:
    """One obligation per part and case, with ``slot`` for the free slots (a wrong one is for
    the attack tests); built once per slot."""
    hypotheses = assumptions()
    made: list[Obligation] = []
    for name, formula, cases in parts():
        goal = unfold(formula, slot)
        for case in cases or (sp.true,):
            label = name if case is sp.true else f"{name} (case {case})"
            split = goal if case is sp.true else sp.Implies(case, goal)
            made.append(Obligation(label, split, hypotheses, ("smt",), (), hypothesis_premises()))
    return tuple(made)


def hypothesis_premises() -> tuple[Premise, ...]:
    """The hypotheses that are not domains of one symbol, as premises of kind hypothesis."""
    return tuple(Premise(a, "hypothesis", str(a)) for a in assumptions() if not _domain(a))


def weight_obligation(slot: groups.Form = groups.slot) -> Obligation:
    """Part 6 from instances of the goals of parts 4 and 5 (after :func:`obligations`)."""
    extra = _weight_premises(list(obligations(slot)))
    return Obligation(WEIGHTS, unfold(weights_apart(), slot),
                      (*assumptions(), *(p.formula for p in extra)), ("smt",), (),
                      (*hypothesis_premises(), *extra))
