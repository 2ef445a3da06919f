"""CONV-RPD and CONV-TUNED: the nonconvex bound of Randomized PipeDream and its tuned rate.

CONV-RPD runs the shared chain (:func:`~pipeproof.theory.catalogue.convergence.chain.head`,
step 5 of :func:`rpd_staleness`, :func:`~pipeproof.theory.catalogue.convergence.chain.tail`) with
the window constant D = delta^2; CONV-TUNED puts the tuned step size and PipeDream's delays
into that bound.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import convergence as cv
from pipeproof.theory.assumptions import any_step
from pipeproof.theory.catalogue.common import BOTH
from pipeproof.theory.catalogue.convergence import tuned as tuned_proof
from pipeproof.theory.catalogue.convergence.chain import (
    DERIVED_RULES,
    dist2,
    grad2,
    head,
    hypotheses,
    partial,
    stale_descent,
    step,
    tail,
    unchecked,
    window2,
    window_g2,
)
from pipeproof.theory.catalogue.convergence.premises import assumed, derive, earlier
from pipeproof.theory.catalogue.convergence.proofs import (
    DERIVATION,
    formal_hypotheses,
    lemma_notes,
)
from pipeproof.theory.convergence import F0, G, K, L, S, delta, gamma, k
from pipeproof.theory.lemmas import LEMMAS, induction, recurrence, witness
from pipeproof.theory.theorem import Obligation, Theorem, Variant

lag = sp.Symbol("n", integer=True, nonnegative=True)  # updates summed over the window


def window_moments() -> tuple[Obligation, Obligation]:
    """A4 over the window: sum_{d=1}^{n} E||g^{k-d}||^2 <= n G^2, by induction on n."""
    def bounded(length):
        return sp.Le(cv.window_sum(length), length * G**2, evaluate=False)

    proof = derive(
        "stale distance 2, A4 over the window, induction on n: base n = 0 and step n to n + 1 of "
        "sum_{d=1}^{n} E||g^{k-d}||^2 <= n G^2 (A4 at step k - 1 - n, lemma recurrence)",
        sp.And(bounded(0), sp.Implies(bounded(lag), bounded(lag + 1))),
        assumed("A4", cv.update2(any_step) <= G**2, {any_step: k - 1 - lag}),
        recurrence(lambda d: cv.update2(k - d), 1, lag + 1, cv.window_lag))
    at_window = derive("stale distance 3, A4 over the window at n = window_n (lemma induction)",
                       bounded(cv.window_n), earlier(proof, {lag: witness}),
                       induction(bounded, cv.window_n))
    return proof, at_window


def rpd_staleness(previous: Obligation) -> tuple[Obligation, ...]:
    """Step 5: E||x^k - z^k||^2 <= gamma^2 delta^2 G^2, from the stale point's definition."""
    count = derive(
        "stale distance 1, the window count: the window holds the updates since the block read "
        "longest ago, window_n = d_j (STALE), and d_j <= delta (DELAY)",
        cv.window_n <= delta, assumed("STALE", sp.Eq(cv.window_n, cv.longest_delay)),
        assumed("DELAY", cv.longest_delay <= delta))
    moments, at_window = window_moments()
    spread = derive(
        "stale distance 4, Cauchy-Schwarz over the window: x^k - z^k = sum_t v_t over the "
        "window_n updates of the window (STALE), so E||x^k - z^k||^2 <= window_n sum_t "
        "E||v_t||^2 (lemma cauchy-schwarz) <= gamma^2 window_n sum_t E||g^t||^2 (||v_t|| <= "
        "gamma ||g^t||, STALE)", dist2(k) <= gamma**2 * cv.window_n * window_g2,
        LEMMAS["cauchy-schwarz"].at(norm2_sum=dist2(k), count=cv.window_n, sum_norm2=window2),
        assumed("STALE", window2 <= gamma**2 * window_g2))
    distance = derive(
        "stale distance 5: E||x^k - z^k||^2 <= gamma^2 window_n^2 G^2 <= gamma^2 delta^2 G^2 "
        "(stale distance 1, 3 and 4; window_g2 = sum_{d=1}^{window_n} E||g^{k-d}||^2, STALE)",
        dist2(k) <= cv.stale_distance(cv.stale_window_crude()), earlier(count),
        earlier(at_window), earlier(spread),
        assumed("STALE", sp.Eq(window_g2, cv.window_sum(cv.window_n))))
    stale = derive(
        "step 5, staleness: E||x^k - z^k||^2 <= gamma^2 delta^2 G^2 (stale distance 5)",
        stale_descent(cv.stale_window_crude()), earlier(previous), earlier(distance))
    return count, moments, at_window, spread, distance, stale


