"""What the empirical confirmations share: cached training runs and the comparison.

Every confirmation trains real runs with the executor (a least-squares quadratic with d = 2S,
minibatches of 4 rows out of 32, step size 0.01, NumPy float64), reads what the executor
measured while it ran (the slots at which ops ran, the update counts behind every read, the
weight versions each stage held, the activations in flight) and compares them with the
theorem's closed forms, exactly for integers and to 1e-12 relative for fractions. The first
disagreement is the counterexample. How many runs depends on the profile's ``runs``:

* short: S in {1, 2, 3, 4, 5, 8};
* default: S in 1..8 and {12, 16, 24, 32} (pipelines with costs or several copies: S <= 12);
* long: S in 1..32 and {40, 48, 56, 64} (S <= 32 for the rest).

Every run takes its op tables from the policy simulator (:mod:`pipeproof.checks.tables.simulator`),
never from the closed forms the schedule theorems state, and the executor validates each table
before it runs it (:mod:`pipeproof.checks.executor.table_validity`). Runs are cached per process, so
theorems about the same runs share them. The confirmations
themselves are in :mod:`pipeproof.checks.empirical.throughput` and
:mod:`pipeproof.checks.empirical.staleness`.
"""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.record import RunRecord
from pipeproof.checks.executor.run import run_method
from pipeproof.checks.profiles import Profile
from pipeproof.checks.verdict import Status, Verdict

SOLVER = "executor numpy float64"
STEP = 0.01
TOLERANCE = 1e-12
TABLES = "policy"
SOURCE = "tables from the policy simulator, validated before each run"
STAGES = {"short": [1, 2, 3, 4, 5, 8], "default": [*range(1, 9), 12, 16, 24, 32],
          "long": [*range(1, 33), 40, 48, 56, 64]}
SMALL = {"short": 5, "default": 12, "long": 32}
"""Largest S for the runs that cost more per stage (costs, copies, several M)."""


def stage_values(profile: Profile, small: bool = False) -> list[int]:
    """The S values a confirmation runs under ``profile``."""
    values = STAGES[profile.runs]
    return [value for value in values if value <= SMALL[profile.runs]] if small else values


@cache
def _run(method: str, stages: int, micro: int, options: tuple) -> RunRecord:
    config = run_config(method, "quadratic", stages, micro, STEP, dim=2 * stages,
                        num_samples=32, batch_size=4, keep_arrays=True, trace_points=8,
                        tables=TABLES, **dict(options))
    return run_method(config)


def run(method: str, stages: int, micro: int, **options: Any) -> RunRecord:
    """A cached training run of ``method`` with S = ``stages``, M = ``micro``."""
    return _run(method, stages, micro, tuple(sorted(options.items())))


def pipedream_run(stages: int) -> RunRecord:
    """PipeDream with M = 3S + 2: past the warm-up maximum (M >= S + floor(S/2) - 1), with
    steady microbatches S <= m < 2S + 2 whose in-flight window has left the warm-up."""
    return run("pipedream", stages, 3 * stages + 2)


@cache
def _lambdified(expr: sp.Expr, symbols: tuple[sp.Symbol, ...]) -> Any:
    return sp.lambdify(symbols, expr, "numpy")


def evaluate(expr: Any, **values: Any) -> np.ndarray:
    """``expr`` at the given values of its symbols (numbers or broadcasting arrays)."""
    expr = sp.sympify(expr)
    symbols = tuple(sorted(expr.free_symbols, key=str))
    result = _lambdified(expr, symbols)(*[values[str(symbol)] for symbol in symbols])
    return np.asarray(result, dtype=float)


class Comparison:
    """Measured values against a theorem's; keeps the first disagreement."""

    def __init__(self) -> None:
        self.points = 0
        self.runs: set[tuple] = set()
        self.counterexample: dict[str, Any] | None = None
        self.started = time.perf_counter()

    def check(self, quantity: str, measured: Any, expected: Any, relation: str = "==",
              **where: Any) -> None:
        """Compare elementwise (exact for integers, 1e-12 relative otherwise)."""
        self.runs.add(tuple(sorted(where.items())))
        if self.counterexample is not None:
            return
        measured = np.asarray(measured, dtype=float)
        expected = np.broadcast_to(np.asarray(expected, dtype=float), measured.shape)
        slack = TOLERANCE * np.maximum(1.0, np.abs(expected))
        good = {"==": np.abs(measured - expected) <= slack, "<=": measured <= expected + slack,
                ">=": measured >= expected - slack}[relation]
        self.points += measured.size
        if not good.all():
            index = tuple(int(i) for i in np.argwhere(~good)[0])
            self.counterexample = {**where, "quantity": quantity, "index": list(index),
                                   "measured": float(measured[index]),
                                   "theorem": float(expected[index]), "relation": relation}

    def verdict(self, what: str, budget: str) -> Verdict:
        """Confirmed when everything agreed, else refuted with the counterexample."""
        seconds = time.perf_counter() - self.started
        detail = (f"{what}: {self.points} measured values in {len(self.runs)} runs agree exactly "
                  f"(fractions to {TOLERANCE:g} relative); {SOURCE}")
        if self.counterexample is not None:
            return Verdict("empirical", Status.REFUTED, seconds, f"{what}: measured value "
                           f"disagrees; {SOURCE}", SOLVER, budget, self.counterexample)
        return Verdict("empirical", Status.CONFIRMED, seconds, detail, SOLVER, budget)


def index_grid(stages: int, micro: int) -> dict[str, np.ndarray]:
    return {"s": np.arange(stages)[:, None], "m": np.arange(micro)[None, :]}


def budget(values: list[int], text: str) -> str:
    return f"{text}, S in {values[0]}..{values[-1]} ({len(values)} values)"


def figure(plots: Path | None, name: str, stages: list[int], series: dict[str, list[float]],
           label: str) -> Path | None:
    """Write ``plots/name.png``: measured points (first series) and closed forms against S.
    Nothing without a plots folder or without matplotlib."""
    if plots is None:
        return None
    try:
        import matplotlib
    except ModuleNotFoundError:
        return None
    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure_, axis = pyplot.subplots(figsize=(6, 4), constrained_layout=True)
    for number, (title, values) in enumerate(series.items()):
        style = {"marker": "o", "linestyle": "none"} if number == 0 else {"linewidth": 1}
        axis.plot(stages, values, label=title, **style)
    axis.set_xlabel("stages S")
    axis.set_ylabel(label)
    axis.legend()
    axis.grid(True, alpha=0.3)
    path = Path(plots) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    figure_.savefig(path, dpi=110)
    pyplot.close(figure_)
    return path
