"""CONV-PD-LAG's staleness step: PipeDream's per-block lags bound E||x^k - z^k||^2.

Block j's read misses the last mixed_lag(j) = S - 1 - floor(j/2) versions of block j (STL-PD-LAG),
so x_j^k - z_j^k is the sum of those updates v_t = gamma g_j (STALE), and

* E||x_j - z_j||^2 <= mixed_lag(j) sum ||v_t||^2 (lemma cauchy-schwarz)
  = gamma^2 mixed_lag(j) sum_t E||g_j||^2 <= gamma^2 G^2 mixed_lag(j)^2 (A4, by induction);
* summed over the blocks (induction on n, lemma recurrence): sum_{x<n} E||x_x - z_x||^2 <=
  gamma^2 G^2 sum_{x<n} (S - 1 - floor(x/2))^2, whose closed form Q(n) is proved by induction;
* at n = S this is gamma^2 G^2 Lambda(S), and ||x - z||^2 is the sum over the blocks (lemma block
  distances).
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import convergence as cv
from pipeproof.theory.catalogue.common import BOTH
from pipeproof.theory.catalogue.convergence.chain import D, stale_descent
from pipeproof.theory.catalogue.convergence.premises import (
    assumed,
    derive,
    earlier,
    hypothesis,
)
from pipeproof.theory.convergence import G, S, block, block_dist2, block_window2, gamma, read_lag
from pipeproof.theory.lemmas import LEMMAS, induction, recurrence, witness
from pipeproof.theory.symbols import j
from pipeproof.theory.theorem import Obligation

x = sp.Symbol("x", integer=True, nonnegative=True)  # block index of the sums over blocks
count = sp.Symbol("n", integer=True, nonnegative=True)  # updates summed
STATED_LAG = sp.Function("mixed_lag")(j)
"""mixed_lag(j) as STL-PD-LAG states it (a function without assumptions)."""
LAGS = sp.And(sp.Eq(sp.Function("lag")(sp.Symbol("s", integer=True, nonnegative=True)),
                    S - sp.Symbol("s", integer=True, nonnegative=True) - 1),
              sp.Eq(STATED_LAG, S - sp.floor(j / 2) - 1))
"""The lags STL-PD-LAG proves for PipeDream: the own lag of stage s and the mixed lag of block
j; CONV-PD-LAG takes them as its hypothesis (PipeDream's lag profile)."""
LAG_PROFILE = sp.Eq(read_lag(j), S - sp.floor(j / 2) - 1)
"""CONV-PD-LAG's hypothesis on the reads: the mixed lag of STL-PD-LAG (:data:`LAGS`), with
mixed_lag(j) the read lag of block j, for every block 0 <= j <= S - 1."""


def profile(index: sp.Expr) -> sp.Expr:
    """(S - 1 - floor(index/2))^2."""
    return cv.pd_lag_profile(index) ** 2


def lag_sum(upper: sp.Expr) -> sp.Expr:
    """sum_{x<upper} (S - 1 - floor(x/2))^2."""
    return sp.Sum(profile(x), (x, 0, upper - 1))


def per_block(lags: sp.Basic) -> tuple[Obligation, ...]:
    """E||x_j - z_j||^2 <= gamma^2 G^2 (S - 1 - floor(j/2))^2, with A4 summed by induction."""
    def bounded(length):
        return sp.Le(cv.missed_sum(length), length * G**2, evaluate=False)

    moments = derive(
        "block j, A4 over its missed updates, induction on n: base n = 0 and step n to n + 1 of "
        "sum_{t<n} E||g_j||^2 <= n G^2 (A4, lemma recurrence)",
        sp.And(bounded(0), sp.Implies(bounded(count), bounded(count + 1))),
        assumed("A4", cv.block_update2(block, cv.back) <= G**2, {block: j, cv.back: count}),
        recurrence(lambda t: cv.block_update2(j, t), 0, count, cv.back))
    at_lag = derive("block j, at n = mixed_lag(j) (lemma induction)", bounded(read_lag(j)),
                    earlier(moments, {count: witness}), induction(bounded, read_lag(j)))
    missed = derive(
        "block j, its missed updates: sum ||v_t||^2 = gamma^2 sum E||g_j||^2 over the "
        "mixed_lag(j) updates of block j its read misses (STALE) <= gamma^2 G^2 mixed_lag(j)",
        block_window2(j) <= gamma**2 * G**2 * read_lag(j),
        assumed("STALE", sp.Eq(block_window2(block), gamma**2 * cv.missed_sum(
            read_lag(block), block)), {block: j}), earlier(at_lag))
    block_bound = derive(
        "block j: its read misses mixed_lag(j) = S - 1 - floor(j/2) versions (STL-PD-LAG), "
        "x_j - z_j is the sum of those updates, so E||x_j - z_j||^2 <= mixed_lag(j) sum "
        "||v_t||^2 (lemma cauchy-schwarz) <= gamma^2 G^2 mixed_lag(j)^2",
        block_dist2(j) <= gamma**2 * G**2 * profile(j),
        hypothesis(LAG_PROFILE),
        LEMMAS["cauchy-schwarz"].at(norm2_sum=block_dist2(j), count=read_lag(j),
                                    sum_norm2=block_window2(j)),
        earlier(missed), domains=((j >= 0) & (j <= S - 1),))
    return moments, at_lag, missed, block_bound


def summed(block_bound: Obligation) -> tuple[Obligation, ...]:
    """The per-block bounds summed over the blocks, and the closed form of the lag sum."""
    def bounded(upper):
        return sp.Le(sp.Sum(block_dist2(x), (x, 0, upper - 1)), gamma**2 * G**2 * lag_sum(upper),
                     evaluate=False)

    def agrees(upper):
        return sp.Eq(lag_sum(upper), cv.pd_lag_partial_sum(upper), evaluate=False)

    blocks = derive(
        "sum over the blocks, induction on n: base n = 0 and step n = j to j + 1 of "
        "sum_{x<n} E||x_x - z_x||^2 <= gamma^2 G^2 sum_{x<n} (S - 1 - floor(x/2))^2 (lemma "
        "recurrence)", sp.And(bounded(0), sp.Implies(bounded(j), bounded(j + 1))),
        earlier(block_bound), recurrence(block_dist2, 0, j, x), recurrence(profile, 0, j, x),
        domains=((j >= 0) & (j <= S - 1),))
    all_blocks = derive("the sum over the blocks at n = S (lemma induction)", bounded(S),
                        earlier(blocks, {j: witness}), induction(bounded, S))
    closed_step = derive(
        "lemma: the closed form Q(n) = 2[p(S-1)^2 - (S-1)p(p-1) + p(p-1)(2p-1)/6] + e(S-1-p)^2, "
        "p = floor(n/2), e = n mod 2, has Q(0) = 0 and Q(n+1) = Q(n) + (S - 1 - floor(n/2))^2",
        sp.And(sp.Eq(cv.pd_lag_partial_sum(0), 0),
               sp.Eq(cv.pd_lag_partial_sum(j + 1), cv.pd_lag_partial_sum(j) + profile(j))),
        methods=BOTH, parity=(j,))
    closed = derive("so sum_{x<n} (S - 1 - floor(x/2))^2 = Q(n), induction on n: base n = 0 "
                    "and step n = j to j + 1 (lemma recurrence)",
                    sp.And(agrees(0), sp.Implies(agrees(j), agrees(j + 1))),
                    earlier(closed_step), recurrence(profile, 0, j, x))
    closed_at = derive("the closed form at n = S (lemma induction)", agrees(S),
                       earlier(closed, {j: witness}), induction(agrees, S))
    value = derive("lemma: Lambda(S) = Q(S) = (S - 1)(7S^2 - 2S - 3[S odd])/12",
                   sp.Eq(cv.pd_lag_partial_sum(S), cv.pd_lag_sum()), methods=BOTH, parity=(S,))
    return blocks, all_blocks, closed_step, closed, closed_at, value


def staleness(head_step: Obligation) -> tuple[Obligation, ...]:
    """Every obligation of the staleness step, the last one's goal the descent with
    gamma^2 G^2 Lambda(S)."""
    lam = cv.pd_lag_sum()
    block_steps = per_block(LAGS)
    summed_steps = summed(block_steps[-1])
    _, all_blocks, _, _, closed_at, value = summed_steps
    distance = derive(
        "stale distance: ||x - z||^2 = sum_j ||x_j - z_j||^2 (lemma block distances), the sum "
        "over the blocks at n = S, its closed form and Lambda(S) give E||x^k - z^k||^2 <= "
        "gamma^2 G^2 Lambda(S)", cv.dist2(cv.k) <= cv.stale_distance(lam),
        LEMMAS["block distances"].at(x=x), earlier(all_blocks), earlier(closed_at),
        earlier(value), parity=(S,))
    stale = derive(
        "staleness: E||x^k - z^k||^2 <= gamma^2 G^2 D with D = Lambda(S) (stale distance), "
        "after step 4 (CONV-RPD's)", stale_descent(D), earlier(head_step),
        earlier(distance), hypothesis(sp.Eq(D, lam)))
    return (*block_steps, *summed_steps, distance, stale)


__all__ = ["LAGS", "LAG_PROFILE", "staleness"]
