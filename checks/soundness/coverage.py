"""Coverage: the obligations' goals, together, imply the theorem's statement.

A theorem is proved only when every obligation is proved AND the obligations cover the statement.
The coverage check asks Z3 to show, for every residue case of the theorem's ``parity`` splits
(and that the cases shown cover the domain, :func:`pipeproof.checks.provers.parity.split_gap`):

    assumptions(theorem) and definitions(theorem) and P_1 and ... and P_n  implies  statement

where each obligation i contributes the premise

    P_i = for all x_i: (domains(x_i) and assumptions_i(x_i)) implies goal_i(x_i),

x_i being the obligation's symbols that are not parameters of the statement (its indices).
Parameters (the free symbols of the statement, the theorem's assumptions and its definitions) are
shared: an obligation speaks about the same S, M, ... as the statement. Reading an obligation
this way is sound because a proved obligation holds for all values of its symbols.

Where an obligation takes an earlier goal at a substitution x_j := e as a premise (kind
``goal``), the query also gets P_j at x_j := e (:func:`instances`): it follows from P_j by
instantiation, so it adds no assumption, and Z3 need not find the instance under the quantifier.
The query is first tried with these instances in place of the quantified P_j they come from
(fewer hypotheses, so an ``unsat`` stands). A model found there counts only once it also meets
every P_i (asked with the model's values fixed); otherwise, and when that query does not decide,
it is asked again with every P_i and the instances.

A chain theorem of catalogue section 3 (``DERIVED`` of its chain module) is covered instead by
its derivation, checked rule by rule (:mod:`pipeproof.checks.soundness.derivation`): its
obligations use facts at every step k and induction, which this query cannot quantify over.

A theorem the paper states falsely (``expected == "refuted"``) is covered the other way: the
statement must imply every obligation, so that a counterexample to an obligation is one to the
statement.

Definitions ``q(x, ...) = expr`` give the uninterpreted quantities of a statement their meaning
(for all x, ...); they are accepted only in that conservative form (``q`` undefined, applied to
distinct symbols, absent from ``expr``), so they cannot make anything else true.

Before coverage counts, Z3 must find a model of the theorem's assumptions and definitions
(otherwise the implication would hold vacuously): the verdict is then ``unknown`` with reason
"vacuous hypotheses". The same holds when the goals contradict the assumptions or each other (a
false goal that a broken prover passed would make every statement follow); when Z3 cannot decide
the goals' consistency the detail says so. Floors are encoded with Z3's ``to_int`` (the floor of
a real) so that they may sit under a quantifier.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import sympy as sp
import z3
from sympy.core.function import AppliedUndef

from pipeproof.checks.provers.parity import split_cases, split_gap, splits
from pipeproof.checks.provers.smt import (
    DEFAULT_RLIMIT,
    Encoder,
    UntranslatableError,
)
from pipeproof.checks.soundness.derivation import check_derivation
from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory.theorem import Obligation, Theorem

METHOD = "coverage"


def derivation_scope(theorem: Theorem) -> tuple[set[sp.Symbol], tuple[str, ...]] | None:
    """(constants, listed records) for a chain theorem covered by its derivation
    (:mod:`pipeproof.checks.soundness.derivation`), None for any other theorem."""
    from pipeproof.theory.catalogue.convergence import chain

    if theorem.id not in chain.DERIVED or theorem.expected == "refuted":
        return None
    return set(chain.CONSTANTS), chain.ASSUMPTIONS[theorem.id]


class QuantifiableEncoder(Encoder):
    """The Z3 encoder with floors as ``to_int`` terms (no fresh constants), so that an
    encoded formula keeps its meaning under a quantifier."""

    def floor(self, arg: sp.Expr) -> z3.ArithRef:
        numerator, denominator = sp.fraction(sp.together(arg))
        if denominator.is_Integer and denominator > 0 and numerator.is_integer is True:
            return self.encode(numerator) / z3.IntVal(int(denominator), self.context)
        encoded = self.encode(arg)
        return z3.ToInt(z3.ToReal(encoded) if z3.is_int(encoded) else encoded)


def parameters(theorem: Theorem) -> set[sp.Symbol]:
    """The symbols shared by the statement and every obligation."""
    formulas = (theorem.statement, *theorem.assumptions, *theorem.definitions)
    return set().union(*(sp.sympify(formula).free_symbols for formula in formulas))


def free_symbols(obligation: Obligation) -> set[sp.Symbol]:
    """Every free symbol of an obligation's goal and assumptions."""
    formulas = (obligation.goal, *obligation.assumptions)
    return set().union(*(sp.sympify(formula).free_symbols for formula in formulas))


