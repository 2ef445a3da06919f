"""Formal statements about op tables, and the obligations that prove them from closed forms.

A schedule theorem speaks about the op times F(s, m) (first slot of the forward of microbatch m
on stage s) and B(s, m) (of its backward), given their meaning by conservative definitions
F(s, m) = <closed form>, B(s, m) = <closed form>. Each part of a statement is a formula in F and
B; its obligation is the same formula with the closed forms put in for F and B, so that the
coverage check only has to unfold the definitions. The vocabulary:

* valid table: F(s, m) + t_F <= F(s + 1, m), F(S - 1, m) + t_F <= B(S - 1, m),
  B(s + 1, m) + t_B <= B(s, m), ops of a stage in microbatch order, and F(s, m), B(s, m')
  never overlap (see ``pipeproof.theory.schedules.is_schedule``);
* makespan X: every op ends by X (F(s, m) + t_F <= X, B(s, m) + t_B <= X) and the last backward
  ends at X: B(0, M - 1) + t_B = X;
* bubble fraction: idle stage-slots over all stage-slots, S (X - M (t_F + t_B)) / (S X);
* peak in flight P at stage s (microbatch k is in flight at slot tau when
  F(s, k) <= tau < B(s, k) + t_B): at most P, since every microbatch k <= m - P has left before
  F(s, m) starts, and exactly P, since 1 <= P <= M and microbatches 0..P-1 are all in flight at
  slot F(s, P - 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from pipeproof.theory import schedules
from pipeproof.theory.symbols import DOMAINS, M, S, m, m2, s, t_B, t_F
from pipeproof.theory.theorem import Obligation, Premise

F = sp.Function("F", integer=True)
"""F(s, m): first slot of the forward of microbatch m on stage s."""

B = sp.Function("B", integer=True)
"""B(s, m): first slot of the backward of microbatch m on stage s."""

Op = Callable[..., sp.Expr]


@dataclass(frozen=True)
class Part:
    """One part of a statement: a formula in F and B, proved by the listed methods."""

    name: str
    formula: sp.Basic
    methods: tuple[str, ...] = ("smt",)
    cases: tuple[sp.Basic, ...] = ()
    """A case split: one obligation "case implies formula" per case (the coverage check shows
    that the cases together give the formula; they must cover every parameter value)."""


ARGUMENTS = {name: sp.Symbol(name, integer=True)
             for name in ("stage", "micro", "step", "copy")}
"""The bound variables of the definitions: symbols of their own, without sign assumptions, so
that a definition reads "for all integers stage, micro" whatever the statement says about s and
m (a closed form is a total function of the integers, so the definition is conservative)."""


def definitions(forward: Op, backward: Op, *names: str) -> tuple[sp.Basic, ...]:
    """F(args) = forward(args), B(args) = backward(args), args named by ``names`` (default
    stage, micro)."""
    arguments = tuple(ARGUMENTS[name] for name in names or ("stage", "micro"))
    return (sp.Eq(F(*arguments), forward(*arguments)),
            sp.Eq(B(*arguments), backward(*arguments)))


def unfold(formula: sp.Basic, forward: Op, backward: Op) -> sp.Basic:
    """``formula`` with the closed forms put in for F and B."""
    return sp.sympify(formula).replace(F, forward).replace(B, backward)


def obligations(parts: tuple[Part, ...], forward: Op, backward: Op,
                assumptions: tuple[sp.Basic, ...]) -> tuple[Obligation, ...]:
    """One obligation per part whose unfolded formula is not already true (a part that SymPy
    reduces to true once unfolded, such as B(s, m) = 2m + 2S - 1 - s, follows from the
    definitions alone, and an obligation for it would be a tautology).

    Its assumptions are the theorem's formal hypotheses; those that are not domains of one symbol
    (0 <= q <= H - 1, ...) become premises of kind ``hypothesis``.
    """
    premises = tuple(Premise(a, "hypothesis", str(a)) for a in assumptions if not _domain(a))
    made = []
    for part in parts:
        goal = unfold(part.formula, forward, backward)
        if goal is sp.true:
            continue
        if goal is sp.false:
            raise ValueError(f"the closed form contradicts {part.name!r}")
        for case in part.cases or (sp.true,):
            name = part.name if case is sp.true else f"{part.name} (case {case})"
            split = goal if case is sp.true else sp.Implies(case, goal)
            made.append(Obligation(name, split, assumptions, part.methods, (), premises))
    return tuple(made)


def _domain(formula: sp.Basic) -> bool:
    formula = sp.sympify(formula)
    known = {relation for value in DOMAINS.values() for relation in sp.And.make_args(value)}
    return formula in known or (isinstance(formula, sp.core.relational.Relational)
                                and len(formula.free_symbols) == 1)


def valid_table(forward_cost: sp.Expr = 1, backward_cost: sp.Expr = 1) -> sp.Basic:
    """F and B form a valid op table at (s, m) against every m' = m2 (unit costs by default)."""
    return schedules.is_schedule(F, B, forward_cost, backward_cost, m2)


