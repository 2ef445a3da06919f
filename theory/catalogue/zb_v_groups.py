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
offsets o and c_r, with k_M for (M - 1) mod S). The forward of (s, m) is the k-th of its rank in
time order, with m - (S - 1 - r) = n_e S + u_e (n, c if c >= 0, else n - 1, c + S):

  k(r, m) = m + max(0, min(M, S n_e + max(0, u_e + r + 1 - S))),
  k(2S - 1 - r, m) = m + min(M, nS + min(S, S - r + u) + S - 1 - r),

and its input gradient the p-th (the W run in the order of the I). The op times and places
are the forms of ``throughput_zb_v`` at n = floor(m/S), u = m mod S, q_M = floor((M - 1)/S),
k_M = (M - 1) mod S (:func:`at_microbatch`; equal on the tables of tests/test_zb_v_groups.py).
With the divisions done the op times are linear in the groups but for the products S n and
S q_M, and Z3 decides the facts of :mod:`.zb_v_proof` about them once the groups are put in
order (n1 < n2, n1 = n2, n1 > n2).
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from pipeproof.theory.symbols import M, S

Form = Callable[[sp.Expr, sp.Expr, sp.Expr], sp.Expr]
"""A form of (rank, group, offset)."""

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


def earlier_forward(rank: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """F(r, nS + u) = max(m + r, r + 4Sn + 2c) (c >= 0), max(m + r, r + 4S(n - 1) + 2(c + S))."""
    c = carry(rank, offset)
    micro = group * S + offset
    return sp.Piecewise(
        (sp.Max(micro + rank, rank + 4 * S * group + 2 * c), c >= 0),
        (sp.Max(micro + rank, rank + 4 * S * (group - 1) + 2 * (c + S)), True))


def later_forward(rank: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """F(2S - 1 - r, nS + u) = 2S - 1 - r + 4Sn + 2u."""
    return 2 * S - 1 - rank + 4 * S * group + 2 * offset


def earlier_input(rank: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """I(r, nS + u) = 4S - 1 - r + 4Sn + 2u."""
    return 4 * S - 1 - rank + 4 * S * group + 2 * offset


def later_input(rank: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """I(2S - 1 - r, nS + u) = 2S + r + 4Sn + 2u."""
    return 2 * S + rank + 4 * S * group + 2 * offset


def by_stage(earlier: Form, later_form: Form, stage: sp.Expr, group: sp.Expr,
             offset: sp.Expr) -> sp.Expr:
    """The form of stage s from the forms of the earlier and later stage of rank r."""
    return sp.Piecewise((later_form(2 * S - 1 - stage, group, offset), later(stage)),
                        (earlier(stage, group, offset), True))


def forward(stage: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """F(s, nS + u) (module docstring)."""
    return by_stage(earlier_forward, later_forward, stage, group, offset)


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
    return by_stage(earlier_place, later_place, stage, group, offset)


def earlier_order(rank: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """k(r, nS + u) = m + max(0, min(M, S n_e + max(0, u_e + r + 1 - S))): the forward's index
    among the forwards of rank r in time order; m - (S - 1 - r) = n_e S + u_e (c >= 0: n, c;
    else n - 1, c + S), and the min counts the later stage's forwards before it."""
    c = carry(rank, offset)
    before = sp.Piecewise((S * group + sp.Max(0, c + rank + 1 - S), c >= 0),
                          (S * (group - 1) + sp.Max(0, c + rank + 1), True))
    return group * S + offset + sp.Max(0, sp.Min(M, before))


def later_order(rank: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """k(2S - 1 - r, nS + u) = m + min(M, nS + min(S, S - r + u) + S - 1 - r)."""
    return group * S + offset + sp.Min(M, group * S + sp.Min(S, S - rank + offset) + S - 1 - rank)


def order(stage: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """k(s, nS + u): the index of the forward of (s, m) among those of its rank, in time order
    (the place p is the same index for the input gradients)."""
    return by_stage(earlier_order, later_order, stage, group, offset)


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
    return hole_offset(index, *window_parts(rank), rank)


def hole_offset(index: sp.Expr, a: sp.Expr, b: sp.Expr, rank: sp.Expr) -> sp.Expr:
    """o(q) in terms of the window's free even slots a and odd slots b (module docstring):
    q for q < 2b, then 2q - 2b while q < b + min(a, r), then 2(q - a - b + r) + 1 if a <= r,
    else q + r - b while q < b + r + 2(a - r) and 2(q - b + r - a) + 1 after."""
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


def earlier_weight(rank: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """W(r, nS + u) = the p(r, m)-th free slot of rank r."""
    return slot(rank, earlier_place(rank, group, offset))


def later_weight(rank: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """W(2S - 1 - r, nS + u) = the p(2S - 1 - r, m)-th free slot of rank r."""
    return slot(rank, later_place(rank, group, offset))


def weight(stage: sp.Expr, group: sp.Expr, offset: sp.Expr) -> sp.Expr:
    """W(s, nS + u): the p(s, m)-th free slot of its rank."""
    return by_stage(earlier_weight, later_weight, stage, group, offset)


def at_microbatch(form: sp.Expr, group: sp.Symbol, offset: sp.Symbol,
                  micro: sp.Expr) -> sp.Expr:
    """``form`` of (group, offset) read at microbatch ``micro``: n = floor(m/S),
    u = m - S floor(m/S), q_M = floor((M - 1)/S), k_M = M - 1 - S q_M (the table claims)."""
    quotient = sp.floor(micro / S)
    last = sp.floor((M - 1) / S)
    return form.xreplace({group: quotient, offset: micro - S * quotient,
                          q_M: last, k_M: M - 1 - S * last})


__all__ = ["at_microbatch", "by_stage", "earlier_forward", "earlier_input", "earlier_order",
           "earlier_place", "earlier_weight", "forward", "hole_offset", "input_gradient", "k_M",
           "last_input", "later_forward", "later_input", "later_order", "later_place",
           "later_weight", "order", "place", "q_M", "slot", "weight", "window_offset"]
