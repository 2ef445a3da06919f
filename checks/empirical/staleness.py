"""Empirical confirmations of the staleness theorems (STL-*) on training runs.

The executor counts the block updates behind every read and every update, the updates of each
block between a forward and its update, and the weight versions each stage holds, while it
trains (:mod:`pipeproof.checks.executor.schedule_log`); these measurements are compared with the
closed forms of :mod:`pipeproof.theory.staleness` and :mod:`pipeproof.theory.memory`. STL-PD-MATRIX
also replays PipeDream's delays in Randomized PipeDream and measures how far the two trajectories
are apart, and STL-2BW recomputes PipeDream-2BW's iterates from W(t + 1) = W(t) - gamma g(W(t - 1)).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from pipeproof.checks.empirical.runs import (
    TABLES,
    Comparison,
    budget,
    evaluate,
    figure,
    pipedream_run,
    run,
    stage_values,
)
from pipeproof.checks.executor.backend import NUMPY
from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.objectives.registry import build_objective
from pipeproof.checks.executor.record import RunRecord
from pipeproof.checks.executor.run import run_method
from pipeproof.checks.executor.sampler import streams
from pipeproof.checks.profiles import Profile
from pipeproof.checks.verdict import Verdict
from pipeproof.theory import memory, staleness

REPLAY_STAGES = {"short": [2, 4], "default": [2, 4, 8], "long": [2, 4, 8, 16, 32]}
REPLAY_TOLERANCE = 1e-12


def _steady(record: RunRecord) -> dict[str, Any]:
    return record.measurements["steady"]


def _each_pipedream(profile: Profile, check: Any) -> tuple[list[int], Comparison]:
    comparison = Comparison()
    values = stage_values(profile)
    for stages in values:
        check(comparison, pipedream_run(stages), stages, {"S": stages, "M": 3 * stages + 2})
    return values, comparison


def _verdict(values: list[int], comparison: Comparison, what: str = "PipeDream training runs"
             ) -> Verdict:
    return comparison.verdict(what, budget(values, "M = 3S + 2"))


def replay_gap(objective: str, stages: int) -> float:
    """max |x_PD - x_RPD| / max |x_PD| after PipeDream and RPD replaying its delays (M = 3S)."""
    options = {"dim": 4 * stages, "num_samples": 64, "batch_size": 4, "noise": 0.1}
    finals = [run_method(run_config(method, objective, stages, 3 * stages, 0.05, tables=TABLES,
                                    **options, **extra)).final_point
              for method, extra in (("pipedream", {}), ("rpd", {"delays": "pipedream"}))]
    return float(np.abs(finals[0] - finals[1]).max() / np.abs(finals[0]).max())


def check_matrix(comparison: Comparison, record: RunRecord, stages: int, where: dict) -> None:
    """Steady delays of every (updated block s, read block j) = D1(s, j) (C1), D0(s, j) (C0)."""
    grid = {"s": np.arange(stages)[:, None], "j": np.arange(stages)[None, :], "S": stages}
    for convention in ("C1", "C0"):
        expected = evaluate(staleness.delay(convention), **grid)
        for bound in ("matrix_min", "matrix_max"):
            comparison.check(f"{convention} delay {bound}", _steady(record)[convention][bound],
                             expected, **where)


def confirm_matrix(profile: Profile, plots: Any) -> Verdict:
    """Measured steady delays of every (updated block s, read block j) equal D1(s, j) (C1) and
    D0(s, j) (C0); RPD replaying them reproduces PipeDream's iterates."""
    values, comparison = _each_pipedream(profile, check_matrix)
    worst = 0.0
    for objective in ("quadratic", "logistic"):
        for stages in REPLAY_STAGES[profile.runs]:
            gap = replay_gap(objective, stages)
            worst = max(worst, gap)
            comparison.check("RPD replay vs PipeDream, relative max difference", gap,
                             REPLAY_TOLERANCE, "<=", objective=objective, S=stages)
    verdict = _verdict(values, comparison)
    extra = (f"; RPD replaying PipeDream's delays matches its iterates to {worst:.1e} relative "
             f"(tolerance {REPLAY_TOLERANCE:g}; quadratic and logistic, S in "
             f"{REPLAY_STAGES[profile.runs]}, M = 3S, gradient noise 0.1)")
    return Verdict(verdict.method, verdict.status, verdict.seconds, verdict.detail + extra,
                   verdict.solver, verdict.budget, verdict.counterexample)


def steady_max(claim: str, relation: str = "==", conventions: tuple[str, ...] = ("C1", "C0")):
    """A check: the measured steady maximum delay against the closed form ``claim``."""
    def check(comparison: Comparison, record: RunRecord, stages: int, where: dict) -> None:
        for convention in conventions:
            comparison.check(f"{convention} steady max delay",
                             _steady(record)[convention]["max"], claim_value(claim, stages),
                             relation, **where)
    return check


