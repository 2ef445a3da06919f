"""Parity case splits shared by the SymPy prover and the Z3 encoder.

Floors of halves and squares become polynomial once the parity of their argument is fixed:
a symbol x >= lo is split into x = lo + 2a and x = lo + 1 + 2a with a fresh integer a >= 0.
Proving every case proves the obligation.
"""

from __future__ import annotations

import itertools

import sympy as sp

from theory.theorem import Obligation


def lower_bound(symbol: sp.Symbol) -> int:
    """The least value of an integer symbol from its SymPy assumptions (1 or 0)."""
    if symbol.is_integer and symbol.is_positive:
        return 1
    if symbol.is_integer and symbol.is_nonnegative:
        return 0
    raise ValueError(f"parity split needs a nonnegative integer symbol, got {symbol}")


def parity_cases(obligation: Obligation) -> list[tuple[str, dict[sp.Symbol, sp.Expr]]]:
    """Every combination of parities of ``obligation.parity``, as (label, substitution)."""
    if not obligation.parity:
        return [("", {})]
    cases = []
    for offsets in itertools.product((0, 1), repeat=len(obligation.parity)):
        substitution: dict[sp.Symbol, sp.Expr] = {}
        labels = []
        for symbol, offset in zip(obligation.parity, offsets, strict=True):
            half = sp.Symbol(f"{symbol.name}_half", integer=True, nonnegative=True)
            start = lower_bound(symbol) + offset
            substitution[symbol] = start + 2 * half
            labels.append(f"{symbol} {'odd' if start % 2 else 'even'}")
        cases.append((", ".join(labels), substitution))
    return cases


def substitute(obligation: Obligation, substitution: dict[sp.Symbol, sp.Expr]) -> Obligation:
    """The obligation with ``substitution`` applied to its goal and assumptions."""
    if not substitution:
        return obligation
    return Obligation(
        name=obligation.name,
        goal=obligation.goal.subs(substitution),
        assumptions=tuple(sp.sympify(a).subs(substitution) for a in obligation.assumptions),
        methods=obligation.methods,
    )
