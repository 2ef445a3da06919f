"""CONV-VAR and CONV-NOG: the variance forms, with and without the second-moment bound A4.

Both replace step 2 of the shared chain by sampling with the block variances of A3' and keep the
stale-gradient term of the polarization; CONV-VAR drops it under gamma <= 1/L, CONV-NOG charges
the stale gradients of the delay window against it (the window sums of
:mod:`pipeproof.theory.catalogue.convergence.windows`).
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import convergence as cv
from pipeproof.theory.catalogue.convergence import window_moments
from pipeproof.theory.catalogue.convergence.chain import (
    DERIVED_RULES,
    POLARIZATION_SCALARS,
    D,
    b,
    block_stale2,
    block_var,
    cross,
    descent,
    dist2,
    grad2,
    grad_gap2,
    hypotheses,
    partial,
    reduced,
    sampled_descent,
    stale2,
    tail,
    unchecked,
)
from pipeproof.theory.catalogue.convergence.premises import (
    assumed,
    derive,
    earlier,
    hypothesis,
)
from pipeproof.theory.catalogue.convergence.proofs import (
    DERIVATION,
    formal_hypotheses,
    lemma_notes,
)
from pipeproof.theory.catalogue.convergence.windows import window_bound, window_stale2
from pipeproof.theory.convergence import K, L, S, delta, gamma, k, sigma
from pipeproof.theory.lemmas import LEMMAS
from pipeproof.theory.theorem import Obligation, Theorem, Variant

VARIANCES = sp.Eq(sp.Sum((block_stale2(b) + block_var(b)) / S, (b, 0, S - 1)),
                  (sp.Sum(block_stale2(b), (b, 0, S - 1)) + sp.Sum(block_var(b), (b, 0, S - 1)))
                  / S)


def variance_sampling(first: Obligation) -> Obligation:
    """Step 2 with A3 and A3': E||g^k||^2 <= (E||grad f(z^k)||^2 + sigma^2)/S."""
    return derive(
        "step 2, uniform sampling with variances: E<grad_s f(x), g> = (1/S) E<grad f(x), "
        "grad f(z)> (lemmas tower, blocks, uniform block); E_xi ||g_s||^2 <= ||grad_s f(z)||^2 + "
        "sigma_s^2 averaged over s (lemma variance), = (E||grad f(z^k)||^2 + sigma^2)/S (lemmas "
        "variance split, block norms; A3')",
        descent(-gamma / S * cross, L * gamma**2 / (2 * S) * (stale2(k) + sigma**2)),
        earlier(first), LEMMAS["tower"].at(), LEMMAS["blocks"].at(),
        LEMMAS["uniform block"].at(), LEMMAS["variance"].at(), LEMMAS["variance split"].at(),
        LEMMAS["block norms"].at(),
        assumed("A3'", sp.Eq(sp.Sum(block_var(b), (b, 0, S - 1)), sigma**2)))


def variance_polarization(previous: Obligation) -> Obligation:
    """Step 3 keeping -||b||^2/2, which the step-size condition then absorbs."""
    return derive(
        "step 3, polarization keeping -(gamma/2S)(1 - L gamma) E||grad f(z^k)||^2 (lemma "
        "polarization)",
        descent(-gamma / (2 * S) * grad2(k), -gamma / (2 * S) * (1 - L * gamma) * stale2(k),
                gamma / (2 * S) * grad_gap2, L * gamma**2 * sigma**2 / (2 * S)),
        earlier(previous), reduced("polarization", POLARIZATION_SCALARS))


def variance_chain() -> tuple[Obligation, ...]:
    """Step 1 and the lemmas it needs, and steps 2 and 3 of the variance forms."""
    first = sampled_descent()
    second = variance_sampling(first)
    return (first, LEMMAS["uniform block"].obligation(), LEMMAS["variance split"].obligation(),
            second, LEMMAS["polarization"].obligation(), variance_polarization(second))


STALE_BOUND = dist2(k) <= cv.stale_distance(D)
"""E||x^k - z^k||^2 <= gamma^2 G^2 D: CONV-VAR's hypothesis on the window constant D."""


