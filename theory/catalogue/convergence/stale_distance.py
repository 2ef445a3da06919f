"""CONV-BLOCK and CONV-PD-LAG: sharper window constants D in E||x^k - z^k||^2 <= gamma^2 G^2 D.

CONV-BLOCK counts only the updates of the window that hit each block (D = delta^2/S +
delta (1 - 1/S)); CONV-PD-LAG uses PipeDream's per-block version lags (D = Lambda(S)). Both run
the shared chain of :mod:`pipeproof.theory.catalogue.convergence.chain` with their staleness step.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import convergence as cv
from pipeproof.theory.catalogue.common import BOTH
from pipeproof.theory.catalogue.convergence import lags as lags
from pipeproof.theory.catalogue.convergence.chain import (
    CONSTANT,
    DERIVED_RULES,
    D,
    grad2,
    head,
    hypotheses,
    partial,
    stale_descent,
    step,
    tail,
    unchecked,
)
from pipeproof.theory.catalogue.convergence.premises import derive, earlier, hypothesis
from pipeproof.theory.catalogue.convergence.proofs import (
    DERIVATION,
    formal_hypotheses,
    lemma_notes,
)
from pipeproof.theory.convergence import K, S, delta
from pipeproof.theory.lemmas import LEMMAS
from pipeproof.theory.theorem import Obligation, Theorem, Variant

COUNTING = ("the block counting of CONV-BLOCK's staleness step: E||x^k - z^k||^2 <= "
            "gamma^2 (diagonal + pairs), the diagonal at most delta G^2 (A4) and each of the "
            "delta (delta - 1) ordered pairs of window updates at most G^2 P(s_t = s_t') "
            "(A4, independent uniform blocks)")
"""The premises of CONV-BLOCK's staleness step, argued in its name."""
LAGS = ("block j's stale distance E||x_j^k - z_j^k||^2 <= gamma^2 lag_j E(sum of ||g||^2 over "
        "its lag_j updates) (Cauchy-Schwarz), each update's E||g_j||^2 <= G^2 (A4), and "
        "E||x^k - z^k||^2 = sum_j E||x_j^k - z_j^k||^2")
"""The premises of CONV-PD-LAG's per-block step, argued in its name."""


def substituted(steps: tuple[Obligation, ...], window: sp.Expr) -> tuple[Obligation, ...]:
    """The chain's ``steps`` (run with the symbol D) and a last step putting D = ``window`` into
    the bound."""
    last = steps[-1]
    return (*steps, derive(f"substitute D = {window}", last.goal.subs(D, window),
                           earlier(last), hypothesis(sp.Eq(D, window))))


def steady_window(window: sp.Expr) -> sp.Expr:
    """The window constant at PipeDream's steady delay S^2 - ceil(S/2)."""
    return window.subs(delta, cv.pipedream_steady_delay())


