"""Derivation coverage: a chain of obligations derives its theorem's statement.

The convergence chains (catalogue section 3) use facts at every step k: assumption records, the
definitions of the algorithm, lemmas and the recurrence of finite sums, and they conclude by
induction. The Z3 coverage query of :mod:`pipeproof.checks.soundness.coverage` cannot quantify
over those facts, so a chain theorem is covered instead when its obligations form a derivation
that this module checks rule by rule.

Reading. A run of the algorithm meeting the theorem's hypotheses fixes the constants (gamma, L,
G, F0, sigma, K, delta, S, f*, the window constant D and the statement's symbols) and gives every
quantity of a step a value: each is a function of the step index (f(k), sample2(k),
block_dist2(k, j), ...; :mod:`pipeproof.theory.convergence`). Every other symbol of an obligation
must be an integer index (k, n, t, j, W, ...); a real symbol that is not a constant is refused, as
it would stand for a quantity of one unnamed step. A formula F is *established* when it holds in
every such run for all values of its indices in their types (integer, nonnegative, positive) and
in the domain its obligation names.

Each obligation is proved (the status rule requires it): for every value of every symbol and every
interpretation of the functions, domains and premises imply the goal. The goal of obligation j is
then established on its domain when each premise is, for all values of j's indices, with one
exception, the induction witness, for which one value suffices. The rules (:func:`justify`):

* ``goal``: the goal of an EARLIER obligation i at an instance that replaces only indices of i by
  integer expressions; obligation j's domains imply i's domains at that instance and the types of
  the replaced indices (Z3, quantifier-free). A constant is never replaced.
* ``assumption``: a chain formula (not the measured relation) of a record the theorem lists
  (``ASSUMPTIONS``) or of a definition of the algorithm (RPD, STALE), at an instance that replaces
  only its indices, as for goals. The record holds at every step of a run meeting the
  hypotheses.
* ``lemma``: by the lemma's use (:attr:`pipeproof.theory.lemmas.Lemma.use`): ``step`` and
  ``identity`` lemmas as records (an identity lemma is proved, and its obligation must be one of the
  theorem's); ``schema`` lemmas (Cauchy-Schwarz, polarization in coordinates) at named quantities
  only (every replaced atom becomes an application of a quantity's function; that they are the
  vectors the lemma speaks of is argued in the step's words, rule "instance"); ``recurrence`` at
  any summand and integer limits, when the use is an instance of one summand; ``induction`` when
  the use is an instance of one predicate, the bound N is a nonnegative integer on j's domain, the
  witness W is an index of j that is not in j's goal, and j has no other induction premise. The
  records a lemma needs (:attr:`Lemma.assumes`) must be listed by the theorem.
* ``hypothesis``: a formal hypothesis of the theorem, with no instance, read for all values of
  its indices in their catalogue ranges (a block j in 0..S - 1: ``pipeproof.theory.symbols``),
  which j's domain must imply.
* ``theorem``: refused; a chain includes the obligations it needs from another theorem, so that
  they are proved in this one's run.

A domain of an obligation may constrain its goal's indices and the constants only: another index
of the obligation must be free to take any value of its type (all of which exist). The statement
is covered when every premise of every obligation is justified, an obligation's goal is the
statement itself (the concluding one), and the theorem's formal hypotheses on the constants
(satisfiable, Z3, as are the records' chain formulas at one step with them) imply the
concluding obligation's domains. An obligation without premises is
valid for every value of its symbols, so the symbol rule does not apply to it. What the rules
take without checking, the records' and tested lemmas' faithfulness to their words and the
instances argued in words, is named in the theorem's notes (``RULES`` of the chain).
"""

from __future__ import annotations

import time

import sympy as sp
import z3
from sympy.core.function import AppliedUndef

from pipeproof.checks.provers.smt import Encoder, UntranslatableError
from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory.theorem import Obligation, Premise, Theorem

METHOD = "coverage"
IMPLICATION_TIMEOUT_MS = 2_000
"""A wall-clock stop for one domain implication; an undecided one is not justified."""
DEFINITIONS = ("RPD", "STALE")
"""The definitions of the algorithm: true of every run, usable by every chain."""


