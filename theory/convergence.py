"""Nonconvex convergence bounds of Randomized PipeDream (RPD), as SymPy expressions.

RPD (Ilin and Richtarik, arXiv 2606.03498) updates one of S parameter blocks per step: at step k
it draws a block s uniformly, reads the mixed stale point z^k = (x_1^{k-d_1}, ..., x_S^{k-d_S})
with delays 0 <= d_j <= delta, and sets x_s <- x_s - gamma g_s(z^k; xi). With the assumptions of
:mod:`pipeproof.theory.assumptions` and F0 = f(x^0) - f*, the bounds with the second-moment bound G
have the form

    (1/K) sum_{k<K} E||grad f(x^k)||^2 <= 2 S F0/(gamma K) + gamma S L G^2 + gamma^2 L^2 G^2 D,

where gamma^2 G^2 D bounds the stale distance E||x^k - z^k||^2:

* D = delta^2 charges every update of the delay window to the read (CONV-RPD, the form the
  authors' code evaluates);
* D = delta^2/S + delta (1 - 1/S) counts only the updates that hit each block (CONV-BLOCK);
* D = Lambda(S) = sum_j (S - 1 - floor(j/2))^2 uses PipeDream's per-block version lags
  (CONV-PD-LAG, from STL-PD-LAG).

The variance form replaces gamma S L G^2 by gamma L sigma^2 under the step-size condition
gamma <= 1/L (CONV-VAR); CONV-NOG drops G altogether and needs gamma <= 1/(2L) and
gamma <= sqrt(S/2)/(L delta). The tuned forms (CONV-TUNED) put PipeDream's delays
S^2 - ceil(S/2) (STL-PD-MAX) and S^2 - ceil(S/2) + floor((S - 1)^2/4) (STL-PD-WARMUP) into
D = delta^2.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.staleness import run_max_delay, steady_max_delay
from pipeproof.theory.symbols import S, j

gamma = sp.Symbol("gamma", positive=True)  # step_size
L = sp.Symbol("L", positive=True)  # smoothness constant (A1)
G = sp.Symbol("G", positive=True)  # block second-moment bound (A4)
F0 = sp.Symbol("F0", positive=True)  # f(x^0) - f*
sigma = sp.Symbol("sigma", positive=True)  # total block standard deviation (A3')
K = sp.Symbol("K", integer=True, positive=True)  # block updates
delta = sp.Symbol("delta", integer=True, nonnegative=True)  # max_delay
k = sp.Symbol("k", integer=True, nonnegative=True)  # iteration
f_star = sp.Symbol("f_star", real=True)  # inf f (A2)
epsilon = sp.Symbol("epsilon", positive=True)  # target accuracy

SIX_POWER_CONSTANT = sp.Rational(1, 2)
"""c / (L F0/G^2) in the sufficient length K >= c S^6 for the steady PipeDream delay."""


def stale_window_crude(max_delay: sp.Expr = delta) -> sp.Expr:
    """D = delta^2: every one of the delta updates in the window charged to the read."""
    return max_delay**2


def stale_window_block(max_delay: sp.Expr = delta, stages: sp.Expr = S) -> sp.Expr:
    """D = delta^2/S + delta (1 - 1/S) = (delta^2 + delta (S - 1))/S: only the updates of block j
    move z_j.

    Block j is hit N_j ~ Binomial(delta, 1/S) times in the window, and
    sum_j E[N_j^2] = delta (1 - 1/S) + delta^2/S.
    """
    return max_delay**2 / stages + max_delay * (1 - 1 / stages)


def pd_lag_profile(read: sp.Expr = j) -> sp.Expr:
    """S - 1 - floor(j/2): most versions block j is behind in a PipeDream read (STL-PD-LAG)."""
    return S - 1 - sp.floor(read / 2)


def pd_lag_partial_sum(blocks: sp.Expr) -> sp.Expr:
    """Q(n) = sum_{j<n} (S - 1 - floor(j/2))^2 in closed form, with p = floor(n/2), e = n mod 2:

    Q(n) = 2 [p (S - 1)^2 - (S - 1) p (p - 1) + p (p - 1)(2p - 1)/6] + e (S - 1 - p)^2,

    since blocks 2i and 2i + 1 share the lag S - 1 - i.
    """
    pairs, odd = sp.floor(blocks / 2), sp.Mod(blocks, 2)
    return (2 * (pairs * (S - 1) ** 2 - (S - 1) * pairs * (pairs - 1)
                 + pairs * (pairs - 1) * (2 * pairs - 1) / 6) + odd * (S - 1 - pairs) ** 2)


def pd_lag_sum() -> sp.Expr:
    """Lambda(S) = sum_{j<S} (S - 1 - floor(j/2))^2 = (S - 1)(7S^2 - 2S - 3 [S odd])/12.

    Between 7(S - 1)^3/12 and 7 S^3/12: exponent 3 with constant 7/12.
    """
    return (S - 1) * (7 * S**2 - 2 * S - 3 * sp.Mod(S, 2)) / 12


def stale_distance(window: sp.Expr, step_size: sp.Expr = gamma,
                   moment: sp.Expr = G**2) -> sp.Expr:
    """gamma^2 G^2 D: the bound on E||x^k - z^k||^2 for the window constant D."""
    return step_size**2 * moment * window


def rpd_bound(window: sp.Expr | None = None, step_size: sp.Expr = gamma) -> sp.Expr:
    """2 S F0/(gamma K) + gamma S L G^2 + gamma^2 L^2 G^2 D (D = delta^2 by default).

    With D = delta^2 this is the bound of the authors' code ([C]), proved as CONV-RPD.
    """
    window = stale_window_crude() if window is None else window
    return (2 * S * F0 / (step_size * K) + step_size * S * L * G**2
            + L**2 * stale_distance(window, step_size))


def tuned_step_size() -> sp.Expr:
    """gamma* = sqrt(2 F0/(L G^2 K)), which balances 2 S F0/(gamma K) and gamma S L G^2."""
    return sp.sqrt(2 * F0 / (L * G**2 * K))


def tuned_rate(window: sp.Expr | None = None) -> sp.Expr:
    """The bound at gamma*: 2 S sqrt(2 L F0 G^2/K) + 2 L F0 D/K."""
    window = stale_window_crude() if window is None else window
    return leading_term() + 2 * L * F0 * window / K


def leading_term() -> sp.Expr:
    """2 S sqrt(2 L F0 G^2/K): the first two terms of the bound at gamma*."""
    return 2 * S * sp.sqrt(2 * L * F0 * G**2 / K)


def dominance_threshold(window: sp.Expr | None = None) -> sp.Expr:
    """K* = L F0 D^2/(2 S^2 G^2): the stale term 2 L F0 D/K equals the leading term at K = K*.

    Their ratio is sqrt(K*/K), so the stale term is of lower order exactly when K/K* grows.
    """
    window = stale_window_crude() if window is None else window
    return L * F0 * window**2 / (2 * S**2 * G**2)


def six_power_length(scale: sp.Expr = 1) -> sp.Expr:
    """c S^6 with c = scale^4 L F0/(2 G^2): enough updates when delta <= scale S^2.

    scale = 1 for the steady PipeDream delay S^2 - ceil(S/2); scale = 5/4 for the whole-run
    maximum of STL-PD-WARMUP (c = 625 L F0/(512 G^2)).
    """
    return scale**4 * SIX_POWER_CONSTANT * L * F0 / G**2 * S**6


def best_step_equation(step_size: sp.Expr = gamma, window: sp.Expr | None = None) -> sp.Expr:
    """phi'(gamma) gamma^2 = 2 L^2 G^2 D gamma^3 + S L G^2 gamma^2 - 2 S F0/K.

    phi(gamma) is :func:`rpd_bound`; its unique positive root minimises it for fixed K.
    """
    window = stale_window_crude() if window is None else window
    return (2 * L**2 * G**2 * window * step_size**3 + S * L * G**2 * step_size**2
            - 2 * S * F0 / K)


def iteration_complexity(accuracy: sp.Expr = epsilon, window: sp.Expr | None = None) -> sp.Expr:
    """K(eps) = max(32 S^2 L F0 G^2/eps^2, 4 L F0 D/eps): enough updates for rate <= eps."""
    window = stale_window_crude() if window is None else window
    return sp.Max(32 * S**2 * L * F0 * G**2 / accuracy**2, 4 * L * F0 * window / accuracy)


def pipedream_steady_delay() -> sp.Expr:
    """delta = S^2 - ceil(S/2), the steady PipeDream maximum delay (STL-PD-MAX)."""
    return steady_max_delay()


def pipedream_run_delay() -> sp.Expr:
    """delta = S^2 - ceil(S/2) + floor((S - 1)^2/4), the whole-run maximum (STL-PD-WARMUP)."""
    return run_max_delay()


def variance_bound(window: sp.Expr | None = None, step_size: sp.Expr = gamma) -> sp.Expr:
    """2 S F0/(gamma K) + gamma L sigma^2 + gamma^2 L^2 G^2 D, for gamma <= 1/L (CONV-VAR)."""
    window = stale_window_crude() if window is None else window
    return (2 * S * F0 / (step_size * K) + step_size * L * sigma**2
            + L**2 * stale_distance(window, step_size))


def variance_condition(step_size: sp.Expr = gamma) -> sp.Basic:
    """gamma <= 1/L, written L gamma <= 1."""
    return L * step_size <= 1


def no_moment_bound(step_size: sp.Expr = gamma) -> sp.Expr:
    """2 S F0/(gamma K) + gamma L sigma^2 + gamma^2 L^2 delta^2 sigma^2/S (CONV-NOG)."""
    return (2 * S * F0 / (step_size * K) + step_size * L * sigma**2
            + step_size**2 * L**2 * delta**2 * sigma**2 / S)


def no_moment_conditions(step_size: sp.Expr = gamma) -> tuple[sp.Basic, sp.Basic]:
    """gamma <= 1/(2L) and gamma <= sqrt(S/2)/(L delta), written without roots."""
    return 2 * L * step_size <= 1, 2 * L**2 * step_size**2 * delta**2 <= S


# The scalar quantities of the proof chains (catalogue section 3). Every quantity of a step is an
# expectation written as a function of the step's index (f(k), sample2(k), block_cross(k, s), ...),
# so that a fact at step k and a fact at step K are never conflated; the names below without an
# argument are those functions applied at the step k. Only the run's constants (gamma, L, G, F0,
# sigma, K, delta, S, f*) are plain symbols. The assumption records
# (:mod:`pipeproof.theory.assumptions`) and the lemmas (:mod:`pipeproof.theory.lemmas`) state their
# facts in them.

f = sp.Function("f")  # f(k) = E f(x^k)
grad2 = sp.Function("grad2", nonnegative=True)  # E||grad f(x^k)||^2
stale2 = sp.Function("stale2", nonnegative=True)  # E||grad f(z^k)||^2
dist2 = sp.Function("dist2", nonnegative=True)  # E||x^k - z^k||^2
update2 = sp.Function("update2", nonnegative=True)  # E||g^t||^2, the update of step t (0 if t < 0)
block_var = sp.Function("sigma_s2", nonnegative=True)  # sigma_s^2
STEP_QUANTITIES = {
    "step_inner": "E<grad f(x^k), x^{k+1} - x^k>",
    "step2": "E||x^{k+1} - x^k||^2",
    "sampled_inner": "E<grad_s f(x^k), g^k>, g^k = g_s(z^k; xi) the sampled block gradient",
    "sample2": "E||g^k||^2",
    "cross": "E<grad f(x^k), grad f(z^k)>",
    "grad_gap2": "E||grad f(x^k) - grad f(z^k)||^2",
    "window2": "sum over the delay window of step k of E||v_t||^2",
    "window_g2": "sum over the delay window of step k of E||g^t||^2",
    "window_var": "sum over the window of E||v_t - m||^2, m = (x^k - z^k)/delta",
    "mean_inner": "E<x^k - z^k, m>",
    "mean_sq": "E||m||^2",
}
"""The real quantities of step k, each a function of k, by name."""
STEP_FUNCTIONS = {name: sp.Function(name, real=True) for name in STEP_QUANTITIES}
STEP_FUNCTIONS["window_var"] = sp.Function("window_var", nonnegative=True)  # a sum of squares
"""The functions of :data:`STEP_QUANTITIES`."""
(step_inner, step2, sampled_inner, sample2, cross, grad_gap2, window2, window_g2, window_var,
 mean_inner, mean_sq) = (STEP_FUNCTIONS[name](k) for name in STEP_QUANTITIES)
window_count = sp.Function("window_n", integer=True, nonnegative=True)
window_n = window_count(k)  # updates in the delay window of step k
oldest_delay = sp.Function("oldest_delay", integer=True, nonnegative=True)
longest_delay = oldest_delay(k)  # the delay d_j of the block step k read longest ago
block = sp.Symbol("b", integer=True, nonnegative=True)  # block index
back = sp.Symbol("t", integer=True, nonnegative=True)  # position in the window, counted back
window_lag = sp.Symbol("d", integer=True, positive=True)  # lag of a window update, 1..length
BLOCK_CROSS = sp.Function("block_cross")  # (k, s): E<grad_s f(x^k), grad_s f(z^k)>
BLOCK_STALE2 = sp.Function("block_stale2", nonnegative=True)  # (k, s): E||grad_s f(z^k)||^2
BLOCK_DIST2 = sp.Function("block_dist2", nonnegative=True)  # (k, j): E||x_j^k - z_j^k||^2
BLOCK_WINDOW2 = sp.Function("block_window2", nonnegative=True)  # (k, j): sum E||v_t||^2 on j
BLOCK_UPDATE2 = sp.Function("block_update2", nonnegative=True)  # (k, j, t): E||g_j||^2, t-th last
read_lag = sp.Function("mixed_lag", integer=True, nonnegative=True)  # versions a read misses


def block_cross(index: sp.Expr, step: sp.Expr = k) -> sp.Expr:
    """E<grad_s f(x^step), grad_s f(z^step)> for the block s = ``index``."""
    return BLOCK_CROSS(step, index)


def block_stale2(index: sp.Expr, step: sp.Expr = k) -> sp.Expr:
    """E||grad_s f(z^step)||^2 for the block s = ``index``."""
    return BLOCK_STALE2(step, index)


def block_dist2(index: sp.Expr, step: sp.Expr = k) -> sp.Expr:
    """E||x_j^step - z_j^step||^2 for the block j = ``index``."""
    return BLOCK_DIST2(step, index)


def block_window2(index: sp.Expr, step: sp.Expr = k) -> sp.Expr:
    """sum of E||v_t||^2 on block j = ``index`` over the updates its read at ``step`` misses."""
    return BLOCK_WINDOW2(step, index)


def block_update2(index: sp.Expr, position: sp.Expr, step: sp.Expr = k) -> sp.Expr:
    """E||g_j||^2 of the ``position``-th last update of block j = ``index`` before ``step``."""
    return BLOCK_UPDATE2(step, index, position)


def window_sum(length: sp.Expr, step: sp.Expr = k) -> sp.Expr:
    """sum_{d=1}^{length} E||g^{step-d}||^2: the second moments of the last ``length`` updates."""
    return sp.Sum(update2(step - window_lag), (window_lag, 1, length))


def missed_sum(length: sp.Expr, read: sp.Expr = j, step: sp.Expr = k) -> sp.Expr:
    """sum_{t<length} E||g_j||^2 over the last ``length`` updates of block ``read``."""
    return sp.Sum(block_update2(read, back, step), (back, 0, length - 1))


# The stale gradients of the delay window (CONV-NOG; catalogue.convergence.windows).

window_stale2 = sp.Function("window_stale2", nonnegative=True)
"""window_stale2(k) = sum_{d=1}^{delta} e(k - d): the stale gradients of step k's window."""
shifted_stale2 = sp.Function("T")
"""T(d, n) = sum_{x<n} e(x - d): the partial sums of the stale gradients lagged by d."""
lag = window_lag  # lag k - t of a window step
steps = sp.Symbol("n", integer=True, nonnegative=True)  # steps summed


def lagged(index: sp.Expr, delay: sp.Expr) -> sp.Expr:
    """e(index - delay): E||grad f(z^{index - delay})||^2, and 0 before the first step."""
    return sp.Piecewise((stale2(index - delay), index >= delay), (0, True))


def lag_sum(term, lags: sp.Expr) -> sp.Expr:
    """sum_{d=1}^{lags} term(d)."""
    return sp.Sum(term(lag), (lag, 1, lags))


def window_definition(index: sp.Expr = k) -> sp.Basic:
    """window_stale2(index) = sum_{d=1}^{delta} e(index - d)."""
    return sp.Eq(window_stale2(index), lag_sum(lambda d: lagged(index, d), delta))


def shifted_recurrence(delay: sp.Expr = lag, count: sp.Expr = steps) -> tuple[sp.Basic, ...]:
    """T(delay, 0) = 0 and T(delay, count + 1) = T(delay, count) + e(count - delay): the
    definition of T by the recurrence of its finite sum."""
    return (sp.Eq(shifted_stale2(delay, 0), 0),
            sp.Eq(shifted_stale2(delay, count + 1),
                  shifted_stale2(delay, count) + lagged(count, delay)))
