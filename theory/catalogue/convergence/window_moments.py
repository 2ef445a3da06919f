"""CONV-NOG's staleness step: the window's second moments without A4.

Without the second-moment bound the window of step k is charged to its stale gradients:

1. each step: E||g^u||^2 <= (e(u) + sigma^2)/S for every integer u, with e(u) = E||grad f(z^u)||^2
   for u >= 0 and 0 before (lemmas variance, variance split and block norms at step max(u, 0),
   A3', and RPD: g^u is the update of step u, none before step 0);
2. summed over the last n updates: sum_{d=1}^{n} E||g^{k-d}||^2 <= (sum_{d=1}^{n} e(k - d)
   + n sigma^2)/S (induction on n, at n = window_n(k));
3. the window count window_n(k) <= delta (STALE, DELAY), and the lagged stale gradients'
   partial sums grow with their length (induction), so
   window_g2(k) <= (window_stale2(k) + delta sigma^2)/S (STALE);
4. the stale distance by the window's spread: with m the mean of the delta window updates,
   E||x^k - z^k||^2 = delta E<x^k - z^k, m> = delta^2 E||m||^2 (STALE) and
   sum_t E||v_t - m||^2 = sum_t E||v_t||^2 - 2 E<x^k - z^k, m> + delta E||m||^2 >= 0 (lemma
   window variance), so E||x^k - z^k||^2 <= delta sum_t E||v_t||^2 <= gamma^2 delta window_g2(k).
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import convergence as cv
from pipeproof.theory.assumptions import any_step
from pipeproof.theory.catalogue.convergence.chain import (
    b,
    block_var,
    by_induction,
    descent,
    dist2,
    grad2,
    stale2,
)
from pipeproof.theory.catalogue.convergence.premises import assumed, derive, earlier
from pipeproof.theory.convergence import L, S, delta, gamma, k, lag_sum, lagged, sigma
from pipeproof.theory.convergence import lag as d
from pipeproof.theory.convergence import steps as n
from pipeproof.theory.lemmas import LEMMAS, WINDOW_VARIANCE, recurrence
from pipeproof.theory.theorem import Obligation

u = sp.Symbol("u", integer=True)  # a step, negative before the first one
v_, r_ = sp.IndexedBase("v"), sp.Symbol("r", integer=True, positive=True)
m_ = sp.Symbol("m", real=True)
WINDOW_SCALARS = {WINDOW_VARIANCE.lhs: cv.window_var,
                  sp.Sum(v_[r_] ** 2, (r_, 1, delta)): cv.window2,
                  sp.Sum(m_ * v_[r_], (r_, 1, delta)): cv.mean_inner, m_**2: cv.mean_sq}
"""The window variance lemma's coordinate sums as the quantities of step k."""


def per_step() -> Obligation:
    """E||g^u||^2 <= (e(u) + sigma^2)/S for every integer u."""
    at = {"k": sp.Max(u, 0)}
    return derive(
        "window moments 1, each step: E||g^u||^2 <= (e(u) + sigma^2)/S, e(u) = "
        "E||grad f(z^u)||^2 for u >= 0 and 0 before (lemmas variance, variance split, block "
        "norms at step max(u, 0); A3'; RPD: g^u is the update of step u, none before step 0)",
        cv.update2(u) <= (lagged(u, 0) + sigma**2) / S,
        assumed("RPD", sp.Eq(cv.update2(k), cv.sample2), {k: sp.Max(u, 0)}),
        assumed("RPD", sp.Implies(any_step < 0, sp.Eq(cv.update2(any_step), 0)), {any_step: u}),
        LEMMAS["variance"].at(**at), LEMMAS["variance split"].at(**at),
        LEMMAS["block norms"].at(**at),
        assumed("A3'", sp.Eq(sp.Sum(block_var(b), (b, 0, S - 1)), sigma**2)))