class Chain:
    """What a derivation may use: the theorem's constants, records and obligations."""

    def __init__(self, theorem: Theorem, constants: set[sp.Symbol], records: tuple[str, ...]):
        self.theorem = theorem
        self.constants = constants | theorem.statement.free_symbols
        self.records = (*records, *DEFINITIONS)
        self.context = [a for a in theorem.assumptions if a.free_symbols <= self.constants]
        self.by_name: dict[str, int] = {}

    def indices(self, formula: sp.Basic) -> set[sp.Symbol]:
        """The free symbols of ``formula`` that are not constants."""
        return set(sp.sympify(formula).free_symbols) - self.constants

    def domains(self, obligation: Obligation) -> list[sp.Basic]:
        """The assumptions of ``obligation`` that are not premises."""
        listed = {p.formula for p in obligation.premises}
        return [a for a in obligation.assumptions if a not in listed]

    def where(self, obligation: Obligation) -> list[sp.Basic]:
        """What holds where ``obligation``'s premises are used: the constants' hypotheses, its
        domains and, with an induction premise at N, the witness's range W < N or W = 0 (a
        witness exists there: the least-number principle gives W < N when P(0) and not P(N),
        and any W, 0 among them, serves otherwise)."""
        from pipeproof.theory.lemmas import reach, witness

        facts = [*self.context, *self.domains(obligation)]
        for premise in obligation.premises:
            if premise.kind == "lemma" and premise.source == "induction":
                bound = dict(premise.instance).get(reach, reach)
                facts.append(sp.Or(sp.Lt(witness, bound), sp.Eq(witness, 0)))
        return facts


def _type(symbol: sp.Symbol, value: sp.Expr) -> list[sp.Basic]:
    """The sign conditions ``value`` must meet to stand for ``symbol``."""
    if symbol.is_positive:
        return [sp.Gt(value, 0, evaluate=False)]
    if symbol.is_nonnegative:
        return [sp.Ge(value, 0, evaluate=False)]
    return []


def implied(context: list[sp.Basic], claims: list[sp.Basic]) -> bool:
    """Whether ``context`` (with the signs of its symbols) implies every claim (Z3, unsat of the
    negation; an undecided query counts as not implied)."""
    claims = [c for c in claims if sp.sympify(c) is not sp.true]
    if not claims:
        return True
    encoder = Encoder(z3.Context())
    try:
        facts = [encoder(c) for c in context]
        goal = encoder(sp.And(*claims))
    except (UntranslatableError, TypeError, ValueError):
        return False
    solver = z3.Solver(ctx=encoder.context)
    solver.set("timeout", IMPLICATION_TIMEOUT_MS)
    solver.add(*facts, *encoder.side_conditions, z3.Not(goal))
    return solver.check() == z3.unsat


def _at(formula: sp.Basic, substitution: dict) -> sp.Basic | None:
    """``formula`` with ``substitution``; None where it does not apply (an expression put for a
    summation index)."""
    try:
        return sp.sympify(formula).xreplace(substitution)
    except (TypeError, ValueError):
        return None


def _instance_problem(chain: Chain, formula: sp.Basic, premise: Premise,
                      obligation: Obligation, domains: list[sp.Basic] = ()) -> str | None:
    """None when ``premise`` is ``formula`` at an instance replacing only its indices by integer
    expressions that meet their types and ``domains`` on ``obligation``'s domain."""
    substitution = dict(premise.instance)
    if _at(formula, substitution) != premise.formula:
        return f"{premise.formula} is not its source at the instance given"
    free, claims = chain.indices(formula), []
    bound = {s for s in sp.sympify(formula).atoms(sp.Symbol)} - sp.sympify(formula).free_symbols
    for key, value in substitution.items():
        if key in bound and isinstance(value, sp.Symbol):
            if value in sp.sympify(formula).free_symbols:
                return f"the summation index {key} is renamed to {value}, which is free there"
            continue  # a summation index renamed
        if key not in free:
            return f"the instance replaces {key}, which is not an index of its source"
        if not (key.is_integer and sp.sympify(value).is_integer):
            return f"the instance puts {value} for {key}: not an integer index"
    for key in free:
        if not key.is_integer:
            return f"{key} is neither a constant of the run nor an integer index"
        claims += _type(key, substitution.get(key, key))
    claims += [sp.sympify(d).xreplace(substitution) for d in domains]
    if not implied(chain.where(obligation), claims):
        return (f"the domain of {obligation.name!r} does not imply the instance's types and "
                f"domains: {', '.join(map(str, claims))}")
    return None


def _goal(chain: Chain, index: int, premise: Premise, obligation: Obligation) -> str | None:
    position = chain.by_name.get(premise.source)
    if position is None or position >= index:
        return f"no earlier obligation named {premise.source!r}"
    source = chain.theorem.obligations[position]
    return _instance_problem(chain, source.goal, premise, obligation, chain.domains(source))


