"""The exhaustive method: claims evaluated on generated op tables over a finite grid.

For every grid point the policy simulator (:mod:`pipeproof.checks.tables.simulator`) generates the
op table, the claim's quantity is read off it (:mod:`pipeproof.checks.tables.measures`) and compared
with the claim's formula at every index the claim selects. Integer quantities are compared exactly;
fractions (bubble, mean delay) to 1e-9 relative. The first failing point is kept as the
counterexample. Tables are generated in batches of similar size and shared by every claim on the
same grid.

The tables never come from the closed forms of :mod:`pipeproof.checks.tables.generate`: the closed
forms are what THR-PD-CLOSED and THR-FLUSH claim, so checking them on their own output would check
nothing. Every verdict names the source (:data:`TABLE_SOURCE`).
"""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from pipeproof.checks.tables import action_views
from pipeproof.checks.tables.measures import TableView, measure
from pipeproof.checks.tables.simulator import simulate_batch
from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory.parameters import ParameterError, ScheduleSpec, schedule_spec
from pipeproof.theory.symbols import INDICES, NOAM, PARAMETERS, H, M, R, S, t_B, t_F, t_W, v
from pipeproof.theory.theorem import Claim, Grid

ACTION_FAMILIES = action_views.GRID_FAMILIES
RELATIVE_TOLERANCE = 1e-9
TABLE_SOURCE = "tables from the policy simulator"
BATCH_LANES = 8192
"""Stages simulated side by side in one batch."""


@dataclass(frozen=True)
class Point:
    """One grid point: the parameter values and the spec they give."""

    values: dict[str, int]
    spec: ScheduleSpec


def _value(rule: sp.Expr | None, bound: dict[sp.Symbol, int]) -> int | None:
    return None if rule is None else int(sp.sympify(rule).subs(bound))


def stage_range(grid: Grid, max_stages: int | None = None, factor: int = 1) -> tuple[int, int]:
    """The S range of ``grid`` with its upper end times ``factor``, capped at ``max_stages``."""
    low, high = grid.stages[0], grid.stages[1] * factor
    return low, high if max_stages is None else min(high, max_stages)


def grid_points(grid: Grid, max_stages: int | None = None, factor: int = 1) -> Iterator[Point]:
    """Every valid parameter point of ``grid`` over :func:`stage_range`.

    R and H rules may use S; M rules may use S, R and H; NOAM rules may use S and M.
    """
    low, high = stage_range(grid, max_stages, factor)
    for stages in range(low, high + 1):
        combos = itertools.product(grid.runs, grid.local_steps, grid.microbatches, grid.noam,
                                   grid.costs, grid.chunks)
        for runs_rule, steps_rule, micro_rule, noam_rule, costs, chunks in combos:
            forward, backward, weight = (*costs, 1)[:3]
            bound = {S: stages}
            bound[R] = _value(runs_rule, bound)
            bound[H] = _value(steps_rule, bound)
            bound[M] = _value(micro_rule, bound)
            values = {"S": stages, "M": bound[M], "NOAM": _value(noam_rule, bound),
                      "R": bound[R], "H": bound[H], "t_F": forward, "t_B": backward,
                      "v": chunks, "t_W": weight}
            point = _make_point(grid, values)
            if point is not None:
                yield point


def _make_point(grid: Grid, values: dict[str, Any]) -> Point | None:
    if grid.schedule in ACTION_FAMILIES:
        return _action_point(grid, values)
    try:
        localsgd = grid.schedule == "localsgd"
        spec = schedule_spec(
            grid.schedule, values["S"], values["M"], noam=values["NOAM"],
            num_runs=values["R"] if localsgd else 1,
            local_steps=values["H"] if localsgd else 1,
            forward_cost=values["t_F"], backward_cost=values["t_B"],
        )
    except ParameterError:
        return None
    values = dict(values, NOAM=spec.noam, R=spec.num_runs, H=spec.local_steps)
    if grid.condition is not sp.true and not bool(grid.condition.subs(_binding(values))):
        return None
    return Point(values, spec)


