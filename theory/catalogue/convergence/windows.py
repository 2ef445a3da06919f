"""The window sums of CONV-NOG: sum_{k<K} window_stale2(k) <= delta P(K).

With e(t) = E||grad f(z^t)||^2 for t >= 0 and e(t) = 0 for t < 0, the window of step k holds the
stale gradients of the delta steps before it, indexed by the lag d = k - t:

    window_stale2(k) = sum_{d=1}^{delta} e(k - d),    P(n) = sum_{k<n} E||grad f(z^k)||^2.

Each stale gradient lies in at most delta windows, so sum_{k<K} window_stale2(k) <= delta P(K)
for every K and delta. The chain proves it with no finite check; besides the definition of the
window, its only rules are the definition of a finite sum by its recurrence and induction. With
T(d, n) = sum_{k<n} e(k - d), defined by T(d, 0) = 0 and T(d, n + 1) = T(d, n) + e(n - d):

1. T's recurrence summed over the lags: sum_{d=1}^{m} T(d, n + 1) = sum_{d=1}^{m} T(d, n)
   + sum_{d=1}^{m} e(n - d) and sum_{d=1}^{m} T(d, 0) = 0 (induction on m);
2. the exchange: sum_{k<n} window_stale2(k) = sum_{d=1}^{delta} T(d, n), the two orders of the
   double sum over the rectangle 1 <= d <= delta, 0 <= k <= n - 1 (induction on n: its step
   adds sum_{d=1}^{delta} e(n - d) to both sides, by the window's definition on the left and by
   step 1 at m = delta on the right);
3. the shift: T(d, n) = P(max(0, n - d)) for every lag d >= 1 (induction on n);
4. monotonicity: P(m) <= P(n) for 0 <= m <= n, the terms being nonnegative (induction on n);
5. each lag: T(d, K) = P(max(0, K - d)) <= P(K);
6. all lags: sum_{d=1}^{m} T(d, K) <= m P(K) (induction on m), used at m = delta.

The obligations are named "window sums 1" to "window sums 6" after these steps.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from pipeproof.theory.catalogue.convergence.chain import i, partial, stale2, step
from pipeproof.theory.convergence import K, delta
from pipeproof.theory.theorem import Obligation

window_stale2 = sp.Function("window_stale2", nonnegative=True)
shifted_stale2 = sp.Function("T")  # T(d, n) = sum_{k<n} e(k - d), by its recurrence
d = sp.Symbol("d", integer=True, positive=True)  # lag k - t of a window step
n = sp.Symbol("n", integer=True, nonnegative=True)  # steps summed
m = sp.Symbol("m", integer=True, nonnegative=True)  # lags summed, or a shorter length
RECURRENCE = "(finite sums defined by their recurrence)"
"""How the induction steps name the rule that links their sums."""
Term = Callable[[sp.Expr], sp.Expr]
"""A summand as a function of its index."""


def lagged(index: sp.Expr, lag: sp.Expr) -> sp.Expr:
    """e(index - lag): E||grad f(z^{index - lag})||^2, and 0 before the first step."""
    return sp.Piecewise((stale2(index - lag), index >= lag), (0, True))


def lag_sum(term: Term, lags: sp.Expr) -> sp.Expr:
    """sum_{d=1}^{lags} term(d)."""
    return sp.Sum(term(d), (d, 1, lags))


def grows(term: Term, lower: sp.Expr, upper: sp.Expr, index: sp.Symbol = i) -> sp.Basic:
    """sum_{index=lower}^{upper} term = sum_{index=lower}^{upper-1} term + term(upper).

    Finite sums are defined by this recurrence; the obligations state it where they need it.
    """
    return sp.Eq(sp.Sum(term(index), (index, lower, upper)),
                 sp.Sum(term(index), (index, lower, upper - 1)) + term(upper), evaluate=False)


def window_definition(index: sp.Expr) -> sp.Basic:
    """window_stale2(index) = sum_{d=1}^{delta} e(index - d)."""
    return sp.Eq(window_stale2(index), lag_sum(lambda lag: lagged(index, lag), delta))


def shifted_recurrence(lag: sp.Expr, steps: sp.Expr) -> tuple[sp.Basic, sp.Basic]:
    """T(lag, 0) = 0 and T(lag, steps + 1) = T(lag, steps) + e(steps - lag): T's definition."""
    return (sp.Eq(shifted_stale2(lag, 0), 0),
            sp.Eq(shifted_stale2(lag, steps + 1),
                  shifted_stale2(lag, steps) + lagged(steps, lag)))


def exchange_claim(steps: sp.Expr) -> sp.Basic:
    """sum_{k<steps} window_stale2(k) = sum_{d=1}^{delta} T(d, steps)."""
    return sp.Eq(partial(window_stale2, steps),
                 lag_sum(lambda lag: shifted_stale2(lag, steps), delta), evaluate=False)


def shift_claim(steps: sp.Expr) -> sp.Basic:
    """T(d, steps) = P(max(0, steps - d))."""
    return sp.Eq(shifted_stale2(d, steps), partial(stale2, sp.Max(0, steps - d)), evaluate=False)


def monotone_claim(shorter: sp.Expr, longer: sp.Expr) -> sp.Basic:
    """P(shorter) <= P(longer)."""
    return sp.Le(partial(stale2, shorter), partial(stale2, longer), evaluate=False)


def lags_claim(lags: sp.Expr) -> sp.Basic:
    """sum_{d=1}^{lags} T(d, K) <= lags P(K)."""
    return sp.Le(lag_sum(lambda lag: shifted_stale2(lag, K), lags),
                 lags * partial(stale2, K), evaluate=False)


