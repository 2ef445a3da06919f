"""Catalogue section 4: time to epsilon-stationarity of PipeDream's and LocalSGD's guarantees
(CMP-EPS). These compare UPPER BOUNDS, not the methods.

Both guarantees have the form A/(gamma K) + B gamma + C gamma^2 <= eps for 0 < gamma <= cap
(:mod:`pipeproof.theory.comparison`); with phi(gamma) = gamma (eps - B gamma - C gamma^2):

* the bound is <= eps exactly when K phi(gamma) >= A (phi(gamma) > 0), so the fewest iterations
  are A/max phi, and T(eps) = tau A/max phi slots;
* phi is maximised over gamma > 0 at gamma_c, the positive root of eps = 2 B gamma + 3 C gamma^2,
  since phi(gamma_c) - phi(gamma) = (gamma_c - gamma)^2 (B + C (2 gamma_c + gamma)) >= 0, and over
  (0, cap] at cap when cap <= gamma_c;
* noise-dominated: eps^2 (1 - C eps/(2 B^2))/(4B) <= max phi <= eps^2/(4B), so K* -> 4AB/eps^2 as
  eps -> 0 and T_LSGD/T_PD -> tau_L A_L B_L/(tau_P A_P B_P) = (max(R, S) H + min(R, S) - 1)/(R H),
  which is beta = 1 + (S - 1)/(S H) at R = S;
* staleness against client drift (B = 0): max phi = (2/3) eps gamma_c with 3 C gamma_c^2 = eps, and
  PipeDream's guarantee (C = L^2 D G^2) is sooner than LocalSGD's (C = L^2 sigma^2 (H - 1), R = S)
  iff sqrt(D) G < (S + (S - 1)/H) sigma sqrt(H - 1);
* deterministic (sigma = 0): LocalSGD's guarantee reaches eps in tau_L A_L/(cap_L eps) slots;
  PipeDream's variance form keeps C = L^2 D G^2 and needs more slots for every step size once
  eps < eps_c = 3 C (3 tau_P A_P cap_L/(2 tau_L A_L))^2.

Square roots are symbols with their squares as hypotheses (u^2 = D, v^2 = H - 1, gamma_c^2 3 C =
eps), so every obligation stays polynomial.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import comparison as cmp
from pipeproof.theory.catalogue.convergence.premises import derive, earlier, hypothesis
from pipeproof.theory.comparison import A, B, C, cap
from pipeproof.theory.convergence import F0, G, K, L, S, epsilon, sigma
from pipeproof.theory.symbols import H, R, t_B, t_F
from pipeproof.theory.theorem import Obligation, Theorem, Variant

eps = epsilon
g, gc = sp.symbols("gamma gamma_c", positive=True)
u, v = sp.symbols("u v", nonnegative=True)  # sqrt(D), sqrt(H - 1)
gp, gl = sp.symbols("gamma_PD gamma_LSGD", positive=True)  # drift-regime step sizes
gd = sp.Symbol("gamma_det", positive=True)  # PipeDream's unconstrained best step at sigma = 0
Cd = sp.Symbol("C_det", nonnegative=True)  # PipeDream's stale constant L^2 D G^2 at sigma = 0
Dw = cmp.D
tau_p, tau_l, A_l = sp.symbols("tau_PD tau_LSGD A_LSGD", positive=True)

ROOT = sp.Eq(eps, 2 * B * gc + 3 * C * gc**2)
"""gamma_c is the positive root of phi'(gamma) = 0."""
U_ROOT = sp.Eq(u**2, Dw)
V_ROOT = sp.Eq(v**2, H - 1)
PD_C = L**2 * Dw * G**2
LSGD_C = L**2 * sigma**2 * (H - 1)
PD_STEP = sp.Eq(3 * PD_C * gp**2, eps)
LSGD_STEP = sp.Eq(3 * LSGD_C * gl**2, eps)
DRIFT = sp.And(H >= 2, U_ROOT, V_ROOT, PD_STEP, LSGD_STEP)
"""The drift regime: H >= 2, u = sqrt(D), v = sqrt(H - 1) and the best steps of the two
guarantees with B = 0 (3 C gamma^2 = eps)."""
DET_STEP = sp.Eq(3 * Cd * gd**2, eps)
"""PipeDream's unconstrained best step with B = 0 (sigma = 0) and stale constant C_det."""


