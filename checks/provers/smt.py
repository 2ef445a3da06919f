"""Z3 encodings of SymPy statements, and the SMT prover.

One small translator turns a SymPy expression into a Z3 term: integer symbols become Ints, others
Reals; ``floor(p/q)`` with an integer polynomial p and a positive integer q becomes Z3's integer
division (which rounds down for a positive divisor), any other floor a fresh Int k with
k <= x < k + 1; ceiling(x) = -floor(-x); (-1)^n with an integer n becomes ``If(n % 2 == 0, 1, -1)``;
Mod with a positive integer modulus becomes ``%``; Max, Min, Abs and Piecewise become ``If``.

An undefined function applied to arguments (``f(k)``) becomes a Z3 uninterpreted function, with
the sign its SymPy assumptions state. A Sum that SymPy evaluates in closed form is encoded by that
form; otherwise it is split by linearity into constant multiples of sums of index-dependent terms,
and each of those becomes an uninterpreted function of its limits (nonnegative when its terms
are). A proof that uses such sums holds for every value they could take, so it stands; a model
found with them may give a sum a value its terms cannot have, so it counts as unknown, not as a
refutation.

To prove an obligation, assert its assumptions and first ask for a model of them alone: without
one the obligation is ``unknown`` ("vacuous hypotheses"), since anything follows from
contradictory assumptions. Then add the negated goal and ``check()``: ``unsat`` is proved,
``sat`` is refuted with the model as counterexample, ``unknown`` keeps ``reason_unknown()``.
With a case split this is done case by case, and the cases proved must cover the domain. The
budget is Z3's deterministic ``rlimit``, so a verdict does not depend on
the speed of the machine.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import sympy as sp
import z3
from sympy.core.function import AppliedUndef

from pipeproof.checks.provers.parity import parity_cases, split_verdict, substitute
from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory.theorem import Obligation

DEFAULT_RLIMIT = 5_000_000
"""Z3 resource limit per obligation (deterministic units, not seconds)."""

SAFETY_TIMEOUT_MS = 120_000
"""A wall-clock stop for the rare nonlinear query that overruns its rlimit; hitting it gives
``unknown`` with reason "timeout", never anything else."""


QueryRecorder = Callable[[str, z3.Solver, Any], None]
"""Called as ``record(role, solver, answer)`` with role "hypotheses" (the model search of the
assumptions alone) or "goal" (assumptions and negated goal) for each solver whose answer
decides a case."""


class UntranslatableError(ValueError):
    """A SymPy construct the Z3 encoder does not support (for example an unevaluated Sum)."""


def solver_version() -> str:
    """``z3 <version>``."""
    return f"z3 {z3.get_version_string()}"


class Encoder:
    """Translate SymPy expressions to Z3, sharing one variable per SymPy symbol."""

    def __init__(self, context: z3.Context | None = None) -> None:
        self.context = context if context is not None else z3.main_ctx()
        self.variables: dict[sp.Symbol, z3.ArithRef] = {}
        self.side_conditions: list[z3.BoolRef] = []
        self.applications: dict[str, z3.ArithRef] = {}
        self.opaque_sums: list[str] = []
        self._functions: dict[tuple, z3.FuncDeclRef] = {}
        self._fresh = 0

    def variable(self, symbol: sp.Symbol) -> z3.ArithRef:
        """The Z3 variable of ``symbol`` (Int when the symbol is an integer)."""
        if symbol not in self.variables:
            make = z3.Int if symbol.is_integer else z3.Real
            variable = make(symbol.name, self.context)
            self.variables[symbol] = variable
            if symbol.is_positive:
                self.side_conditions.append(variable > 0)
            elif symbol.is_nonnegative:
                self.side_conditions.append(variable >= 0)
        return self.variables[symbol]

    def __call__(self, expr: sp.Basic) -> Any:
        return self.encode(sp.sympify(expr))

    def encode(self, expr: sp.Basic) -> Any:
        """The Z3 term of ``expr``."""
        if isinstance(expr, AppliedUndef):
            return self._application(expr)
        handler = _HANDLERS.get(type(expr).__name__)
        if handler is not None:
            return handler(self, expr)
        if isinstance(expr, sp.Symbol):
            return self.variable(expr)
        if expr.is_Integer:
            return z3.IntVal(int(expr), self.context)
        if expr.is_Rational:
            return z3.Q(int(expr.p), int(expr.q), self.context)
        if isinstance(expr, sp.Piecewise):
            return self._piecewise(expr)
        raise UntranslatableError(f"no Z3 encoding for {type(expr).__name__}: {expr}")

    def _piecewise(self, expr: sp.Piecewise) -> Any:
        result = None
        for value, condition in reversed(expr.args):
            encoded = self.encode(value)
            if condition is sp.true or result is None:
                result = encoded
            else:
                result = z3.If(self.encode(condition), encoded, result)
        return result

    def _declare(self, key: tuple, name: str, arguments: list, result: z3.SortRef) -> Any:
        if key not in self._functions:
            self._functions[key] = z3.Function(name, *[term.sort() for term in arguments], result)
        return self._functions[key](*arguments)

    def _application(self, expr: AppliedUndef) -> Any:
        """f(a, ...) of an undefined f: an uninterpreted function, signed as f is declared."""
        arguments = [self.encode(arg) for arg in expr.args]
        result = z3.IntSort(self.context) if expr.is_integer else z3.RealSort(self.context)
        key = (expr.func, tuple(term.sort() for term in arguments))
        term = self._declare(key, str(expr.func), arguments, result)
        if expr.is_positive:
            self.side_conditions.append(term > 0)
        elif expr.is_nonnegative:
            self.side_conditions.append(term >= 0)
        self.applications[str(expr)] = term
        return term

    def sum(self, expr: sp.Sum) -> Any:
        """A closed form when SymPy finds one, else a linear combination of opaque sums."""
        normal = _normal_sum(expr)
        if normal != expr:
            return self.encode(normal)
        if len(expr.limits) != 1:
            raise UntranslatableError(f"no Z3 encoding for the multiple sum {expr}")
        index, lower, upper = expr.limits[0]
        if not (sp.sympify(lower).is_integer and sp.sympify(upper).is_integer):
            raise UntranslatableError(f"a sum needs integer limits: {expr}")
        summand = expr.function.xreplace({index: _INDEX})
        name = f"sum_{len(self._functions)}"
        term = self._declare(("sum", summand), name,
                             [self.encode(lower), self.encode(upper)],
                             z3.RealSort(self.context))
        if summand.is_nonnegative and sp.sympify(upper - lower + 1).is_nonnegative:
            self.side_conditions.append(term >= 0)
        self.opaque_sums.append(str(expr))
        self.applications[str(expr)] = term
        return term

    def floor(self, arg: sp.Expr) -> Any:
        """floor(arg): integer division when arg = p/q, else a fresh Int with side conditions."""
        numerator, denominator = sp.fraction(sp.together(arg))
        if denominator.is_Integer and denominator > 0 and numerator.is_integer is True:
            return self.encode(numerator) / z3.IntVal(int(denominator), self.context)
        self._fresh += 1
        value = z3.Int(f"floor_{self._fresh}", self.context)
        encoded = _to_real(self.encode(arg))
        self.side_conditions += [z3.ToReal(value) <= encoded, encoded < z3.ToReal(value) + 1]
        return value


@functools.lru_cache(maxsize=4096)
def _normal_sum(expr: sp.Sum) -> sp.Expr:
    """The sum split by linearity and evaluated where SymPy can (cached: summation is slow).

    Terms are grouped by the undefined functions of the index they contain, since only terms
    of the same function can telescope; a group that is one such term has no closed form and
    stays a sum. A sum with a fixed number of terms is evaluated whole.
    """
    if len(expr.limits) != 1 or sp.sympify(expr.limits[0][2] - expr.limits[0][1]).is_Integer:
        return sp.factor_terms(sp.expand(expr.doit()))
    index = expr.limits[0][0]
    groups: dict[frozenset, list[sp.Expr]] = {}
    for term in sp.Add.make_args(sp.expand(expr.function)):
        heads = frozenset(application.func for application in term.atoms(AppliedUndef)
                          if index in application.free_symbols)
        groups.setdefault(heads, []).append(term)
    parts = []
    for heads, terms in groups.items():
        part = sp.Sum(sp.Add(*terms), expr.limits[0])
        parts.append(part if heads and len(terms) == 1 else part.doit())
    return sp.factor_terms(sp.expand(sp.Add(*parts)))


_INDEX = sp.Dummy("i", integer=True)
"""The index every opaque sum is written with, so that equal sums share one function."""


def _power(encoder: Encoder, expr: sp.Pow) -> Any:
    base, exponent = expr.args
    if exponent.is_Integer and exponent > 0:
        encoded = encoder.encode(base)
        result = encoded
        for _ in range(int(exponent) - 1):
            result = result * encoded
        return result
    if exponent.is_Integer and exponent < 0:
        return z3.RealVal(1, encoder.context) / _to_real(encoder.encode(sp.Pow(base, -exponent)))
    if base == -1 and exponent.is_integer:
        return z3.If(encoder.encode(exponent) % 2 == 0, z3.IntVal(1, encoder.context),
                     z3.IntVal(-1, encoder.context))
    raise UntranslatableError(f"no Z3 encoding for the power {expr}")


def _to_real(term: Any) -> Any:
    return z3.ToReal(term) if z3.is_int(term) else term


def _product(encoder: Encoder, expr: sp.Mul) -> Any:
    terms = [encoder.encode(arg) for arg in expr.args]
    if any(z3.is_real(term) for term in terms):
        terms = [_to_real(term) for term in terms]
    result = terms[0]
    for term in terms[1:]:
        result = result * term
    return result


def _sum(encoder: Encoder, expr: sp.Add) -> Any:
    terms = [encoder.encode(arg) for arg in expr.args]
    if any(z3.is_real(term) for term in terms):
        terms = [_to_real(term) for term in terms]
    return z3.Sum(terms)


def _mod(encoder: Encoder, expr: sp.Mod) -> Any:
    value, modulus = expr.args
    if not (modulus.is_Integer and modulus > 0):
        raise UntranslatableError(f"Mod needs a positive integer modulus: {expr}")
    return encoder.encode(value) % z3.IntVal(int(modulus), encoder.context)


def _extremum(pick_first: Any) -> Any:
    def handle(encoder: Encoder, expr: sp.Expr) -> Any:
        terms = [encoder.encode(arg) for arg in expr.args]
        if any(z3.is_real(term) for term in terms):
            terms = [_to_real(term) for term in terms]
        result = terms[0]
        for term in terms[1:]:
            result = z3.If(pick_first(result, term), result, term)
        return result
    return handle


def _relation(operator: Any) -> Any:
    def handle(encoder: Encoder, expr: sp.Expr) -> Any:
        left, right = encoder.encode(expr.lhs), encoder.encode(expr.rhs)
        if z3.is_real(left) or z3.is_real(right):
            left, right = _to_real(left), _to_real(right)
        return operator(left, right)
    return handle


def _boolean(combine: Any) -> Any:
    return lambda encoder, expr: combine(*[encoder.encode(arg) for arg in expr.args])


_HANDLERS: dict[str, Any] = {
    "Add": _sum,
    "Mul": _product,
    "Pow": _power,
    "Mod": _mod,
    "Sum": lambda encoder, expr: encoder.sum(expr),
    "floor": lambda encoder, expr: encoder.floor(expr.args[0]),
    "ceiling": lambda encoder, expr: -encoder.floor(-expr.args[0]),
    "Max": _extremum(lambda a, b: a >= b),
    "Min": _extremum(lambda a, b: a <= b),
    "Abs": lambda encoder, expr: (lambda v: z3.If(v >= 0, v, -v))(encoder.encode(expr.args[0])),
    "Equality": _relation(lambda a, b: a == b),
    "Unequality": _relation(lambda a, b: a != b),
    "LessThan": _relation(lambda a, b: a <= b),
    "StrictLessThan": _relation(lambda a, b: a < b),
    "GreaterThan": _relation(lambda a, b: a >= b),
    "StrictGreaterThan": _relation(lambda a, b: a > b),
    "And": _boolean(z3.And),
    "Or": _boolean(z3.Or),
    "Not": _boolean(z3.Not),
    "Implies": _boolean(z3.Implies),
    "Equivalent": _boolean(lambda left, right: left == right),
    "BooleanTrue": lambda encoder, expr: z3.BoolVal(True, encoder.context),
    "BooleanFalse": lambda encoder, expr: z3.BoolVal(False, encoder.context),
}


def _model_values(model: z3.ModelRef, encoder: Encoder) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for symbol, variable in sorted(encoder.variables.items(), key=lambda item: item[0].name):
        values[symbol.name] = _number(model.eval(variable, model_completion=True))
    for name, term in sorted(encoder.applications.items()):
        values[name] = _number(model.eval(term, model_completion=True))
    return values


def _number(value: Any) -> Any:
    if z3.is_int_value(value):
        return value.as_long()
    if not z3.is_rational_value(value):
        return str(value)
    fraction = Fraction(value.numerator_as_long(), value.denominator_as_long())
    return int(fraction) if fraction.denominator == 1 else str(fraction)


def _check_case(obligation: Obligation, rlimit: int,
                record: QueryRecorder | None = None) -> tuple[Any, Any, Encoder, Any]:
    """(answer, solver, encoder, hypotheses answer) for one case: first whether the assumptions
    and side conditions alone have a model, then, when they do, whether the goal can fail.
    ``record`` is given each solver whose answer is used, with its role."""
    context = z3.Context()  # a fresh context: the verdict does not depend on earlier checks
    encoder = Encoder(context)
    assumptions = [encoder(assumption) for assumption in obligation.assumptions]
    negated = z3.Not(encoder(obligation.goal))
    hypotheses, solver = _model([*assumptions, *encoder.side_conditions], encoder, rlimit)
    if record is not None:
        record("hypotheses", solver, hypotheses)
    if hypotheses != z3.sat:
        return hypotheses, solver, encoder, hypotheses
    # a fresh solver: an incremental one reasons more weakly about nonlinear arithmetic
    answer, solver = _solve([negated, *assumptions, *encoder.side_conditions], rlimit, context)
    if answer == z3.unknown:  # the search depends on the order of the facts: try the other
        answer, solver = _solve([*assumptions, *encoder.side_conditions, negated], rlimit,
                                context)
    if record is not None:
        record("goal", solver, answer)
    return answer, solver, encoder, hypotheses


CANDIDATE_VALUES = (1, 0, 2)
"""Values tried for every variable at once before a full model search (see :func:`_model`)."""


def _model(facts: list, encoder: Encoder, rlimit: int) -> tuple[Any, z3.Solver]:
    """Whether ``facts`` have a model. First with every variable fixed to one candidate value,
    which leaves Z3 a linear or ground problem (nonlinear model search can exhaust the budget
    where a model is plain, e.g. all ones); then the full search. A model found either way is
    a real model of the facts."""
    variables = list(encoder.variables.values())
    for value in CANDIDATE_VALUES:
        fixed = [variable == value for variable in variables]
        answer, solver = _solve([*facts, *fixed], rlimit // 10, encoder.context)
        if answer == z3.sat:
            return answer, solver
    return _solve(facts, rlimit, encoder.context)


def _solve(facts: list, rlimit: int, context: z3.Context) -> tuple[Any, z3.Solver]:
    solver = z3.Solver(ctx=context)
    solver.set("rlimit", rlimit)
    solver.set("timeout", SAFETY_TIMEOUT_MS)
    solver.add(*facts)
    return solver.check(), solver


def hypotheses_satisfiable(obligation: Obligation, rlimit: int = DEFAULT_RLIMIT) -> bool | None:
    """Whether the assumptions of ``obligation`` (with the encoder's side conditions) have a
    model: True (Z3 found one), False (unsat) or None (undecided).

    Raises:
        UntranslatableError: when an assumption has no Z3 encoding (a goal without one only
            contributes no side conditions).
    """
    context = z3.Context()
    encoder = Encoder(context)
    assumptions = [encoder(assumption) for assumption in obligation.assumptions]
    # the goal's side conditions (floors, signs of its functions); a goal Z3 cannot encode
    # adds none, and the assumptions alone decide whether the hypotheses have a model
    with contextlib.suppress(UntranslatableError):
        encoder(obligation.goal)
    answer, _ = _solve([*assumptions, *encoder.side_conditions], rlimit, context)
    return True if answer == z3.sat else False if answer == z3.unsat else None


def prove_smt(obligation: Obligation, rlimit: int = DEFAULT_RLIMIT,
              recorder: Callable[[str], QueryRecorder] | None = None) -> Verdict:
    """Per case: the hypotheses must have a model, then the assumptions and the negated goal
    must be unsat (proved); sat refutes, anything else is unknown. The cases proved must cover
    the domain of the split (:func:`pipeproof.checks.provers.parity.split_gap`) for the obligation
    to be proved.

    With ``obligation.parity`` every residue case is checked on its own (same budget each).
    ``recorder(label)``, when given, returns the recorder of that case's queries (the solvers
    whose answers decide it, for :mod:`pipeproof.checks.certificates`).
    """
    started = time.perf_counter()
    budget = f"rlimit={rlimit} per case (stop after {SAFETY_TIMEOUT_MS // 1000} s)"

    def verdict(status: Status, detail: str, **extra: Any) -> Verdict:
        return Verdict("smt", status, time.perf_counter() - started, detail, solver_version(),
                       budget, **extra)

    proved: list[tuple[str, dict]] = []
    for label, substitution in parity_cases(obligation):
        try:
            answer, solver, encoder, hypotheses = _check_case(
                substitute(obligation, substitution), rlimit,
                recorder(label) if recorder is not None else None)
        except UntranslatableError as error:
            return verdict(Status.UNKNOWN, obligation.name, reason=f"not encodable: {error}")
        where = f" ({label})" if label else ""
        if hypotheses == z3.unsat:
            return verdict(Status.UNKNOWN, obligation.name + where,
                           reason="vacuous hypotheses: the assumptions have no model")
        if hypotheses != z3.sat:
            return verdict(Status.UNKNOWN, obligation.name + where,
                           reason="vacuous hypotheses not excluded: no model of the assumptions "
                                  f"found ({solver.reason_unknown()})")
        if answer == z3.sat and encoder.opaque_sums:
            return verdict(Status.UNKNOWN, obligation.name + where,
                           reason="a model exists only with the sums "
                                  f"{', '.join(sorted(set(encoder.opaque_sums)))} taken as free "
                                  "values, so it is not a counterexample")
        if answer == z3.sat:
            values = _model_values(solver.model(), encoder)
            values.update(_undo_split(substitution, values))
            return verdict(Status.REFUTED, obligation.name + where, counterexample=values)
        if answer != z3.unsat:
            return verdict(Status.UNKNOWN, obligation.name + where,
                           reason=solver.reason_unknown())
        proved.append((label, substitution))
    return split_verdict(verdict, obligation, proved)


def _undo_split(substitution: dict[sp.Symbol, sp.Expr], values: dict[str, Any]) -> dict:
    """Values of the split symbols themselves, from the model of the halves."""
    restored = {}
    for symbol, expr in substitution.items():
        bound = {free: values.get(free.name, 0) for free in expr.free_symbols}
        restored[symbol.name] = int(expr.subs(bound))
    return restored
