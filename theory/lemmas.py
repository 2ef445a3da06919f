"""The lemma library of the convergence chains: named facts, each proved or tested.

A chain's step uses a lemma by stating its formula at the step's quantities (an instance: a
substitution applied to :attr:`Lemma.formula`), so every use names its lemma and the provenance
check (``pipeproof.checks.soundness.provenance``) compares the two. A lemma is

* ``proved``: an identity the symbolic prover shows for every value (:meth:`Lemma.obligation`),
  and the theorems that use it include that obligation; or
* ``tested``: a fact about vectors, functions or distributions that the scalar provers cannot
  state; its scalar reduction is checked on many random instances (numpy vectors, random smooth
  functions, random finite distributions) by the test named in :attr:`Lemma.test`, and the
  theorems that use it list it as tested, not proved.

Scalar quantities are those of :mod:`pipeproof.theory.convergence`: E f(x^k) is f(k), E||x^k -
z^k||^2 is dist2(k), and so on.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from pipeproof.theory.convergence import (
    G,
    L,
    S,
    block,
    block_cross,
    block_dist2,
    block_stale2,
    block_var,
    cross,
    delta,
    dist2,
    f,
    gamma,
    k,
    sample2,
    sampled_inner,
    stale2,
    step2,
    step_inner,
)
from pipeproof.theory.theorem import Obligation, Premise

x = sp.Symbol("x", integer=True)  # summation index of a generic finite sum
lower, upper = sp.symbols("lower upper", integer=True)  # its limits
term = sp.Function("term")  # its summand
count = sp.Symbol("count", integer=True, nonnegative=True)  # number of vectors
norm2_sum, sum_norm2 = sp.symbols("norm2_sum sum_norm2", nonnegative=True)
base, before, after, conclusion = sp.symbols("base before after conclusion")  # P(0), P(W), ...
witness = sp.Symbol("W", integer=True, nonnegative=True)  # the last index before P first fails
reach = sp.Symbol("N", integer=True, nonnegative=True)  # where P is concluded
a_, b_, v_ = sp.IndexedBase("a"), sp.IndexedBase("b"), sp.IndexedBase("v")
r = sp.Symbol("r", integer=True, positive=True)  # coordinate
n = sp.Symbol("n", integer=True, positive=True)  # dimension


@dataclass(frozen=True)
class Lemma:
    """One lemma: its formula in scalars, and how it is established.

    Attributes:
        name: the key in :data:`LEMMAS`.
        statement: the lemma in words, with its source.
        formula: the SymPy Boolean a use instantiates.
        status: "proved" (by :meth:`obligation`) or "tested" (by :attr:`test`).
        assumes: ids of the assumption records the lemma needs (``pipeproof.theory.assumptions``).
        test: for a tested lemma, the test (in ``tests/test_lemmas.py``) that checks it on
            random instances.
        use: how a chain may instantiate it (``pipeproof.checks.soundness.derivation``):
            "step" (a fact at every step: only its integer indices are replaced), "identity" (a
            proved identity, likewise), "schema" (a fact about vectors: its schematic atoms are
            replaced by named quantities), "recurrence" or "induction".
    """

    name: str
    statement: str
    formula: sp.Basic
    status: str
    assumes: tuple[str, ...] = ()
    test: str = ""
    use: str = "step"

    def obligation(self) -> Obligation:
        """The symbolic obligation that proves a ``proved`` lemma.

        Raises:
            ValueError: for a tested lemma.
        """
        if self.status != "proved":
            raise ValueError(f"lemma {self.name!r} is {self.status}, not proved")
        return Obligation(f"lemma {self.name}: {self.statement}", self.formula,
                          (S >= 1,), ("symbolic",))

    def at(self, **instance: sp.Expr) -> Premise:
        """The premise stating this lemma at ``instance`` (symbol names of the formula, or
        ``term_at_x``/``term_at_upper`` for the summand of :data:`RECURRENCE`)."""
        substitution = _substitution(self.formula, instance)
        formula = self.formula.xreplace(substitution)
        return Premise(formula, "lemma", self.name, tuple(substitution.items()))


def _substitution(formula: sp.Basic, instance: dict[str, sp.Expr]) -> dict:
    by_name = {symbol.name: symbol for symbol in formula.free_symbols}
    special = {"term_at_x": term(x), "term_at_upper": term(upper), "x": x}
    substitution = {}
    for name, value in instance.items():
        key = special.get(name, by_name.get(name))
        if key is None:
            raise ValueError(f"the formula {formula} has no symbol {name!r}")
        substitution[key] = sp.sympify(value)
    return substitution


POLARIZATION = sp.Eq(sp.Sum((a_[r] - b_[r]) ** 2, (r, 1, n)),
                     sp.Sum(a_[r] ** 2, (r, 1, n)) + sp.Sum(b_[r] ** 2, (r, 1, n))
                     - 2 * sp.Sum(a_[r] * b_[r], (r, 1, n)))
"""||a - b||^2 = ||a||^2 + ||b||^2 - 2<a, b>, in coordinates of R^n."""
SAMPLING = sp.Eq(sp.Sum(block_cross(block) / S, (block, 0, S - 1)),
                 sp.Sum(block_cross(block), (block, 0, S - 1)) / S)
"""E_s c_s = sum_s c_s/S for a uniform block s: the mean over the S blocks."""
VARIANCES = sp.Eq(sp.Sum((block_stale2(block) + block_var(block)) / S, (block, 0, S - 1)),
                  (sp.Sum(block_stale2(block), (block, 0, S - 1))
                   + sp.Sum(block_var(block), (block, 0, S - 1))) / S)
"""The mean over a uniform block of ||grad_s f(z)||^2 + sigma_s^2, split into its two sums."""
COINCIDE = sp.Eq(sp.Sum(1 / S**2, (block, 0, S - 1)), 1 / S)
"""Two independent uniform blocks coincide with probability sum_s 1/S^2 = 1/S."""
m_ = sp.Symbol("m", real=True)  # one coordinate of the window's mean
WINDOW_VARIANCE = sp.Eq(sp.Sum((v_[r] - m_) ** 2, (r, 1, delta)),
                        sp.Sum(v_[r] ** 2, (r, 1, delta)) - 2 * sp.Sum(m_ * v_[r], (r, 1, delta))
                        + delta * m_**2)
"""sum_r (v_r - m)^2 = sum_r v_r^2 - 2 sum_r m v_r + delta m^2, one coordinate of delta vectors."""
RECURRENCE = sp.Eq(sp.Sum(term(x), (x, lower, upper)),
                   sp.Sum(term(x), (x, lower, upper - 1)) + term(upper), evaluate=False)
"""sum_{x=lower}^{upper} term(x) = sum_{x=lower}^{upper-1} term(x) + term(upper)."""
INDUCTION = sp.Or(sp.Not(base), conclusion,
                  sp.And(witness < reach, before, sp.Not(after)))
"""P(0) false, or P(N), or P(W) and not P(W + 1) for some 0 <= W < N: induction on N."""


def _lemmas(*lemmas: Lemma) -> dict[str, Lemma]:
    return {lemma.name: lemma for lemma in lemmas}


LEMMAS: dict[str, Lemma] = _lemmas(
    Lemma("descent", "the descent lemma of an L-smooth f (Nesterov 2004, Lemma 1.2.3): "
          "f(y) <= f(x) + <grad f(x), y - x> + (L/2)||y - x||^2, at x = x^k, y = x^{k+1}, in "
          "expectation", f(k + 1) <= f(k) + step_inner + L / 2 * step2, "tested", ("A1",),
          "test_descent_lemma_on_random_smooth_functions"),
    Lemma("tower", "the tower property with A3 and a uniform block drawn independently of the "
          "stale point and of the sample: E<grad_s f(x), g_s(z; xi)> = "
          "sum_s E<grad_s f(x), grad_s f(z)>/S",
          sp.Eq(sampled_inner, SAMPLING.lhs), "tested", ("A3", "DELAY"),
          "test_tower_property_on_random_distributions"),
    Lemma("blocks", "an inner product is the sum of its blocks' inner products: "
          "<a, c> = sum_s <a_s, c_s>", sp.Eq(cross, SAMPLING.rhs * S), "tested", (),
          "test_block_decomposition_on_random_vectors"),
    Lemma("block norms", "a squared norm is the sum of its blocks' squared norms: "
          "||c||^2 = sum_s ||c_s||^2, at c = grad f(z^k)",
          sp.Eq(stale2(k), sp.Sum(block_stale2(block), (block, 0, S - 1))), "tested", (),
          "test_block_decomposition_on_random_vectors"),
    Lemma("block distances", "a squared distance is the sum of its blocks': "
          "||x^k - z^k||^2 = sum_j ||x_j^k - z_j^k||^2",
          sp.Eq(dist2(k), sp.Sum(block_dist2(x), (x, 0, S - 1))), "tested", (),
          "test_block_decomposition_on_random_vectors"),
    Lemma("variance", "bias and variance with A3 and A3' at a uniform block: "
          "E||g_s(z; xi)||^2 = ||grad_s f(z)||^2 + E||g_s - grad_s f(z)||^2 <= "
          "sum_s (||grad_s f(z)||^2 + sigma_s^2)/S", sample2 <= VARIANCES.lhs, "tested",
          ("A3", "A3'", "DELAY"), "test_variance_decomposition_on_random_distributions"),
    Lemma("cauchy-schwarz", "Cauchy-Schwarz (Jensen) for a finite sum: ||sum_{t<n} v_t||^2 <= "
          "n sum_{t<n} ||v_t||^2, in expectation", norm2_sum <= count * sum_norm2, "tested", (),
          "test_cauchy_schwarz_for_finite_sums", "schema"),
    Lemma("block counting", "the stale distance counted by blocks: with the delta window "
          "updates v_t = gamma U_{s_t} g^t (or 0) at independent uniform blocks s_t and "
          "E||g^t||^2 <= G^2, E||x^k - z^k||^2 <= gamma^2 G^2 (delta + delta (delta - 1) "
          "P(s_t = s_t')), P(s_t = s_t') = sum_s 1/S^2 (each block's N_j hits give "
          "||x_j - z_j||^2 <= N_j sum ||v_t||^2)",
          dist2(k) <= gamma**2 * G**2 * (delta + delta * (delta - 1) * COINCIDE.lhs), "tested",
          ("A4", "DELAY"), "test_block_counting_on_random_block_sequences"),
    Lemma("polarization", "polarization in R^n: ||a - b||^2 = ||a||^2 + ||b||^2 - 2<a, b>",
          POLARIZATION, "proved", use="schema"),
    Lemma("uniform block", "the mean over a uniform block: E_s c_s = sum_s c_s/S = "
          "(1/S) sum_s c_s", SAMPLING, "proved", use="identity"),
    Lemma("window variance", "the spread of delta vectors about m, per coordinate: "
          "sum_r (v_r - m)^2 = sum_r v_r^2 - 2 sum_r m v_r + delta m^2", WINDOW_VARIANCE,
          "proved", use="schema"),
    Lemma("variance split", "sum_s (b_s + v_s)/S = (sum_s b_s + sum_s v_s)/S", VARIANCES,
          "proved", use="identity"),
    Lemma("coincidence", "two independent uniform blocks coincide with probability "
          "sum_s 1/S^2 = 1/S", COINCIDE, "proved", use="identity"),
    Lemma("recurrence", "a finite sum is its recurrence: sum_{x=a}^{n} t(x) = "
          "sum_{x=a}^{n-1} t(x) + t(n) (for every integer n, with Karr's convention for "
          "reversed limits)", RECURRENCE, "tested", (), "test_recurrence_of_finite_sums",
          "recurrence"),
    Lemma("induction", "induction on N >= 0 (least number principle): if P(0) and not P(N), "
          "then P(W) and not P(W + 1) at some 0 <= W < N, W the last index before P first "
          "fails; W is fresh in every use", INDUCTION, "tested", (),
          "test_induction_witness_on_random_predicates", "induction"),
)
"""The lemma library, by name."""


def recurrence(summand, start: sp.Expr, end: sp.Expr, index: sp.Symbol) -> Premise:
    """:data:`RECURRENCE` for ``sum_{index=start}^{end} summand(index)``."""
    return LEMMAS["recurrence"].at(x=index, term_at_x=summand(index),
                                   term_at_upper=summand(end), lower=start, upper=end)


def induction(predicate, at: sp.Expr) -> Premise:
    """:data:`INDUCTION` for the predicate ``predicate(N)`` (a SymPy Boolean), concluded at
    N = ``at``; the witness W stays the lemma's fresh symbol."""
    return LEMMAS["induction"].at(base=predicate(sp.Integer(0)), before=predicate(witness),
                                  after=predicate(witness + 1), conclusion=predicate(at),
                                  N=at)