def _action_point(grid: Grid, values: dict[str, Any]) -> Point | None:
    """A point of a chunked or zero-bubble family (an ActionSpec), or None when invalid."""
    try:
        spec = action_views.action_spec(grid.schedule, values["S"], values["M"], values["v"],
                                        values["t_F"], values["t_B"], values["t_W"])
    except ParameterError:
        return None
    if grid.condition is not sp.true and not bool(grid.condition.subs(_binding(values))):
        return None
    return Point(values, spec)


def _binding(values: dict[str, int]) -> dict[sp.Symbol, int]:
    symbols = {"S": S, "M": M, "NOAM": NOAM, "R": R, "H": H, "t_F": t_F, "t_B": t_B,
               "v": v, "t_W": t_W}
    return {symbols[name]: value for name, value in values.items() if value is not None}


def batches(points: Sequence[Point], lanes: int = BATCH_LANES) -> Iterator[list[Point]]:
    """Consecutive groups of points with at most ``lanes`` stages in all (at least one point)."""
    group: list[Point] = []
    used = 0
    for point in points:
        if group and used + point.spec.num_stages > lanes:
            yield group
            group, used = [], 0
        group.append(point)
        used += point.spec.num_stages
    if group:
        yield group


@dataclass
class ClaimState:
    """Running result of one claim over a grid."""

    claim: Claim
    evaluate: Any
    select: Any
    points: int = 0
    counterexample: dict[str, Any] | None = None

    def check(self, view: TableView, point: Point) -> None:
        """Compare the claim at ``point``; keep the first counterexample."""
        if self.counterexample is not None:
            return
        value = action_views.quantity(view, self.claim.quantity) if isinstance(
            view, action_views.ActionView) else measure(view, self.claim.quantity,
                                                        self.claim.convention)
        if value is None:
            return
        self.points += 1
        measured = np.asarray(value)
        params = [point.values[symbol.name] or 0 for symbol in PARAMETERS]
        axes = _index_axes(self.claim.index, measured.shape)
        expected = np.broadcast_to(np.asarray(self.evaluate(*params, *axes), dtype=float),
                                   measured.shape)
        chosen = np.broadcast_to(np.asarray(self.select(*params, *axes), dtype=bool),
                                 measured.shape)
        failing = chosen & ~_holds(measured, expected, self.claim.relation)
        if failing.any():
            where = tuple(int(i) for i in np.argwhere(failing)[0])
            self.counterexample = _counterexample(point, self.claim, where, measured, expected)


def _index_axes(index: tuple[sp.Symbol, ...], shape: tuple[int, ...]) -> list[Any]:
    by_symbol = {symbol: 0 for symbol in INDICES}
    for axis, symbol in enumerate(index):
        reshape = [1] * len(shape)
        reshape[axis] = shape[axis]
        by_symbol[symbol] = np.arange(shape[axis]).reshape(reshape)
    return [by_symbol[symbol] for symbol in INDICES]


def _holds(measured: np.ndarray, expected: np.ndarray, relation: str) -> np.ndarray:
    slack = RELATIVE_TOLERANCE * np.maximum(1.0, np.abs(expected))
    difference = measured - expected
    if relation == "==":
        return np.abs(difference) <= slack
    if relation == "<=":
        return difference <= slack
    if relation == ">=":
        return difference >= -slack
    raise ValueError(f"unknown relation {relation!r}")


def _counterexample(point: Point, claim: Claim, where: tuple[int, ...], measured: np.ndarray,
                    expected: np.ndarray) -> dict[str, Any]:
    example: dict[str, Any] = {"schedule": point.spec.name}
    relevant = {"S", "M", "t_F", "t_B"} | (
        {"v", "t_W"} if point.spec.name in ACTION_FAMILIES else set()) | (
        {"NOAM"} if point.spec.name == "pipedream" else
        {"R", "H"} if point.spec.name == "localsgd" else set())
    example.update({name: value for name, value in point.values.items() if name in relevant})
    example.update({symbol.name: position for symbol, position in zip(claim.index, where,
                                                                         strict=False)})
    example["quantity"] = claim.quantity
    example["measured"] = _plain(measured[where] if where else measured)
    example["formula"] = str(claim.formula)
    example["formula_value"] = _plain(expected[where] if where else expected)
    return example