def variance() -> Theorem:
    """CONV-VAR: the variance form, for gamma <= 1/L."""
    chain = variance_chain()
    third = chain[-1]
    noise = L * gamma**2 * sigma**2 / (2 * S)
    condition = derive(
        "step-size condition L gamma <= 1: the stale-gradient term is <= 0",
        descent(-gamma / (2 * S) * grad2(k), gamma / (2 * S) * grad_gap2, noise),
        earlier(third), hypothesis(cv.variance_condition()))
    smooth = derive("step 4, smoothness (A1)",
                    descent(-gamma / (2 * S) * grad2(k), gamma * L**2 / (2 * S) * dist2(k),
                            noise),
                    earlier(condition), assumed("A1", grad_gap2 <= L**2 * dist2(k)))
    stale = derive("step 5, staleness: E||x^k - z^k||^2 <= gamma^2 G^2 D (the hypothesis on D: "
                   "CONV-RPD's stale distance 5 proves it for D = delta^2, CONV-BLOCK's block "
                   "counting for D = delta^2/S + delta(1 - 1/S))",
                   descent(-gamma / (2 * S) * grad2(k), gamma * L**2 / (2 * S)
                           * cv.stale_distance(D), noise),
                   earlier(smooth), hypothesis(STALE_BOUND))
    obligations = (*chain, condition, smooth, stale,
                   *tail(stale, gamma * L * sigma**2 + L**2 * cv.stale_distance(D),
                         cv.variance_bound(D)))
    return Theorem(
        id="CONV-VAR",
        expected="proved",
        title="Variance form: 2 S F0/(gamma K) + gamma L sigma^2 + gamma^2 L^2 G^2 D for "
              "gamma <= 1/L",
        statement=partial(grad2, K) / K <= cv.variance_bound(D),
        hypotheses=hypotheses("CONV-VAR", extra=(
            "gamma <= 1/L", "E||x^k - z^k||^2 <= gamma^2 G^2 D at every step: D = delta^2 "
            "(CONV-RPD) or delta^2/S + delta(1 - 1/S) (CONV-BLOCK); A4 enters only through "
            "the staleness")),
        source="[D]",
        uses=("CONV-RPD", "CONV-BLOCK"),
        obligations=obligations,
        assumptions=formal_hypotheses(cv.variance_condition(), STALE_BOUND, D >= 0),
        variants=(
            Variant("dropped step-size condition gamma <= 1/L"),
            Variant("variance term gamma L sigma^2/S"),
            Variant("missing factor 2 in the polarization: S F0/(gamma K) as the first term"),
        ),
        notes=DERIVATION
        + "The variance term gamma L sigma^2 carries no factor S: uniform sampling divides "
              "the block variances' sum sigma^2 by S, as it divides the gradient term. Step 1 is "
              "CONV-RPD's and the staleness bound is step 5 of CONV-RPD or CONV-BLOCK, with the "
              "lemmas listed there. " + lemma_notes(obligations)
              + " " + unchecked(*DERIVED_RULES),
        tags=("empirical",),
    )


def no_moment() -> Theorem:
    """CONV-NOG: no second-moment bound; the stale gradients are absorbed by the step size."""
    chain = variance_chain()
    lost = gamma**2 * L**2 * delta / S
    smooth = derive("step 4, smoothness (A1), after step 3 (CONV-VAR's)",
                    descent(-gamma / (2 * S) * grad2(k), -gamma / (2 * S) * (1 - L * gamma)
                            * stale2(k), gamma * L**2 / (2 * S) * dist2(k),
                            L * gamma**2 * sigma**2 / (2 * S)),
                    earlier(chain[-1]), assumed("A1", grad_gap2 <= L**2 * dist2(k)))
    moments = window_moments.window_moments()
    stale = window_moments.staleness(smooth, moments[-1])
    conditions = cv.no_moment_conditions()
    absorb = derive("the step-size conditions absorb the stale gradients: gamma^2 L^2 delta^2/S "
                    "<= 1/2 <= 1 - L gamma", lost * delta <= 1 - L * gamma,
                    *(hypothesis(condition) for condition in conditions))
    windows = window_bound()

    def left(index):
        return grad2(index) + (1 - L * gamma) * stale2(index) - lost * window_stale2(index)

    constant = L * gamma * sigma**2 + lost * delta * sigma**2
    absorbed = derive("absorption in the sums: gamma^2 L^2 delta/S sum_k window_stale2(k) <= "
                      "(1 - L gamma) sum_k E||grad f(z^k)||^2",
                      lost * partial(window_stale2, K) <= (1 - L * gamma) * partial(stale2, K),
                      earlier(windows[-1]), earlier(absorb))
    steps = tail(stale, constant, cv.no_moment_bound(), left=left, premises=(earlier(absorbed),),
                 reason=" and the absorption")
    obligations = (*chain, smooth, *moments, LEMMAS["window variance"].obligation(), stale,
                   *steps[:5], absorb, *windows, absorbed, *steps[5:])
    return Theorem(
        id="CONV-NOG",
        expected="proved",
        title="Without A4: 2 S F0/(gamma K) + gamma L sigma^2 + gamma^2 L^2 delta^2 sigma^2/S for "
              "gamma <= min(1/(2L), sqrt(S/2)/(L delta))",
        statement=partial(grad2, K) / K <= cv.no_moment_bound(),
        hypotheses=hypotheses("CONV-NOG", extra=(
            "gamma <= 1/(2L) and gamma <= sqrt(S/2)/(L delta)",)),
        source="[D]",
        uses=("CONV-VAR",),
        assumptions=formal_hypotheses(*conditions, moment=False),
        obligations=obligations,
        variants=(
            Variant("dropped gamma <= 1/(2L)"),
            Variant("dropped gamma <= sqrt(S/2)/(L delta)"),
            Variant("no factor S on the first term: 2 F0/(gamma K) + gamma L sigma^2 + "
                    "gamma^2 L^2 delta^2 sigma^2/S"),
        ),
        notes=DERIVATION
        + "The stale gradients E||grad f(z^t)||^2 that A4 would bound are kept and charged "
              "against the -(gamma/2S)(1 - L gamma) E||grad f(z^k)||^2 of the polarization; each "
              "lies in at most delta windows (window sums 1 to 6: the exchange of the sums over "
              "the rectangle of lags and steps, the shift and the monotonicity of the partial "
              "sums, each proved by induction for every K and delta); the window's second moments "
              "are bounded step by step by the variance lemma (window moments 0 to 4); steps 1 "
              "to 3 are CONV-VAR's. " + lemma_notes(obligations) + " "
              + unchecked(*DERIVED_RULES),
        tags=("empirical",),
    )
