"""The proof chains of catalogue section 3: quantities, shared steps, lemmas and rules.

The proofs are chains of scalar obligations. Every quantity of step k is an expectation written
as a function of the step index, applied at k below (norms and inner products of vectors reduced
to scalars); only the run's constants (:data:`CONSTANTS`) are plain symbols:

=====================  =======================================================================
f(k)                   E f(x^k)
grad2(k)               E||grad f(x^k)||^2
stale2(k)              E||grad f(z^k)||^2
dist2(k)               E||x^k - z^k||^2
step_inner, step2      E<grad f(x^k), x^{k+1} - x^k>, E||x^{k+1} - x^k||^2
sampled_inner          E<grad_s f(x^k), g^k> with g^k = g_s(z^k; xi) the sampled block gradient
sample2                E||g^k||^2
block_cross(s)         E<grad_s f(x^k), grad_s f(z^k)>, block_stale2(s) = E||grad_s f(z^k)||^2
cross, grad_gap2       E<grad f(x^k), grad f(z^k)>, E||grad f(x^k) - grad f(z^k)||^2
window2, window_g2     sum over the delay window of E||v_t||^2 and of E||g^t||^2
window_var, mean_inner sum_t E||v_t - m||^2 and E<x^k - z^k, m>, with m = (x^k - z^k)/delta
mean_sq                E||m||^2
window_stale2(k)       sum_{d=1}^{delta} E||grad f(z^{k-d})||^2, a term 0 when k - d < 0 (CONV-NOG)
T(d, n)                sum_{k<n} E||grad f(z^{k-d})||^2, the same terms (CONV-NOG)
D                      a window constant: E||x^k - z^k||^2 <= gamma^2 G^2 D
block_dist2(j), Q(n)   E||x_j^k - z_j^k||^2 and sum_{j<n} (S - 1 - floor(j/2))^2 (CONV-PD-LAG)
=====================  =======================================================================

Here x^k - z^k = sum_{t=k-delta}^{k-1} v_t, where block j of v_t is gamma g^t when update t hit
block j inside block j's delay, else 0 (and v_t = 0 for t < 0). A vector identity is proved as a
SymPy lemma in coordinates (a[r], b[r]: coordinates of grad f(x^k) and grad f(z^k) in R^n; v[r],
m: one coordinate of the r-th window update and of m); the step that uses it states the same
identity with the vector quantities replaced by the scalars above (:func:`reduce`), in
expectation. Each chain step assumes the previous step's conclusion; finite sums over k are
opaque to Z3 and their recurrence is assumed as the definition of a finite sum; induction on n is
the rule that turns the base case and step into the statement for every K. The coverage of
:data:`DERIVED` is its derivation (``pipeproof.checks.soundness.derivation``).

The chains of CONV-RPD, CONV-BLOCK, CONV-PD-LAG, CONV-VAR and CONV-NOG share the sampled-block
descent (:func:`head`: steps 1 to 4 and their lemmas) and the tail (:func:`tail`: one-step
inequality, telescoping induction, rearrangement). What the chains take without checking is
named in :data:`RULES`, and every theorem's notes list the rules its chain uses
(:func:`unchecked`).
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import convergence as cv
from pipeproof.theory.assumptions import by_id
from pipeproof.theory.catalogue.common import SMT, SYMBOLIC, ob
from pipeproof.theory.catalogue.convergence.premises import assumed, derive, earlier
from pipeproof.theory.convergence import (
    F0,
    G,
    K,
    L,
    S,
    block_cross,
    block_stale2,
    block_var,
    cross,
    delta,
    dist2,
    f,
    f_star,
    gamma,
    grad2,
    grad_gap2,
    k,
    mean_inner,
    mean_sq,
    sample2,
    sampled_inner,
    stale2,
    step2,
    step_inner,
    window2,
    window_g2,
    window_var,
)
from pipeproof.theory.convergence import block as b
from pipeproof.theory.lemmas import LEMMAS, POLARIZATION, SAMPLING, recurrence, witness
from pipeproof.theory.lemmas import induction as induction_lemma
from pipeproof.theory.theorem import Obligation, Premise

i = sp.Symbol("i", integer=True, nonnegative=True)  # summation index over iterations
n = sp.Symbol("n", integer=True, positive=True)  # dimension
r = sp.Symbol("r", integer=True, positive=True)  # coordinate / window position
a_, b_, v_ = sp.IndexedBase("a"), sp.IndexedBase("b"), sp.IndexedBase("v")
m_ = sp.Symbol("m", real=True)
D = sp.Symbol("D", nonnegative=True)  # window constant: E||x - z||^2 <= gamma^2 G^2 D
HYPOTHESES = ("A1", "A2", "A3", "A4", "DELAY")
ASSUMPTIONS = {
    "CONV-RPD": HYPOTHESES, "CONV-TUNED": HYPOTHESES, "CONV-BLOCK": HYPOTHESES,
    "CONV-PD-LAG": ("A1", "A2", "A3", "A4", "DELAY"),
    "CONV-VAR": ("A1", "A2", "A3", "A3'", "A4", "DELAY"),
    "CONV-NOG": ("A1", "A2", "A3", "A3'", "DELAY"),
}
"""The assumptions (ids of :mod:`pipeproof.theory.assumptions`) each theorem lists."""
DERIVED = ("CONV-RPD", "CONV-BLOCK", "CONV-PD-LAG", "CONV-VAR", "CONV-NOG")
"""The theorems whose coverage is their chain's derivation
(``pipeproof.checks.soundness.derivation``)."""
CONSTANTS = frozenset((gamma, L, G, F0, cv.sigma, K, delta, S, f_star, D))
"""The constants of a run: every other symbol of a chain is an integer index."""
CONDITIONS = {"CONV-VAR": (cv.variance_condition(),), "CONV-NOG": cv.no_moment_conditions()}
"""Step-size conditions, as relations in gamma, L, S, delta; a run that breaks one is outside the
theorem."""
CONSTANT = gamma * S * L * G**2 + L**2 * cv.stale_distance(D)
"""gamma S L G^2 + gamma^2 L^2 G^2 D: the one-step constant of the G^2 chains."""
RULES: dict[str, str] = {
    "descent": "the descent lemma of A1, f(y) <= f(x) + <grad f(x), y - x> + (L/2)||y - x||^2 "
               "(Nesterov 2004, Lemma 1.2.3), at x = x^k, y = x^{k+1}",
    "algorithm": "the definitions of the algorithm: x^{k+1} = x^k - gamma U_s g^k, and "
                 "x^k - z^k = sum_{d=1}^{delta} v_{k-d} with ||v_t|| <= gamma ||g^t|| and "
                 "v_t = 0 for t < 0 (DELAY)",
    "conditioning": "conditional expectation: the tower property with the independence of DELAY "
                    "(block s uniform and independent of the past and of the stale point, fresh "
                    "sample xi) turns A3, A4 and A3' at the sampled block into means over s",
    "expectation": "linearity and monotonicity of expectation: an identity or inequality of the "
                   "outcomes (a lemma, A1, A4) holds for their expectations",
    "exchange": "a vector identity proved per coordinate holds for norms and inner products: it "
                "is summed over the coordinates, and that finite sum is exchanged with the sum "
                "over the window (finite sums over a rectangle)",
    "recurrence": "a finite sum is defined by its recurrence, sum_{x<0} = 0 and "
                  "sum_{x<n+1} = sum_{x<n} + term(n) (Z3 sees the sums as opaque values linked "
                  "only by these equations)",
    "induction": "induction on a natural number: a proved base case and step give the "
                 "statement for every value, used at n = K (or S, or delta)",
    "instance": "a lemma about vectors (Cauchy-Schwarz over a window, polarization in "
                "coordinates) holds at the quantities a step names: that they are the norms and "
                "inner products the lemma speaks of is argued in the step's words",
}
"""The reasoning the chains use without checking it, by name (see :func:`unchecked`)."""


def unchecked(*rules: str, argued: tuple[str, ...] = ()) -> str:
    """The sentence of a theorem's notes that names what its chain takes without checking.

    Args:
        rules: keys of :data:`RULES`, in the order the chain first uses them.
        argued: premises a step argues in words (its name) instead of proving.

    Returns:
        "Used without checking: (1) ...; (2) .... Every other premise is ...".
    """
    items = [RULES[rule] for rule in rules] + [f"argued in words: {text}" for text in argued]
    listed = "; ".join(f"({number}) {item}" for number, item in enumerate(items, start=1))
    return (f"Used without checking: {listed}. Every other premise is a hypothesis, the "
            "definition of a named quantity, a result of a theorem in uses, or the conclusion of "
            "a proved obligation (an induction's at the point the step names).")


CHAIN_RULES = ("descent", "algorithm", "conditioning", "expectation", "recurrence", "induction")
"""The rules of the shared chain: the head (steps 1 to 4) and the tail (telescoping)."""
DERIVED_RULES = (*CHAIN_RULES[:4], "exchange", "instance", *CHAIN_RULES[4:])
"""The rules of a chain whose coverage is its derivation: the shared chain's, the exchange of a
coordinate identity's sums, and the instances of lemmas about vectors."""


