"""The window sums of CONV-NOG: sum_{k<K} window_stale2(k) <= delta P(K).

With e(t) = E||grad f(z^t)||^2 for t >= 0 and e(t) = 0 for t < 0, the window of step k holds the
stale gradients of the delta steps before it, indexed by the lag d = k - t:

    window_stale2(k) = sum_{d=1}^{delta} e(k - d),    P(n) = sum_{k<n} E||grad f(z^k)||^2.

Each stale gradient lies in at most delta windows, so sum_{k<K} window_stale2(k) <= delta P(K)
for every K and delta. The chain proves it with no finite check; its premises are the
definitions of window_stale2 and of T(d, n) = sum_{k<n} e(k - d) (T(d, 0) = 0 and
T(d, n + 1) = T(d, n) + e(n - d); record STALE), the recurrence of finite sums and induction
(lemmas recurrence and induction), and the goals of its earlier steps:

1. T's recurrence summed over the lags: sum_{d=1}^{m} T(d, n + 1) = sum_{d=1}^{m} T(d, n)
   + sum_{d=1}^{m} e(n - d) and sum_{d=1}^{m} T(d, 0) = 0 (induction on m, used at m = delta);
2. the exchange: sum_{k<n} window_stale2(k) = sum_{d=1}^{delta} T(d, n), the two orders of the
   double sum over the rectangle 1 <= d <= delta, 0 <= k <= n - 1 (induction on n, at n = K);
3. the shift: T(d, n) = P(max(0, n - d)) for every lag d >= 1 (induction on n, at n = K);
4. monotonicity: P(m) <= P(m + n), the terms being nonnegative (induction on n);
5. each lag: T(d, K) = P(max(0, K - d)) <= P(K);
6. all lags: sum_{d=1}^{m} T(d, K) <= m P(K) (induction on m, used at m = delta).

The obligations are named "window sums 1" to "window sums 6" after these steps.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from pipeproof.theory import convergence as cv
from pipeproof.theory.catalogue.convergence.chain import by_induction, i, partial, stale2
from pipeproof.theory.catalogue.convergence.premises import assumed, derive, earlier
from pipeproof.theory.convergence import K, delta, lag_sum, lagged, shifted_recurrence
from pipeproof.theory.convergence import lag as d
from pipeproof.theory.convergence import shifted_stale2 as T  # noqa: N812
from pipeproof.theory.convergence import steps as n
from pipeproof.theory.convergence import window_stale2 as window_stale2
from pipeproof.theory.lemmas import recurrence
from pipeproof.theory.theorem import Obligation

m = sp.Symbol("m", integer=True, nonnegative=True)  # lags summed, or a shorter length
Term = Callable[[sp.Expr], sp.Expr]
"""A summand as a function of its index."""


def exchange_claim(count: sp.Expr) -> sp.Basic:
    """sum_{k<count} window_stale2(k) = sum_{d=1}^{delta} T(d, count)."""
    return sp.Eq(partial(window_stale2, count), lag_sum(lambda lag: T(lag, count), delta),
                 evaluate=False)


def shift_claim(count: sp.Expr) -> sp.Basic:
    """T(d, count) = P(max(0, count - d))."""
    return sp.Eq(T(d, count), partial(stale2, sp.Max(0, count - d)), evaluate=False)


def monotone_claim(count: sp.Expr) -> sp.Basic:
    """P(m) <= P(m + count)."""
    return sp.Le(partial(stale2, m), partial(stale2, m + count), evaluate=False)


def lags_claim(lags: sp.Expr) -> sp.Basic:
    """sum_{d=1}^{lags} T(d, K) <= lags P(K)."""
    return sp.Le(lag_sum(lambda lag: T(lag, K), lags), lags * partial(stale2, K), evaluate=False)


BOUND = sp.Le(partial(window_stale2, K), delta * partial(stale2, K))
"""sum_{k<K} window_stale2(k) <= delta P(K): the conclusion of the chain."""


SUMMED_TERMS: tuple[Term, ...] = (
    lambda lag: T(lag, 0), lambda lag: T(lag, n + 1),
    lambda lag: T(lag, n), lambda lag: lagged(n, lag))
"""T(d, 0), T(d, n + 1), T(d, n) and e(n - d): the terms of T's recurrence, as functions of d."""


