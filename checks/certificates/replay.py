"""The SymPy steps of a theorem as a plain SymPy script that asserts each of them.

For every obligation the SymPy prover proved, and every case it proved, the script holds the
case's goal (sums evaluated, the split substituted, exactly what the prover reduced) as SymPy's
own ``srepr`` text, with each undefined function's assumptions kept, and asserts what the prover
showed: an equation's sides differ by an expression that expands or simplifies to 0; an
inequality a <= b has b - a nonnegative by SymPy's assumption system (strict: positive); And, part
by part. The script imports only SymPy, so it runs without pipeproof; it prints one line per
step and exits with 1 at the first step that does not hold.

The model of each case's hypotheses (the proof is not vacuous) is the ``.hyp.smt2`` file of the
same case.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.printing.repr import ReprPrinter

from pipeproof.checks.provers.parity import parity_cases, substitute
from pipeproof.theory.theorem import Theorem

SCRIPT_NAME = "sympy_steps.py"


class _Printer(ReprPrinter):
    """srepr that keeps the assumptions of undefined functions (``Function('f',
    nonnegative=True)``), which plain srepr drops."""

    def _print_AppliedUndef(self, expr: sp.Expr) -> str:
        kwargs = "".join(f", {key}={value!r}"
                         for key, value in sorted(getattr(expr.func, "_kwargs", {}).items()))
        arguments = ", ".join(self._print(arg) for arg in expr.args)
        return f"Function({expr.func.__name__!r}{kwargs})({arguments})"


def text(expr: sp.Basic) -> str:
    """``expr`` as Python text that rebuilds it with SymPy alone."""
    return _Printer().doprint(expr)


@dataclass(frozen=True)
class Step:
    """One case of one obligation the SymPy prover proved."""

    obligation: int
    name: str
    case: str
    goal: sp.Basic


def steps(theorem: Theorem, proved: dict[int, tuple[str, ...]]) -> list[Step]:
    """The cases of the obligations in ``proved`` (number -> labels of the cases the prover
    proved; an empty tuple for an obligation without a split), in theorem order."""
    found = []
    for number, obligation in enumerate(theorem.obligations):
        if number not in proved:
            continue
        evaluated = obligation.with_goal(sp.sympify(obligation.goal).doit())
        for label, substitution in parity_cases(obligation):
            if label and label not in proved[number]:
                continue
            goal = substitute(evaluated, substitution).goal
            found.append(Step(number, obligation.name, label, goal))
    return found


_PROLOGUE = '''"""{title}

The SymPy steps of {theorem_id}, re-played with SymPy alone (no pipeproof): each step is one
case of one obligation; the script asserts it as the SymPy prover showed it and exits with 1
at the first step that does not hold. Made with sympy {version}.
"""

import sys

import sympy
from sympy import *  # noqa: F403  (srepr text names SymPy's classes)
from sympy.functions.elementary.piecewise import ExprCondPair  # noqa: F401


def is_zero(expr):
    expr = sympify(expr).doit()
    expanded = expand(expr)
    if expanded == 0 or factor_terms(expanded) == 0:
        return True
    return simplify(expr) == 0


def holds(goal):
    if goal is sympy.true:
        return True
    if isinstance(goal, And):
        return all(holds(part) for part in goal.args)
    if isinstance(goal, Equality):
        return is_zero(goal.lhs - goal.rhs)
    if isinstance(goal, (LessThan, StrictLessThan, GreaterThan, StrictGreaterThan)):
        slack = simplify(expand(sympify(goal.gts - goal.lts).doit()))
        strict = isinstance(goal, (StrictLessThan, StrictGreaterThan))
        return bool(slack.is_positive) if strict else bool(slack.is_nonnegative)
    return False


STEPS = [
'''

_EPILOGUE = ''']


def main():
    for obligation, name, case, goal in STEPS:
        where = f" ({case})" if case else ""
        if not holds(goal):
            print(f"FAILED obligation {obligation}{where}: {name}")
            return 1
        print(f"ok obligation {obligation}{where}: {name}")
    print(f"all {len(STEPS)} steps hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''


def script(theorem: Theorem, found: list[Step]) -> str:
    """The script's text (see the module docstring)."""
    entries = [f"    ({step.obligation}, {step.name!r}, {step.case!r},\n"
               f"     {text(step.goal)}),\n" for step in found]
    prologue = _PROLOGUE.format(title=f"{theorem.id}: {theorem.title}".replace('"', "'"),
                                theorem_id=theorem.id, version=sp.__version__)
    return prologue + "".join(entries) + _EPILOGUE