def hypotheses(theorem_id: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The words of the assumptions of ``theorem_id`` (:data:`ASSUMPTIONS`) and ``extra``."""
    return (*(by_id(name).text() for name in ASSUMPTIONS[theorem_id]),
            "gamma > 0, K >= 1, F0 = f(x^0) - f*", *extra)


def reduce(relation: sp.Basic, scalars: dict) -> sp.Basic:
    """``relation`` with the vector quantities of a coordinate lemma replaced by scalars."""
    return relation.subs(scalars)


def descent(*terms: sp.Expr) -> sp.Basic:
    """f(k + 1) <= f(k) + terms: the running one-step inequality of the chains."""
    return f(k + 1) <= f(k) + sp.Add(*terms)


def step(name: str, goal: sp.Basic, *assumptions: sp.Basic, methods: tuple[str, ...] = SMT,
         parity: tuple[sp.Symbol, ...] = ()) -> Obligation:
    """An obligation (Z3 by default) under S >= 1 and ``assumptions``."""
    return ob(name, goal, S, extra=assumptions, methods=methods, parity=parity)


def partial(term, upper: sp.Expr) -> sp.Expr:
    """sum_{i=0}^{upper - 1} term(i)."""
    return sp.Sum(term(i), (i, 0, upper - 1))


# The sampled-block descent: the first steps shared by every chain.

POLARIZATION_SCALARS = {sp.Sum((a_[r] - b_[r]) ** 2, (r, 1, n)): grad_gap2,
                        sp.Sum(a_[r] ** 2, (r, 1, n)): grad2(k),
                        sp.Sum(b_[r] ** 2, (r, 1, n)): stale2(k),
                        sp.Sum(a_[r] * b_[r], (r, 1, n)): cross}
WINDOW = sp.Eq(sp.Sum((v_[r] - m_) ** 2, (r, 1, delta)),
               sp.Sum(v_[r] ** 2, (r, 1, delta)) - 2 * m_ * sp.Sum(v_[r], (r, 1, delta))
               + delta * m_**2)
WINDOW_SCALARS = {sp.Sum((v_[r] - m_) ** 2, (r, 1, delta)): window_var,
                  sp.Sum(v_[r] ** 2, (r, 1, delta)): window2,
                  m_ * sp.Sum(v_[r], (r, 1, delta)): mean_inner, m_**2: mean_sq}
"""The per-coordinate variance identity over a window (used by the wrong variants)."""


def reduced(name: str, scalars: dict) -> Premise:
    """The lemma ``name`` (a coordinate identity) with its sums replaced by ``scalars``."""
    formula = LEMMAS[name].formula
    return Premise(formula.xreplace(scalars), "lemma", name, tuple(scalars.items()))


def sampled_descent() -> Obligation:
    """Step 1: the descent lemma (A1) at x^{k+1} = x^k - gamma U_s g^k."""
    return derive(
        "step 1, descent lemma on the sampled block: f(x^{k+1}) <= f(x^k) + <grad f(x^k), "
        "x^{k+1} - x^k> + (L/2)||x^{k+1} - x^k||^2 (lemma descent), and the update moves "
        "block s only, by -gamma g^k (RPD), so the inner product is -gamma <grad_s f(x^k), g^k>",
        descent(-gamma * sampled_inner, L * gamma**2 / 2 * sample2),
        LEMMAS["descent"].at(), assumed("RPD", sp.Eq(step_inner, -gamma * sampled_inner)),
        assumed("RPD", sp.Eq(step2, gamma**2 * sample2)))


def sampling_lemma() -> Obligation:
    """The expectation over a uniform block, for a generic S (lemma uniform block)."""
    return LEMMAS["uniform block"].obligation()


def uniform_sampling(previous: Obligation) -> Obligation:
    """Step 2 with A3 and A4: (1/S) E<grad f(x^k), grad f(z^k)> and gamma^2 L G^2/2."""
    return derive(
        "step 2, uniform sampling: E<grad_s f(x), g> = sum_s E<grad_s f(x), grad_s f(z)>/S "
        "(lemma tower: A3, s uniform and independent of z^k) = (1/S) E<grad f(x), grad f(z)> "
        "(lemmas uniform block, blocks); E||g^k||^2 <= G^2 (A4)",
        descent(-gamma / S * cross, L * gamma**2 / 2 * G**2),
        earlier(previous), LEMMAS["tower"].at(), LEMMAS["blocks"].at(),
        LEMMAS["uniform block"].at(), assumed("A4", sample2 <= G**2))


def polarization_lemma() -> Obligation:
    """||a - b||^2 = ||a||^2 + ||b||^2 - 2<a, b> in R^n, for a generic n."""
    return LEMMAS["polarization"].obligation()


def polarization(previous: Obligation) -> Obligation:
    """Step 3: -<a, b> <= -||a||^2/2 + ||a - b||^2/2."""
    return derive(
        "step 3, polarization: -<a, b> = -||a||^2/2 - ||b||^2/2 + ||a - b||^2/2 with "
        "a = grad f(x^k), b = grad f(z^k) (lemma polarization), and ||b||^2 >= 0",
        descent(-gamma / (2 * S) * grad2(k), gamma / (2 * S) * grad_gap2,
                L * gamma**2 / 2 * G**2),
        earlier(previous), reduced("polarization", POLARIZATION_SCALARS))


def smoothness(previous: Obligation) -> Obligation:
    """Step 4: A1 at x^k and z^k."""
    return derive(
        "step 4, smoothness: ||grad f(x^k) - grad f(z^k)||^2 <= L^2 ||x^k - z^k||^2 (A1)",
        descent(-gamma / (2 * S) * grad2(k), gamma * L**2 / (2 * S) * dist2(k),
                L * gamma**2 / 2 * G**2),
        earlier(previous), assumed("A1", grad_gap2 <= L**2 * dist2(k)))


def head() -> tuple[Obligation, ...]:
    """Steps 1 to 4 with their lemmas; the last one's goal is the descent with dist2(k)."""
    first = sampled_descent()
    second = uniform_sampling(first)
    third = polarization(second)
    return (first, sampling_lemma(), second, polarization_lemma(), third, smoothness(third))


def stale_descent(window: sp.Expr) -> sp.Basic:
    """The descent with E||x^k - z^k||^2 <= gamma^2 G^2 D substituted."""
    return descent(-gamma / (2 * S) * grad2(k),
                   gamma * L**2 / (2 * S) * cv.stale_distance(window),
                   L * gamma**2 / 2 * G**2)


# The tail shared by every chain: one-step inequality, summation, telescoping, rearrangement.

def induction(name: str, termwise: Obligation, left, right, index: sp.Symbol):
    """sum_{x<n} left(x) <= sum_{x<n} right(x) for every n, from ``termwise``
    (left(index) <= right(index)) and the recurrence of finite sums (lemma recurrence).

    Returns the step (P(0) and P(index) implies P(index + 1)), the predicate P, and a function
    giving the obligation that concludes P(at) by the lemma induction.
    """
    x = sp.Symbol("x", integer=True, nonnegative=True)

    def summed(upper):
        return sp.Le(sp.Sum(left(x), (x, 0, upper - 1)), sp.Sum(right(x), (x, 0, upper - 1)),
                     evaluate=False)

    proof = derive(f"{name}, induction on n: base n = 0 and step n = {index} to {index} + 1 "
                   "(lemma recurrence)",
                   sp.And(summed(0), sp.Implies(summed(index), summed(index + 1))),
                   earlier(termwise), recurrence(left, 0, index, x),
                   recurrence(right, 0, index, x))

    def conclude(at, label):
        return derive(f"{name} at n = {label} (lemma induction)", summed(at),
                      earlier(proof, {index: witness}), induction_lemma(summed, at))

    return proof, summed, conclude


def by_induction(name: str, predicate, index: sp.Symbol, *premises: Premise,
                 domains: tuple = ()) -> tuple[Obligation, object]:
    """P(0) and P(index) implies P(index + 1), from ``premises``; and a function giving the
    obligation that concludes P(at) by the lemma induction (its witness W fresh)."""
    proof = derive(f"{name}, induction on {index}: base {index} = 0 and step {index} to "
                   f"{index} + 1", sp.And(predicate(sp.Integer(0)),
                                          sp.Implies(predicate(index), predicate(index + 1))),
                   *premises, domains=domains)

    def conclude(at, label):
        return derive(f"{name} at {index} = {label} (lemma induction)", predicate(at),
                      earlier(proof, {index: witness}), induction_lemma(predicate, at))

    return proof, conclude


def tail(previous: Obligation, constant: sp.Expr, bound: sp.Expr, left=grad2,
         premises: tuple[Premise, ...] = (), reason: str = "") -> tuple[Obligation, ...]:
    """From ``(gamma/2S) left(k) <= f(k) - f(k+1) + (gamma/2S) constant`` to the averaged bound:
    the one-step inequality, its sum by induction, the sum at n = K, the telescoped right side,
    the sum collected with A2 ((gamma/2S) sum_k left(k) <= F0 + K (gamma/2S) constant) and the
    rearrangement to ``bound``.

    With ``premises`` (and ``reason``), one step more before the rearrangement: they take the
    collected sum to (gamma/2S) sum_k E||grad f(x^k)||^2 <= F0 + K (gamma/2S) constant.
    """
    weight = gamma / (2 * S)

    def lower(index):
        return weight * left(index)

    def upper(index):
        return f(index) - f(index + 1) + weight * constant

    one_step = derive("one-step inequality: collect the terms of step k", lower(k) <= upper(k),
                      earlier(previous))
    summed, _, conclude = induction("telescoping", one_step, lower, upper, k)
    at_k = conclude(K, "K")
    telescoped = step("lemma: the sum of the right sides telescopes",
                      sp.Eq(partial(upper, K), f(0) - f(K) + K * weight * constant),
                      methods=SYMBOLIC)
    collected = derive(
        "the induction at n = K, telescoped; f(x^K) >= f* (A2) and F0 = f(x^0) - f*: "
        "(gamma/2S) sum_k left(k) <= F0 + K (gamma/2S) constant",
        partial(lower, K) <= F0 + K * weight * constant,
        earlier(at_k), earlier(telescoped), assumed("A2", f(k) >= f_star, {k: K}),
        assumed("A2", sp.Eq(F0, f(0) - f_star)))
    kept = (collected,)
    if premises:
        kept += (derive(f"the bound at n = K{reason}: (gamma/2S) sum_k E||grad f(x^k)||^2 <= "
                        "F0 + K (gamma/2S) constant",
                        weight * partial(grad2, K) <= F0 + K * weight * constant,
                        earlier(collected), *premises),)
    rearranged = derive(
        f"rearrangement: the bound at n = K{reason}; multiply by 2S/(gamma K)",
        partial(grad2, K) / K <= bound, earlier(kept[-1]))
    return one_step, summed, at_k, telescoped, *kept, rearranged


__all__ = [
    "ASSUMPTIONS", "CHAIN_RULES", "CONDITIONS", "CONSTANT", "CONSTANTS", "DERIVED",
    "DERIVED_RULES", "HYPOTHESES", "POLARIZATION", "POLARIZATION_SCALARS", "RULES", "SAMPLING",
    "WINDOW", "WINDOW_SCALARS", "D", "b", "block_cross", "block_stale2", "block_var",
    "by_induction", "cross", "descent", "dist2", "f", "grad2", "grad_gap2", "head",
    "hypotheses", "i", "induction", "mean_inner", "mean_sq", "partial", "polarization",
    "polarization_lemma", "reduce", "reduced", "sample2", "sampled_descent", "sampled_inner",
    "sampling_lemma", "smoothness", "stale2", "stale_descent", "step", "step2", "step_inner",
    "tail", "unchecked", "uniform_sampling", "window2", "window_g2", "window_var",
]
