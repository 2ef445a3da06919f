"""PipeDream against LocalSGD: simulated time, the LocalSGD bound, and time to epsilon.

These compare UPPER BOUNDS (guarantees), not the methods themselves: "PipeDream reaches epsilon
sooner" means "PipeDream's guarantee certifies epsilon-stationarity in fewer slots".

Time (CMP-TIME, from THR-COST, THR-PD and THR-LSGD): PipeDream takes (t_F + t_B)(M + S - 1)
slots for M microbatches (t_F dividing t_B), tau_PD = (t_F + t_B)/S slots per block update in
steady state; a LocalSGD round of R H microbatches takes 2[max(R, S) H + min(R, S) - 1] slots at
unit costs (written (t_F + t_B)[...] below: the unit-cost round scaled; with other costs the
greedy round does not keep this shape, THR-COST) and makes R H S block updates, so each copy's
local step costs tau_LSGD = (t_F + t_B)[max(R, S) H + min(R, S) - 1]/H slots. At R = S the time
per block update exceeds PipeDream's by beta = 1 + (S - 1)/(S H).

Bounds. Every guarantee used here has the three-term form

    (1/K) sum_{k<K} E||grad f(x^k)||^2 <= A/(gamma K) + B gamma + C gamma^2,   0 < gamma <= cap,

* PipeDream, variance form (CONV-VAR): A = 2 S F0, B = L sigma^2, C = L^2 D G^2, cap = 1/L, K
  block updates;
* PipeDream, second-moment form (CONV-RPD): A = 2 S F0, B = S L G^2, C = L^2 delta^2 G^2, no cap;
* LocalSGD (CMP-LSGD-BOUND; Wang and Joshi, JMLR 22(213), 2021, Theorem 1 with zeta = 0, i.e.
  full averaging every H steps): A = 2 F0, B = L sigma^2/R, C = L^2 sigma^2 (H - 1), cap = the
  largest eta with eta L + eta^2 L^2 H (H - 1) <= 1, K local steps of every copy, x^k the average
  of the R copies after k local steps.

Time to epsilon with the step size optimised. With phi(gamma) = gamma (eps - B gamma - C gamma^2),
the bound is <= eps exactly when K phi(gamma) >= A, so the fewest iterations are
K*(eps) = A/max_{0 < gamma <= cap} phi(gamma). phi is concave on gamma > 0 and its stationary
point is gamma_c = 2 eps/(2B + sqrt(4B^2 + 12 C eps)) (the positive root of
eps = 2 B gamma + 3 C gamma^2), so the maximiser is gamma* = min(gamma_c, cap), and
T(eps) = tau K*(eps) slots (PipeDream's one-time fill (S - 1)(t_F + t_B) is left out: it does
not recur).

Regimes (CMP-EPS, R = S):
* noise-dominated (eps -> 0, sigma > 0): K* -> 4 A B/eps^2 and T_LSGD/T_PD -> beta: PipeDream's
  guarantee wins by the bubble factor;
* staleness against client drift (the gamma-linear terms negligible): K* = (3 sqrt 3/2) A sqrt(C)
  eps^(-3/2), and PipeDream's guarantee wins iff sqrt(D) G < (S + (S - 1)/H) sigma sqrt(H - 1);
* deterministic (sigma = 0): LocalSGD's guarantee has no noise and no drift term,
  T_LSGD = tau_LSGD A_LSGD/(cap eps), while PipeDream's variance form keeps its stale term
  C = L^2 D G^2 > 0 and needs T_PD >= tau_PD A_PD (3 sqrt 3/2) sqrt(C) eps^(-3/2): below the
  crossover eps_c = 3 C (3 tau_PD A_PD cap_LSGD/(2 tau_LSGD A_LSGD))^2 LocalSGD's guarantee wins.
  (The catalogue's first draft said "deterministic: PipeDream wins"; the bounds do not say so.)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import sympy as sp

from pipeproof.theory.convergence import F0, K, L, S, epsilon, sigma
from pipeproof.theory.parameters import ParameterError
from pipeproof.theory.symbols import H, R, t_B, t_F

eta = sp.Symbol("eta", positive=True)  # LocalSGD step size
D = sp.Symbol("D", nonnegative=True)  # window constant of PipeDream's stale term
A, B, C = sp.symbols("A B C", nonnegative=True)  # the three-term form
cap = sp.Symbol("cap", positive=True)  # largest admissible step size


def pd_slots(micro: sp.Expr) -> sp.Expr:
    """T_PD(M) = (t_F + t_B)(M + S - 1) slots for M microbatches (THR-COST, THR-PD)."""
    return (t_F + t_B) * (micro + S - 1)


def pd_slots_per_update() -> sp.Expr:
    """tau_PD = (t_F + t_B)/S slots per block update in steady state."""
    return (t_F + t_B) / S


def round_slots(runs: sp.Expr = R) -> sp.Expr:
    """(t_F + t_B)[max(R, S) H + min(R, S) - 1] slots per LocalSGD round (THR-LSGD)."""
    return (t_F + t_B) * (sp.Max(runs, S) * H + sp.Min(runs, S) - 1)


def round_updates(runs: sp.Expr = R) -> sp.Expr:
    """R H S block updates per round: R H microbatches, each updating all S blocks."""
    return runs * H * S


def lsgd_slots_per_update(runs: sp.Expr = R) -> sp.Expr:
    """Round time over R H S block updates."""
    return round_slots(runs) / round_updates(runs)


def lsgd_slots_per_step(runs: sp.Expr = R) -> sp.Expr:
    """tau_LSGD = round time / H: slots per local step of every copy."""
    return round_slots(runs) / H


def bubble_factor() -> sp.Expr:
    """beta = 1 + (S - 1)/(S H)."""
    return 1 + (S - 1) / (S * H)


def lsgd_bound(step: sp.Expr = eta, steps: sp.Expr = K) -> sp.Expr:
    """2 F0/(eta K) + eta L sigma^2/R + eta^2 L^2 sigma^2 (H - 1) (Wang and Joshi 2021, Thm 1)."""
    return 2 * F0 / (step * steps) + step * L * sigma**2 / R + step**2 * L**2 * sigma**2 * (H - 1)


def lsgd_condition(step: sp.Expr = eta) -> sp.Basic:
    """eta L + eta^2 L^2 H (H - 1) <= 1."""
    return step * L + step**2 * L**2 * H * (H - 1) <= 1


def progress(step: sp.Expr, a_eps: sp.Expr = epsilon) -> sp.Expr:
    """phi(gamma) = gamma (eps - B gamma - C gamma^2)."""
    return step * (a_eps - B * step - C * step**2)


def three_term(step: sp.Expr, steps: sp.Expr = K) -> sp.Expr:
    """A/(gamma K) + B gamma + C gamma^2."""
    return A / (step * steps) + B * step + C * step**2


@dataclass(frozen=True)
class Guarantee:
    """A bound A/(gamma K) + B gamma + C gamma^2 for 0 < gamma <= cap, and the slots per
    iteration tau."""

    A: float
    B: float
    C: float
    cap: float
    tau: float

    def best_step(self, eps: float) -> float:
        """gamma* = min(gamma_c, cap), gamma_c = 2 eps/(2B + sqrt(4B^2 + 12 C eps)) (infinite
        when B = C = 0)."""
        denominator = 2.0 * self.B + math.sqrt(4.0 * self.B**2 + 12.0 * self.C * eps)
        return self.cap if denominator == 0 else min(2.0 * eps / denominator, self.cap)

    def iterations(self, eps: float) -> float:
        """K*(eps) = A/phi(gamma*) (inf when eps is out of reach: phi(gamma*) <= 0)."""
        step = self.best_step(eps)
        value = step * (eps - self.B * step - self.C * step**2)
        return math.inf if value <= 0 else self.A / value

    def time(self, eps: float) -> float:
        """T(eps) = tau K*(eps) slots."""
        return self.tau * self.iterations(eps)


def _positive(**values: float) -> None:
    for name, value in values.items():
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise ParameterError(f"{name} must be a finite number > 0, got {value!r}")


def _count(**values: int) -> None:
    for name, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ParameterError(f"{name} must be an integer >= 1, got {value!r}")


def lsgd_max_step(L_: float, H_: int) -> float:
    """The largest eta with eta L + eta^2 L^2 H (H - 1) <= 1: 2/(L (1 + sqrt(1 + 4 H (H - 1))))."""
    return 2.0 / (L_ * (1.0 + math.sqrt(1.0 + 4.0 * H_ * (H_ - 1))))


def pd_guarantee(S_: int, L_: float, F0_: float, sigma_: float, G_: float, D_: float,
                 t_F_: int = 1, t_B_: int = 1) -> Guarantee:
    """PipeDream's variance form (CONV-VAR): A = 2 S F0, B = L sigma^2, C = L^2 D G^2,
    cap = 1/L, tau = (t_F + t_B)/S."""
    _count(S=S_, t_F=t_F_, t_B=t_B_)
    _positive(L=L_, F0=F0_, G=G_)
    if sigma_ < 0 or D_ < 0:
        raise ParameterError(f"sigma and D must be >= 0, got {sigma_!r}, {D_!r}")
    return Guarantee(2 * S_ * F0_, L_ * sigma_**2, L_**2 * D_ * G_**2, 1.0 / L_,
                     (t_F_ + t_B_) / S_)


def pd_moment_guarantee(S_: int, L_: float, F0_: float, G_: float, delta_: float,
                        t_F_: int = 1, t_B_: int = 1) -> Guarantee:
    """PipeDream's second-moment form (CONV-RPD): A = 2 S F0, B = S L G^2, C = L^2 delta^2 G^2,
    no cap, tau = (t_F + t_B)/S."""
    _count(S=S_, t_F=t_F_, t_B=t_B_)
    _positive(L=L_, F0=F0_, G=G_)
    if delta_ < 0:
        raise ParameterError(f"delta must be >= 0, got {delta_!r}")
    return Guarantee(2 * S_ * F0_, S_ * L_ * G_**2, L_**2 * delta_**2 * G_**2, math.inf,
                     (t_F_ + t_B_) / S_)


def lsgd_guarantee(S_: int, R_: int, H_: int, L_: float, F0_: float, sigma_: float,
                   t_F_: int = 1, t_B_: int = 1) -> Guarantee:
    """LocalSGD (CMP-LSGD-BOUND): A = 2 F0, B = L sigma^2/R, C = L^2 sigma^2 (H - 1),
    cap = lsgd_max_step(L, H), tau = (t_F + t_B)[max(R, S) H + min(R, S) - 1]/H."""
    _count(S=S_, R=R_, H=H_, t_F=t_F_, t_B=t_B_)
    _positive(L=L_, F0=F0_)
    if sigma_ < 0:
        raise ParameterError(f"sigma must be >= 0, got {sigma_!r}")
    tau = (t_F_ + t_B_) * (max(R_, S_) * H_ + min(R_, S_) - 1) / H_
    return Guarantee(2 * F0_, L_ * sigma_**2 / R_, L_**2 * sigma_**2 * (H_ - 1),
                     lsgd_max_step(L_, H_), tau)


def pd_time_to_eps(eps: float, S: int, L: float, F0: float, sigma: float, G: float, D: float,
                   t_F: int = 1, t_B: int = 1) -> float:
    """Slots until PipeDream's guarantee (CONV-VAR) certifies eps: tau_PD A/phi(gamma*)."""
    _positive(eps=eps)
    return pd_guarantee(S, L, F0, sigma, G, D, t_F, t_B).time(eps)


