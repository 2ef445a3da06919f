"""CONV-RPD and CONV-TUNED: the nonconvex bound of Randomized PipeDream and its tuned rate.

CONV-RPD runs the shared chain (:func:`~pipeproof.theory.catalogue.convergence.chain.head`, step 5
of
:func:`rpd_staleness`, :func:`~pipeproof.theory.catalogue.convergence.chain.tail`) with the window
constant D = delta^2; CONV-TUNED puts the tuned step size and PipeDream's delays into that bound.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import convergence as cv
from pipeproof.theory.catalogue.common import BOTH, SYMBOLIC
from pipeproof.theory.catalogue.convergence.chain import (
    CHAIN_RULES,
    WINDOW,
    WINDOW_SCALARS,
    descent,
    dist2,
    grad2,
    head,
    hypotheses,
    mean_inner,
    mean_sq,
    partial,
    reduce,
    stale_descent,
    step,
    tail,
    unchecked,
    window2,
    window_g2,
    window_var,
)
from pipeproof.theory.convergence import F0, G, K, L, S, delta, gamma, k
from pipeproof.theory.theorem import Obligation, Theorem, Variant


def rpd_staleness(previous: Obligation) -> tuple[Obligation, ...]:
    """Step 5: E||x^k - z^k||^2 <= gamma^2 delta^2 G^2 (Cauchy-Schwarz over the window)."""
    window = step(
        "step 5a, staleness, Cauchy-Schwarz over the window: x^k - z^k = sum_t v_t over the "
        "delta window positions and 0 <= sum_t ||v_t - m||^2 = sum_t ||v_t||^2 - "
        "||x^k - z^k||^2/delta give E||x^k - z^k||^2 <= delta sum_t E||v_t||^2",
        descent(-gamma / (2 * S) * grad2(k), gamma * L**2 / (2 * S) * delta * window2,
                L * gamma**2 / 2 * G**2),
        previous.goal, reduce(WINDOW, WINDOW_SCALARS), window_var >= 0,
        sp.Eq(dist2(k), delta * mean_inner), sp.Eq(dist2(k), delta**2 * mean_sq))
    moment = step(
        "step 5b, staleness, A4 over the window: ||v_t|| <= gamma ||g^t|| and E||g^t||^2 <= G^2 "
        "at each of the delta positions, so E||x^k - z^k||^2 <= gamma^2 delta^2 G^2",
        stale_descent(cv.stale_window_crude()), window.goal, window2 <= gamma**2 * window_g2,
        window_g2 <= delta * G**2)
    lemma = step("lemma for step 5a, per coordinate (the vector identity is its sum over "
                 "coordinates): sum_t (v_t - m)^2 = sum_t v_t^2 - 2 m sum_t v_t + delta m^2",
                 WINDOW, methods=SYMBOLIC)
    return lemma, window, moment


def rpd() -> Theorem:
    """CONV-RPD: the nonconvex bound of Randomized PipeDream, step by step."""
    steps = head()
    staleness_steps = rpd_staleness(steps[-1])
    constant = gamma * S * L * G**2 + L**2 * cv.stale_distance(cv.stale_window_crude())
    return Theorem(
        id="CONV-RPD",
        title="RPD: (1/K) sum E||grad f(x^k)||^2 <= 2 S F0/(gamma K) + gamma S L G^2 "
              "+ gamma^2 L^2 delta^2 G^2",
        statement=partial(grad2, K) / K <= cv.rpd_bound(),
        hypotheses=hypotheses("CONV-RPD"),
        source="[C] formula (vectozavr/randomized-pipedream); proof [D]",
        obligations=(*steps, *staleness_steps,
                     *tail(staleness_steps[-1], constant, cv.rpd_bound())),
        variants=rpd_variants(),
        notes="The chain is CONV-RPD-STEPS: steps 1-4 (descent lemma on the sampled block, "
              "uniform sampling, polarization, smoothness), step 5 (staleness), the one-step "
              "inequality, the telescoping induction and the rearrangement; each step assumes the "
              "previous one's conclusion and the last concludes the statement. A wrong variant "
              "of the bound is refuted only by a run that meets every hypothesis (the pseudo-Huber "
              "objective with its global L and G, delays at most delta, an exact expectation) "
              "and exceeds it. "
              + unchecked(*CHAIN_RULES[:4], "exchange", *CHAIN_RULES[4:]),
        tags=("empirical",),
    )


def rpd_variants() -> tuple[Variant, ...]:
    """Wrong forms of CONV-RPD's bound; each is refuted only by a stored instance that meets
    every hypothesis and on which the exact expected running average exceeds it (the
    empirical method re-runs the instances)."""
    return (
        Variant("no factor S on the first term: 2 F0/(gamma K) + gamma S L G^2 + "
                "gamma^2 L^2 delta^2 G^2"),
        Variant("delta instead of delta^2: stale term gamma^2 L^2 delta G^2"),
        Variant("stale term dropped: 2 S F0/(gamma K) + gamma S L G^2"),
        Variant("L instead of L^2 in the stale term: gamma^2 L delta^2 G^2"),
    )


def tuned() -> Theorem:
    """CONV-TUNED: the tuned step size, the S^4/K stale term and the S^6 threshold."""
    tuned_step, rate = cv.tuned_step_size(), cv.tuned_rate()
    stale_term = 2 * L * F0 * delta**2 / K
    steady, run = cv.pipedream_steady_delay(), cv.pipedream_run_delay()
    best, other, halved = sp.symbols("gamma_best gamma_other gamma_half", positive=True)
    root = sp.Symbol("R", positive=True)  # sqrt(2 L F0 G^2/K)
    rooted = sp.Eq(root**2 * K, 2 * L * F0 * G**2)
    three_quarters = sp.Rational(3, 4)
    return Theorem(
        id="CONV-TUNED",
        title="Tuned RPD rate 2S sqrt(2 L F0 G^2/K) + 2 L F0 delta^2/K; stale term Theta(S^4/K), "
              "of lower order once K >= c S^6",
        statement=sp.And(sp.Eq(cv.rpd_bound(step_size=tuned_step), rate, evaluate=False),
                         sp.Eq(sp.Symbol("K_star"), cv.dominance_threshold()),
                         sp.Eq(sp.Symbol("c"), cv.six_power_length() / S**6)),
        hypotheses=hypotheses("CONV-TUNED", extra=(
            "gamma = sqrt(2 F0/(L G^2 K)); PipeDream's delta = S^2 - ceil(S/2) (steady state, "
            "STL-PD-MAX) or S^2 - ceil(S/2) + floor((S-1)^2/4) (whole run, STL-PD-WARMUP)",)),
        source="[P] Theta(S^4/K); constants, threshold and step sizes [D]",
        uses=("CONV-RPD", "STL-PD-MAX", "STL-PD-WARMUP"),
        obligations=(
            step("gamma* balances the first two terms: 2 S F0/(gamma* K) = gamma* S L G^2",
                 sp.Eq(2 * S * F0 / (tuned_step * K), tuned_step * S * L * G**2, evaluate=False),
                 methods=SYMBOLIC),
            step("the bound at gamma*: 2 S sqrt(2 L F0 G^2/K) + 2 L F0 delta^2/K",
                 sp.Eq(cv.rpd_bound(step_size=tuned_step), rate, evaluate=False), methods=SYMBOLIC),
            step("steady PipeDream delay: 3 S^2/4 <= S^2 - ceil(S/2) <= S^2 for S >= 2",
                 sp.And(three_quarters * S**2 <= steady, steady <= S**2), S >= 2, parity=(S,)),
            step("its square: S^4 - S^3 - 3 S^2/4 <= delta^2 <= S^4 - S^3 + S^2/4",
                 sp.And(S**4 - S**3 - three_quarters * S**2 <= steady**2,
                        steady**2 <= S**4 - S**3 + S**2 / 4), methods=BOTH, parity=(S,)),
            step("so the stale term is Theta(S^4/K): 9 L F0 S^4/(8K) <= 2 L F0 delta^2/K <= "
                 "2 L F0 S^4/K", sp.And(sp.Rational(9, 8) * L * F0 * S**4 / K <= stale_term,
                                        stale_term <= 2 * L * F0 * S**4 / K),
                 three_quarters * S**2 <= delta, delta <= S**2),
            step("stale term / leading term = sqrt(K*/K), K* = L F0 delta^4/(2 S^2 G^2): they "
                 "meet at K = K*", sp.Eq(stale_term / cv.leading_term(),
                                         sp.sqrt(cv.dominance_threshold() / K), evaluate=False),
                 methods=SYMBOLIC),
            step("K >= (L F0/(2 G^2)) S^6 gives K >= K* when delta <= S^2",
                 cv.dominance_threshold() <= K, delta <= S**2, cv.six_power_length() <= K),
            step("and S^6 is needed: K* >= (81/256)(L F0/(2 G^2)) S^6 when delta >= 3 S^2/4",
                 cv.dominance_threshold() >= sp.Rational(81, 256) * cv.six_power_length(),
                 delta >= three_quarters * S**2),
            step("whole-run delay (STL-PD-WARMUP): <= 5 S^2/4, >= 3 S^2/4 for S >= 2, >= S^2 for "
                 "S >= 4", sp.And(run <= sp.Rational(5, 4) * S**2,
                                  sp.Implies(S >= 2, run >= three_quarters * S**2),
                                  sp.Implies(S >= 4, run >= S**2)), parity=(S,)),
            step("with the whole-run delay, K >= (625/512)(L F0/G^2) S^6 suffices, and the stale "
                 "term is at most 25 L F0 S^4/(8K)",
                 sp.And(cv.dominance_threshold() <= K,
                        stale_term <= sp.Rational(25, 8) * L * F0 * S**4 / K),
                 delta <= sp.Rational(5, 4) * S**2,
                 cv.six_power_length(sp.Rational(5, 4)) <= K),
            step("best step for fixed K: the positive root of 2 L^2 G^2 delta^2 g^3 + S L G^2 g^2 "
                 "= 2 S F0/K minimises the bound", cv.rpd_bound(step_size=best) <= cv.rpd_bound(),
                 sp.Eq(cv.best_step_equation(best), 0)),
            step("that root is unique", sp.Eq(best, other), sp.Eq(cv.best_step_equation(best), 0),
                 sp.Eq(cv.best_step_equation(other), 0)),
            step("and bracketed: g^2 <= gamma*^2 and 2 L^2 G^2 delta^2 g^3 <= 2 S F0/K; one of the "
                 "two terms is at least half of 2 S F0/K",
                 sp.And(L * G**2 * K * best**2 <= 2 * F0,
                        2 * L**2 * G**2 * delta**2 * best**3 <= 2 * S * F0 / K,
                        sp.Or(2 * S * L * G**2 * best**2 >= 2 * S * F0 / K,
                              4 * L**2 * G**2 * delta**2 * best**3 >= 2 * S * F0 / K)),
                 sp.Eq(cv.best_step_equation(best), 0)),
            step("iteration complexity: K >= max(32 S^2 L F0 G^2/eps^2, 4 L F0 delta^2/eps) gives "
                 "a tuned rate <= eps (R = sqrt(2 L F0 G^2/K))",
                 2 * S * root + stale_term <= cv.epsilon, rooted,
                 32 * S**2 * L * F0 * G**2 / cv.epsilon**2 <= K,
                 4 * L * F0 * delta**2 / cv.epsilon <= K),
        ),
        variants=(
            Variant("S^4 instead of S^6: K >= (L F0/(2 G^2)) S^4 makes the stale term of lower "
                    "order", (step("threshold S^4 for the steady delay", stale_term <= 2 * S * root,
                                   rooted, sp.Eq(delta, steady),
                                   cv.six_power_length() / S**2 <= K),)),
            Variant("missing factor 2 in gamma*: gamma = sqrt(F0/(L G^2 K)) attains the rate",
                    (step("the rate at sqrt(F0/(L G^2 K)), without delays",
                          cv.rpd_bound(step_size=halved) <= 2 * S * root + stale_term, rooted,
                          sp.Eq(halved**2 * L * G**2 * K, F0), sp.Eq(delta, 0)),)),
            Variant("delta instead of delta^2 in the tuned rate: "
                    "2 S sqrt(2 L F0 G^2/K) + 2 L F0 delta/K at gamma*"),
            Variant("Theta(S^2/K): delta^2 <= S^2 for delta = S^2 - ceil(S/2)",
                    (step("delta^2 <= S^2", delta**2 <= S**2, sp.Eq(delta, steady),
                          methods=BOTH),)),
        ),
        notes="K* = L F0 delta^4/(2 S^2 G^2) is where the stale term meets the leading one; "
              "with delta = S^2 - ceil(S/2) it lies between (81/512) and (1/2) L F0 S^6/G^2, so "
              "c = L F0/(2 G^2) in K >= c S^6. With the whole-run delay (STL-PD-WARMUP) "
              "c = 625 L F0/(512 G^2) and the stale term is at most 25 L F0 S^4/(8K). Every "
              "obligation is a closed-form fact about the bound of CONV-RPD (whose chain lists "
              "its rules), proved for every parameter value; none uses a rule unchecked.",
        tags=("empirical",),
    )
