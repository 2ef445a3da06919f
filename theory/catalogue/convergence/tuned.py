"""CONV-TUNED's formal statement and obligations: the bound of CONV-RPD at the tuned step size.

The tuned step size gamma* = sqrt(2 F0/(L G^2 K)) and the leading term's root
R = sqrt(2 L F0 G^2/K) are written as positive symbols with gamma^2 L G^2 K = 2 F0 and
R^2 K = 2 L F0 G^2, so that every obligation and the coverage check stay within polynomial
arithmetic. PipeDream's delays come from the schedule theorems by id: the steady maximum
delta_ss = S^2 - ceil(S/2) (STL-PD-MAX) and the whole-run maximum delta_run (STL-PD-WARMUP).
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import convergence as cv
from pipeproof.theory.catalogue.common import BOTH
from pipeproof.theory.catalogue.convergence.premises import derive, earlier, hypothesis
from pipeproof.theory.catalogue.convergence.proofs import formal_hypotheses
from pipeproof.theory.convergence import F0, G, K, L, S, delta, epsilon, gamma
from pipeproof.theory.theorem import Obligation

root = sp.Symbol("R", positive=True)  # sqrt(2 L F0 G^2/K)
steady = sp.Symbol("delta_ss", nonnegative=True)  # STL-PD-MAX: S^2 - ceil(S/2)
run = sp.Symbol("delta_run", integer=True, nonnegative=True)  # STL-PD-WARMUP
best, other = sp.symbols("gamma_best gamma_other", positive=True)
TUNED = sp.Eq(gamma**2 * L * G**2 * K, 2 * F0)
"""gamma = sqrt(2 F0/(L G^2 K)), without the root."""
ROOTED = sp.Eq(root**2 * K, 2 * L * F0 * G**2)
"""R = sqrt(2 L F0 G^2/K), without the root."""
STEADY = sp.Eq(steady, cv.pipedream_steady_delay())
"""delta_ss is PipeDream's steady maximum delay, the value STL-PD-MAX proves: a hypothesis."""
RUN = sp.Eq(run, cv.pipedream_run_delay())
"""delta_run is PipeDream's whole-run maximum delay, the value STL-PD-WARMUP states: a
hypothesis."""
THREE_QUARTERS = sp.Rational(3, 4)


def stale_term(max_delay: sp.Expr = delta) -> sp.Expr:
    """2 L F0 delta^2/K: the stale term of the bound at gamma*."""
    return 2 * L * F0 * max_delay**2 / K


def statement() -> sp.Basic:
    """The bound at gamma* is 2 S R + 2 L F0 delta^2/K; at PipeDream's steady delay the stale
    term lies between 9 L F0 S^4/(8K) and 2 L F0 S^4/K (S >= 2), and is at most the leading
    term once K >= (L F0/(2 G^2)) S^6."""
    return sp.And(
        sp.Eq(cv.rpd_bound(), 2 * S * root + stale_term(), evaluate=False),
        sp.Implies(S >= 2, sp.And(sp.Rational(9, 8) * L * F0 * S**4 / K <= stale_term(steady),
                                  stale_term(steady) <= 2 * L * F0 * S**4 / K)),
        sp.Implies(cv.six_power_length() <= K, stale_term(steady) <= 2 * S * root))


def assumptions() -> tuple[sp.Basic, ...]:
    """The domains, gamma = gamma*, R's definition and PipeDream's steady delay."""
    return formal_hypotheses(sp.Gt(root, 0, evaluate=False), TUNED, ROOTED, STEADY)


def rate() -> tuple[Obligation, Obligation]:
    """The bound at gamma*: the first two terms balance and sum to 2 S R."""
    balance = derive("gamma* balances the first two terms: 2 S F0/(gamma* K) = gamma* S L G^2",
                     sp.Eq(2 * S * F0 / (gamma * K), gamma * S * L * G**2, evaluate=False),
                     hypothesis(TUNED))
    bound = derive("the bound at gamma*: 2 S sqrt(2 L F0 G^2/K) + 2 L F0 delta^2/K",
                   sp.Eq(cv.rpd_bound(), 2 * S * root + stale_term(), evaluate=False),
                   earlier(balance), hypothesis(TUNED), hypothesis(ROOTED))
    return balance, bound