def claim_value(claim: str, stages: int) -> float:
    """The value of a named closed form at S."""
    forms = {"max": staleness.steady_max_delay(), "paper": staleness.paper_delay(),
             "paper-half": staleness.paper_delay() - sp.Rational(1, 2),
             "run": staleness.run_max_delay(), "total": memory.stashed_total()}
    return float(evaluate(forms[claim], S=stages))


def confirm_max(profile: Profile, plots: Any) -> Verdict:
    """Measured steady maximum delay = S^2 - ceil(S/2), under C1 and C0 (with a plots folder:
    ``stl-pd-max.png``, measured against S with the closed form and the paper's S^2 - S/2)."""
    values, comparison = _each_pipedream(profile, steady_max("max"))
    figure(plots, "stl-pd-max", values, {
        "measured steady maximum (C1)": [_steady(pipedream_run(v))["C1"]["max"] for v in values],
        "S^2 - ceil(S/2)": [claim_value("max", v) for v in values],
        "S^2 - S/2 (paper)": [claim_value("paper", v) for v in values],
        "whole run, measured": [pipedream_run(v).measurements["max_delay"] for v in values]},
        "delay (block updates)")
    return _verdict(values, comparison)


def confirm_paper(profile: Profile, plots: Any) -> Verdict:
    """The paper's S^2 - S/2 read exactly: the measured maximum disagrees for odd S."""
    return _verdict(*_each_pipedream(profile, steady_max("paper", conventions=("C1",))))


def check_order(comparison: Comparison, record: RunRecord, stages: int, where: dict) -> None:
    """S^2 - S/2 - 1/2 <= steady maximum <= S^2 - S/2 (C1)."""
    steady_max("paper", "<=", ("C1",))(comparison, record, stages, where)
    steady_max("paper-half", ">=", ("C1",))(comparison, record, stages, where)


def confirm_order(profile: Profile, plots: Any) -> Verdict:
    """S^2 - S/2 - 1/2 <= measured steady maximum <= S^2 - S/2."""
    return _verdict(*_each_pipedream(profile, check_order))


def check_warmup(comparison: Comparison, record: RunRecord, stages: int, where: dict) -> None:
    """Maximum delay over the whole run = S^2 - ceil(S/2) + floor((S - 1)^2/4) (C1 and C0)."""
    for key in ("max_delay", "max_delay_c0"):
        comparison.check(key, record.measurements[key], claim_value("run", stages), **where)


def confirm_warmup(profile: Profile, plots: Any) -> Verdict:
    """Measured maximum delay over the whole run = S^2 - ceil(S/2) + floor((S - 1)^2/4)."""
    return _verdict(*_each_pipedream(profile, check_warmup))


def check_stage(comparison: Comparison, record: RunRecord, stages: int, where: dict) -> None:
    """Steady maximum delay of each read block j = the closed form (C1 and C0)."""
    for convention in ("C1", "C0"):
        comparison.check(f"{convention} max delay per read block",
                         _steady(record)[convention]["max_per_read_block"],
                         evaluate(staleness.stage_max_delay(convention), j=np.arange(stages),
                                  S=stages), **where)


def confirm_stage(profile: Profile, plots: Any) -> Verdict:
    """Measured steady maximum delay of each read block j = the closed form (C1 and C0)."""
    return _verdict(*_each_pipedream(profile, check_stage))


def check_mean(comparison: Comparison, record: RunRecord, stages: int, where: dict) -> None:
    """Steady mean delay = (S^2 - 1)/2 (C1), plus floor(S^2/4)/S (C0)."""
    for convention in ("C1", "C0"):
        comparison.check(f"{convention} mean delay", _steady(record)[convention]["mean"],
                         evaluate(staleness.mean_delay(convention), S=stages), **where)


def confirm_mean(profile: Profile, plots: Any) -> Verdict:
    """Measured steady mean delay = (S^2 - 1)/2 (C1), plus floor(S^2/4)/S (C0)."""
    return _verdict(*_each_pipedream(profile, check_mean))


def check_lag(comparison: Comparison, record: RunRecord, stages: int, where: dict) -> None:
    """Own version lag = S - 1 - s at every steady update; mixed lag of block j
    S - 1 - floor(j/2) at most, reached."""
    steady = _steady(record)
    own = evaluate(staleness.own_lag(), s=np.arange(stages), S=stages)
    comparison.check("own lag (min)", steady["lag_min_per_stage"], own, **where)
    comparison.check("own lag (max)", steady["lag_max_per_stage"], own, **where)
    comparison.check("mixed lag", steady["mixed_lag_max_per_block"],
                     evaluate(staleness.mixed_lag(), j=np.arange(stages), S=stages), **where)


def confirm_lag(profile: Profile, plots: Any) -> Verdict:
    """Measured own version lag = S - 1 - s at every steady update; mixed lag of block j at
    most S - 1 - floor(j/2), reached."""
    return _verdict(*_each_pipedream(profile, check_lag))