def localsgd_time_to_eps(eps: float, S: int, R: int, H: int, L: float, F0: float,
                         sigma: float, t_F: int = 1, t_B: int = 1) -> float:
    """Slots until LocalSGD's guarantee (CMP-LSGD-BOUND) certifies eps: tau_LSGD A/phi(eta*)."""
    _positive(eps=eps)
    return lsgd_guarantee(S, R, H, L, F0, sigma, t_F, t_B).time(eps)


def noise_ratio(S: int, R: int, H: int) -> float:
    """lim_{eps -> 0} T_LSGD/T_PD = (max(R, S) H + min(R, S) - 1)/(R H); beta at R = S."""
    _count(S=S, R=R, H=H)
    return (max(R, S) * H + min(R, S) - 1) / (R * H)


def drift_ratio(S: int, R: int, H: int, sigma: float, G: float, D: float) -> float:
    """T_LSGD/T_PD of the staleness/drift forms (B = 0):
    (max(R, S) H + min(R, S) - 1)/H * sigma sqrt(H - 1)/(G sqrt D); > 1 means PipeDream wins."""
    _count(S=S, R=R, H=H)
    _positive(G=G, D=D)
    return (max(R, S) * H + min(R, S) - 1) / H * sigma * math.sqrt(H - 1) / (G * math.sqrt(D))