def phi(step: sp.Expr, b: sp.Expr = B, c: sp.Expr = C) -> sp.Expr:
    """gamma (eps - B gamma - C gamma^2)."""
    return step * (eps - b * step - c * step**2)


def _domains() -> tuple[sp.Basic, ...]:
    positive = (A, eps, g, gc, cap, gp, gl, gd, tau_p, tau_l, A_l, L, F0, G, sigma, Dw)
    return (*(sp.Gt(x, 0, evaluate=False) for x in positive),
            *(sp.Ge(x, 0, evaluate=False) for x in (B, C, Cd, u, v)),
            *(sp.Ge(x, 1, evaluate=False) for x in (K, S, R, H, t_F, t_B)))


def assumptions() -> tuple[sp.Basic, ...]:
    """Domains, gamma_c's equation and PipeDream's best step at sigma = 0."""
    return (*_domains(), ROOT, DET_STEP)


def _pos(*symbols: sp.Symbol) -> tuple[sp.Basic, ...]:
    return tuple(sp.Gt(x, 0, evaluate=False) for x in symbols)


def _nonneg(*symbols: sp.Symbol) -> tuple[sp.Basic, ...]:
    return tuple(sp.Ge(x, 0, evaluate=False) for x in symbols)


def optimum() -> tuple[Obligation, ...]:
    """The best step size and the fewest iterations."""
    best = derive("phi is largest at gamma_c: phi(gamma) <= phi(gamma_c) for every gamma > 0",
                  phi(g) <= phi(gc), hypothesis(ROOT),
                  domains=(*_pos(eps, g, gc), *_nonneg(B, C)))
    capped = derive("with cap <= gamma_c, phi is largest on (0, cap] at cap",
                    sp.Implies(sp.And(g <= cap, cap <= gc), phi(g) <= phi(cap)),
                    hypothesis(ROOT), domains=(*_pos(eps, g, gc, cap), *_nonneg(B, C)))
    enough = derive("K phi(gamma) >= A > 0 gives A/(gamma K) + B gamma + C gamma^2 <= eps",
                    sp.Implies(K * phi(g) >= A, cmp.three_term(g) <= eps),
                    domains=(*_pos(A, eps, g), *_nonneg(B, C), sp.Ge(K, 1, evaluate=False)))
    needed = derive("and only then: the bound <= eps gives K phi(gamma) >= A",
                    sp.Implies(cmp.three_term(g) <= eps, K * phi(g) >= A),
                    domains=(*_pos(A, eps, g), *_nonneg(B, C), sp.Ge(K, 1, evaluate=False)))
    fewest = derive("so no step size reaches eps with fewer than A/phi(gamma_c) iterations",
                    sp.Implies(cmp.three_term(g) <= eps, K * phi(gc) >= A), earlier(needed),
                    earlier(best), domains=(*_pos(A, eps, g, gc), *_nonneg(B, C),
                                            sp.Ge(K, 1, evaluate=False)))
    return best, capped, enough, needed, fewest