def _assumption(chain: Chain, premise: Premise, obligation: Obligation) -> str | None:
    from pipeproof.theory.assumptions import by_id

    if premise.source not in chain.records:
        return f"{premise.source} is not a hypothesis of {chain.theorem.id}"
    problems = [_instance_problem(chain, formula, premise, obligation)
                for formula in by_id(premise.source).chain]
    if None in problems:
        return None
    return f"{premise.source}: " + "; ".join(p for p in problems if p)[:300]


def _schema(chain: Chain, premise: Premise, formula: sp.Basic) -> str | None:
    """A schema lemma's use: every replaced atom of ``formula`` becomes a named quantity, and no
    schematic symbol or coordinate is left."""
    substitution = dict(premise.instance)
    if _at(formula, substitution) != premise.formula:
        return f"{premise.formula} is not the lemma at the instance given"
    for key, value in substitution.items():
        if not isinstance(value, AppliedUndef):
            return f"the lemma {premise.source} puts {value} for {key}, not a named quantity"
    left = chain.indices(formula) & premise.formula.free_symbols
    if left or premise.formula.atoms(sp.Indexed):
        return f"the lemma {premise.source} keeps schematic symbols {sorted(map(str, left))}"
    return None


def _lemma(chain: Chain, premise: Premise, obligation: Obligation) -> str | None:
    from pipeproof.theory.lemmas import LEMMAS, consistent, witness

    lemma = LEMMAS.get(premise.source)
    if lemma is None:
        return f"no lemma {premise.source!r}"
    missing = [name for name in lemma.assumes if name not in chain.records]
    if missing:
        return f"lemma {lemma.name} needs {', '.join(missing)}, not a hypothesis of the theorem"
    if lemma.status == "proved" and lemma.obligation() not in chain.theorem.obligations:
        return f"lemma {lemma.name} is proved by an obligation the theorem does not include"
    if lemma.use in ("step", "identity"):
        return _instance_problem(chain, lemma.formula, premise, obligation)
    if lemma.use == "schema":
        return _schema(chain, premise, lemma.formula)
    if not consistent(premise):
        return f"the use of {lemma.name} is not an instance of one summand or predicate"
    if _at(lemma.formula, dict(premise.instance)) != premise.formula:
        return f"{premise.formula} is not the lemma {lemma.name} at the instance given"
    values = {key.name if isinstance(key, sp.Symbol) else str(key): value
              for key, value in premise.instance}
    if lemma.use == "recurrence":
        limits = [values[name] for name in ("lower", "upper") if name in values]
        renamed = values.get("x")
        if renamed is not None and renamed in premise.formula.free_symbols:
            return f"the summation index {renamed} is captured"
        return None if all(sp.sympify(v).is_integer for v in limits) else "non-integer limits"
    return _induction(chain, premise, obligation, values["N"], witness)


def _induction(chain: Chain, premise: Premise, obligation: Obligation, reach: sp.Expr,
               witness: sp.Symbol) -> str | None:
    if witness in obligation.goal.free_symbols:
        return "the induction's witness W occurs in the goal"
    others = [p for p in obligation.premises if p.kind == "lemma" and p.source == "induction"]
    if len(others) != 1:
        return "more than one induction in one obligation shares the witness W"
    if not sp.sympify(reach).is_integer or not implied(
            [*chain.context, *chain.domains(obligation)], [sp.Ge(reach, 0, evaluate=False)]):
        return f"the induction's bound {reach} is not a nonnegative integer on the domain"
    return None


def _ranges(chain: Chain, premise: Premise, obligation: Obligation) -> str | None:
    """A hypothesis about an index with a catalogue range (a block 0 <= j <= S - 1, ...;
    ``pipeproof.theory.symbols.DOMAINS``) is used only inside that range."""
    from pipeproof.theory.symbols import DOMAINS

    ranges = [DOMAINS[v] for v in chain.indices(premise.formula) if v in DOMAINS]
    if not implied(chain.where(obligation), ranges):
        return f"{premise.formula} is used outside the range of its indices"
    return None


def justify(chain: Chain, index: int, premise: Premise) -> str | None:
    """None when the premise ``premise`` of obligation ``index`` is justified (module
    docstring), else what is wrong."""
    obligation = chain.theorem.obligations[index]
    if premise.formula not in obligation.assumptions:
        return f"premise {premise.formula} is not among the assumptions"
    if premise.kind == "goal":
        return _goal(chain, index, premise, obligation)
    if premise.kind == "assumption":
        return _assumption(chain, premise, obligation)
    if premise.kind == "lemma":
        return _lemma(chain, premise, obligation)
    if premise.kind == "hypothesis":
        if premise.instance or premise.formula not in chain.theorem.assumptions:
            return f"{premise.formula} is not a hypothesis of {chain.theorem.id}"
        return _ranges(chain, premise, obligation)
    return (f"a premise of kind {premise.kind!r} ({premise.source}) is checked in its own "
            "theorem, not in this derivation")