def deterministic_crossover(S: int, R: int, H: int, L: float, G: float, D: float) -> float:
    """eps_c = 3 C_PD (3 tau_PD A_PD cap_LSGD/(2 tau_LSGD A_LSGD))^2 at sigma = 0: below it
    LocalSGD's guarantee certifies eps sooner than PipeDream's (F0, t_F + t_B cancel)."""
    pd = pd_guarantee(S, L, 1.0, 0.0, G, D)
    lsgd = lsgd_guarantee(S, R, H, L, 1.0, 0.0)
    return 3.0 * pd.C * (3.0 * pd.tau * pd.A * lsgd.cap / (2.0 * lsgd.tau * lsgd.A)) ** 2


def winner(eps: float, pd: Guarantee, lsgd: Guarantee) -> str:
    """"pipedream", "localsgd" or "tie": whose guarantee certifies eps in fewer slots."""
    first, second = pd.time(eps), lsgd.time(eps)
    if first == second:
        return "tie"
    return "pipedream" if first < second else "localsgd"


def crossover_eps(pd: Guarantee, lsgd: Guarantee, low: float = 1e-12, high: float = 1e6,
                  points: int = 400) -> list[float]:
    """The eps in [low, high] where the winner changes (scan on a log grid, then bisection to
    relative precision 1e-10); empty when one guarantee wins throughout."""
    _positive(low=low, high=high)
    grid = [low * (high / low) ** (i / (points - 1)) for i in range(points)]
    found = []
    for left, right in itertools.pairwise(grid):
        if winner(left, pd, lsgd) != winner(right, pd, lsgd):
            found.append(_bisect(left, right, pd, lsgd))
    return found


