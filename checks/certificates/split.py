"""The completeness of a case split as one SMT query.

A split symbol x >= lo taken modulo k gives the cases x = lo + r + k*a (r = 0, ..., k - 1, a an
integer >= 0). The cases cover the domain and do not overlap exactly when no integer point of
the domain lies outside every case or inside two of them: the query asserts the domain and
``(not (or cases)) or (or (and case_i case_j))`` and must be unsat. It is the question
:func:`pipeproof.checks.provers.parity.split_gap` asks, written out for the cases the proof
proved, so a reviewer can check that the per-case files cover the whole domain.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import sympy as sp
import z3

from pipeproof.checks.provers.parity import Substitution, lower_bound, splits


def _member(symbol: sp.Symbol, expr: sp.Expr, value: z3.ArithRef) -> z3.BoolRef:
    """value = expr(a) for some integer a >= 0, where expr is lo + k*a (k > 0) or a constant.

    Raises:
        ValueError: when ``expr`` has another form.
    """
    expr = sp.expand(sp.sympify(expr))
    free = sorted(expr.free_symbols, key=lambda found: found.name)
    if not free:
        return value == int(expr)
    poly = sp.Poly(expr, *free)
    if len(free) != 1 or poly.total_degree() != 1:
        raise ValueError(f"case {symbol} = {expr} is not lo + k*a")
    step, start = (int(c) for c in sp.Poly(expr, free[0]).all_coeffs())
    if step <= 0:
        raise ValueError(f"case {symbol} = {expr} needs a positive step")
    return z3.And(value >= start, (value - start) % step == 0)


def split_query(parity: Sequence, proved: Sequence[Substitution]) -> z3.Solver:
    """The query "some point of the domain is in no proved case or in two": unsat when the
    proved cases (their substitutions) cover the split ``parity`` exactly.

    Raises:
        ValueError: for a case that is not a residue class.
    """
    context = z3.Context()
    names = {symbol for symbol, _ in splits(parity)} | {s for case in proved for s in case}
    values = {symbol: z3.Int(symbol.name, context)
              for symbol in sorted(names, key=lambda found: found.name)}
    members = [z3.And(z3.BoolVal(True, context),
                      *(_member(symbol, expr, values[symbol]) for symbol, expr in case.items()))
               for case in proved]
    overlaps = [z3.And(a, b) for a, b in itertools.combinations(members, 2)]
    solver = z3.Solver(ctx=context)
    solver.add(*(values[symbol] >= lower_bound(symbol) for symbol in values))
    solver.add(z3.Or(z3.Not(z3.Or(*members)) if members else z3.BoolVal(True, context),
                     *overlaps))
    return solver
