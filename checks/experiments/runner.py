"""Running comparisons and experiments and writing their files: for each comparison the JSON
record and the Markdown table first, the figure after them (skipped with a one-line note when
matplotlib is missing); for each experiment its claims (JSON and Markdown); all atomically.

An experiment NAME writes into OUT/NAME: LABEL.json, LABEL.md and LABEL.png for each of its
parts, claims.json and claims.md (and scaling.json, scaling.png for the scaling experiment);
running several writes OUT/claims.json and OUT/claims.md for all of their claims.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from pathlib import Path

from pipeproof.checks.experiments import claims, figure
from pipeproof.checks.experiments.catalog import Experiment, Part
from pipeproof.checks.experiments.claims import Claim
from pipeproof.checks.experiments.grid import parse_grid
from pipeproof.checks.experiments.methods import MethodSpec, parse_methods
from pipeproof.checks.experiments.sweep import Comparison, Setting, compare, plan
from pipeproof.checks.experiments.table import markdown
from pipeproof.checks.outputs import write_atomically, write_json
from pipeproof.theory.parameters import ParameterError


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically."""
    return write_atomically(path, lambda temporary: temporary.write_text(text, "utf-8"))


def write_comparison(comparison: Comparison, folder: Path, stem: str,
                     title: str | None = None) -> list[str]:
    """Write STEM.json, STEM.md and STEM.png into ``folder``; return the table and the lines
    that name the files."""
    folder.mkdir(parents=True, exist_ok=True)
    table = markdown(comparison)
    record = write_json(comparison.to_json(), folder / f"{stem}.json")
    written = write_text(folder / f"{stem}.md", table + "\n")
    lines = [table, "", f"record written to {record}", f"table written to {written}"]
    drawn = figure.draw(comparison, folder / f"{stem}.png", title)
    lines.append(figure.SKIPPED if drawn is None else f"figure written to {drawn}")
    return lines


Grids = dict[str, tuple[float, ...]]


def part_setting(part: Part, seeds: int) -> tuple[Setting, tuple[MethodSpec, ...],
                                                 tuple[float, ...], Grids]:
    """The comparison of one part: its setting, methods, default grid and per-method grids."""
    methods = parse_methods(part.methods)
    grids = {spec.name: parse_grid(part.grid_of(spec.method)) for spec in methods}
    setting = Setting(part.objective, part.num_stages, part.slot_budget, tuple(range(seeds)),
                      part.options)
    return setting, methods, parse_grid(part.grid_of("*")), grids


def validate(experiments: list[Experiment], quick: bool) -> None:
    """Every run of every part, checked before the first one is made.

    Raises:
        ParameterError: for the first bad run, or torch missing where an experiment needs it.
    """
    for chosen in experiments:
        parts, seeds = chosen.chosen(quick)
        for part in parts:
            if dict(part.options).get("backend") == "torch" and not has_torch():
                raise ParameterError(f"experiment {chosen.name} needs PyTorch: pip install "
                                     "'pipeproof[torch]'")
            setting, methods, _, grids = part_setting(part, seeds)
            for spec in methods:
                plan(setting, (spec,), grids[spec.name])


def has_torch() -> bool:
    """True when PyTorch can be imported."""
    return importlib.util.find_spec("torch") is not None


def judge(chosen: Experiment, comparisons: dict[str, Comparison]) -> list[Claim]:
    """The claims an experiment decides (:mod:`.claims`)."""
    name = chosen.name
    if name in PREDICTED:
        return [*_judge_claims(chosen, comparisons),
                claims.eps_predictions(list(comparisons.items()), name)]
    return _judge_claims(chosen, comparisons)


PREDICTED = ("pd-vs-localsgd-quadratic", "pd-vs-localsgd-logistic", "scaling-logistic")
"""The experiments that compare PipeDream with LocalSGD on objectives with L and f* known."""