def summed_claims(lags: sp.Expr) -> sp.Basic:
    """sum_{d=1}^{lags} T(d, 0) = 0 and sum_{d=1}^{lags} T(d, n + 1) = sum_{d=1}^{lags} T(d, n)
    + sum_{d=1}^{lags} e(n - d): T's recurrence summed over the lags."""
    zero, after, before, added = (lag_sum(term, lags) for term in SUMMED_TERMS)
    return sp.And(sp.Eq(zero, 0, evaluate=False), sp.Eq(after, before + added, evaluate=False))


def summed_recurrence() -> tuple[Obligation, Obligation]:
    """T's recurrence summed over the lags d = 1..m, by induction on m, at m = delta."""
    definitions = [assumed("STALE", formula, {d: m + 1}) for formula in shifted_recurrence()]
    proof, conclude = by_induction(
        "window sums 1, T(d, n) = sum_{k<n} e(k - d) summed over the lags d = 1..m (T's "
        "definition, STALE; lemma recurrence)", summed_claims, m, *definitions,
        *(recurrence(term, 1, m + 1, d) for term in SUMMED_TERMS))
    return proof, conclude(delta, "delta")


def exchange(summed: Obligation) -> tuple[Obligation, Obligation]:
    """sum_{k<n} window_stale2(k) = sum_d T(d, n), by induction on n (the rectangle exchange),
    at n = K."""
    proof, conclude = by_induction(
        "window sums 2, exchange over the rectangle 1 <= d <= delta, 0 <= k <= n - 1: "
        "sum_{k<n} window_stale2(k) = sum_{d=1}^{delta} T(d, n) (window_stale2's definition, "
        "STALE; window sums 1 at m = delta; lemma recurrence)", exchange_claim, n,
        earlier(summed), assumed("STALE", cv.window_definition(), {cv.k: n}),
        recurrence(window_stale2, 0, n, i))
    return proof, conclude(K, "K")


def shift() -> tuple[Obligation, Obligation]:
    """T(d, n) = P(max(0, n - d)), by induction on n, at n = K."""
    proof, conclude = by_induction(
        "window sums 3, shift: T(d, n) = P(max(0, n - d)) for every lag d >= 1, P(n) = "
        "sum_{k<n} E||grad f(z^k)||^2 (T's definition, STALE; lemma recurrence)", shift_claim,
        n, *(assumed("STALE", formula) for formula in shifted_recurrence()),
        recurrence(stale2, 0, n - d, i))
    return proof, conclude(K, "K")


def monotone() -> tuple[Obligation, Obligation]:
    """P(m) <= P(m + n): the terms are nonnegative (induction on n), for every n."""
    proof, conclude = by_induction(
        "window sums 4, monotone partial sums: P(m) <= P(m + n), since "
        "E||grad f(z^{m+n})||^2 >= 0 (lemma recurrence)", monotone_claim, n,
        recurrence(stale2, 0, m + n, i))
    return proof, conclude(n, "n")


def each_lag(shifted: Obligation, increasing: Obligation) -> Obligation:
    """T(d, K) <= P(K), from the shift at n = K and monotonicity at m = max(0, K - d)."""
    return derive(
        "window sums 5, each lag: T(d, K) = P(max(0, K - d)) <= P(K) (window sums 3 at n = K, "
        "window sums 4 at m = max(0, K - d), n = K - m)",
        sp.Le(T(d, K), partial(stale2, K)), earlier(shifted),
        earlier(increasing, {m: sp.Max(0, K - d), n: K - sp.Max(0, K - d)}))


def all_lags(each: Obligation) -> tuple[Obligation, Obligation]:
    """sum_{d=1}^{m} T(d, K) <= m P(K), by induction on m, at m = delta."""
    proof, conclude = by_induction(
        "window sums 6, all lags: sum_{d=1}^{m} T(d, K) <= m P(K) (window sums 5 at d = m + 1; "
        "lemma recurrence)", lags_claim, m, earlier(each, {d: m + 1}),
        recurrence(lambda lag: T(lag, K), 1, m + 1, d))
    return proof, conclude(delta, "delta")


def window_bound() -> tuple[Obligation, ...]:
    """The chain of the module docstring; the last obligation's goal is :data:`BOUND`."""
    summed = summed_recurrence()
    exchanged = exchange(summed[-1])
    shifted, increasing = shift(), monotone()
    each = each_lag(shifted[-1], increasing[-1])
    lags = all_lags(each)
    conclusion = derive(
        "the windows hold each stale gradient at most delta times: sum_{k<K} window_stale2(k) "
        "<= delta P(K) (window sums 2 at n = K, window sums 6 at m = delta)",
        BOUND, earlier(exchanged[-1]), earlier(lags[-1]))
    return (*summed, *exchanged, *shifted, *increasing, each, *lags, conclusion)
