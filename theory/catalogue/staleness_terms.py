"""Terms shared by the staleness theorems: the counted delays, the steady-state hypotheses and
obligations whose hypotheses are premises of the theorem.

The delay of block j at the update of block s by microbatch m is counted on the closed-form
schedule of THR-PD-CLOSED. In steady state (S <= m <= M - S - 1) the updates inside the window
from F(j, m) = 2m + j to B(s, m) = 2m + 2S - 1 - s are the pairs (stage x, slot u) with x + u
odd (STL-PD-MATRIX), so the C1 delay is the count

    count_C1(s, j, m) = sum over those pairs, C1 order
    (``pipeproof.theory.staleness.delay_by_counting``), count_C0(s, j, m) = count_C1(s, j, m) + #{x
    < j : x + F(j, m) odd}  (slot-mates of F(j, m)).

STL-PD-MATRIX proves count_C1 = D1(s, j) and count_C0 = D0(s, j); the other delay theorems
speak about these counts or about D1 and D0 directly.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from pipeproof.theory import staleness
from pipeproof.theory.catalogue.common import BOTH, SMT, SYMBOLIC, ob
from pipeproof.theory.symbols import DOMAINS, M, S, j, m, s
from pipeproof.theory.theorem import Obligation, Premise

D1, D0 = staleness.delay_c1, staleness.delay_c0
x = sp.Symbol("x", integer=True, nonnegative=True)
y = sp.Symbol("y", integer=True, nonnegative=True)




def slot_mates(read: sp.Expr = j, micro: sp.Expr = m) -> sp.Expr:
    """#{x < j : x + F(j, m) odd} with F(j, m) = 2m + j: the updates C0 adds to C1."""
    return sp.Sum(staleness.odd(x + 2 * micro + read), (x, 0, read - 1))


def counted_c1(stage: sp.Expr = s, read: sp.Expr = j, micro: sp.Expr = m) -> sp.Expr:
    """The C1 delay counted in the steady window
    (``pipeproof.theory.staleness.delay_by_counting``)."""
    return staleness.delay_by_counting(stage, read, micro)


def counted_c0(stage: sp.Expr = s, read: sp.Expr = j, micro: sp.Expr = m) -> sp.Expr:
    """The C0 delay counted in the steady window: C1's count plus the slot-mates of F(j, m)."""
    return counted_c1(stage, read, micro) + slot_mates(read, micro)


STEADY_M = (m >= S, m <= M - S - 1)
"""Steady-state microbatches: S <= m <= M - S - 1."""

INDEX_RANGES = (S >= 1, s >= 0, s <= S - 1, j >= 0, j <= S - 1)
STEADY_HYPOTHESES = (*INDEX_RANGES, *STEADY_M)
"""The formal hypotheses of a steady-state delay theorem: 0 <= s, j <= S - 1, steady m."""


def given(formula: sp.Basic) -> Premise:
    """A premise that is a formal hypothesis of the theorem."""
    return Premise(formula, "hypothesis", str(formula))


def proof(name: str, goal: sp.Basic, *symbols: sp.Symbol, hypotheses: tuple = (),
          results: tuple[tuple[sp.Basic, str], ...] = (), methods: tuple[str, ...] = BOTH,
          parity: tuple[sp.Symbol, ...] = ()) -> Obligation:
    """An obligation over the domains of ``symbols`` whose other assumptions are hypotheses of
    the theorem or ``results`` (formula, theorem id) of other catalogue theorems, each recorded
    as a premise."""
    extra = (*hypotheses, *(formula for formula, _ in results))
    built = ob(name, goal, *symbols, extra=extra, methods=methods, parity=parity)
    premises = (*(given(h) for h in hypotheses),
                *(Premise(formula, "theorem", source) for formula, source in results))
    return replace(built, premises=premises)


def counting_obligation() -> Obligation:
    """count(s, j, m) = D1(s, j): the window count in closed form (every S, s, j, m)."""
    return proof("counting the updates in the window gives D1(s, j)",
                 sp.Eq(staleness.delay_by_counting(), D1()), S, s, j, m, methods=SYMBOLIC,
                 parity=(S, s, j))


def smooth_c1(stage: sp.Expr = s, read: sp.Expr = j) -> sp.Expr:
    """D1 without floors: S^2 - S(s+j+1)/2 - (j-s+1)/2 + [(-1)^j + (-1)^s + (-1)^(S+j)
    + (-1)^(S+s)]/8."""
    return (S**2 - S * (stage + read + 1) / 2 - (read - stage + 1) / sp.Integer(2)
            + ((-1) ** read + (-1) ** stage + (-1) ** (S + read) + (-1) ** (S + stage))
            / sp.Integer(8))


def smooth_obligation() -> Obligation:
    """D1(s, j) = its smooth form; the window count sums to the same smooth form."""
    return proof("smooth form: D1 = S^2 - S(s+j+1)/2 - (j-s+1)/2 + [(-1)^j + (-1)^s "
                 "+ (-1)^(S+j) + (-1)^(S+s)]/8", sp.Eq(D1(), smooth_c1()), S, s, j,
                 methods=SYMBOLIC, parity=(S, s, j))


def slot_mates_obligation() -> Obligation:
    """#{x < j : x + 2m + j odd} = ceil(j/2)."""
    return proof("C0 also counts the ceil(j/2) slot-mates on stages x < j of F(j, m)",
                 sp.Eq(slot_mates(), sp.ceiling(j / 2)), j, m, methods=SYMBOLIC, parity=(j,))


def monotone_obligation() -> Obligation:
    """D1(s, j) <= D1(0, j) <= D1(0, 0)."""
    return proof("D1(s, j) <= D1(0, j) <= D1(0, 0)",
                 sp.And(D1() <= D1(0, j), D1(0, j) <= D1(0, 0)), S, s, j, methods=SMT,
                 parity=(S, s, j))


def steady_top() -> tuple[sp.Basic, str]:
    """D1(0, 0) = S^2 - ceil(S/2), a goal of STL-PD-MAX, as a result to build on."""
    return sp.Eq(D1(0, 0), staleness.steady_max_delay()), "STL-PD-MAX"


def top_obligation() -> Obligation:
    """D1(0, 0) = S^2 - ceil(S/2)."""
    return proof("D1(0, 0) = S^2 - ceil(S/2)", sp.Eq(D1(0, 0), staleness.steady_max_delay()), S,
                 parity=(S,))


__all__ = ["DOMAINS", "STEADY_HYPOTHESES", "STEADY_M", "counted_c0", "counted_c1", "proof"]