BOUND = sp.Le(partial(window_stale2, K), delta * partial(stale2, K))
"""sum_{k<K} window_stale2(k) <= delta P(K): the conclusion of the chain."""


SUMMED_TERMS: tuple[Term, ...] = (
    lambda lag: shifted_stale2(lag, 0), lambda lag: shifted_stale2(lag, n + 1),
    lambda lag: shifted_stale2(lag, n), lambda lag: lagged(n, lag))
"""T(d, 0), T(d, n + 1), T(d, n) and e(n - d): the terms of T's recurrence, as functions of d."""


def summed_claims(lags: sp.Expr) -> tuple[sp.Basic, sp.Basic]:
    """sum_{d=1}^{lags} T(d, 0) = 0 and sum_{d=1}^{lags} T(d, n + 1) = sum_{d=1}^{lags} T(d, n)
    + sum_{d=1}^{lags} e(n - d): T's recurrence summed over the lags."""
    zero, after, before, added = (lag_sum(term, lags) for term in SUMMED_TERMS)
    return sp.Eq(zero, 0, evaluate=False), sp.Eq(after, before + added, evaluate=False)


def summed_recurrence() -> Obligation:
    """T's recurrence summed over the lags d = 1..m, by induction on m."""
    return step(
        "window sums 1, T(d, n) = sum_{k<n} e(k - d) summed over the lags: sum_{d=1}^{m} T(d, 0) "
        "= 0 and sum_{d=1}^{m} T(d, n + 1) = sum_{d=1}^{m} T(d, n) + sum_{d=1}^{m} e(n - d); "
        f"induction on m: base m = 0 and step m to m + 1 {RECURRENCE}",
        sp.And(*summed_claims(0), *summed_claims(m + 1)), *summed_claims(m),
        *shifted_recurrence(m + 1, n), *(grows(term, 1, m + 1, d) for term in SUMMED_TERMS))


def exchange() -> Obligation:
    """sum_{k<n} window_stale2(k) = sum_d T(d, n), by induction on n (the rectangle exchange)."""
    return step(
        "window sums 2, exchange over the rectangle 1 <= d <= delta, 0 <= k <= n - 1: "
        "sum_{k<n} window_stale2(k) = sum_{d=1}^{delta} T(d, n), with "
        "window_stale2(k) = sum_{d=1}^{delta} e(k - d) and window sums 1 at m = delta; "
        f"induction on n: base n = 0 and step n to n + 1 {RECURRENCE}",
        sp.And(exchange_claim(0), exchange_claim(n + 1)), exchange_claim(n),
        *summed_claims(delta), window_definition(n), grows(window_stale2, 0, n))


def shift() -> Obligation:
    """T(d, n) = P(max(0, n - d)), by induction on n."""
    return step(
        "window sums 3, shift: T(d, n) = P(max(0, n - d)) for every lag d >= 1, "
        f"P(n) = sum_{{k<n}} E||grad f(z^k)||^2; induction on n: base n = 0 and step n to n + 1 "
        f"{RECURRENCE}",
        sp.And(shift_claim(0), shift_claim(n + 1)), shift_claim(n), *shifted_recurrence(d, n),
        sp.Implies(n >= d, grows(stale2, 0, n - d)))


def monotone() -> Obligation:
    """P(m) <= P(n) for m <= n: the terms are nonnegative (induction on n from n = m)."""
    return step(
        "window sums 4, monotone partial sums: P(m) <= P(n) for 0 <= m <= n, since "
        "E||grad f(z^n)||^2 >= 0; induction on n: base n = m (P(m) <= P(m)) and step n to n + 1 "
        f"{RECURRENCE}",
        monotone_claim(m, n + 1), m <= n, monotone_claim(m, n), grows(stale2, 0, n))


def each_lag() -> Obligation:
    """T(d, K) <= P(K), from the shift and monotonicity at m = max(0, K - d), n = K."""
    start = sp.Max(0, K - d)
    return step(
        "window sums 5, each lag: T(d, K) = P(max(0, K - d)) <= P(K) (window sums 3 at n = K, "
        "window sums 4 at m = max(0, K - d), n = K)",
        sp.Le(shifted_stale2(d, K), partial(stale2, K)), shift_claim(K),
        sp.Implies(start <= K, monotone_claim(start, K)))


def all_lags(each: Obligation) -> Obligation:
    """sum_{d=1}^{m} T(d, K) <= m P(K), by induction on m."""
    return step(
        "window sums 6, all lags: sum_{d=1}^{m} T(d, K) <= m P(K) (window sums 5 at d = m + 1); "
        f"induction on m: base m = 0 and step m to m + 1 {RECURRENCE}",
        sp.And(lags_claim(0), lags_claim(m + 1)), lags_claim(m), each.goal.subs(d, m + 1),
        grows(lambda lag: shifted_stale2(lag, K), 1, m + 1, d))


def window_bound() -> tuple[Obligation, ...]:
    """The chain of the module docstring; the last obligation's goal is :data:`BOUND`."""
    each = each_lag()
    conclusion = step(
        "the windows hold each stale gradient at most delta times: sum_{k<K} window_stale2(k) "
        "<= delta P(K) (window sums 2 at n = K, window sums 6 at m = delta)",
        BOUND, exchange_claim(K), lags_claim(delta))
    return (summed_recurrence(), exchange(), shift(), monotone(), each, all_lags(each),
            conclusion)