def steady_order() -> tuple[Obligation, ...]:
    """Theta(S^4/K) at the steady delay, and where the stale term falls below the leading one."""
    upper = derive("steady PipeDream delay (STL-PD-MAX): delta_ss <= S^2",
                   steady <= S**2, hypothesis(STEADY), parity=(S,))
    lower = derive("and 3 S^2/4 <= delta_ss for S >= 2", sp.Le(THREE_QUARTERS * S**2, steady),
                   hypothesis(STEADY), domains=(S >= 2,), parity=(S,))
    square = derive("its square: S^4 - S^3 - 3 S^2/4 <= delta^2 <= S^4 - S^3 + S^2/4",
                    sp.And(sp.Le(S**4 - S**3 - THREE_QUARTERS * S**2,
                                 cv.pipedream_steady_delay()**2),
                           cv.pipedream_steady_delay()**2 <= S**4 - S**3 + S**2 / 4),
                    methods=BOTH, parity=(S,))
    order = derive("so the stale term is Theta(S^4/K): 9 L F0 S^4/(8K) <= 2 L F0 delta_ss^2/K <= "
                   "2 L F0 S^4/K", sp.And(sp.Rational(9, 8) * L * F0 * S**4 / K
                                          <= stale_term(steady),
                                          stale_term(steady) <= 2 * L * F0 * S**4 / K),
                   earlier(upper), earlier(lower), domains=(S >= 2,))
    enough = derive("K >= (L F0/(2 G^2)) S^6 gives K >= K* = L F0 delta_ss^4/(2 S^2 G^2)",
                    sp.Implies(cv.six_power_length() <= K,
                               cv.dominance_threshold(steady**2) <= K), earlier(upper))
    meet = derive("the stale term is at most the leading term 2 S R exactly when K >= K*",
                  sp.Implies(cv.dominance_threshold(delta**2) <= K,
                             stale_term() <= 2 * S * root), hypothesis(ROOTED))
    needed = derive("and S^6 is needed: K* >= (81/256)(L F0/(2 G^2)) S^6 for S >= 2",
                    cv.dominance_threshold(steady**2)
                    >= sp.Rational(81, 256) * cv.six_power_length(), earlier(lower),
                    domains=(S >= 2,))
    return upper, lower, square, order, enough, meet, needed


def whole_run() -> tuple[Obligation, Obligation]:
    """The whole-run delay of STL-PD-WARMUP, S^2 - ceil(S/2) + floor((S - 1)^2/4), written as
    that formula: 3 S^2/4 <= it <= 5 S^2/4."""
    run = cv.pipedream_run_delay()
    bounds = derive("whole-run delay (STL-PD-WARMUP): <= 5 S^2/4, >= 3 S^2/4 for S >= 2, >= S^2 "
                    "for S >= 4", sp.And(run <= sp.Rational(5, 4) * S**2,
                                         sp.Implies(S >= 2, run >= THREE_QUARTERS * S**2),
                                         sp.Implies(S >= 4, run >= S**2)),
                    parity=(S,))
    length = derive("with the whole-run delay, K >= (625/512)(L F0/G^2) S^6 suffices, and the "
                    "stale term is at most 25 L F0 S^4/(8K)",
                    sp.Implies(cv.six_power_length(sp.Rational(5, 4)) <= K,
                               sp.And(cv.dominance_threshold(run**2) <= K,
                                      stale_term(run) <= sp.Rational(25, 8) * L * F0 * S**4 / K)),
                    earlier(bounds), parity=(S,))
    return bounds, length


def best_step() -> tuple[Obligation, ...]:
    """The best step size for fixed K and the iteration complexity."""
    root_of = sp.Eq(cv.best_step_equation(best), 0)
    return (
        derive("best step for fixed K: the positive root of 2 L^2 G^2 delta^2 g^3 + S L G^2 g^2 "
               "= 2 S F0/K minimises the bound",
               sp.Implies(root_of, cv.rpd_bound(step_size=best) <= cv.rpd_bound())),
        derive("that root is unique", sp.Implies(sp.And(root_of, sp.Eq(
            cv.best_step_equation(other), 0)), sp.Eq(best, other))),
        derive("and bracketed: g^2 <= gamma*^2 and 2 L^2 G^2 delta^2 g^3 <= 2 S F0/K; one of the "
               "two terms is at least half of 2 S F0/K",
               sp.Implies(root_of, sp.And(
                   L * G**2 * K * best**2 <= 2 * F0,
                   2 * L**2 * G**2 * delta**2 * best**3 <= 2 * S * F0 / K,
                   sp.Or(2 * S * L * G**2 * best**2 >= 2 * S * F0 / K,
                         4 * L**2 * G**2 * delta**2 * best**3 >= 2 * S * F0 / K)))),
        derive("iteration complexity: K >= max(32 S^2 L F0 G^2/eps^2, 4 L F0 delta^2/eps) gives "
               "a tuned rate <= eps",
               sp.Implies(sp.And(32 * S**2 * L * F0 * G**2 / epsilon**2 <= K,
                                 4 * L * F0 * delta**2 / epsilon <= K),
                          2 * S * root + stale_term() <= epsilon), hypothesis(ROOTED)),
    )


def obligations() -> tuple[Obligation, ...]:
    """Every obligation of CONV-TUNED, in order."""
    return (*rate(), *steady_order(), *whole_run(), *best_step())


__all__ = ["ROOTED", "RUN", "STEADY", "TUNED", "assumptions", "obligations", "statement"]
