"""Methods compared at one simulated-time budget, each at its best step size of a grid.

For every method, every step size gamma of the grid and every seed, one run stops at the slot
budget T (:mod:`pipeproof.checks.executor.budget`) and is read there: its final gap f(x) - f*
(+inf when it diverged). A method's step size is the gamma with the lowest mean final gap over
the seeds (the smallest such gamma on a tie); its final gaps at that gamma give the mean and the
95% t interval (:mod:`.statistics`). The winner has the lowest mean; the ratio is the runner-up's
mean over the winner's (how many times lower the winner's gap is).

Seeds: seed i of N is i = 0..N-1, and each seed draws its own data (``data_seed`` = i) unless a
fixed ``data_seed`` is given or the data come from a file; the seed also drives the sampling, the
noise and RPD's choices. Every configuration is validated (parameters, memory and time) before
the first run. Runs are independent and go to ``workers`` processes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from pipeproof.checks.executor.config import RunConfig, run_config
from pipeproof.checks.executor.limits import check_run
from pipeproof.checks.experiments.grid import describe
from pipeproof.checks.experiments.methods import MethodSpec
from pipeproof.checks.experiments.statistics import mean_interval

CURVE_POINTS = 101
"""Points of a mean curve, evenly spaced in 0..T."""
TRACE_POINTS = 100
"""Trace points of every run (unless its options set ``trace_points``)."""


@dataclass(frozen=True)
class Setting:
    """What all methods of a comparison share.

    Attributes:
        objective: the objective's name.
        num_stages: S.
        slot_budget: T.
        seeds: the seeds (0..N-1).
        options: other run parameters (dim, num_samples, batch_size, batching, noise, ...).
        data_seed: a fixed data seed for every seed, or None (data drawn per seed).
    """

    objective: str
    num_stages: int
    slot_budget: int
    seeds: tuple[int, ...]
    options: tuple[tuple[str, Any], ...] = ()
    data_seed: int | None = None

    def data_seed_of(self, seed: int) -> int | None:
        """The data seed of a run with ``seed`` (None when the data come from a file)."""
        if dict(self.options).get("data_path") is not None:
            return None
        return seed if self.data_seed is None else self.data_seed


@dataclass(frozen=True)
class Outcome:
    """One run, read at the budget: final gap (+inf if diverged), slots used, gap vs slots."""

    final_gap: float
    slots_used: int
    slots: np.ndarray
    gaps: np.ndarray


@dataclass(frozen=True)
class MethodOutcome:
    """One method at its best step size.

    Attributes:
        spec: the method.
        step_size: the chosen gamma.
        final_gaps: the final gap of every seed at that gamma.
        interval: (mean, low, high) of those gaps.
        slots_used: the largest slots used over the seeds (all equal T unless the schedule ends
            earlier).
        sweep: gamma -> mean final gap over the seeds, for the whole grid.
        curve: (slots, mean gap, low, high) at :data:`CURVE_POINTS` points.
        at_grid_edge: the chosen gamma is the smallest or largest of the grid.
    """

    spec: MethodSpec
    step_size: float
    final_gaps: tuple[float, ...]
    interval: tuple[float, float, float]
    slots_used: int
    sweep: tuple[tuple[float, float], ...]
    curve: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    at_grid_edge: bool

    def to_json(self) -> dict[str, Any]:
        """The record of the method (the keys of the comparison contract first)."""
        mean, low, high = self.interval
        return {"name": self.spec.name, "step_size": self.step_size, "final_gap_mean": mean,
                "final_gap_ci": [low, high], "slots_used": self.slots_used,
                "method": self.spec.method, "options": dict(self.spec.options),
                "final_gaps": list(self.final_gaps), "at_grid_edge": self.at_grid_edge,
                "sweep": [{"step_size": step, "final_gap_mean": value}
                          for step, value in self.sweep],
                "curve": {"slots": self.curve[0].tolist(), "gap_mean": self.curve[1].tolist(),
                          "gap_low": self.curve[2].tolist(),
                          "gap_high": self.curve[3].tolist()}}


@dataclass(frozen=True)
class Comparison:
    """Every method at its best step size; the winner and the ratio."""

    setting: Setting
    grid: tuple[float, ...]
    methods: tuple[MethodOutcome, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ranked(self) -> list[MethodOutcome]:
        """Methods by mean final gap, best first."""
        return sorted(self.methods, key=lambda outcome: outcome.interval[0])

    @property
    def winner(self) -> MethodOutcome:
        return self.ranked[0]

    @property
    def ratio(self) -> float:
        """Runner-up's mean final gap over the winner's (+inf when the winner's is 0; NaN with
        one method)."""
        ranked = self.ranked
        if len(ranked) < 2:
            return math.nan
        best, second = ranked[0].interval[0], ranked[1].interval[0]
        return math.inf if best == 0 else second / best

    def to_json(self) -> dict[str, Any]:
        """The comparison record: objective, slot_budget, seeds, methods, winner, ratio (the
        contract), then the setting, the grid and what else was measured."""
        setting = self.setting
        return {"objective": setting.objective, "slot_budget": setting.slot_budget,
                "seeds": len(setting.seeds),
                "methods": [outcome.to_json() for outcome in self.methods],
                "winner": self.winner.spec.name, "ratio": self.ratio,
                "seed_values": list(setting.seeds), "num_stages": setting.num_stages,
                "step_grid": list(self.grid), "step_grid_text": describe(self.grid),
                "data_seed": setting.data_seed, "options": dict(setting.options),
                "ci_level": 0.95, **self.extra}


def configs(setting: Setting, spec: MethodSpec, step: float) -> list[RunConfig]:
    """The validated run of every seed for one method and step size."""
    runs = []
    for seed in setting.seeds:
        options = {name: value for name, value in {**dict(setting.options),
                                                   **spec.run_options()}.items()
                   if value is not None}
        data_seed = setting.data_seed_of(seed)
        if data_seed is not None:
            options["data_seed"] = data_seed
        options.setdefault("trace_points", TRACE_POINTS)
        config = run_config(spec.method, setting.objective, setting.num_stages, None, step,
                            slot_budget=setting.slot_budget, seed=seed, **options)
        runs.append(config)
    return runs


def plan(setting: Setting, methods: tuple[MethodSpec, ...],
         grid: tuple[float, ...]) -> list[RunConfig]:
    """Every run, validated before any is made (ParameterError names the first bad one)."""
    runs = [config for spec in methods for step in grid
            for config in configs(setting, spec, step)]
    for config in runs[:: len(setting.seeds)]:
        check_run(config)
    return runs


OBJECTIVE_FIELDS = ("objective", "num_stages", "dim", "num_samples", "condition", "width",
                    "context", "label_noise", "labels", "data_seed", "data_path", "backend",
                    "device")
"""The parameters that make an objective (its data come from ``data_seed``)."""
_objectives: dict[tuple, Any] = {}


def shared_objective(config: RunConfig) -> Any:
    """The objective of ``config``, built once per process for runs that differ only in method,
    step size or sampling seed (objectives on the CPU with a data seed or a data file; None
    otherwise, and the run builds its own)."""
    from pipeproof.checks.executor.backend import get_backend
    from pipeproof.checks.executor.objectives.registry import build_objective

    fixed = config.data_seed is not None or config.data_path is not None
    if config.device != "cpu" or not fixed:
        return None
    key = tuple(getattr(config, name) for name in OBJECTIVE_FIELDS)
    if key not in _objectives:
        if len(_objectives) >= 8:
            _objectives.clear()
        seed = 0 if config.data_seed is None else config.data_seed
        objective = build_objective(config, get_backend(config.backend, "cpu"),
                                    np.random.default_rng(seed))
        objective.smoothness(), objective.optimum()
        _objectives[key] = objective
    return _objectives[key]


def run_one(config: RunConfig) -> Outcome:
    """Make one run and read it at its budget."""
    from pipeproof.checks.executor.run import run_method

    record = run_method(config, objective=shared_objective(config))
    gap = record.summary["final_gap"]
    gap = math.inf if gap is None or not math.isfinite(gap) else float(gap)
    return Outcome(gap, int(record.summary["slots_used"]), record.traces["slot"],
                   record.traces["gap"])


def execute(runs: list[RunConfig], workers: int = 1,
            progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Run every configuration, in ``workers`` processes when more than one."""
    outcomes: list[Outcome] = []
    if workers <= 1:
        for number, config in enumerate(runs, 1):
            outcomes.append(run_one(config))
            if progress is not None:
                progress(number, len(runs))
        return outcomes
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for number, outcome in enumerate(pool.map(run_one, runs, chunksize=1), 1):
            outcomes.append(outcome)
            if progress is not None:
                progress(number, len(runs))
    return outcomes


