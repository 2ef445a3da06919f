"""The hypotheses of the convergence theorems, as records a theorem lists and a run can test.

Each assumption has an id, its statement in words, a SymPy form over scalar symbols where one
exists (norms and inner products written as real symbols), the quantities a run must report to
test it, and a pure decision :meth:`Assumption.holds` on those measured numbers. The theorems of
catalogue section 3 (Ilin and Richtarik, arXiv 2606.03498; the standard nonconvex SGD setting of
Ghadimi and Lan 2013) assume:

* A1: f is L-smooth, ||grad f(x) - grad f(y)|| <= L ||x - y||; its consequence used in the proofs is
  the descent lemma f(y) <= f(x) + <grad f(x), y - x> + (L/2)||y - x||^2 (Nesterov 2004,
  Lemma 1.2.3);
* A2: f* = inf f > -inf;
* A3: E_xi g_s(z; xi) = grad_s f(z) for every block s and point z;
* A4: E_xi ||g_s(z; xi)||^2 <= G^2 for every block s and point z;
* A3': E_xi ||g_s(z; xi) - grad_s f(z)||^2 <= sigma_s^2 with sum_s sigma_s^2 = sigma^2;
* DELAY: 0 <= d_j <= delta, the delays drawn independently of the fresh sample, the block
  drawn uniformly and independently of the past and of the stale point.

A measured number satisfies a bound up to :data:`RELATIVE_TOLERANCE` (floating-point round-off).

:meth:`Assumption.formulas` gives each hypothesis as SymPy Booleans in the scalar quantities of
the proof chains (:mod:`pipeproof.theory.convergence`): an obligation that uses a hypothesis states
one of these formulas, possibly at another point (an instance). The definitions of the algorithm,
RPD's update rule and its stale point, are records of the same form (:data:`ALGORITHM`) without a
measured test: they hold by construction of the iterates.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy as sp

from pipeproof.theory.convergence import (
    F0,
    G,
    L,
    S,
    back,
    block,
    block_update2,
    block_var,
    block_window2,
    delta,
    dist2,
    f,
    f_star,
    gamma,
    grad_gap2,
    k,
    longest_delay,
    mean_inner,
    mean_sq,
    missed_sum,
    read_lag,
    sample2,
    sampled_inner,
    shifted_recurrence,
    sigma,
    step2,
    step_inner,
    update2,
    window2,
    window_definition,
    window_g2,
    window_n,
    window_sum,
)
from pipeproof.theory.parameters import ParameterError

RELATIVE_TOLERANCE = 1e-9
"""Slack allowed for round-off when a measured number is compared with a bound."""

Decision = Callable[[Mapping[str, float]], bool]

grad_diff = sp.Symbol("grad_diff", nonnegative=True)  # ||grad f(x) - grad f(y)||
point_diff = sp.Symbol("point_diff", nonnegative=True)  # ||x - y||
value = sp.Symbol("f_x", real=True)  # f(x)
mean_gradient = sp.Symbol("mean_g_s", real=True)  # a coordinate of E_xi g_s(z; xi)
block_gradient = sp.Symbol("grad_s_f", real=True)  # the same coordinate of grad_s f(z)
second_moment = sp.Symbol("second_moment", nonnegative=True)  # E_xi ||g_s(z; xi)||^2
block_variance = sp.Function("sigma_s", positive=True)  # sigma_s for block s
read_delay = sp.Symbol("d_j", integer=True)  # delay of one block in one read
_block = sp.Symbol("s", integer=True, nonnegative=True)
any_step = sp.Symbol("u", integer=True)  # a step, negative before the first one


@dataclass(frozen=True)
class Assumption:
    """One hypothesis of the convergence theorems.

    Attributes:
        id: "A1", "A2", "A3", "A4", "A3'" or "DELAY".
        title: a few words.
        statement: the hypothesis in words.
        relation: its SymPy form over scalar symbols, or None where it has none.
        measured: keys of the numbers a run must report to test it.
        decide: the test on those numbers (see :meth:`holds`).
        chain: the hypothesis in the scalar quantities of the proof chains, one relation per
            use (see :meth:`formulas`).
    """

    id: str
    title: str
    statement: str
    relation: sp.Basic | None
    measured: tuple[str, ...]
    decide: Decision
    chain: tuple[sp.Basic, ...] = ()

    def formulas(self) -> tuple[sp.Basic, ...]:
        """The formal statements: :attr:`relation` (where there is one) and :attr:`chain`."""
        return (*(() if self.relation is None else (self.relation,)), *self.chain)

    def holds(self, measured: Mapping[str, float]) -> bool:
        """Whether the measured numbers satisfy the assumption.

        Raises:
            KeyError: naming the keys of :attr:`measured` that are missing.
        """
        missing = [key for key in self.measured if key not in measured]
        if missing:
            raise KeyError(f"{self.id} needs the measured numbers {', '.join(missing)}")
        return self.decide(measured)

    def text(self) -> str:
        """``id: statement``, as theorems list it."""
        return f"{self.id}: {self.statement}"


def at_most(observed: float, bound: float) -> bool:
    """observed <= bound up to :data:`RELATIVE_TOLERANCE` (False for a NaN)."""
    return observed <= bound + RELATIVE_TOLERANCE * max(1.0, abs(bound))


def smooth(measured: Mapping[str, float]) -> bool:
    """A1: the largest observed ratio ||grad f(x) - grad f(y)||/||x - y|| is at most L."""
    return at_most(measured["smoothness_observed"], measured["L"])


def bounded_below(measured: Mapping[str, float]) -> bool:
    """A2: f* is finite and no observed value of f lies below it."""
    floor = measured["f_star"]
    return math.isfinite(floor) and at_most(floor, measured["f_min_observed"])


def unbiased(measured: Mapping[str, float]) -> bool:
    """A3: the largest ||mean of g_s over the sample space - grad_s f|| is within the run's
    round-off (``bias_tolerance``, relative to the gradient's size ``gradient_scale``)."""
    scale = max(1.0, measured["gradient_scale"])
    return measured["gradient_bias"] <= measured["bias_tolerance"] * scale


def bounded_moment(measured: Mapping[str, float]) -> bool:
    """A4: the largest observed block-gradient norm is at most G (which bounds the second
    moment E||g_s||^2 <= G^2 too)."""
    return at_most(measured["max_block_grad_norm"], measured["G"])


def bounded_variance(measured: Mapping[str, float]) -> bool:
    """A3': the sum over blocks of the largest observed block variance is at most sigma^2."""
    return at_most(measured["block_variance_sum"], measured["sigma"] ** 2)


def bounded_delays(measured: Mapping[str, float]) -> bool:
    """DELAY: observed delays lie in [0, delta], blocks are drawn uniformly and delays
    independently of the sample (each flag 1 when the run's sampler does so, 0 otherwise)."""
    in_range = measured["min_delay_observed"] >= 0 and at_most(
        measured["max_delay_observed"], measured["delta"])
    return in_range and measured["uniform_blocks"] == 1 and measured["independent_delays"] == 1


A1 = Assumption(
    "A1", "L-smooth", "f is L-smooth: ||grad f(x) - grad f(y)|| <= L ||x - y|| for all x, y",
    grad_diff <= L * point_diff, ("smoothness_observed", "L"), smooth,
    chain=(grad_gap2 <= L**2 * dist2(k),))
"""In the chains: E||grad f(x^k) - grad f(z^k)||^2 <= L^2 E||x^k - z^k||^2 (A1 squared, in
expectation)."""
A2 = Assumption(
    "A2", "bounded below", "f* = inf f > -infinity", value >= f_star,
    ("f_star", "f_min_observed"), bounded_below,
    chain=(f(k) >= f_star, sp.Eq(F0, f(0) - f_star)))
"""In the chains: E f(x^k) >= f* at every step, and F0 = f(x^0) - f* names the initial gap."""
A3 = Assumption(
    "A3", "unbiased block gradients",
    "E_xi g_s(z; xi) = grad_s f(z) for every block s and point z",
    sp.Eq(mean_gradient, block_gradient), ("gradient_bias", "gradient_scale", "bias_tolerance"),
    unbiased)
A4 = Assumption(
    "A4", "bounded block second moment",
    "E_xi ||g_s(z; xi)||^2 <= G^2 for every block s and point z",
    second_moment <= G**2, ("max_block_grad_norm", "G"), bounded_moment,
    chain=(sample2 <= G**2, update2(any_step) <= G**2, block_update2(block, back) <= G**2))
"""In the chains: E||g^k||^2 <= G^2 for the sampled block's gradient at the stale point (A4 at
(s, z^k), averaged by the tower property), at every step k; E||g^t||^2 <= G^2 for every integer t
(g^t = 0 before the first step); and the same for every update of every block."""
A3_VARIANCE = Assumption(
    "A3'", "bounded block variances",
    "E_xi ||g_s(z; xi) - grad_s f(z)||^2 <= sigma_s^2 for every s and z, with "
    "sum_s sigma_s^2 = sigma^2",
    sp.Eq(sp.Sum(block_variance(_block) ** 2, (_block, 0, S - 1)), sigma**2),
    ("block_variance_sum", "sigma"), bounded_variance,
    chain=(sp.Eq(sp.Sum(block_var(block), (block, 0, S - 1)), sigma**2),))
"""In the chains: sum_s sigma_s^2 = sigma^2, with sigma_s2(s) = sigma_s^2."""
DELAYS = Assumption(
    "DELAY", "bounded independent delays, uniform block",
    "0 <= d_j <= delta for every block j, delays drawn independently of the fresh sample, "
    "the updated block drawn uniformly and independently of the past and of the stale point",
    (read_delay >= 0) & (read_delay <= delta),
    ("min_delay_observed", "max_delay_observed", "delta", "uniform_blocks",
     "independent_delays"), bounded_delays,
    chain=(longest_delay <= delta,))
"""In the chains: the delay d_j of the block step k read longest ago, oldest_delay(k), is at most
delta."""

ALL = (A1, A2, A3, A4, A3_VARIANCE, DELAYS)
"""Every assumption, in catalogue order."""


@dataclass(frozen=True)
class AlgorithmDefinition:
    """A definition of the algorithm the chains use: true of every run by construction.

    Attributes:
        id: "RPD" (the update rule) or "STALE" (the stale point).
        title: a few words.
        statement: the definition in words.
        chain: its consequences in the scalar quantities of the chains.
    """

    id: str
    title: str
    statement: str
    chain: tuple[sp.Basic, ...]

    def formulas(self) -> tuple[sp.Basic, ...]:
        """The formal statements, :attr:`chain`."""
        return self.chain

    def text(self) -> str:
        """``id: statement``."""
        return f"{self.id}: {self.statement}"


UPDATE_RULE = AlgorithmDefinition(
    "RPD", "the update rule",
    "x^{k+1} = x^k - gamma U_s g^k: only block s moves, by -gamma g^k with g^k = g_s(z^k; xi), "
    "so <grad f(x^k), x^{k+1} - x^k> = -gamma <grad_s f(x^k), g^k> and "
    "||x^{k+1} - x^k||^2 = gamma^2 ||g^k||^2; g^k is the update of step k, E||g^k||^2 = "
    "update2(k), and there is no update before step 0",
    (sp.Eq(step_inner, -gamma * sampled_inner), sp.Eq(step2, gamma**2 * sample2),
     sp.Eq(update2(k), sample2), sp.Implies(any_step < 0, sp.Eq(update2(any_step), 0))))
STALE_POINT = AlgorithmDefinition(
    "STALE", "the stale point",
    "z^k = (x_1^{k - d_1}, ..., x_S^{k - d_S}), so x^k - z^k = sum_t v_t over the window_n = "
    "max_j d_j updates before step k, block j of v_t being gamma g^t if update t hit block j "
    "within block j's delay and 0 otherwise: ||v_t|| <= gamma ||g^t||; over the delta steps "
    "before k (v_t = 0 for t < 0), m = (x^k - z^k)/delta is their mean, so "
    "E<x^k - z^k, m> = E||x^k - z^k||^2/delta and E||m||^2 = E||x^k - z^k||^2/delta^2; "
    "window_stale2(k) = sum_{d=1}^{delta} e(k - d) and T(d, n) = sum_{x<n} e(x - d), with "
    "e(t) = E||grad f(z^t)||^2 for t >= 0 and 0 before",
    (sp.Eq(window_n, longest_delay), window2 <= gamma**2 * window_g2,
     sp.Eq(window_g2, window_sum(window_n)),
     sp.Eq(block_window2(block), gamma**2 * missed_sum(read_lag(block), block)),
     sp.Eq(dist2(k), delta * mean_inner), sp.Eq(dist2(k), delta**2 * mean_sq),
     window_definition(), *shifted_recurrence()))
"""At every step k: window_n(k) = oldest_delay(k); window2 = sum_t E||v_t||^2 and
window_g2 = sum_t E||g^t||^2 over the window; block j's block_window2 = sum ||v_t||^2 =
gamma^2 sum ||g_j||^2 over the updates of block j its read misses."""
ALGORITHM = (UPDATE_RULE, STALE_POINT)
"""The definitions of the algorithm, as records."""


def by_id(assumption_id: str) -> Assumption | AlgorithmDefinition:
    """The assumption (or definition of the algorithm) with ``assumption_id``.

    Raises:
        ParameterError: naming the unknown id and the known ones.
    """
    for assumption in (*ALL, *ALGORITHM):
        if assumption.id == assumption_id:
            return assumption
    known = ", ".join(assumption.id for assumption in (*ALL, *ALGORITHM))
    raise ParameterError(f"unknown assumption {assumption_id!r}; known: {known}")