def _bisect(left: float, right: float, pd: Guarantee, lsgd: Guarantee) -> float:
    side = winner(left, pd, lsgd)
    while right - left > 1e-10 * right:
        middle = math.sqrt(left * right)
        if winner(middle, pd, lsgd) == side:
            left = middle
        else:
            right = middle
    return math.sqrt(left * right)


def crossover_stages(eps: float, H: int, L: float, F0: float, sigma: float, G: float,
                     window, stages: range = range(1, 257)) -> int | None:
    """The smallest S in ``stages`` (R = S) at which LocalSGD's guarantee certifies eps sooner
    than PipeDream's, with D = window(S) (e.g. delta^2 for delta = S^2 - ceil(S/2)); None if
    PipeDream's wins throughout."""
    for count in stages:
        pd = pd_guarantee(count, L, F0, sigma, G, float(window(count)))
        if winner(eps, pd, lsgd_guarantee(count, count, H, L, F0, sigma)) == "localsgd":
            return count
    return None


def crossover_local_steps(eps: float, S: int, L: float, F0: float, sigma: float, G: float,
                          D: float, steps: range = range(1, 1025)) -> int | None:
    """The smallest H in ``steps`` (R = S) at which the winner differs from the winner at the
    first H; None if it never changes."""
    pd = pd_guarantee(S, L, F0, sigma, G, D)
    first = winner(eps, pd, lsgd_guarantee(S, S, steps[0], L, F0, sigma))
    for count in steps:
        if winner(eps, pd, lsgd_guarantee(S, S, count, L, F0, sigma)) != first:
            return count
    return None


__all__ = [
    "Guarantee",
    "crossover_eps",
    "crossover_local_steps",
    "crossover_stages",
    "deterministic_crossover",
    "drift_ratio",
    "localsgd_time_to_eps",
    "noise_ratio",
    "pd_moment_guarantee",
    "pd_time_to_eps",
]