def noise() -> tuple[Obligation, ...]:
    """Noise-dominated regime: max phi within [eps^2 (1 - C eps/(2B^2))/(4B), eps^2/(4B)]."""
    upper = derive("max phi <= eps^2/(4B) (B > 0)",
                   sp.Implies(B > 0, phi(gc) * 4 * B <= eps**2),
                   domains=(*_pos(eps, gc), *_nonneg(B, C)))
    lower = derive("max phi >= phi(eps/(2B)) = (eps^2/(4B))(1 - C eps/(2B^2)) (B > 0)",
                   sp.Implies(B > 0, phi(gc) * 8 * B**3 >= eps**2 * (2 * B**2 - C * eps)),
                   hypothesis(ROOT), domains=(*_pos(eps, gc), *_nonneg(B, C)))
    ratio = derive("K* ~ 4AB/eps^2: tau_L A_L B_L/(tau_P A_P B_P) = (max(R, S) H + min(R, S) "
                   "- 1)/(R H), and beta at R = S",
                   sp.And(sp.Eq(_noise_ratio(R), (sp.Max(R, S) * H + sp.Min(R, S) - 1) / (R * H),
                                evaluate=False),
                          sp.Eq(_noise_ratio(S), cmp.bubble_factor(), evaluate=False)),
                   domains=(*_pos(F0, L, sigma), *(sp.Ge(x, 1, evaluate=False)
                                                   for x in (R, H, t_F, t_B))))
    return upper, lower, ratio


def _noise_ratio(runs: sp.Expr) -> sp.Expr:
    """tau_LSGD A_LSGD B_LSGD/(tau_PD A_PD B_PD) with the guarantees' constants."""
    lsgd = cmp.lsgd_slots_per_step(runs) * 2 * F0 * L * sigma**2 / runs
    pd = cmp.pd_slots_per_update() * 2 * S * F0 * L * sigma**2
    return lsgd / pd


def drift() -> tuple[Obligation, ...]:
    """Staleness against client drift (B = 0, R = S)."""
    value = derive("B = 0: max phi = (2/3) eps gamma_c", sp.Implies(
        sp.Eq(B, 0), sp.Eq(phi(gc), sp.Rational(2, 3) * eps * gc, evaluate=False)),
                   hypothesis(ROOT), domains=(*_pos(eps, gc), *_nonneg(B, C)))
    tau_pd = cmp.pd_slots_per_update()
    tau_lsgd = cmp.lsgd_slots_per_step(S)
    time_pd = tau_pd * 2 * S * F0 * 3 / (2 * eps * gp)
    time_lsgd = tau_lsgd * 2 * F0 * 3 / (2 * eps * gl)
    quotient = S + (S - 1) / H
    drift_domains = (*_pos(eps, gp, gl, F0, L, G, sigma, Dw), *_nonneg(u, v),
                     *(sp.Ge(x, 1, evaluate=False) for x in (H, t_F, t_B)))
    steps = derive("the drift-regime steps satisfy G sqrt(D) gamma_PD = sigma sqrt(H - 1) "
                   "gamma_L (both 3 C gamma^2 = eps)",
                   sp.Implies(DRIFT, sp.Eq(G * u * gp, sigma * v * gl, evaluate=False)),
                   domains=drift_domains)
    times = derive("tau_PD A_PD/((2/3) eps gamma_PD) < tau_L A_L/((2/3) eps gamma_L) iff "
                   "gamma_L < (S + (S - 1)/H) gamma_PD",
                   sp.Equivalent(time_pd < time_lsgd, gl < quotient * gp), domains=drift_domains)
    scaled = derive("with sigma sqrt(H - 1) > 0: gamma_L < q gamma_PD iff G sqrt(D) < q sigma "
                    "sqrt(H - 1)",
                    sp.Implies(sp.And(H >= 2, sp.Eq(v**2, H - 1), sp.Eq(G * u * gp,
                                                                         sigma * v * gl)),
                               sp.Equivalent(gl < quotient * gp, G * u < quotient * sigma * v)),
                    domains=drift_domains)
    wins = derive("PipeDream's guarantee is sooner iff sqrt(D) G < (S + (S - 1)/H) sigma "
                  "sqrt(H - 1)",
                  sp.Implies(DRIFT, sp.Equivalent(time_pd < time_lsgd,
                                                  G * u < quotient * sigma * v)),
                  earlier(steps), earlier(times), earlier(scaled), domains=drift_domains)
    return value, steps, times, scaled, wins