def _symbols_problem(chain: Chain, obligation: Obligation) -> str | None:
    """Every symbol of an obligation with premises is a constant or an integer index (one without
    premises is valid for every value of its symbols); domains speak of the goal's indices."""
    formulas = (obligation.goal, *obligation.assumptions)
    symbols = set().union(*(sp.sympify(f).free_symbols for f in formulas))
    for symbol in symbols if obligation.premises else ():
        if symbol not in chain.constants and not symbol.is_integer:
            return f"{symbol} is neither a constant of the run nor an integer index"
    goal_indices = chain.indices(obligation.goal)
    for domain in chain.domains(obligation):
        if not chain.indices(domain) <= goal_indices:
            return f"the domain {domain} constrains an index that is not in the goal"
    return None


def derivation_problems(theorem: Theorem, constants: set[sp.Symbol],
                        records: tuple[str, ...]) -> list[str]:
    """Every step of ``theorem``'s derivation that is not justified, in words (empty when the
    obligations derive the statement)."""
    chain = Chain(theorem, constants, records)
    found = []
    concluding = [ob for ob in theorem.obligations if ob.goal == theorem.statement]
    if not concluding:
        found.append("no obligation's goal is the statement")
    for index, obligation in enumerate(theorem.obligations):
        problem = _symbols_problem(chain, obligation)
        if problem:
            found.append(f"{obligation.name}: {problem}")
        for premise in obligation.premises:
            problem = justify(chain, index, premise)
            if problem:
                found.append(f"{obligation.name}: {premise.kind} {premise.source}: {problem}")
        chain.by_name.setdefault(obligation.name, index)
    if concluding and not implied(chain.context, chain.domains(concluding[-1])):
        found.append("the theorem's hypotheses do not imply the concluding obligation's domains")
    return found


def _satisfiable(formulas: list[sp.Basic]) -> bool:
    encoder = Encoder(z3.Context())
    solver = z3.Solver(ctx=encoder.context)
    solver.set("timeout", IMPLICATION_TIMEOUT_MS)
    solver.add(*(encoder(f) for f in formulas), *encoder.side_conditions)
    return solver.check() == z3.sat


def records_hold_together(theorem: Theorem, constants: set[sp.Symbol],
                          records: tuple[str, ...]) -> bool:
    """Whether the chain formulas of ``records`` and the definitions of the algorithm, at one
    step (their indices free), and the theorem's hypotheses on the constants have a model (Z3;
    finite sums opaque): a guard against records that contradict each other."""
    from pipeproof.theory.assumptions import by_id

    known = constants | theorem.statement.free_symbols
    facts = [a for a in theorem.assumptions if a.free_symbols <= known]
    facts += [formula for name in (*records, *DEFINITIONS) for formula in by_id(name).chain]
    return _satisfiable(facts)


def check_derivation(theorem: Theorem, constants: set[sp.Symbol],
                     records: tuple[str, ...]) -> Verdict:
    """``proved`` when the obligations of ``theorem`` derive its statement (module docstring);
    ``unknown`` naming the first steps that are not justified otherwise."""
    started = time.perf_counter()

    def verdict(status: Status, detail: str, **extra: object) -> Verdict:
        return Verdict(METHOD, status, time.perf_counter() - started, detail,
                       "pipeproof derivation rules, z3 for domains", "", **extra)

    context = [a for a in theorem.assumptions if a.free_symbols <= constants | theorem.statement
               .free_symbols]
    if not _satisfiable(context):
        return verdict(Status.UNKNOWN, "derivation",
                       reason="vacuous hypotheses: the assumptions have no model")
    if not records_hold_together(theorem, constants, records):
        return verdict(Status.UNKNOWN, "derivation",
                       reason="vacuous hypotheses: the records the chain may use have no model "
                              "at one step")
    found = derivation_problems(theorem, constants, records)
    if found:
        return verdict(Status.UNKNOWN, f"derivation: {len(found)} step(s) not justified",
                       reason="not covered: " + "; ".join(found[:4]))
    count = sum(len(ob.premises) for ob in theorem.obligations)
    return verdict(Status.PROVED, f"derivation: {len(theorem.obligations)} obligations, one "
                   f"concluding the statement; {count} premises justified (records "
                   f"{', '.join(records)}, definitions, lemmas, earlier goals at index "
                   "instances, induction with a fresh witness)")


__all__ = ["METHOD", "check_derivation", "derivation_problems", "implied", "justify",
           "records_hold_together"]
