"""ZB-V's op times by group and offset: the closed forms of THR-ZB-V with the divisions done.

Write a microbatch m = nS + u (group n >= 0, offset 0 <= u <= S - 1) and M - 1 = q_M S + k_M
(0 <= k_M <= S - 1). On rank r (stages r, the earlier, and 2S - 1 - r, the later), with the
carry c = u + r + 1 - S of the earlier stage's shifted group (m - (S - 1 - r) = nS + c when
c >= 0, (n - 1)S + c + S otherwise):

  F(2S - 1 - r, m) = 2S - 1 - r + 4Sn + 2u,        I(2S - 1 - r, m) = 2S + r + 4Sn + 2u,
  F(r, m) = max(m + r, r + 4Sn + 2c)   (c >= 0),   max(m + r, r + 4S(n - 1) + 2(c + S)) else,
  I(r, m) = 4S - 1 - r + 4Sn + 2u,
  p(2S - 1 - r, m) = 2Sn + u + max(0, c),
  p(r, m) = min(m + M, 2Sn + u + min(S, u + S - r)),
  L_r = 4S - 1 - r + 4S q_M + 2k_M,                 h_r = 4S - 4 - 2r - 2k_M,

and the p-th free slot of rank r is r + 4S q_M + 2e (e >= 0), r + 4S(q_M - 1) + 2(e + S) else,
with e = k_M + 2 - S + r + p, for p below h_r - c_r (the forwards of the earlier stage past M - 1),
L_r - 2S + 2 + o(p - h_r + c_r) in the window, r + 4M + p after (``throughput_zb_v`` has the window
offsets o and c_r, with k_M for (M - 1) mod S). These are the forms of ``throughput_zb_v`` at
n = floor(m/S), u = m mod S, q_M = floor((M - 1)/S), k_M = (M - 1) mod S (:func:`at_microbatch`;
equal on the tables of tests/test_zb_v_groups.py). With the divisions done the op times are linear
in the groups but for the products S n and S q_M, and Z3 decides the facts of
:mod:`.zb_v_proof` about them once the groups are put in order (n1 < n2, n1 = n2, n1 > n2).
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.symbols import M, S

q_M = sp.Symbol("q_M", integer=True, nonnegative=True)
"""Group of the last microbatch: M - 1 = q_M S + k_M."""
k_M = sp.Symbol("k_M", integer=True, nonnegative=True)
"""Offset of the last microbatch, 0 <= k_M <= S - 1."""


def later(stage: sp.Expr) -> sp.Basic:
    """The stage is the later one of its rank: s >= S."""
    return stage >= S


def carry(rank: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """c = u + r + 1 - S: the offset of m - (S - 1 - r) when c >= 0."""
    return offset + rank + 1 - S


def forward(stage: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """F(s, nS + u) (module docstring)."""
    rank = 2 * S - 1 - stage
    c = carry(stage, offset)
    micro = group * S + offset
    earlier = sp.Piecewise(
        (sp.Max(micro + stage, stage + 4 * S * group + 2 * c), c >= 0),
        (sp.Max(micro + stage, stage + 4 * S * (group - 1) + 2 * (c + S)), True))
    return sp.Piecewise((2 * S - 1 - rank + 4 * S * group + 2 * offset, later(stage)),
                        (earlier, True))


def input_gradient(stage: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """I(s, nS + u) = 4S - 1 - s + 4Sn + 2u."""
    return 4 * S - 1 - stage + 4 * S * group + 2 * offset


def later_place(rank: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """p(2S - 1 - r, nS + u) = 2Sn + u + max(0, c)."""
    return 2 * S * group + offset + sp.Max(0, carry(rank, offset))


def earlier_place(rank: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """p(r, nS + u) = min(m + M, 2Sn + u + min(S, u + S - r))."""
    return sp.Min(group * S + offset + M, 2 * S * group + offset + sp.Min(S, offset + S - rank))


def place(stage: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """p(s, nS + u): the place of the W of (s, m) among the W of its rank."""
    return sp.Piecewise((later_place(2 * S - 1 - stage, group, offset), later(stage)),
                        (earlier_place(stage, group, offset), True))


def last_input(rank: sp.Expr) -> sp.Expr:
    """L_r = I(r, M - 1) = 4S - 1 - r + 4S q_M + 2k_M."""
    return 4 * S - 1 - rank + 4 * S * q_M + 2 * k_M


def free_before(rank: sp.Expr) -> sp.Expr:
    """h_r = L_r + 1 - r - 4M = 4S - 4 - 2r - 2k_M: the slots F and I leave free before L_r."""
    return 4 * S - 4 - 2 * rank - 2 * k_M


def window_parts(rank: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """(a, b) = (S - 1 - k_M, max(0, r - 1 - k_M)): the window's free even and odd slots."""
    return S - 1 - k_M, sp.Max(0, rank - 1 - k_M)


def window_free(rank: sp.Expr) -> sp.Expr:
    """c_r = a + b + S - 1 - r, the free slots of the window [L_r - 2S + 2, L_r)."""
    a, b = window_parts(rank)
    return a + b + S - 1 - rank


def window_offset(index: sp.Expr, rank: sp.Expr) -> sp.Expr:
    """o(q): the offset from L_r - 2S + 2 of the q-th free slot of the window."""
    a, b = window_parts(rank)
    return sp.Piecewise(
        (index, index < 2 * b),
        (2 * index - 2 * b, index < b + sp.Min(a, rank)),
        (2 * (index - a - b + rank) + 1, a <= rank),
        (index + rank - b, index < b + rank + 2 * (a - rank)),
        (2 * (index - b + rank - a) + 1, True))


def slot(rank: sp.Expr, position: sp.Expr) -> sp.Expr:
    """The p-th free slot of rank r (module docstring)."""
    early = free_before(rank) - window_free(rank)
    e = k_M + 2 - S + rank + position
    forward_slot = sp.Piecewise((rank + 4 * S * q_M + 2 * e, e >= 0),
                                (rank + 4 * S * (q_M - 1) + 2 * (e + S), True))
    window = last_input(rank) - 2 * S + 2 + window_offset(position - early, rank)
    return sp.Piecewise((forward_slot, position < early),
                        (window, position < free_before(rank)),
                        (rank + 4 * M + position, True))


def weight(stage: sp.Expr, group: sp.Expr, offset: sp.Expr, free=None) -> sp.Expr:
    """W(s, nS + u): the p(s, m)-th free slot of its rank (``free``: the slot form, default
    :func:`slot`)."""
    free = free or slot
    rank = 2 * S - 1 - stage
    return sp.Piecewise((free(rank, later_place(rank, group, offset)), later(stage)),
                        (free(stage, earlier_place(stage, group, offset)), True))


def at_microbatch(form: sp.Expr, group: sp.Symbol, offset: sp.Symbol,
                  micro: sp.Expr) -> sp.Expr:
    """``form`` of (group, offset) read at microbatch ``micro``: n = floor(m/S),
    u = m - S floor(m/S), q_M = floor((M - 1)/S), k_M = M - 1 - S q_M (the table claims)."""
    quotient = sp.floor(micro / S)
    last = sp.floor((M - 1) / S)
    return form.xreplace({group: quotient, offset: micro - S * quotient,
                          q_M: last, k_M: M - 1 - S * last})


__all__ = ["at_microbatch", "earlier_place", "forward", "input_gradient", "k_M", "last_input",
           "later_place", "place", "q_M", "slot", "weight", "window_offset"]