def _plain(value: Any) -> Any:
    number = np.asarray(value).item()
    return int(number) if float(number).is_integer() else float(number)


def broadcast_select(conditions: list, choices: list, default: Any = np.nan) -> np.ndarray:
    """``numpy.select`` of a Piecewise whose conditions and values have different shapes (a
    condition on the parameters only next to one on an index): all broadcast to one shape."""
    shaped = np.broadcast_arrays(*conditions, *choices)
    return np.select(shaped[:len(conditions)], shaped[len(conditions):], default)


class BroadcastLogic:
    """A logical ufunc whose ``reduce`` over And/Or operands of different shapes broadcasts
    them pairwise (``numpy.logical_and.reduce`` needs one shape)."""

    def __init__(self, ufunc: np.ufunc) -> None:
        self.ufunc = ufunc

    def __call__(self, *operands: Any) -> Any:
        return self.ufunc(*operands)

    def reduce(self, operands: Sequence[Any]) -> Any:
        """The ufunc folded over ``operands``, left to right."""
        return functools.reduce(self.ufunc, operands)


BROADCASTING = {"select": broadcast_select, "logical_and": BroadcastLogic(np.logical_and),
                "logical_or": BroadcastLogic(np.logical_or)}
"""What lambdify's NumPy code calls in place of NumPy's own for claims of mixed shapes."""


def compile_claim(claim: Claim) -> ClaimState:
    """Lambdify the claim's formula and index selection over (parameters, indices)."""
    arguments = (*PARAMETERS, *INDICES)
    modules = [BROADCASTING, "numpy"]
    evaluate = sp.lambdify(arguments, claim.formula, modules)
    select = sp.lambdify(arguments, claim.where, modules)
    return ClaimState(claim, evaluate, select)


@dataclass
class GridRun:
    """All claims on one grid, evaluated on the tables generated once."""

    grid: Grid
    claims: list[ClaimState] = field(default_factory=list)
    seconds: float = 0.0
    tables: int = 0
    stages: tuple[int, int] = (0, 0)

    def run(self, max_stages: int | None = None, factor: int = 1) -> None:
        """Generate every table of the grid and check every claim on it."""
        started = time.perf_counter()
        points = list(grid_points(self.grid, max_stages, factor))
        self.stages = stage_range(self.grid, max_stages, factor)
        if self.grid.schedule in ACTION_FAMILIES:
            for point in points:
                view = action_views.ActionView(point.spec)
                for state in self.claims:
                    state.check(view, point)
            self.tables = len(points)
            self.seconds = time.perf_counter() - started
            return
        for group in batches(points):
            tables = simulate_batch([point.spec for point in group])
            for point, table in zip(group, tables, strict=True):
                view = TableView(table)
                for state in self.claims:
                    state.check(view, point)
            self.tables += len(group)
        self.seconds = time.perf_counter() - started

    def verdict(self, state: ClaimState, share: float) -> Verdict:
        """The exhaustive verdict of one claim (``share`` of the grid's time)."""
        scope = Grid(**{**self.grid.__dict__, "stages": self.stages}).describe()
        scope = f"{scope}; {TABLE_SOURCE}"
        budget = f"{self.tables} tables"
        if state.counterexample is not None:
            return Verdict("exhaustive", Status.REFUTED, share, f"{_describe(state.claim)}; "
                           f"{scope}", "policy simulator", budget, state.counterexample)
        if state.points == 0:
            return Verdict("exhaustive", Status.UNKNOWN, share, f"{_describe(state.claim)}; "
                           f"{scope}", "policy simulator", budget,
                           reason="no grid point where the quantity is defined")
        return Verdict("exhaustive", Status.CHECKED, share, f"{_describe(state.claim)}; "
                       f"{scope}", "policy simulator", budget)


def _describe(claim: Claim) -> str:
    index = f"[{', '.join(map(str, claim.index))}]" if claim.index else ""
    where = "" if claim.where is sp.true else f" where {claim.where}"
    convention = f" ({claim.convention})" if claim.quantity.startswith(("delay", "foreign")) else ""
    return f"{claim.quantity}{index}{convention} {claim.relation} {claim.formula}{where}"