def deterministic() -> tuple[Obligation, ...]:
    """sigma = 0: LocalSGD's guarantee wins below eps_c."""
    bound = derive("B = 0: phi(gamma) <= (2/3) eps gamma_det with 3 C_det gamma_det^2 = eps",
                   phi(g, 0, Cd) <= sp.Rational(2, 3) * eps * gd, hypothesis(DET_STEP),
                   domains=(*_pos(eps, g, gd), *_nonneg(Cd)))
    threshold = eps_threshold()
    step = derive("eps < eps_c gives gamma_det < 3 tau_PD A_PD cap_L/(2 tau_L A_L)",
                  sp.Implies(eps < threshold, 2 * tau_l * A_l * gd < 3 * tau_p * A * cap),
                  hypothesis(DET_STEP), domains=(*_pos(eps, gd, tau_p, tau_l, A, A_l, cap),
                                                 *_nonneg(Cd)))
    sooner = derive("so for eps < eps_c every PipeDream step size needs more slots: "
                    "tau_L A_L phi_PD(gamma) < tau_PD A_PD cap_L eps",
                    sp.Implies(eps < threshold,
                               tau_l * A_l * phi(g, 0, Cd) < tau_p * A * cap * eps),
                    earlier(bound), earlier(step),
                    domains=(*_pos(eps, g, gd, tau_p, tau_l, A, A_l, cap), *_nonneg(Cd)))
    return bound, step, sooner


def eps_threshold() -> sp.Expr:
    """eps_c = 3 C_det (3 tau_PD A_PD cap_L/(2 tau_L A_L))^2."""
    return 3 * Cd * (3 * tau_p * A * cap / (2 * tau_l * A_l)) ** 2


def obligations() -> tuple[Obligation, ...]:
    """Every obligation, in order."""
    return (*optimum(), *noise(), *drift(), *deterministic())


STATEMENT_PARTS = (0, 1, 2, 4, 5, 6, 7, 8, 12, 15)
"""Indices of the obligations whose goals the statement conjoins."""


def statement() -> sp.Basic:
    """The conjunction of the optimum, the regimes and the deterministic crossover."""
    goals = [ob.goal for ob in obligations()]
    return sp.And(*(goals[i] for i in STATEMENT_PARTS))


def _wrong(name: str, goal: sp.Basic, *premises) -> Obligation:
    return derive(name, goal, *premises, domains=_domains())


def variants() -> tuple[Variant, ...]:
    """Wrong forms of the regimes and of the optimum."""
    tau_pd, tau_lsgd = cmp.pd_slots_per_update(), cmp.lsgd_slots_per_step(S)
    time_pd = tau_pd * 2 * S * F0 * 3 / (2 * eps * gp)
    time_lsgd = tau_lsgd * 2 * F0 * 3 / (2 * eps * gl)
    return (
        Variant("noise regime: the ratio is beta with H dropped, 1 + (S - 1)/S",
                (_wrong("tau_L A_L B_L/(tau_P A_P B_P) = 1 + (S - 1)/S at R = S",
                        sp.Eq(_noise_ratio(S), 1 + (S - 1) / S, evaluate=False)),)),
        Variant("noise regime: PipeDream wins by beta^2",
                (_wrong("ratio beta^2 at R = S", sp.Eq(_noise_ratio(S), cmp.bubble_factor()**2,
                                                       evaluate=False)),)),
        Variant("drift regime: H in place of H - 1 under the root, sqrt(D) G < (S + (S - 1)/H) "
                "sigma sqrt(H)",
                (_wrong("PD sooner iff G u < (S + (S - 1)/H) sigma sqrt(H)",
                        sp.Implies(DRIFT, sp.Equivalent(
                            time_pd < time_lsgd, G**2 * u**2 < (S + (S - 1) / H)**2 * sigma**2
                            * H))),)),
        Variant("drift regime: the factor S + (S - 1)/H dropped",
                (_wrong("PD sooner iff G u < sigma v",
                        sp.Implies(DRIFT, sp.Equivalent(time_pd < time_lsgd,
                                                        G * u < sigma * v))),)),
        Variant("deterministic: PipeDream's guarantee always reaches eps sooner (the first "
                "draft of the catalogue)",
                (_wrong("sigma = 0: tau_L A_L phi_PD(gamma) >= tau_PD A_PD cap_L eps for some "
                        "gamma: PipeDream at least as fast at every eps",
                        tau_l * A_l * phi(gd, 0, Cd) >= tau_p * A * cap * eps,
                        hypothesis(DET_STEP)),)),
        Variant("optimum: the noise-regime step eps/(2B) is best whatever C",
                (derive("phi(gamma) <= phi(eps/(2B))", phi(g) <= phi(eps / (2 * B)),
                        domains=(*_domains(), sp.Gt(B, 0, evaluate=False))),)),
    )