def makespan(bound: sp.Expr, forward_cost: sp.Expr = 1, backward_cost: sp.Expr = 1) -> sp.Basic:
    """Every op ends by ``bound`` and the last backward B(0, M - 1) ends at it."""
    return sp.And(F(s, m) + forward_cost <= bound, B(s, m) + backward_cost <= bound,
                  sp.Eq(B(0, M - 1) + backward_cost, bound))


def bubble(fraction: sp.Expr, forward_cost: sp.Expr = 1, backward_cost: sp.Expr = 1) -> sp.Basic:
    """Idle stage-slots over all, S (X - M (t_F + t_B)) / (S X) with X = B(0, M - 1) + t_B."""
    end = B(0, M - 1) + backward_cost
    return sp.Eq(S * (end - M * (forward_cost + backward_cost)) / (S * end), fraction)


def peak_in_flight(peak: sp.Expr, backward_cost: sp.Expr = 1, index: sp.Symbol = m,
                   other: sp.Symbol = m2, count: sp.Expr = M) -> sp.Basic:
    """At most ``peak`` in flight at stage s (k = m2 <= m - peak has left before F(s, m)), and
    exactly ``peak``: 1 <= peak <= M and microbatches 0..peak-1 in flight at F(s, peak - 1).

    ``index``, ``other`` and ``count`` replace m, m2 and M where the ops of a stage are numbered
    otherwise (a rank's chunk ops k, k2 of vM)."""
    return sp.And(
        sp.Implies(other <= index - peak, B(s, other) + backward_cost <= F(s, index)),
        peak >= 1, peak <= count,
        sp.Implies(other <= peak - 1, sp.And(F(s, other) <= F(s, peak - 1),
                                             F(s, peak - 1) < B(s, other) + backward_cost)),
    )


def index_ranges() -> tuple[sp.Basic, ...]:
    """Domains of S, M, s, m and m2 (the indices every table statement quantifies over)."""
    return (DOMAINS[S], DOMAINS[M], *sp.And.make_args(DOMAINS[s]), *sp.And.make_args(DOMAINS[m]),
            *sp.And.make_args(DOMAINS[m2]))


def cost_ranges() -> tuple[sp.Basic, ...]:
    """t_F >= 1, t_B >= 1."""
    return (DOMAINS[t_F], DOMAINS[t_B])


def policy(admits: Callable[..., sp.Basic]) -> sp.Basic:
    """The greedy 1F1B policy's step at slot t on stage s, for F and B: if nf and nb count the
    forwards and backwards of stage s that started before t, the op of F and B at t is the one
    the policy starts (``pipeproof.theory.schedules.policy_step``; by induction on t, F and B are
    then the policy's output)."""
    goal, assumptions = schedules.policy_step(F, B, admits)
    counts = tuple(a for a in assumptions if not _domain(a))
    return sp.Implies(sp.And(*counts), goal)


def localsgd_policy() -> sp.Basic:
    """The greedy policy's step inside a LocalSGD round for F(s, q, r), B(s, q, r): if the
    counts (qf, rf), (qb, rb) are those of the ops started before t, the op at t is the one the
    policy starts (``pipeproof.theory.schedules.localsgd_policy_step``)."""
    goal, assumptions = schedules.localsgd_policy_step(F, B)
    counts = tuple(a for a in assumptions if not _domain(a))
    return sp.Implies(sp.And(*counts), goal)


def formal(parts: tuple[Part, ...], forward: Op, backward: Op, assumptions: tuple[sp.Basic, ...],
           *arguments: str) -> tuple[sp.Basic, tuple, tuple[Obligation, ...]]:
    """(statement, definitions, obligations) of a table theorem made of ``parts``."""
    statement = sp.And(*(part.formula for part in parts))
    return (statement, definitions(forward, backward, *arguments),
            obligations(parts, forward, backward, assumptions))


__all__ = ["B", "F", "Part", "bubble", "definitions", "formal", "makespan", "obligations",
           "peak_in_flight", "policy", "unfold", "valid_table"]
