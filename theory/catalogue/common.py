"""Shared pieces of the catalogue: obligation and claim builders, and the standard grids."""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.symbols import DOMAINS, H, R, S, m, m2, s
from pipeproof.theory.theorem import Claim, Grid, Obligation

BOTH = ("symbolic", "smt")
SMT = ("smt",)
SYMBOLIC = ("symbolic",)
M2 = m2
"""A second microbatch index."""


def ob(name: str, goal: sp.Basic, *symbols: sp.Symbol, extra: tuple = (),
       methods: tuple[str, ...] = BOTH, parity: tuple[sp.Symbol, ...] = ()) -> Obligation:
    """An obligation whose assumptions are the domains of ``symbols`` plus ``extra``."""
    assumptions = tuple(DOMAINS[symbol] for symbol in symbols) + tuple(extra)
    return Obligation(name, goal, assumptions, methods, parity)


def eq(left: sp.Expr, right: sp.Expr) -> sp.Basic:
    """left = right, left for a prover to decide (not evaluated when built)."""
    return sp.Eq(left, right, evaluate=False)


def le(left: sp.Expr, right: sp.Expr) -> sp.Basic:
    """left <= right, not evaluated when built."""
    return sp.Le(left, right, evaluate=False)


def lt(left: sp.Expr, right: sp.Expr) -> sp.Basic:
    """left < right, not evaluated when built."""
    return sp.Lt(left, right, evaluate=False)


def claim(quantity: str, formula: sp.Expr, *index: sp.Symbol, relation: str = "==",
          where: sp.Basic = sp.true, convention: str = "C1") -> Claim:
    """A claim ``quantity[index] relation formula``."""
    return Claim(quantity, sp.sympify(formula), relation, tuple(index), where, convention)


def for_both_conventions(quantity: str, formula_of, *index: sp.Symbol) -> tuple[Claim, ...]:
    """The same claim under C1 and C0, with ``formula_of(convention)``."""
    return tuple(claim(quantity, formula_of(conv), *index, convention=conv)
                 for conv in ("C1", "C0"))


ONE = sp.Integer(1)
TWO = sp.Integer(2)
SMALL_M = (ONE, TWO, S, S + 1, 2 * S + 1, 3 * S)
"""Microbatch counts around the warm-up, for the smaller grids."""

PIPEDREAM = Grid("pipedream", (1, 256), (10 * S,))
PIPEDREAM_SMALL_M = Grid("pipedream", (1, 48), SMALL_M)
FLUSH = Grid("flush", (1, 256), (10 * S,))
FLUSH_SMALL_M = Grid("flush", (1, 48), SMALL_M)
GPIPE = Grid("gpipe", (1, 256), (10 * S,))
COSTS = ((1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (3, 2), (2, 4))
GPIPE_COSTS = Grid("gpipe", (1, 24), (ONE, S, 3 * S), costs=COSTS)
FLUSH_COSTS = Grid("flush", (1, 24), (ONE, S, 3 * S), costs=COSTS)
PIPEDREAM_COSTS = Grid("pipedream", (1, 24), (ONE, S, 3 * S), costs=COSTS)
LOCALSGD_RUNS = (ONE, sp.ceiling(S / 2), S - 1, S, S + 1, 2 * S)
LOCALSGD = Grid("localsgd", (1, 24), (2 * R * H,), runs=LOCALSGD_RUNS,
                local_steps=(ONE, TWO, sp.Integer(5)))
LOCALSGD_WIDE = Grid("localsgd", (1, 256), (2 * R * H,), runs=(S,), local_steps=(sp.Integer(5),))
"""R = S copies, H = 5 local steps, two rounds (M = 10 S), as far as the PipeDream grid."""
STEADY = m >= S
"""Index selection for the steady-state microbatches of the closed forms."""

__all__ = ["BOTH", "M2", "SMT", "SYMBOLIC", "claim", "for_both_conventions", "ob", "s"]
