"""Decide a claim about measured quantities known only up to an interval.

A claim is a SymPy relation between one symbol and a number (a < 4, a >= 3, a = 4) or a
conjunction of such relations; each symbol is known to lie in a closed interval [low, high].
A relation

* holds when it is true at every point of its symbol's interval,
* fails when it is false at every point (the interval is a refutation),
* is undecided otherwise (the interval straddles the boundary).

A conjunction holds when every part holds and fails when some part fails.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

HOLDS, FAILS, UNDECIDED = "holds", "fails", "undecided"

Interval = tuple[float, float]


def parts(claim: sp.Basic) -> tuple[sp.Basic, ...]:
    """The relations of a conjunction (the claim itself when it is one relation)."""
    return tuple(claim.args) if isinstance(claim, sp.And) else (claim,)


def _side(relation: sp.Basic) -> tuple[sp.Symbol, str, float]:
    """(symbol, operator, number) with the symbol on the left."""
    lhs, rhs = relation.lhs, relation.rhs
    if isinstance(lhs, sp.Symbol) and rhs.is_number:
        return lhs, relation.rel_op, float(rhs)
    if isinstance(rhs, sp.Symbol) and lhs.is_number:
        flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "=="}[relation.rel_op]
        return rhs, flipped, float(lhs)
    raise ValueError(f"a claim relates one symbol to a number, got {relation}")


def judge_relation(relation: sp.Basic, intervals: Mapping[sp.Symbol, Interval]) -> str:
    """HOLDS, FAILS or UNDECIDED for one relation (module docstring)."""
    symbol, operator, number = _side(relation)
    low, high = intervals[symbol]
    if operator == "==":
        if low == high == number:
            return HOLDS
        return FAILS if number < low or number > high else UNDECIDED
    tests = {"<": lambda v: v < number, "<=": lambda v: v <= number,
             ">": lambda v: v > number, ">=": lambda v: v >= number}[operator]
    at_low, at_high = tests(low), tests(high)
    if at_low and at_high:
        return HOLDS
    return FAILS if not (at_low or at_high) else UNDECIDED


def judge(claim: sp.Basic, intervals: Mapping[sp.Symbol, Interval]) -> tuple[str, sp.Basic | None]:
    """The outcome of ``claim`` and the first relation that fails (or is undecided)."""
    outcomes = [(judge_relation(part, intervals), part) for part in parts(claim)]
    for wanted in (FAILS, UNDECIDED):
        for outcome, part in outcomes:
            if outcome == wanted:
                return wanted, part
    return HOLDS, None
