"""Empirical confirmation of CONV-EXP: the exponent of the stale distance in S, measured.

For RPD with uniform delays and for PipeDream, in the aligned and the noisy regime
(:mod:`pipeproof.checks.empirical.convergence.stale_distance`), the mean stale distance is measured
at every S of the profile for several seeds, and c S^a is fitted with a bootstrap interval
(:mod:`pipeproof.checks.empirical.convergence.exponent_fit`), for the stale distance itself and for
the stale distance normalised by gamma^2 times the mean squared block gradient. The statement of
CONV-EXP and each of its wrong variants are claims about the four exponents of the raw stale
distance; each is decided on the intervals
(:mod:`pipeproof.checks.empirical.convergence.interval_claims`): confirmed when it holds on every
interval, refuted (with the exponent and its interval as counterexample) when it fails on one,
unknown when an interval straddles its boundary. With a plots folder the confirmation writes
``conv-exp-stale-distance.png``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from pipeproof.checks.empirical.convergence.exponent_fit import (
    INTERVAL_METHOD,
    ExponentFit,
    fit_power,
    slope,
)
from pipeproof.checks.empirical.convergence.interval_claims import FAILS, HOLDS, judge
from pipeproof.checks.empirical.convergence.plots import plot_exponents
from pipeproof.checks.empirical.convergence.stale_distance import (
    BLOCK,
    METHODS,
    REGIMES,
    STEP_SIZE,
    stale_point,
)
from pipeproof.checks.empirical.runs import SOLVER
from pipeproof.checks.profiles import Profile
from pipeproof.checks.runner import MeasuredVerdict
from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory import convergence as cv
from pipeproof.theory.catalogue.convergence.measured import (
    EXPONENTS,
    PREDICTED,
    STATEMENT,
    VARIANT_CLAIMS,
)

STAGES = {"short": (2, 4, 8), "default": (2, 4, 8, 16),
          "long": (2, 3, 4, 6, 8, 12, 16, 24, 32, 48)}
SEEDS = {"short": 2, "default": 3, "long": 8}
FIGURE = "conv-exp-stale-distance"
Key = tuple[str, str]


@dataclass(frozen=True)
class Exponents:
    """The fits of one profile: raw and normalised stale distance per (method, regime)."""

    raw: dict[Key, ExponentFit]
    normalised: dict[Key, ExponentFit]

    def intervals(self) -> dict[sp.Symbol, tuple[float, float]]:
        """The interval of every exponent symbol of the theorem."""
        return {symbol: (self.raw[key].low, self.raw[key].high)
                for key, symbol in EXPONENTS.items()}


def measure_exponents(stages: tuple[int, ...], seeds: int) -> Exponents:
    """Run every method, regime, S and seed; fit both power laws."""
    raw, normalised = {}, {}
    for method in METHODS:
        for regime in REGIMES:
            points = [[stale_point(method, regime, value, seed) for seed in range(seeds)]
                      for value in stages]
            for target, field in ((raw, "stale"), (normalised, "ratio")):
                values = np.array([[getattr(point, field) for point in row] for row in points])
                target[(method, regime)] = fit_power(stages, values,
                                                     np.random.default_rng(len(stages)))
    return Exponents(raw, normalised)


def windows(stages: tuple[int, ...]) -> dict[str, np.ndarray]:
    """The window constants D(S) of the bounds at delta = S^2 - ceil(S/2)."""
    delay = cv.pipedream_steady_delay()
    forms = {"CONV-RPD D = delta^2": cv.stale_window_crude(delay),
             "CONV-BLOCK D = delta^2/S + delta(1 - 1/S)": cv.stale_window_block(delay),
             "CONV-PD-LAG D = Lambda(S)": cv.pd_lag_sum()}
    return {title: np.array([float(form.subs(cv.S, value)) for value in stages])
            for title, form in forms.items()}


def describe(exponents: Exponents) -> str:
    """Every fit in words, with the bounds' predictions next to them: their asymptotic
    exponents, and the slopes of their D(S) fitted over the same S (the finite-range value a
    measured curve that follows D would show)."""
    lines = []
    for key, fit in exponents.raw.items():
        local = ", ".join(f"{value:.2f}" for value in fit.local)
        lines.append(f"{key[0]} {key[1]}: {fit.text()} (normalised by gamma^2 mean ||g||^2: "
                     f"{exponents.normalised[key].text()}; local slopes {local})")
    stages = next(iter(exponents.raw.values())).stages
    predicted = ", ".join(f"{value} ({theorem})" for theorem, value in PREDICTED.items())
    finite = ", ".join(f"{title} {slope(np.asarray(stages), values)[0]:.2f}"
                       for title, values in windows(stages).items())
    return (f"{'; '.join(lines)}; the bounds predict {predicted} as S grows; over S in "
            f"{list(stages)} the slopes of their window constants are {finite}")


def _where(symbol: sp.Symbol, exponents: Exponents, claim: sp.Basic) -> dict[str, Any]:
    key = next(key for key, value in EXPONENTS.items() if value == symbol)
    fit = exponents.raw[key]
    return {"claim": str(claim), "method": key[0], "regime": key[1], "exponent": fit.exponent,
            "interval": [fit.low, fit.high], "S": list(fit.stages), "seeds": fit.seeds}


def decide(claim: sp.Basic, exponents: Exponents, budget: str, what: str) -> Verdict:
    """The verdict on ``claim`` from the exponents' intervals (module docstring)."""
    outcome, part = judge(claim, exponents.intervals())
    if outcome == HOLDS:
        return Verdict("empirical", Status.CONFIRMED, 0.0,
                       f"{what}: the measured exponents agree with {claim} on their whole "
                       "intervals", SOLVER, budget)
    symbol = next(iter(part.free_symbols))
    if outcome == FAILS:
        return Verdict("empirical", Status.REFUTED, 0.0, f"{what}: {part} fails on the whole "
                       "interval of the measured exponent", SOLVER, budget,
                       _where(symbol, exponents, part))
    return Verdict("empirical", Status.UNKNOWN, 0.0, f"{what}: undecided", SOLVER, budget,
                   reason=f"the interval of {symbol} straddles the boundary of {part}")


