"""The SymPy prover.

For every residue case of an obligation (see :mod:`pipeproof.checks.provers.parity`):

* an equation is proved when the difference of its sides, with sums evaluated (``doit``),
  expands (with common factors collected, which matches sums that differ by a constant factor)
  or simplifies to 0;
* an inequality ``a <= b`` is proved when ``b - a`` simplifies to an expression SymPy's
  assumption system shows nonnegative (strict: positive);
* And splits into its parts.

A case counts as proved only when its assumptions have a model (Z3 finds one, or a point search
does where Z3 cannot encode them): from contradictory assumptions anything follows. The cases
proved must cover the domain of the split (``pipeproof.checks.provers.parity.split_gap``).

When a case is not proved, the original goal is evaluated exactly at small parameter values that
satisfy the assumptions; a point where it is false refutes it. Otherwise the verdict is
``unknown``: SymPy failing to simplify proves nothing either way.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import sympy as sp

from pipeproof.checks.provers.parity import parity_cases, split_verdict, substitute
from pipeproof.checks.provers.smt import UntranslatableError, hypotheses_satisfiable
from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory.theorem import Obligation

SEARCH_LIMIT = 12
"""Counterexample search: every integer symbol takes the values 0..SEARCH_LIMIT."""

SEARCH_POINTS = 20_000
"""Most points the counterexample search evaluates."""

REAL_VALUES = (sp.Integer(0), sp.Rational(1, 3), sp.Rational(1, 2), sp.Integer(1), sp.Integer(2),
               sp.Integer(5))
"""Values a real symbol takes in the search for a model of the assumptions."""


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
        if (symbol.is_positive and value <= 0) or (symbol.is_nonnegative and value < 0):
            return False
    return all(sp.sympify(a).subs(binding) is sp.true for a in obligation.assumptions)


def _point(obligation: Obligation) -> bool:
    """Whether a small point satisfies the assumptions (integers 0..SEARCH_LIMIT, reals from
    :data:`REAL_VALUES`)."""
    symbols = sorted(set().union(*(sp.sympify(a).free_symbols for a in obligation.assumptions)),
                     key=lambda symbol: symbol.name)
    ranges = [range(SEARCH_LIMIT + 1) if symbol.is_integer else REAL_VALUES for symbol in symbols]
    for count, point in enumerate(itertools.product(*ranges)):
        if count >= SEARCH_POINTS:
            return False
        if _admissible(dict(zip(symbols, point, strict=True)), obligation):
            return True
    return False


def vacuity(obligation: Obligation) -> str | None:
    """None when the assumptions of ``obligation`` have a model (found by Z3, or, where Z3
    cannot encode them, by a point search); otherwise the reason the case is not proved."""
    try:
        found = hypotheses_satisfiable(obligation)
    except UntranslatableError:
        found = _point(obligation) or None
    if found:
        return None
    if found is False:
        return "vacuous hypotheses: the assumptions have no model"
    return "vacuous hypotheses not excluded: no model of the assumptions found"


def prove_symbolic(obligation: Obligation) -> Verdict:
    """Prove ``obligation`` case by case, or refute it at a small point, or say unknown.

    Each case counts only when its assumptions have a model (:func:`vacuity`), and the cases
    proved must cover the split (:func:`pipeproof.checks.provers.parity.split_gap`).
    """
    started = time.perf_counter()

    def verdict(status: Status, detail: str, **extra: Any) -> Verdict:
        return Verdict("symbolic", status, time.perf_counter() - started, detail,
                       solver_version(), **extra)

    evaluated = obligation.with_goal(sp.sympify(obligation.goal).doit())
    proved: list[tuple[str, dict]] = []
    for label, substitution in parity_cases(obligation):
        case = substitute(evaluated, substitution)
        where = f" ({label})" if label else ""
        empty = vacuity(case)
        if empty is not None:
            return verdict(Status.UNKNOWN, obligation.name + where, reason=empty)
        if _holds(case.goal):
            proved.append((label, substitution))
            continue
        counterexample = _search(obligation)
        if counterexample is not None:
            return verdict(Status.REFUTED, obligation.name + where,
                           budget=f"search 0..{SEARCH_LIMIT}", counterexample=counterexample)
        return verdict(Status.UNKNOWN, obligation.name + where,
                       reason="SymPy did not reduce the goal to a true statement")
    return split_verdict(verdict, obligation, proved)
