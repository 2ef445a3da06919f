"""The SymPy prover.

For every parity case of an obligation (see :mod:`checks.cases`):

* an equation is proved when the difference of its sides, with sums evaluated (``doit``),
  expands (with common factors collected, which matches sums that differ by a constant factor)
  or simplifies to 0;
* an inequality ``a <= b`` is proved when ``b - a`` simplifies to an expression SymPy's
  assumption system shows nonnegative (strict: positive);
* And splits into its parts.

When a case is not proved, the original goal is evaluated exactly at small parameter values that
satisfy the assumptions; a point where it is false refutes it. Otherwise the verdict is
``unknown``: SymPy failing to simplify proves nothing either way.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import sympy as sp

from checks.cases import parity_cases, substitute
from checks.verdict import Status, Verdict
from theory.theorem import Obligation

SEARCH_LIMIT = 12
"""Counterexample search: every integer symbol takes the values 0..SEARCH_LIMIT."""

SEARCH_POINTS = 20_000
"""Most points the counterexample search evaluates."""


def solver_version() -> str:
    """``sympy <version>``."""
    return f"sympy {sp.__version__}"


def _is_zero(expr: sp.Expr) -> bool:
    expr = sp.sympify(expr).doit()
    expanded = sp.expand(expr)
    if expanded == 0 or sp.factor_terms(expanded) == 0:
        return True
    return sp.simplify(expr) == 0


def _holds(goal: sp.Basic) -> bool:
    """True when SymPy shows ``goal`` for all values allowed by the symbols' assumptions."""
    if goal is sp.true:
        return True
    if isinstance(goal, sp.And):
        return all(_holds(part) for part in goal.args)
    if isinstance(goal, sp.Equality):
        return _is_zero(goal.lhs - goal.rhs)
    if isinstance(goal, (sp.LessThan, sp.StrictLessThan, sp.GreaterThan, sp.StrictGreaterThan)):
        slack = goal.gts - goal.lts
        slack = sp.simplify(sp.expand(sp.sympify(slack).doit()))
        strict = isinstance(goal, (sp.StrictLessThan, sp.StrictGreaterThan))
        return bool(slack.is_positive) if strict else bool(slack.is_nonnegative)
    return False


def _search(obligation: Obligation) -> dict[str, Any] | None:
    """A small integer point satisfying the assumptions where the goal is false, if any."""
    symbols = sorted(
        set().union(obligation.goal.free_symbols,
                    *(sp.sympify(a).free_symbols for a in obligation.assumptions)),
        key=lambda symbol: symbol.name,
    )
    if not all(symbol.is_integer for symbol in symbols):
        return None
    values = range(0, SEARCH_LIMIT + 1)
    for count, point in enumerate(itertools.product(values, repeat=len(symbols))):
        if count >= SEARCH_POINTS:
            return None
        binding = dict(zip(symbols, point, strict=True))
        if not _admissible(binding, obligation):
            continue
        if sp.sympify(obligation.goal).subs(binding).doit() is sp.false:
            return {symbol.name: value for symbol, value in binding.items()}
    return None


def _admissible(binding: dict[sp.Symbol, int], obligation: Obligation) -> bool:
    for symbol, value in binding.items():
        if symbol.is_positive and value < 1:
            return False
    return all(sp.sympify(a).subs(binding) is sp.true for a in obligation.assumptions)


def prove_symbolic(obligation: Obligation) -> Verdict:
    """Prove ``obligation`` case by case, or refute it at a small point, or say unknown."""
    started = time.perf_counter()
    evaluated = obligation.with_goal(sp.sympify(obligation.goal).doit())
    cases = parity_cases(obligation)
    for label, substitution in cases:
        case = substitute(evaluated, substitution)
        if _holds(case.goal):
            continue
        where = f" ({label})" if label else ""
        counterexample = _search(obligation)
        if counterexample is not None:
            return Verdict("symbolic", Status.REFUTED, time.perf_counter() - started,
                           obligation.name + where, solver_version(),
                           f"search 0..{SEARCH_LIMIT}", counterexample=counterexample)
        return Verdict("symbolic", Status.UNKNOWN, time.perf_counter() - started,
                       obligation.name + where, solver_version(),
                       reason="SymPy did not reduce the goal to a true statement")
    detail = obligation.name + (f" ({len(cases)} parity cases)" if len(cases) > 1 else "")
    return Verdict("symbolic", Status.PROVED, time.perf_counter() - started, detail,
                   solver_version())