def _sign(symbol: sp.Symbol, variable: z3.ArithRef) -> list[z3.BoolRef]:
    if symbol.is_positive:
        return [variable > 0]
    if symbol.is_nonnegative:
        return [variable >= 0]
    return []


def _scoped(encoder: Encoder, formulas: Iterable[sp.Basic]) -> tuple[list, list]:
    """Encode ``formulas``; return them and the side conditions their encoding produced."""
    start = len(encoder.side_conditions)
    encoded = [encoder(formula) for formula in formulas]
    produced = encoder.side_conditions[start:]
    del encoder.side_conditions[start:]
    return encoded, produced


def _premise_body(encoder: Encoder, obligation: Obligation, shared: set[sp.Symbol],
                  ) -> tuple[dict[sp.Symbol, z3.ArithRef], z3.BoolRef]:
    """(bound variables by symbol, body) of :func:`premise`: the body is "signs of the bound
    symbols and assumptions imply goal", with the bound symbols free."""
    guard, produced = _scoped(encoder, obligation.assumptions)
    (goal,), produced_goal = _scoped(encoder, (obligation.goal,))
    bound_symbols = sorted(free_symbols(obligation) - shared, key=lambda symbol: symbol.name)
    bound = {symbol: encoder.variable(symbol) for symbol in bound_symbols}
    signs = [condition for symbol, variable in bound.items()
             for condition in _sign(symbol, variable)]
    true = z3.BoolVal(True, encoder.context)
    return bound, z3.Implies(z3.And(true, *signs, *produced, *produced_goal, *guard), goal)


def premise(encoder: Encoder, obligation: Obligation, shared: set[sp.Symbol]) -> z3.BoolRef:
    """for all indices: assumptions imply goal (see the module docstring)."""
    bound, body = _premise_body(encoder, obligation, shared)
    return z3.ForAll(list(bound.values()), body) if bound else body


def instances(encoder: Encoder, theorem: Theorem, shared: set[sp.Symbol]) -> list[z3.BoolRef]:
    """The instances the obligations name: for each premise of kind ``goal`` with a
    substitution x := e, the premise P_j of the earlier obligation j it names, at x := e.

    P_j = for all x: body(x), so P_j implies body(e) (universal instantiation): adding it to
    the query adds nothing the goals do not already give, and saves Z3 finding the instance
    under the quantifier. Only a substitution of P_j's bound symbols is an instance; one that
    substitutes a shared parameter or changes a variable's sort is left out (the query then
    stands without it). The side conditions the terms' encoding needs guard the instance.
    """
    earlier = {obligation.name: obligation for obligation in theorem.obligations}
    made = []
    for obligation in theorem.obligations:
        for premise_ in obligation.premises:
            source = earlier.get(premise_.source)
            if premise_.kind != "goal" or not premise_.instance or source is None:
                continue
            made += _instance(encoder, source, dict(premise_.instance), shared)
    return made


def _instance(encoder: Encoder, source: Obligation, substitution: dict[sp.Symbol, sp.Expr],
              shared: set[sp.Symbol]) -> list[z3.BoolRef]:
    """[P_source at ``substitution``], or [] when that is not an instance (see
    :func:`instances`)."""
    bound, body = _premise_body(encoder, source, shared)
    if not set(substitution) <= set(bound):
        return []
    try:
        terms, produced = _scoped(encoder, substitution.values())
    except (UntranslatableError, ValueError):
        return []
    pairs = list(zip((bound[symbol] for symbol in substitution), terms, strict=True))
    if any(variable.sort() != term.sort() for variable, term in pairs):
        return []
    remaining = [variable for symbol, variable in bound.items() if symbol not in substitution]
    body = z3.substitute(body, *pairs)
    if produced:  # what the terms' encoding needs (signs, floors) guards the instance
        body = z3.Implies(z3.And(*produced), body)
    return [z3.ForAll(remaining, body) if remaining else body]