def check_stash(comparison: Comparison, record: RunRecord, stages: int, where: dict) -> None:
    """Weight versions held: S - s each in steady state, S(S + 1)/2 in all; live activations
    S - s in steady state and min(S, 2(S - s) - 1, M) at the warm-up peak (``where["M"]``)."""
    steady, index = _steady(record), np.arange(stages)
    versions = evaluate(memory.stashed_versions(), s=index, S=stages)
    comparison.check("held versions", steady["held_versions_per_stage"], versions, **where)
    comparison.check("held versions, all stages", sum(steady["held_versions_per_stage"]),
                     claim_value("total", stages), **where)
    comparison.check("steady in flight", steady["in_flight_per_stage"],
                     evaluate(memory.pipedream_steady_in_flight(), s=index, S=stages),
                     **where)
    comparison.check("peak in flight", record.measurements["in_flight_max_per_stage"],
                     evaluate(memory.pipedream_peak_in_flight(), s=index, S=stages,
                              M=where["M"]), **where)


def confirm_stash(profile: Profile, plots: Any) -> Verdict:
    """Weight versions the stages held: S - s each in steady state, S(S + 1)/2 in all; live
    activations S - s in steady state and min(S, 2(S - s) - 1, M) at the warm-up peak."""
    return _verdict(*_each_pipedream(profile, check_stash))


def check_synchronous(comparison: Comparison, record: RunRecord, stages: int,
                      where: dict) -> None:
    """No version lag, no delay beyond the updates of the same step (C1 and C0), one weight
    version per stage."""
    measured = record.measurements
    for key in ("max_version_lag", "max_foreign_delay", "max_foreign_delay_c0"):
        comparison.check(key, measured[key], 0, **where)
    comparison.check("held versions", measured["held_versions_max_per_stage"], 1, **where)


def confirm_synchronous(profile: Profile, plots: Any) -> Verdict:
    """GPipe, Flush and LocalSGD runs: no version lag, no delay beyond the updates of the same
    step (C1 and C0), one weight version per copy."""
    comparison = Comparison()
    values = stage_values(profile, small=True)
    for stages in values:
        records = [("gpipe", run("gpipe", stages, 2 * stages + 1, accumulation=2 * stages + 1)),
                   ("flush", run("flush", stages, 2 * stages + 1, accumulation=2 * stages + 1))]
        records += [(f"localsgd R={runs}", run("localsgd", stages, 4 * runs, num_runs=runs,
                                               local_steps=2))
                    for runs in sorted({(stages + 1) // 2, stages})]
        for name, record in records:
            check_synchronous(comparison, record, stages, {"method": name, "S": stages})
    return comparison.verdict("synchronous training runs",
                              budget(values, "GPipe, Flush (M = 2S + 1), LocalSGD (H = 2)"))


def two_buffer_reference(record: RunRecord) -> np.ndarray:
    """V_T from V_{t+1} = V_t - (gamma/A) sum_{m in t} g(V_{max(t-1, 0)}; B_m), on the run's
    data and rows, without a pipeline."""
    parameters = record.parameters
    config = run_config("2bw", "quadratic", parameters["num_stages"],
                        parameters["num_microbatches"], parameters["step_size"],
                        dim=parameters["dim"], num_samples=parameters["num_samples"],
                        batch_size=parameters["batch_size"], accumulation=parameters[
                            "accumulation"], seed=parameters["seed"])
    data, rest = np.random.default_rng(config.seed).spawn(2)
    objective = build_objective(config, NUMPY, data)
    sampler = streams(NUMPY, objective.num_samples, config.batch_size, 0.0, rest)[0]
    versions = [objective.initial_point()]
    for _ in range(config.num_microbatches // config.accumulation):
        read = versions[0]  # [V_0] at step 0, then [V_{t-1}, V_t]
        total = np.zeros(objective.dim)
        for _ in range(config.accumulation):
            rows = sampler.draw()
            for stage, block in enumerate(objective.blocks):
                total[block] += objective.block_gradient(read, stage, rows)
        versions = [*versions[-1:], versions[-1] - config.step_size * total / config.accumulation]
    return versions[-1]


def confirm_two_buffer(profile: Profile, plots: Any) -> Verdict:
    """PipeDream-2BW runs (A in {S, S + 1, 2S}, four steps): every step after the first applies
    a gradient read one version earlier, no stage holds more than two versions (two from the
    second step on), and the iterates follow W(t + 1) = W(t) - gamma g(W(t - 1))."""
    comparison = Comparison()
    values = stage_values(profile, small=True)
    for stages in values:
        for steps in sorted({stages, stages + 1, 2 * stages}):
            record = run("2bw", stages, 4 * steps, accumulation=steps)
            where = {"S": stages, "A": steps, "M": 4 * steps}
            measured = record.measurements
            comparison.check("step delays", measured["step_delays"], [1], **where)
            comparison.check("first step delay", measured["first_step_delays"], [0], **where)
            comparison.check("held versions", measured["held_versions_max_per_stage"], 2,
                             **where)
            final = record.final_point
            gap = np.abs(final - two_buffer_reference(record)).max() / np.abs(final).max()
            comparison.check("iterates vs the recurrence, relative", gap, REPLAY_TOLERANCE,
                             "<=", **where)
    return comparison.verdict("PipeDream-2BW training runs",
                              budget(values, "A in {S, S+1, 2S}, M = 4A"))