def exponent_verdict(exponents: Exponents, budget: str, seconds: float) -> MeasuredVerdict:
    """The statement's verdict, with one verdict per wrong variant."""
    main = decide(STATEMENT, exponents, budget, "CONV-EXP")
    variants = tuple((description, decide(claim, exponents, budget, description))
                     for description, claim in VARIANT_CLAIMS)
    detail = f"{main.detail}; {describe(exponents)}; interval: {INTERVAL_METHOD}"
    return MeasuredVerdict(main.method, main.status, seconds, detail, main.solver, main.budget,
                           main.counterexample, main.reason, variants=variants)


def budget_text(stages: tuple[int, ...], seeds: int) -> str:
    """The sizes of the runs, in words."""
    return (f"RPD (delta = S^2 - ceil(S/2)) and PipeDream, aligned and noisy (noise "
            f"{REGIMES['noisy']:g}), S in {list(stages)}, {seeds} seeds (data and runs) per S, "
            f"gamma = {STEP_SIZE:g}, block size {BLOCK}")


def figure(plots: Path | None, exponents: Exponents, stages: tuple[int, ...]) -> Path | None:
    """``conv-exp-stale-distance.png`` (nothing without a plots folder)."""
    if plots is None:
        return None
    return plot_exponents(plots, FIGURE, exponents.raw, exponents.normalised, windows(stages))


def confirm_exponent(profile: Profile, plots: Path | None) -> Verdict:
    """Measure the four exponents and decide CONV-EXP and its variants on them."""
    started = time.perf_counter()
    stages, seeds = STAGES[profile.runs], SEEDS[profile.runs]
    exponents = measure_exponents(stages, seeds)
    figure(plots, exponents, stages)
    return exponent_verdict(exponents, budget_text(stages, seeds),
                            time.perf_counter() - started)