def summed(each: Obligation) -> tuple[Obligation, Obligation]:
    """sum_{d=1}^{n} E||g^{k-d}||^2 <= (sum_{d=1}^{n} e(k - d) + n sigma^2)/S, at
    n = window_n(k)."""
    def bounded(count):
        return sp.Le(cv.window_sum(count), (lag_sum(lambda lag: lagged(k, lag), count)
                                            + count * sigma**2) / S, evaluate=False)

    proof, conclude = by_induction(
        "window moments 2, the last n updates (window moments 1 at u = k - n - 1; lemma "
        "recurrence)", bounded, n, earlier(each, {u: k - n - 1}),
        recurrence(lambda lag: cv.update2(k - lag), 1, n + 1, d),
        recurrence(lambda lag: lagged(k, lag), 1, n + 1, d))
    return proof, conclude(cv.window_n, "window_n(k)")


def longer() -> tuple[Obligation, Obligation]:
    """sum_{d=1}^{window_n} e(k - d) <= sum_{d=1}^{window_n + n} e(k - d), at
    n = max(delta - window_n, 0)."""
    def grows(count):
        return sp.Le(lag_sum(lambda lag: lagged(k, lag), cv.window_n),
                     lag_sum(lambda lag: lagged(k, lag), cv.window_n + count), evaluate=False)

    proof, conclude = by_induction(
        "window moments 3, longer windows hold more stale gradients (e >= 0; lemma recurrence)",
        grows, n, recurrence(lambda lag: lagged(k, lag), 1, cv.window_n + n + 1, d))
    return proof, conclude(sp.Max(delta - cv.window_n, 0), "max(delta - window_n(k), 0)")


def window_moments() -> tuple[Obligation, ...]:
    """The steps 1 to 3 of the module docstring; the last goal is
    window_g2(k) <= (window_stale2(k) + delta sigma^2)/S."""
    count = derive(
        "window moments 0, the window count: window_n = d_j (STALE), d_j <= delta (DELAY)",
        cv.window_n <= delta, assumed("STALE", sp.Eq(cv.window_n, cv.longest_delay)),
        assumed("DELAY", cv.longest_delay <= delta))
    each = per_step()
    last = summed(each)
    more = longer()
    moments = derive(
        "window moments 4: window_g2(k) = sum_{d=1}^{window_n} E||g^{k-d}||^2 (STALE) <= "
        "(window_stale2(k) + delta sigma^2)/S (window moments 0, 2 and 3; window_stale2's "
        "definition, STALE)",
        cv.window_g2 <= (cv.window_stale2(k) + delta * sigma**2) / S, earlier(count),
        earlier(last[-1]), earlier(more[-1]),
        assumed("STALE", sp.Eq(cv.window_g2, cv.window_sum(cv.window_n))),
        assumed("STALE", cv.window_definition()))
    return (count, each, *last, *more, moments)


def staleness(smooth: Obligation, moments: Obligation) -> Obligation:
    """Step 5 of CONV-NOG: the stale distance through the window's spread and moments."""
    noise = L * gamma**2 * sigma**2 / (2 * S)
    return derive(
        "step 5 without A4: E||x^k - z^k||^2 = delta E<x^k - z^k, m> = delta^2 E||m||^2 with m "
        "the mean of the delta window updates (STALE), the window's spread is >= 0 (lemma "
        "window variance), so E||x^k - z^k||^2 <= delta sum_t E||v_t||^2 <= gamma^2 delta "
        "window_g2(k) (STALE) <= gamma^2 delta (window_stale2(k) + delta sigma^2)/S (window "
        "moments 4)",
        descent(-gamma / (2 * S) * grad2(k), -gamma / (2 * S) * (1 - L * gamma) * stale2(k),
                gamma * L**2 / (2 * S) * gamma**2 * delta / S
                * (cv.window_stale2(k) + delta * sigma**2), noise),
        earlier(smooth), reduced_window(),
        assumed("STALE", sp.Eq(dist2(k), delta * cv.mean_inner)),
        assumed("STALE", sp.Eq(dist2(k), delta**2 * cv.mean_sq)),
        assumed("STALE", cv.window2 <= gamma**2 * cv.window_g2), earlier(moments))


def reduced_window():
    """The lemma window variance at the quantities of step k (:data:`WINDOW_SCALARS`)."""
    from pipeproof.theory.theorem import Premise

    formula = LEMMAS["window variance"].formula
    return Premise(formula.xreplace(WINDOW_SCALARS), "lemma", "window variance",
                   tuple(WINDOW_SCALARS.items()))