def mean_curve(outcomes: list[Outcome], budget: int) -> tuple[np.ndarray, ...]:
    """The gap of each run at evenly spaced slots (the last recorded value at or before each),
    and the mean and 95% interval over the runs at every slot."""
    slots = np.linspace(0, budget, CURVE_POINTS)
    rows = []
    for outcome in outcomes:
        index = np.searchsorted(outcome.slots, slots, side="right") - 1
        values = outcome.gaps[np.maximum(index, 0)]
        rows.append(np.where(np.isfinite(values), values, np.inf))
    columns = np.array(rows).T
    stats = np.array([mean_interval(list(column)) for column in columns])
    return slots, stats[:, 0], stats[:, 1], stats[:, 2]


def choose(setting: Setting, spec: MethodSpec, grid: tuple[float, ...],
           outcomes: list[list[Outcome]]) -> MethodOutcome:
    """The best step size of ``spec`` (``outcomes[i]``: the seeds' runs at ``grid[i]``)."""
    means = [mean_interval([outcome.final_gap for outcome in runs])[0] for runs in outcomes]
    best = int(np.argmin(means))
    chosen = outcomes[best]
    gaps = tuple(outcome.final_gap for outcome in chosen)
    return MethodOutcome(spec, grid[best], gaps, mean_interval(list(gaps)),
                         max(outcome.slots_used for outcome in chosen),
                         tuple(zip(grid, means, strict=True)),
                         mean_curve(chosen, setting.slot_budget),
                         len(grid) > 1 and best in (0, len(grid) - 1))


def compare(setting: Setting, methods: tuple[MethodSpec, ...], grid: tuple[float, ...],
            workers: int = 1, progress: Callable[[int, int], None] | None = None,
            grids: dict[str, tuple[float, ...]] | None = None) -> Comparison:
    """Run the comparison (module docstring). ``grids`` may give a method (by name) its own
    grid in place of ``grid``."""
    grids = grids or {}
    per_method = [grids.get(spec.name, grid) for spec in methods]
    runs = [config for spec, steps in zip(methods, per_method, strict=True)
            for config in plan(setting, (spec,), steps)]
    outcomes = execute(runs, workers, progress)
    count, start, results = len(setting.seeds), 0, []
    for spec, steps in zip(methods, per_method, strict=True):
        block = outcomes[start:start + count * len(steps)]
        start += count * len(steps)
        results.append(choose(setting, spec, steps,
                              [block[i * count:(i + 1) * count] for i in range(len(steps))]))
    return Comparison(setting, grid, tuple(results))


def with_options(setting: Setting, **options: Any) -> Setting:
    """The setting with some run parameters changed or added."""
    merged = {**dict(setting.options), **options}
    return replace(setting, options=tuple(sorted(merged.items())))