def definition(encoder: Encoder, formula: sp.Basic) -> z3.BoolRef:
    """for all x, ...: q(x, ...) = expr, after checking that the definition is conservative."""
    if not isinstance(formula, sp.Equality) or not isinstance(formula.lhs, AppliedUndef):
        raise ValueError(f"a definition must read q(x, ...) = expr, got {formula}")
    arguments = formula.lhs.args
    if not all(isinstance(a, sp.Symbol) for a in arguments) or len(set(arguments)) != len(
            arguments):
        raise ValueError(f"a definition must apply q to distinct symbols: {formula}")
    if formula.lhs.func in {a.func for a in formula.rhs.atoms(AppliedUndef)}:
        raise ValueError(f"a definition may not be recursive: {formula}")
    (body,), produced = _scoped(encoder, (formula,))
    bound = [encoder.variable(symbol) for symbol in arguments]
    guard = z3.And(z3.BoolVal(True, encoder.context), *produced)
    return z3.ForAll(bound, z3.Implies(guard, body)) if bound else body


def parity_constraints(theorem: Theorem, encoder: Encoder,
                       ) -> list[tuple[str, list, dict[sp.Symbol, sp.Expr]]]:
    """Every residue case of ``theorem.parity`` (modulo 2, or (symbol, k) modulo k) as
    (label, constraints symbol = lo + r + k*a with a >= 0, substitution)."""
    cases = []
    for label, substitution in split_cases(theorem.parity):
        constraints = []
        for symbol, expr in substitution.items():
            constraints += [encoder.variable(part) >= 0 for part in expr.free_symbols]
            constraints.append(encoder.variable(symbol) == encoder(expr))
        cases.append((label, constraints, substitution))
    return cases


COVERAGE_TIMEOUT_MS = 60_000
"""A wall-clock stop for one coverage query. Z3's rlimit does not bound every quantified or
nonlinear search; hitting the stop gives ``unknown`` (reason "timeout"), never anything else.
The longest query (CONV-TUNED's, about 1.5 s on an idle machine and 9 s on one running a dozen
jobs on two cores) gets room for a loaded machine, so that a verdict does not depend on the load;
the chain theorems whose queries ran for minutes are covered by their derivation instead."""

CONSISTENCY_SHARE = 10
"""The consistency query of the goals gets rlimit / CONSISTENCY_SHARE: with quantified goals Z3
may search for a model for long, and an undecided answer is reported, not counted against."""

CONSISTENCY_TIMEOUT_MS = 2_000
"""A wall-clock stop for that query; hitting it leaves the consistency undecided."""


def _solve(facts: list, rlimit: int, context: z3.Context,
           timeout_ms: int = COVERAGE_TIMEOUT_MS) -> tuple[z3.CheckSatResult, z3.Solver]:
    solver = z3.Solver(ctx=context)
    solver.set("rlimit", rlimit)
    solver.set("timeout", timeout_ms)
    solver.set("smt.macro_finder", True)  # definitions q(x) = e(x) become macros
    solver.add(*facts)
    return solver.check(), solver


def _encode(theorem: Theorem) -> tuple[Encoder, list, z3.BoolRef, list, list]:
    """(encoder, hypotheses, claim, premises, focused) in one fresh context: ``focused`` is
    ``premises`` without the quantified goals of the obligations that other obligations use
    through instances (their instances stay), a subset tried first (see
    :func:`check_coverage`)."""
    encoder = QuantifiableEncoder(z3.Context())
    shared = parameters(theorem)
    statement = encoder(theorem.statement)
    hypotheses = [encoder(a) for a in theorem.assumptions]
    hypotheses += [definition(encoder, d) for d in theorem.definitions]
    hypotheses += encoder.side_conditions
    encoder.side_conditions = []
    quantified = [premise(encoder, ob, shared) for ob in theorem.obligations]
    instanced = instances(encoder, theorem, shared)
    if theorem.expected == "refuted":
        claim = z3.And(*quantified) if quantified else z3.BoolVal(True, encoder.context)
        return encoder, [*hypotheses, statement], claim, [], []
    sources = {p.source for ob in theorem.obligations for p in ob.premises
               if p.kind == "goal" and p.instance}
    focused = [formula for ob, formula in zip(theorem.obligations, quantified, strict=True)
               if ob.name not in sources]
    return encoder, hypotheses, statement, [*quantified, *instanced], [*focused, *instanced]


