"""Empirical confirmations of the convergence bounds (CONV-RPD, CONV-TUNED, CONV-BLOCK,
CONV-PD-LAG, CONV-VAR, CONV-NOG) on Randomized PipeDream runs.

Each theorem runs its cases (:mod:`pipeproof.checks.empirical.convergence.plan`) and judges every
one (:mod:`pipeproof.checks.empirical.convergence.bounds`): a case whose hypothesis or step-size
condition fails is not applicable and is listed with the reason; on every applicable case the
running average of ||grad f(x^k)||^2, averaged over the case's seeds (the bound is on its
expectation, a run is one sample of it), must stay below the bound at every K. The theorem is
confirmed when every applicable case holds and at least one applies, refuted with the first failing
case as counterexample otherwise, and not applicable when no case applies. The theorem's wrong
bounds are decided beside it, each by re-running its stored instance
(:mod:`pipeproof.checks.empirical.convergence.wrong_bounds`,
:func:`pipeproof.checks.empirical.convergence.bound_instance.judge`). With a plots folder,
CONV-RPD writes ``conv-bounds-<objective>.png`` for a representative case of each objective
(:mod:`pipeproof.checks.empirical.convergence.plots`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

from pipeproof.checks.empirical.convergence.bound_instance import judge as judge_instance
from pipeproof.checks.empirical.convergence.bounds import BOUNDS, BoundCheck, Outcome, judge
from pipeproof.checks.empirical.convergence.cases import OBJECTIVES, Case, measure
from pipeproof.checks.empirical.convergence.plan import MARGIN, PLANS, cases_for, nog_scale
from pipeproof.checks.empirical.convergence.plots import plot_bounds
from pipeproof.checks.empirical.convergence.wrong_bounds import for_theorem
from pipeproof.checks.empirical.runs import SOLVER
from pipeproof.checks.profiles import Profile
from pipeproof.checks.runner import MeasuredVerdict
from pipeproof.checks.verdict import Status, Verdict

logger = logging.getLogger(__name__)

FIGURE_BOUNDS = ("CONV-RPD", "CONV-BLOCK", "CONV-VAR", "CONV-NOG")
"""The bounds drawn in the figure of each objective."""


def outcomes(check: BoundCheck, cases: Sequence[Case]) -> list[Outcome]:
    """``check`` judged on every case."""
    results = [judge(check, measure(case)) for case in cases]
    for outcome in results:
        logger.debug("%s on %s: slack %.3g at K = %d, failures %s", check.theorem,
                     outcome.measured.case, outcome.slack, outcome.at, outcome.failures)
    return results


def _where(outcome: Outcome) -> str:
    case = outcome.measured.case
    return (f"S = {case.stages}, gamma L = {outcome.measured.step_size * outcome.measured.L:.3g}, "
            f"K = {outcome.at}")


def slack_summary(applicable: Sequence[Outcome]) -> str:
    """The smallest slack per objective, with where it occurred."""
    parts = []
    for name in OBJECTIVES:
        mine = [outcome for outcome in applicable if outcome.measured.case.objective == name]
        if mine:
            worst = min(mine, key=lambda outcome: outcome.slack)
            parts.append(f"{name} {worst.slack:.3g} ({_where(worst)})")
    return "; ".join(parts)


def not_applicable_summary(skipped: Sequence[Outcome]) -> str:
    """Each distinct reason a case was outside the theorem (the part of a failure before its
    colon), with the objectives, S and gamma L of the cases it excluded."""
    reasons: dict[str, list[Outcome]] = {}
    for outcome in skipped:
        for failure in outcome.failures:
            reasons.setdefault(failure.split(":")[0], []).append(outcome)
    return "; ".join(f"{reason} [{len(cases)} cases: {_cases_text(cases)}]"
                     for reason, cases in reasons.items())


def _cases_text(cases: Sequence[Outcome]) -> str:
    """objectives, S values and gamma L values of ``cases``, each listed once."""
    names = sorted({outcome.measured.case.objective for outcome in cases}, key=OBJECTIVES.index)
    stages = sorted({outcome.measured.case.stages for outcome in cases})
    steps = sorted({round(outcome.measured.step_size * outcome.measured.L, 3)
                    for outcome in cases})
    return (f"{', '.join(names)}; S in {stages}; gamma L in "
            f"{[float(f'{step:.3g}') for step in steps]}")


def describe(theorem_id: str, results: Sequence[Outcome], seeds: int) -> str:
    """What was compared, the smallest slacks, and why the other cases are outside."""
    applicable = [outcome for outcome in results if outcome.applicable]
    skipped = [outcome for outcome in results if not outcome.applicable]
    where = "at every K" if not BOUNDS[theorem_id].final_only else "at the K gamma* is tuned for"
    parts = [f"{len(applicable)} of {len(results)} cases applicable; running average of "
             f"||grad f(x^k)||^2 (mean of {seeds} seeds per case: the bound is on its "
             f"expectation) against the bound {where}; smallest slack bound/average per "
             f"objective: {slack_summary(applicable) or 'none'}"]
    stale = [outcome.stale_slack for outcome in applicable if outcome.stale_slack is not None]
    if stale:
        parts.append(f"staleness step gamma^2 G^2 D against the measured mean ||x^k - z^k||^2: "
                     f"smallest slack {min(stale):.3g}")
    if skipped:
        parts.append(f"not applicable: {not_applicable_summary(skipped)}")
    declared = any(outcome.measured.case.moment_bound is not None for outcome in results)
    moment = (f"G declared before the run, {MARGIN:g} times the observed maximum of a pilot run "
              "(A4 tests it)" if declared else "G = the observed maximum ||g^k|| (plug-in)")
    parts.append(f"L, f* as each objective knows them, {moment}, sigma^2 = the probed block "
                 "variances (plug-in), delta = the largest delay used")
    if any(outcome.measured.case.delays == "pipedream" for outcome in results):
        parts.append("replayed delays read off PipeDream's op table (the proved closed form, "
                     "validated before the run; not a schedule theorem)")
    return "; ".join(parts)


def verdict(theorem_id: str, results: Sequence[Outcome], seeds: int, budget: str,
            started: float) -> Verdict:
    """Confirmed, refuted (the failing case with the smallest slack as counterexample) or not
    applicable (module docstring)."""
    applicable = [outcome for outcome in results if outcome.applicable]
    failing = [outcome for outcome in applicable if not outcome.holds]
    seconds = time.perf_counter() - started
    detail = describe(theorem_id, results, seeds)
    if failing:
        worst = min(failing, key=lambda outcome: outcome.slack)
        counterexample = {**worst.measured.where(), "K": worst.at, "average": worst.average,
                          "bound": worst.bound, "slack": worst.slack,
                          "stale_slack": worst.stale_slack}
        return Verdict("empirical", Status.REFUTED, seconds, "the bound (or its staleness "
                       f"step) is exceeded: {detail}", SOLVER, budget, counterexample)
    if not applicable:
        return Verdict("empirical", Status.NOT_APPLICABLE, seconds,
                       f"no case satisfies the hypotheses: {detail}", SOLVER, budget)
    return Verdict("empirical", Status.CONFIRMED, seconds,
                   f"the measurements agree with the bound in every applicable case: {detail}",
                   SOLVER, budget)


def budget_text(profile: Profile, theorem_id: str) -> str:
    """The sizes of the runs, in words."""
    plan = PLANS[profile.runs]
    count = len(cases_for(theorem_id, profile))
    return (f"{count} cases, RPD with uniform delays (delta = S^2 - ceil(S/2)) unless noted, "
            f"S in {list(plan.stages)}, K = {plan.microbatches} S, {plan.seeds} seeds each")


def with_wrong_bounds(theorem_id: str, main: Verdict) -> MeasuredVerdict:
    """``main`` with the verdict of every wrong bound of ``theorem_id`` on its stored instance."""
    variants = tuple((wrong.description, judge_instance(wrong))
                     for wrong in for_theorem(theorem_id))
    return MeasuredVerdict(main.method, main.status, main.seconds, main.detail, main.solver,
                           main.budget, main.counterexample, main.reason, variants=variants)


def confirm_bound(theorem_id: str, profile: Profile, check: BoundCheck | None = None) -> Verdict:
    """Run and judge every case of ``theorem_id`` (``check`` replaces its bound, for tests), and
    re-run the instances of its wrong bounds."""
    started = time.perf_counter()
    check = BOUNDS[theorem_id] if check is None else check
    results = outcomes(check, cases_for(theorem_id, profile))
    return with_wrong_bounds(theorem_id, verdict(theorem_id, results, PLANS[profile.runs].seeds,
                                                 budget_text(profile, theorem_id), started))


def representative(profile: Profile, name: str) -> Case:
    """The case drawn for objective ``name``: the largest S at c_NOG(S), where every bound of
    :data:`FIGURE_BOUNDS` applies (the MLP's largest S at its step size)."""
    plan = PLANS[profile.runs]
    stages = plan.stages[-1]
    scale = nog_scale(stages) if name != "mlp" or None in plan.mlp_scales else plan.mlp_scales[0]
    return Case(name, stages, scale, plan.microbatches, plan.seeds)


def figures(profile: Profile, plots: Path | None) -> list[Path]:
    """``conv-bounds-<objective>.png`` for every objective (nothing without ``plots``)."""
    if plots is None:
        return []
    written = []
    for name in OBJECTIVES:
        measured = measure(representative(profile, name))
        results = [judge(BOUNDS[theorem_id], measured) for theorem_id in FIGURE_BOUNDS]
        path = plot_bounds(plots, f"conv-bounds-{name}", measured, results)
        if path is not None:
            written.append(path)
    return written


def confirm_rpd(profile: Profile, plots: Path | None) -> Verdict:
    """2 S F0/(gamma K) + gamma S L G^2 + gamma^2 L^2 delta^2 G^2 on the runs; the figures."""
    result = confirm_bound("CONV-RPD", profile)
    figures(profile, plots)
    return result


def confirm_tuned(profile: Profile, plots: Path | None) -> Verdict:
    """The tuned rate 2 S sqrt(2 L F0 G^2/K) + 2 L F0 delta^2/K at gamma* and its K."""
    return confirm_bound("CONV-TUNED", profile)


def confirm_block(profile: Profile, plots: Path | None) -> Verdict:
    """The bound with D = delta^2/S + delta(1 - 1/S)."""
    return confirm_bound("CONV-BLOCK", profile)


def confirm_pd_lag(profile: Profile, plots: Path | None) -> Verdict:
    """The bound with D = Lambda(S), on reads whose lags fit PipeDream's profile."""
    return confirm_bound("CONV-PD-LAG", profile)


def confirm_variance(profile: Profile, plots: Path | None) -> Verdict:
    """The variance form, for gamma <= 1/L."""
    return confirm_bound("CONV-VAR", profile)


def confirm_no_moment(profile: Profile, plots: Path | None) -> Verdict:
    """The bound without A4, for gamma <= min(1/(2L), sqrt(S/2)/(L delta))."""
    return confirm_bound("CONV-NOG", profile)
