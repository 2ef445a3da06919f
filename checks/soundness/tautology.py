"""Tautologies: goals that hold whatever the theorem's terms mean.

An obligation proves something about a formula only if its goal depends on what the formula is.
The test: read every function symbol of the goal (+, *, powers, floor, Max, Mod, the theorem's
undefined functions, ...) and every number as uninterpreted, and ask Z3 whether the goal is still
valid. If it is (``x = x``, ``P or not P``, ``f(a) = f(a)`` after SymPy rewrote both sides alike),
the goal holds for pure-equality reasons, says nothing about pipeline schedules or bounds, and is
rejected.

Orderings (<=, <) become uninterpreted predicates, so ``x <= x`` is not flagged: only equality
reasoning counts as empty.
"""

from __future__ import annotations

import time

import sympy as sp
import z3

from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory.theorem import Theorem

METHOD = "tautology"

_BOOLEAN = {"And": z3.And, "Or": z3.Or, "Not": z3.Not, "Implies": z3.Implies}


class _Free:
    """Encode SymPy terms over one uninterpreted sort."""

    def __init__(self) -> None:
        self.context = z3.Context()
        self.sort = z3.DeclareSort("U", self.context)
        self.functions: dict[tuple[str, int, bool], z3.FuncDeclRef] = {}

    def function(self, name: str, arity: int, boolean: bool = False) -> z3.FuncDeclRef:
        key = (name, arity, boolean)
        if key not in self.functions:
            result = z3.BoolSort(self.context) if boolean else self.sort
            self.functions[key] = z3.Function(f"{name}/{arity}", *([self.sort] * arity), result)
        return self.functions[key]

    def term(self, expr: sp.Basic) -> z3.ExprRef:
        if not expr.args:
            return z3.Const(f"{type(expr).__name__}:{expr}", self.sort)
        head = type(expr).__name__ if not isinstance(expr, sp.core.function.AppliedUndef) \
            else str(expr.func)
        arguments = [self.term(a) for a in expr.args]
        return self.function(head, len(arguments))(*arguments)

    def formula(self, expr: sp.Basic) -> z3.BoolRef:
        name = type(expr).__name__
        if expr is sp.true or expr is sp.false:
            return z3.BoolVal(bool(expr), self.context)
        if name in _BOOLEAN:
            return _BOOLEAN[name](*[self.formula(a) for a in expr.args])
        if isinstance(expr, sp.Equality):
            return self.term(expr.lhs) == self.term(expr.rhs)
        if isinstance(expr, sp.Unequality):
            return self.term(expr.lhs) != self.term(expr.rhs)
        arguments = [self.term(a) for a in expr.args]
        return self.function(name, len(arguments), boolean=True)(*arguments)


def is_tautology(goal: sp.Basic) -> bool:
    """True when ``goal`` is valid with every function and number left uninterpreted."""
    free = _Free()
    solver = z3.Solver(ctx=free.context)
    solver.set("timeout", 10_000)
    solver.add(z3.Not(free.formula(sp.sympify(goal))))
    return solver.check() == z3.unsat


def tautology_reason(goal: sp.Basic) -> str | None:
    """The reason an obligation with ``goal`` is rejected, None when it is not a tautology."""
    if is_tautology(goal):
        return f"tautology: {goal} holds whatever its terms mean"
    return None


def check_tautologies(theorem: Theorem) -> Verdict:
    """One step per obligation (``proved``: the goal depends on its terms; ``unknown`` with
    reason "tautology: ..." when it does not); the verdict is ``proved`` when no goal is a
    tautology."""
    started = time.perf_counter()
    steps = []
    for obligation in theorem.obligations:
        begun = time.perf_counter()
        reason = tautology_reason(obligation.goal)
        status = Status.UNKNOWN if reason else Status.PROVED
        steps.append(Verdict(METHOD, status, time.perf_counter() - begun, obligation.name,
                             f"z3 {z3.get_version_string()}", reason=reason))
    rejected = [step for step in steps if step.status is Status.UNKNOWN]
    seconds = time.perf_counter() - started
    if rejected:
        return Verdict(METHOD, Status.UNKNOWN, seconds,
                       f"{len(rejected)} of {len(steps)} goals are tautologies",
                       f"z3 {z3.get_version_string()}", reason=rejected[0].reason,
                       steps=tuple(steps))
    return Verdict(METHOD, Status.PROVED, seconds,
                   f"none of {len(steps)} goals holds whatever its terms mean",
                   f"z3 {z3.get_version_string()}", steps=tuple(steps))


__all__ = ["METHOD", "check_tautologies", "is_tautology", "tautology_reason"]