def _decide(facts: list, focused: list, premises: list, rlimit: int, context: z3.Context,
            ) -> tuple[z3.CheckSatResult, z3.Solver]:
    """Whether ``facts`` (hypotheses, case, negated statement) and the goals have a model.

    First with ``focused`` (an ``unsat`` stands: it is a subset of what the goals give). When
    that query has a model, the model's values of the constants are tried against every goal:
    a model of the whole set there is a genuine one. Otherwise the query is asked again with
    every goal."""
    answer, solver = _solve([*facts, *focused], rlimit, context)
    if answer == z3.unsat or len(focused) == len(premises):
        return answer, solver
    if answer == z3.sat:
        model = solver.model()
        pinned = [decl() == model[decl] for decl in model.decls() if decl.arity() == 0]
        answer, solver = _solve([*facts, *premises, *pinned], rlimit, context)
        if answer == z3.sat:
            return answer, solver
    return _solve([*facts, *premises], rlimit, context)


def check_coverage(theorem: Theorem, rlimit: int = DEFAULT_RLIMIT) -> Verdict:
    """Prove that the obligations of ``theorem`` imply its statement, case by case.

    Returns a verdict with method ``coverage``: ``proved`` when every case is unsat; otherwise
    ``unknown`` with the reason: "not covered" (with a model of the goals where the statement
    fails: the proof is incomplete, the theorem is not thereby false), the solver's reason, "not
    encodable", or "vacuous hypotheses" when the assumptions have no model.
    """
    started = time.perf_counter()
    budget = f"rlimit={rlimit} per case"

    def verdict(status: Status, detail: str, **extra: object) -> Verdict:
        return Verdict(METHOD, status, time.perf_counter() - started, detail,
                       f"z3 {z3.get_version_string()}", budget, **extra)

    if not theorem.obligations:
        return verdict(Status.UNKNOWN, "no obligations", reason="no obligation covers it")
    derived = derivation_scope(theorem)
    if derived is not None:
        return check_derivation(theorem, *derived)
    try:
        encoder, hypotheses, claim, premises, focused = _encode(theorem)
    except (UntranslatableError, ValueError) as error:
        return verdict(Status.UNKNOWN, "not encodable", reason=f"not encodable: {error}")
    cases = parity_constraints(theorem, encoder)
    labels, covered = [], []
    for label, constraints, substitution in cases:
        answer, _ = _solve([*hypotheses, *constraints], rlimit, encoder.context)
        if answer == z3.unsat:
            return verdict(Status.UNKNOWN, f"case {label or 'all'}",
                           reason="vacuous hypotheses: the assumptions have no model")
        answer, _ = _solve([*hypotheses, *constraints, *premises], rlimit // CONSISTENCY_SHARE,
                           encoder.context, CONSISTENCY_TIMEOUT_MS)
        if answer == z3.unsat:
            return verdict(Status.UNKNOWN, f"case {label or 'all'}",
                           reason="vacuous hypotheses: the goals contradict the assumptions "
                                  "or each other")
        consistent = "consistent" if answer == z3.sat else "consistency undecided"
        answer, solver = _decide([*hypotheses, *constraints, z3.Not(claim)], focused, premises,
                                 rlimit, encoder.context)
        if answer == z3.sat:
            model = solver.model()
            values = ", ".join(f"{d.name()} = {model[d]}" for d in model.decls() if d.arity() == 0)
            return verdict(Status.UNKNOWN, f"case {label or 'all'}",
                           reason=f"not covered: the goals do not imply the statement "
                                  f"(a model of the goals where it fails: {values})")
        if answer != z3.unsat:
            return verdict(Status.UNKNOWN, f"case {label or 'all'}",
                           reason=solver.reason_unknown())
        labels.append(f"{label or 'all parameters'} (goals {consistent})")
        covered.append(substitution)
    gap = split_gap(covered, [symbol for symbol, _ in splits(theorem.parity)])
    if gap is not None:
        return verdict(Status.UNKNOWN, "cases: " + "; ".join(labels), reason=gap)
    detail = (f"{len(theorem.obligations)} goals imply the statement; cases: "
              + "; ".join(labels))
    return verdict(Status.PROVED, detail)


__all__ = ["METHOD", "check_coverage", "free_symbols", "instances", "parameters", "premise"]