def block() -> Theorem:
    """CONV-BLOCK: count only the updates that hit each block."""
    window = cv.stale_window_block()
    steps = head()
    staleness_step = derive(
        "staleness, block counting: ||x_j - z_j||^2 <= N_j sum_t [s_t = j] ||v_t||^2 with N_j the "
        "hits of block j in the window; summed over j the diagonal pairs give delta G^2 (A4) and "
        "each of the delta (delta - 1) ordered pairs t != t' gives G^2 P(s_t = s_t') = G^2/S "
        "(A4, independent uniform blocks): lemmas block counting and coincidence, after "
        "step 4 (CONV-RPD's); D names the window constant", stale_descent(D),
        earlier(steps[-1]), LEMMAS["block counting"].at(), LEMMAS["coincidence"].at(),
        hypothesis(sp.Eq(D, window)))
    steady = steady_window(window)
    even = S**3 - sp.Rational(5, 4) * S + sp.Rational(1, 2)
    obligations = (
        *steps,
        LEMMAS["coincidence"].obligation(),
        staleness_step,
        *substituted(tail(staleness_step, CONSTANT, cv.rpd_bound(D)), window),
        derive("exponent 3 at PipeDream's steady delay: 9 S^3/16 <= D <= S^3 for S >= 2, and "
               "D = S^3 - 5S/4 + 1/2 for even S",
               sp.And(sp.Rational(9, 16) * S**3 <= steady, steady <= S**3,
                      sp.Implies(sp.Eq(sp.Mod(S, 2), 0), sp.Eq(steady, even))),
               domains=(S >= 2,), parity=(S,)),
    )
    return Theorem(
        id="CONV-BLOCK",
        expected="proved",
        title="Block counting: E||x^k - z^k||^2 <= gamma^2 G^2 (delta^2/S + delta(1 - 1/S)), "
              "stale term Theta(gamma^2 S^3)",
        statement=partial(grad2, K) / K <= cv.rpd_bound(window),
        hypotheses=hypotheses("CONV-BLOCK"),
        source="[D]",
        uses=("CONV-RPD", "STL-PD-MAX"),
        obligations=obligations,
        assumptions=formal_hypotheses(sp.Eq(D, window)),
        variants=(
            Variant("stale term dropped: D = 0"),
            Variant("delta instead of delta^2: D = delta/S + delta(1 - 1/S) = delta"),
            Variant("exponent 2: D <= S^2 at the steady delay",
                    (step("D <= S^2", steady <= S**2, methods=BOTH),)),
            Variant("the crude count is tight: D >= S^4/2 at the steady delay",
                    (step("D >= S^4/2", steady >= S**4 / 2, S >= 2, methods=BOTH),)),
        ),
        notes=DERIVATION
        + "At PipeDream's steady delay D = S^3 - 5S/4 + 1/2 for even S; the stale term is "
              "Theta(gamma^2 S^3), one power of S below CONV-RPD's gamma^2 delta^2 ~ gamma^2 S^4. "
              + lemma_notes(obligations)
              + " " + unchecked(*DERIVED_RULES),
        tags=("empirical",),
    )


def pd_lag() -> Theorem:
    """CONV-PD-LAG: PipeDream's per-block version lags in the staleness step."""
    lam = cv.pd_lag_sum()
    steps = head()
    staleness_steps = lags.staleness(steps[-1])
    obligations = (*steps, *staleness_steps,
                   *substituted(tail(staleness_steps[-1], CONSTANT, cv.rpd_bound(D)), lam),
                   derive("exponent 3: 7 (S - 1)^3/12 <= Lambda(S) <= 7 S^3/12",
                          sp.And(sp.Rational(7, 12) * (S - 1) ** 3 <= lam,
                                 lam <= sp.Rational(7, 12) * S**3), methods=BOTH, parity=(S,)))
    return Theorem(
        id="CONV-PD-LAG",
        expected="proved",
        title="PipeDream's lag profile: E||x^k - z^k||^2 <= gamma^2 G^2 Lambda(S), "
              "Lambda(S) ~ 7 S^3/12: exponent 3",
        statement=partial(grad2, K) / K <= cv.rpd_bound(lam),
        hypotheses=hypotheses("CONV-PD-LAG", extra=(
            "block s drawn uniformly, independently of the past and of the stale point; the read "
            "of block j is at most S - 1 - floor(j/2) versions of block j old (PipeDream's mixed "
            "read, STL-PD-LAG), with the read versions fixed by the schedule, not by the samples",
            "A4 for every block: the per-block bound G^2, the same G as CONV-RPD")),
        source="[D]",
        uses=("CONV-RPD", "STL-PD-LAG"),
        obligations=obligations,
        assumptions=formal_hypotheses(sp.Eq(D, lam), lags.LAG_PROFILE),
        variants=(
            Variant("no factor S on the first term: 2 F0/(gamma K) + gamma S L G^2 + "
                    "gamma^2 L^2 G^2 Lambda(S)"),
            Variant("exponent 2: Lambda(S) <= S^2", (step("Lambda <= S^2", lam <= S**2,
                                                          methods=BOTH),)),
            Variant("Lambda(S) = 7 S^3/12 exactly",
                    (step("Lambda = 7 S^3/12", sp.Eq(lam, sp.Rational(7, 12) * S**3),
                          methods=BOTH),)),
        ),
        notes=DERIVATION
        + "With the per-block second moment G^2 of A4 the lag profile gives exponent 3 with "
              "constant 7/12, against 1 for CONV-BLOCK at the steady delay and S^4 for CONV-RPD. "
              "The bound is for RPD reads with PipeDream's lag profile; PipeDream itself updates "
              "the blocks in a fixed order, which is not the uniform draw of step 2. "
              + lemma_notes(obligations)
              + " " + unchecked(*DERIVED_RULES),
        tags=("empirical",),
    )