def consistent(premise: Premise) -> bool:
    """Whether a use of :data:`RECURRENCE` or :data:`INDUCTION` is an instance of ONE summand
    or predicate (the provenance check compares formulas, not the structure of an instance):

    * recurrence: the summand at the upper limit is the summand at x with x = upper;
    * induction: P(0), P(W + 1) and P(N) are P(W) with W replaced by 0, W + 1 and N, and the
      witness W is not substituted.
    """
    values = dict(premise.instance)
    if premise.source == "recurrence":
        index = values.get(x, x)
        return values[term(upper)] == values[term(x)].xreplace({index: values[upper]})
    if premise.source == "induction":
        if witness in values:
            return False
        step = values[before]
        return (_same(step.xreplace({witness: 0}), values[base])
                and _same(step.xreplace({witness: witness + 1}), values[after])
                and _same(step.xreplace({witness: values[reach]}), values[conclusion]))
    return True


def _same(left: sp.Basic, right: sp.Basic) -> bool:
    """Equal, or equal once their finite sums with fixed limits are evaluated."""
    return left == right or sp.sympify(left).doit() == sp.sympify(right).doit()


def proved_obligations(*names: str) -> tuple[Obligation, ...]:
    """The obligations of the proved lemmas ``names``, for a theorem that uses them."""
    return tuple(LEMMAS[name].obligation() for name in names)


__all__ = ["INDUCTION", "LEMMAS", "RECURRENCE", "WINDOW_VARIANCE", "Lemma", "consistent",
           "induction", "proved_obligations", "recurrence"]