def _judge_claims(chosen: Experiment, comparisons: dict[str, Comparison]) -> list[Claim]:
    name = chosen.name
    parts = list(comparisons.values())
    if name == "pd-vs-rpd":
        found = []
        for label, comparison in comparisons.items():
            stages = comparison.setting.num_stages
            found += claims.rpd_tracks(comparison, stages * stages - (stages + 1) // 2,
                                       f"{name} ({label})")
        return found
    if name == "pd-vs-localsgd-quadratic":
        return [claims.pipedream_better(comparison, f"PipeDream better than LocalSGD on the "
                                        f"tridiagonal quadratic ({label}, S = "
                                        f"{comparison.setting.num_stages})", name)
                for label, comparison in comparisons.items()]
    if name == "pd-vs-localsgd-lm":
        return [claims.pipedream_better(parts[0], "PipeDream better than LocalSGD on the "
                                        "language model", name)]
    if name == "pd-vs-localsgd-logistic":
        return [claims.localsgd_better(comparison, f"LocalSGD better than PipeDream on "
                                       f"logistic regression ({label}, S = "
                                       f"{comparison.setting.num_stages})", name)
                for label, comparison in comparisons.items()]
    return [claims.localsgd_better_as_stages_grow(parts, name)]


def run_experiment(chosen: Experiment, quick: bool, folder: Path, workers: int = 1,
                   progress: Callable[[int, int], None] | None = None,
                   ) -> tuple[list[Claim], list[str]]:
    """Run every part of ``chosen``, write its files into ``folder``/NAME, judge its claims."""
    started = time.perf_counter()
    parts, seeds = chosen.chosen(quick)
    target = folder / chosen.name
    comparisons: dict[str, Comparison] = {}
    lines = [f"== {chosen.name}: {chosen.title}" + (" (quick)" if quick else "")]
    for part in parts:
        setting, methods, grid, grids = part_setting(part, seeds)
        comparison = compare(setting, methods, grid, workers, progress, grids)
        comparisons[part.label] = comparison
        lines += [f"-- {part.label}", *write_comparison(comparison, target, part.label,
                                                        f"{chosen.name}: {part.label}")]
    verdicts = judge(chosen, comparisons)
    seconds = time.perf_counter() - started
    if chosen.name == "scaling-logistic":
        lines.append(write_scaling(list(comparisons.values()), target))
    write_json({"experiment": chosen.name, "title": chosen.title, "source": chosen.source,
                "differences": list(chosen.differences), "quick": quick, "seeds": seeds,
                "wall_seconds": seconds, "parts": [part.label for part in parts],
                "claims": [claim.to_json() for claim in verdicts]},
               target / "claims.json")
    write_text(target / "claims.md", claims.markdown(verdicts) + "\n")
    lines += [claims.markdown(verdicts), f"{chosen.name}: {seconds:.1f} s"]
    return verdicts, lines


def write_scaling(parts: list[Comparison], folder: Path) -> str:
    """scaling.json (final gap against S, per method kind) and scaling.png."""
    rows = [{"num_stages": part.setting.num_stages, "method": outcome.spec.method,
             "name": outcome.spec.name, "step_size": outcome.step_size,
             "final_gap_mean": outcome.interval[0],
             "final_gap_ci": [outcome.interval[1], outcome.interval[2]]}
            for part in parts for outcome in part.methods]
    write_json({"rows": rows}, folder / "scaling.json")
    drawn = figure.draw_scaling(rows, folder / "scaling.png")
    return figure.SKIPPED if drawn is None else f"figure written to {drawn}"


def run_all(chosen: list[Experiment], quick: bool, folder: Path, workers: int = 1,
            progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Run the experiments, then write the claims of all of them to claims.json and .md."""
    started = time.perf_counter()
    verdicts, lines = [], []
    for item in chosen:
        found, printed = run_experiment(item, quick, folder, workers, progress)
        verdicts += found
        lines += printed
    seconds = time.perf_counter() - started
    write_json({"quick": quick, "wall_seconds": seconds,
                "experiments": [item.name for item in chosen],
                "claims": [claim.to_json() for claim in verdicts]}, folder / "claims.json")
    table = claims.markdown(verdicts)
    write_text(folder / "claims.md", f"# Claims ({'quick' if quick else 'full'} run, "
               f"{seconds:.0f} s)\n\n{table}\n")
    return [*lines, "== claims", table, f"all: {seconds:.1f} s; claims written to "
            f"{folder / 'claims.md'}"]
