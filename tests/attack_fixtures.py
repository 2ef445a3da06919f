"""Small theorems on which the attack suite measures the checkers.

The attack harness copies this module into the copied package's catalogue, so that the main job
(``pipeproof --only ATK-...``) runs them like any catalogue theorem. Each is as expected on
the unmutated package, and each depends on one guard of the proof standard:

* ATK-SPLIT: proved only with residue splits modulo 2 (Z3 alone) and 4 (SymPy alone);
* ATK-EVEN, ATK-MOD4: false only for even S, only for S = 2 (mod 4): both provers must refute;
* ATK-GAP: obligations proved, statement not covered: at most checked;
* ATK-TAUT: the only obligation is x = x after SymPy's rewriting: at most checked;
* ATK-VACUOUS: obligations whose assumptions contradict: at most checked;
* ATK-UNKNOWN: an obligation no prover decides: at most checked;
* ATK-PREMISE: a premise typed in by hand: at most checked;
* ATK-CHAIN-CONSTANT, ATK-CHAIN-UNLISTED, ATK-CHAIN-DOMAIN: chains covered by their derivation
  (registered with the convergence chains' ``DERIVED`` and ``ASSUMPTIONS`` in the copy, listing
  A2 only), whose provenance resolves but whose derivation is not justified: A2 at a constant
  (f* replaced by f* + F0), A4 (not listed), and an earlier goal outside its domain (proved for
  k >= 1, used at k = 0): at most unknown.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import convergence as cv
from pipeproof.theory.catalogue.common import claim, eq
from pipeproof.theory.catalogue.convergence import chain as chain_module
from pipeproof.theory.catalogue.convergence.premises import assumed, derive, earlier
from pipeproof.theory.symbols import M, S, domain
from pipeproof.theory.theorem import Grid, Obligation, TableCheck, Theorem

FLOOR = sp.Eq(S**2 - sp.ceiling(S / 2), sp.floor(S**2 - S / 2))
HERMITE = sp.Eq(sp.floor((S + 2) / 4) + sp.floor(S / 4), sp.floor(S / 2))
MAKESPAN = TableCheck(Grid("pipedream", (1, 4), (2 * S,)), (claim("makespan", 2 * (M + S - 1)),))
"""A cheap exhaustive check, so that a theorem whose proof is incomplete is ``checked``."""
SQUARE = sp.Eq((M + S - 1) ** 2, sp.expand((M + S - 1) ** 2))
CUBIC = sp.Ge(sp.expand((S - 1) * (S - 2) * (S - 3)), 0, evaluate=False)


def _theorem(theorem_id: str, statement: sp.Basic, *obligations: Obligation,
             **fields) -> Theorem:
    fields.setdefault("assumptions", domain(S, M))
    return Theorem(id=theorem_id, title=theorem_id.lower(), statement=statement,
                   hypotheses=("S, M >= 1",), source="[D]", obligations=obligations, **fields)


def split() -> Theorem:
    return _theorem("ATK-SPLIT", sp.And(FLOOR, HERMITE),
                    Obligation("floor identity", FLOOR, domain(S), ("smt",), (S,)),
                    Obligation("Hermite at S/4", HERMITE, domain(S), ("symbolic",), ((S, 4),)),
                    parity=((S, 4),))


def even() -> Theorem:
    wrong = sp.Eq(2 * sp.floor(S / 2), S - 1)
    return _theorem("ATK-EVEN", wrong, Obligation("odd only", wrong, domain(S), parity=(S,)),
                    expected="refuted")


def mod4() -> Theorem:
    wrong = sp.Eq(sp.floor((S + 2) / 4), sp.floor((S + 1) / 4))
    return _theorem("ATK-MOD4", wrong,
                    Obligation("not 2 mod 4", wrong, domain(S), parity=((S, 4),)),
                    expected="refuted")


def gap() -> Theorem:
    makespan = sp.Function("T")(S, M)
    return _theorem("ATK-GAP", sp.Eq(makespan, 2 * (M + S - 1)),
                    Obligation("a square", SQUARE, domain(S, M)),
                    tables=(MAKESPAN,), expected="checked")


def tautology() -> Theorem:
    same = eq(2 * (M + S - 1), 2 * M + 2 * S - 2)  # SymPy distributes: x = x
    return _theorem("ATK-TAUT", same, Obligation("x = x", same, domain(S, M)),
                    tables=(MAKESPAN,), expected="unknown")


def vacuous() -> Theorem:
    factored = sp.Eq(S**2 - S, S * (S - 1), evaluate=False)
    return _theorem("ATK-VACUOUS", factored,
                    Obligation("S^2 - S = S(S - 1) from S >= 3 and S <= 1", factored,
                               (S >= 3, S <= 1)),
                    tables=(MAKESPAN,), expected="unknown")


def unknown() -> Theorem:
    return _theorem("ATK-UNKNOWN", CUBIC, Obligation("cubic", CUBIC, domain(S), ("symbolic",)),
                    tables=(MAKESPAN,), expected="unknown")


def premise() -> Theorem:
    bound = sp.Le(M, S**2, evaluate=False)
    return _theorem("ATK-PREMISE", bound,
                    Obligation("M <= S^2 from M <= S", bound, (*domain(S, M), M <= S)),
                    assumptions=(*domain(S, M), M <= S), tables=(MAKESPAN,),
                    expected="checked")


def _chain(theorem_id: str, statement: sp.Basic, *obligations: Obligation) -> Theorem:
    return Theorem(id=theorem_id, title=theorem_id.lower(), statement=statement,
                   hypotheses=("A2",), source="[D]", obligations=obligations,
                   assumptions=(cv.K >= 1, cv.F0 > 0), expected="unknown")


def chain_constant() -> Theorem:
    """f(K) >= f* + F0 from A2 at the instance f* -> f* + F0 (a constant, not an index)."""
    raised = cv.f(cv.K) >= cv.f_star + cv.F0
    return _chain("ATK-CHAIN-CONSTANT", raised, derive(
        "A2 at a constant", raised,
        assumed("A2", cv.f(cv.k) >= cv.f_star, {cv.k: cv.K, cv.f_star: cv.f_star + cv.F0})))


def chain_unlisted() -> Theorem:
    """E||g^K||^2 <= G^2 from A4, which the theorem does not list."""
    bounded = cv.sample2.xreplace({cv.k: cv.K}) <= cv.G**2
    return _chain("ATK-CHAIN-UNLISTED", bounded, derive(
        "A4 at step K", bounded, assumed("A4", cv.sample2 <= cv.G**2, {cv.k: cv.K})))


def chain_domain() -> Theorem:
    """f(0) >= f* from a goal proved for k >= 1 only."""
    later = derive("A2 after the first step", cv.f(cv.k) >= cv.f_star,
                   assumed("A2", cv.f(cv.k) >= cv.f_star), domains=(cv.k >= 1,))
    first = cv.f(0) >= cv.f_star
    return _chain("ATK-CHAIN-DOMAIN", first, later,
                  derive("the first step", first, earlier(later, {cv.k: sp.Integer(0)})))


CHAINS = ("ATK-CHAIN-CONSTANT", "ATK-CHAIN-UNLISTED", "ATK-CHAIN-DOMAIN")
chain_module.DERIVED = (*chain_module.DERIVED, *CHAINS)
chain_module.ASSUMPTIONS.update({theorem_id: ("A2",) for theorem_id in CHAINS})

THEOREMS = (split, even, mod4, gap, tautology, vacuous, unknown, premise, chain_constant,
            chain_unlisted, chain_domain)
IDS = tuple(build().id for build in THEOREMS)
