"""Which cases each convergence confirmation runs, by profile.

Every profile crosses the objectives of
:data:`~pipeproof.checks.empirical.convergence.cases.OBJECTIVES` with stage counts and step sizes
gamma = c/L; the runs are RPD with uniform delays in
0..min(delta, k), delta = S^2 - ceil(S/2) (the method the bounds are about):

=========  ==============  ========  =====  ============================================
profile    S               M         seeds  step sizes c = gamma L
=========  ==============  ========  =====  ============================================
short      2, 4            8         2      c_NOG(S), 0.3, 1.2 (MLP: 0.3)
default    2, 4, 8         12        2      c_NOG(S), 0.3, 1.2 (MLP: 0.3)
long       2, 4, 8, 16     32        4      c_NOG(S), 0.3, 1.2 (MLP: all three)
=========  ==============  ========  =====  ============================================

c_NOG(S) = min(1/2, sqrt(S/2)/delta) is the largest step meeting both conditions of CONV-NOG;
0.3 meets CONV-VAR's gamma <= 1/L only; 1.2 meets neither. Besides these:

* replayed: RPD replaying PipeDream's delays (its updates in PipeDream's fixed block order) at
  S = 4, which is outside every theorem that draws the block uniformly;
* lag: uniform delays with delta = floor(S/2), small enough that no read of block j can be more
  than S - 1 - floor(j/2) versions old (CONV-PD-LAG's hypothesis);
* tuned: gamma* = sqrt(2 F0/(L G^2 K)) with a G declared before the run, 1.25 times the
  observed maximum of the run at c_NOG(S) (CONV-TUNED; A4 is then a real test of that G).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeproof.checks.empirical.convergence.cases import OBJECTIVES, Case, measure, objective_of
from pipeproof.checks.profiles import Profile

LINEAR = tuple(name for name in OBJECTIVES if name != "mlp")
SCALES = (None, 0.3, 1.2)
"""Step sizes c = gamma L; None stands for c_NOG(S)."""
MARGIN = 1.25
"""Declared G / observed G of the pilot run (CONV-TUNED)."""
REPLAY_STAGES = 4


@dataclass(frozen=True)
class Plan:
    """A profile's sizes (module docstring)."""

    stages: tuple[int, ...]
    microbatches: int
    seeds: int
    mlp_scales: tuple[float | None, ...]


PLANS = {"short": Plan((2, 4), 8, 2, (0.3,)), "default": Plan((2, 4, 8), 12, 2, (0.3,)),
         "long": Plan((2, 4, 8, 16), 32, 4, SCALES)}


def nog_scale(stages: int) -> float:
    """c_NOG(S) = min(1/2, sqrt(S/2)/delta) with delta = S^2 - ceil(S/2)."""
    delay = stages * stages - (stages + 1) // 2
    return min(0.5, math.sqrt(stages / 2) / delay) if delay else 0.5


def _scale(value: float | None, stages: int) -> float:
    return nog_scale(stages) if value is None else value


def main_cases(profile: Profile) -> list[Case]:
    """Uniform RPD on every objective, S and step size of the profile."""
    plan = PLANS[profile.runs]
    return [Case(name, stages, _scale(value, stages), plan.microbatches, plan.seeds)
            for name in OBJECTIVES for stages in plan.stages
            for value in (plan.mlp_scales if name == "mlp" else SCALES)]


def replayed_cases(profile: Profile) -> list[Case]:
    """RPD replaying PipeDream's delays and block order, on the linear objectives."""
    plan = PLANS[profile.runs]
    return [Case(name, REPLAY_STAGES, 0.3, plan.microbatches, plan.seeds, delays="pipedream")
            for name in LINEAR]


def lag_cases(profile: Profile) -> list[Case]:
    """Uniform RPD with delta = floor(S/2) at c = 0.3."""
    plan = PLANS[profile.runs]
    return [Case(name, stages, 0.3, plan.microbatches, plan.seeds, max_delay=stages // 2)
            for name in LINEAR for stages in plan.stages]


def tuned_cases(profile: Profile) -> list[Case]:
    """gamma* = sqrt(2 F0/(L G^2 K)) with G declared from a pilot run (module docstring)."""
    plan, cases = PLANS[profile.runs], []
    for name in OBJECTIVES:
        for stages in plan.stages:
            pilot = measure(Case(name, stages, nog_scale(stages), plan.microbatches, plan.seeds))
            declared = MARGIN * pilot.G_observed
            updates = stages * plan.microbatches
            smooth = objective_of(name, stages).smoothness().value
            step = math.sqrt(2 * pilot.F0 / (smooth * declared**2 * updates))
            cases.append(Case(name, stages, step * smooth, plan.microbatches, plan.seeds,
                              step_size=step, moment_bound=declared))
    return cases


CASES = {"CONV-RPD": (main_cases, replayed_cases), "CONV-BLOCK": (main_cases, replayed_cases),
         "CONV-VAR": (main_cases, replayed_cases), "CONV-NOG": (main_cases, replayed_cases),
         "CONV-PD-LAG": (lag_cases, main_cases, replayed_cases), "CONV-TUNED": (tuned_cases,)}
"""Theorem id -> the case lists its confirmation runs."""


def cases_for(theorem_id: str, profile: Profile) -> list[Case]:
    """Every case of ``theorem_id`` under ``profile``."""
    return [case for build in CASES[theorem_id] for case in build(profile)]