def eps_theorem() -> Theorem:
    """CMP-EPS: time to eps of each guarantee, the regimes and the crossovers."""
    return Theorem(
        id="CMP-EPS",
        title="Time to eps of the guarantees (upper bounds): noise regime LocalSGD/PD -> beta; "
              "PD sooner iff sqrt(D)G < (S+(S-1)/H) sigma sqrt(H-1) (drift regime); sigma = 0: "
              "LocalSGD sooner below eps_c",
        statement=statement(),
        assumptions=assumptions(),
        hypotheses=(
            "guarantees of the form A/(gamma K) + B gamma + C gamma^2 for 0 < gamma <= cap: "
            "PipeDream's variance form CONV-VAR (A = 2 S F0, B = L sigma^2, C = L^2 D G^2, cap "
            "= 1/L, tau = (t_F + t_B)/S slots per block update) and CMP-LSGD-BOUND (A = 2 F0, "
            "B = L sigma^2/R, C = L^2 sigma^2 (H - 1), tau = (t_F + t_B)[max(R, S) H + min(R, "
            "S) - 1]/H slots per local step)",
            "time to eps = tau times the fewest iterations at which the bound is <= eps, over "
            "every admissible step size; PipeDream's one-time fill is not counted",
            "drift regime: R = S, H >= 2, the gamma-linear terms dropped (B = 0) and the best "
            "steps below the caps; deterministic regime: sigma = 0",
        ),
        source="[D]",
        uses=("CMP-TIME", "CMP-LSGD-BOUND", "CONV-VAR"),
        obligations=obligations(),
        variants=variants(),
        notes="These compare UPPER BOUNDS: 'PipeDream reaches eps sooner' means its guarantee "
              "certifies eps in fewer simulated slots, not that its run does. Derived here: "
              "K*(eps) = A/phi(gamma*), gamma* = min(gamma_c, cap), gamma_c = 2 eps/(2B + "
              "sqrt(4B^2 + 12 C eps)); noise regime: K* in [4AB/eps^2, 4AB/(eps^2 (1 - C eps/"
              "(2B^2)))] while gamma_c <= cap, so T_LSGD/T_PD -> (max(R, S) H + min(R, S) - "
              "1)/(R H) = beta at R = S; drift regime (B = 0): K* = (3 sqrt 3/2) A sqrt(C) "
              "eps^(-3/2) and PipeDream's guarantee is sooner iff sqrt(D) G < (S + (S - 1)/H) "
              "sigma sqrt(H - 1), as the catalogue states. CORRECTION to the catalogue's "
              "'deterministic: PD wins': with sigma = 0 LocalSGD's guarantee has no noise and "
              "no drift term and reaches eps in tau_L A_L/(cap_L eps) slots, while PipeDream's "
              "variance form keeps its stale term L^2 D G^2 gamma^2 and needs at least "
              "tau_P A_P (3 sqrt 3/2) sqrt(C) eps^(-3/2): for eps < eps_c = 3 C (3 tau_P A_P "
              "cap_L/(2 tau_L A_L))^2 LocalSGD's guarantee is sooner, for every PipeDream step "
              "size. Crossover values of eps, S and H: pipeproof.theory.comparison "
              "(crossover_eps, crossover_stages, crossover_local_steps, "
              "deterministic_crossover).",
    )


THEOREMS = (eps_theorem,)
"""Builders of CMP-EPS."""