def rpd() -> Theorem:
    """CONV-RPD: the nonconvex bound of Randomized PipeDream, step by step."""
    steps = head()
    staleness_steps = rpd_staleness(steps[-1])
    constant = gamma * S * L * G**2 + L**2 * cv.stale_distance(cv.stale_window_crude())
    obligations = (*steps, *staleness_steps,
                   *tail(staleness_steps[-1], constant, cv.rpd_bound()))
    return Theorem(
        id="CONV-RPD",
        expected="proved",
        title="RPD: (1/K) sum E||grad f(x^k)||^2 <= 2 S F0/(gamma K) + gamma S L G^2 "
              "+ gamma^2 L^2 delta^2 G^2",
        statement=partial(grad2, K) / K <= cv.rpd_bound(),
        hypotheses=hypotheses("CONV-RPD"),
        source="[C] formula (vectozavr/randomized-pipedream); proof [D]",
        obligations=obligations,
        variants=rpd_variants(),
        notes=DERIVATION
        + "The chain: steps 1-4 (descent lemma on the sampled block, uniform sampling, "
              "polarization, smoothness), the stale distance (the window count <= delta, A4 "
              "summed over the window by induction, Cauchy-Schwarz over the window) and step 5, "
              "the one-step inequality, the telescoping induction and the rearrangement; each "
              "premise is an assumption record, a definition of the algorithm, a lemma or an "
              "earlier goal, and the last step concludes the statement. A refuted variant "
              "is a step whose conclusion does not follow from its premises (Z3 gives values of "
              "the scalars that satisfy them). " + lemma_notes(obligations)
              + " " + unchecked(*DERIVED_RULES),
        assumptions=formal_hypotheses(),
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
    stale_term = 2 * L * F0 * delta**2 / K
    steady = cv.pipedream_steady_delay()
    halved = sp.Symbol("gamma_half", positive=True)
    root = sp.Symbol("R", positive=True)  # sqrt(2 L F0 G^2/K)
    rooted = sp.Eq(root**2 * K, 2 * L * F0 * G**2)
    return Theorem(
        id="CONV-TUNED",
        title="Tuned RPD rate 2S sqrt(2 L F0 G^2/K) + 2 L F0 delta^2/K; stale term Theta(S^4/K), "
              "of lower order once K >= c S^6",
        statement=tuned_proof.statement(),
        hypotheses=hypotheses("CONV-TUNED", extra=(
            "gamma = sqrt(2 F0/(L G^2 K)), written gamma^2 L G^2 K = 2 F0, and R = "
            "sqrt(2 L F0 G^2/K), written R^2 K = 2 L F0 G^2; PipeDream's delta_ss = "
            "S^2 - ceil(S/2) (steady state, STL-PD-MAX) or delta_run = S^2 - ceil(S/2) + "
            "floor((S-1)^2/4) (whole run, STL-PD-WARMUP)",)),
        source="[P] Theta(S^4/K); constants, threshold and step sizes [D]",
        uses=("CONV-RPD", "STL-PD-MAX", "STL-PD-WARMUP"),
        obligations=tuned_proof.obligations(),
        assumptions=tuned_proof.assumptions(),
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
