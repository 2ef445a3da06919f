"""Provenance: every premise of every obligation comes from somewhere named.

An obligation's assumptions are of two kinds:

* domains: a relation between one symbol and numbers (``S >= 1``, ``0 <= s <= S - 1`` from
  ``pipeproof.theory.symbols.DOMAINS``, ``gamma > 0``), which only say where the symbols range;
* premises: anything else. Each must appear as the formula of a
:class:`~pipeproof.theory.theorem.Premise`
  of the obligation, and the premise must resolve:

  - ``hypothesis``: the formula is one of the theorem's formal hypotheses
    (:attr:`Theorem.assumptions`);
  - ``goal``: ``source`` names an EARLIER obligation of the same theorem, and the formula is its
    goal under the premise's ``instance`` substitution;
  - ``theorem``: ``source`` is a catalogue id listed in the theorem's ``uses``, and the formula
    is that theorem's statement or one of its obligations' goals, under ``instance``;
  - ``assumption``: ``source`` is an assumption record (``pipeproof.theory.assumptions``) whose
    formal statements (``formulas()``) contain the formula under ``instance``;
  - ``lemma``: ``source`` names a lemma of the lemma library
    (``pipeproof.theory.lemmas.LEMMAS``) whose formula gives the premise under ``instance``.

A premise typed in by hand resolves to nothing, and the theorem cannot be proved.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import sympy as sp

from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory.theorem import Obligation, Premise, Theorem

METHOD = "provenance"


def is_domain(formula: sp.Basic) -> bool:
    """A relation (or conjunction of relations) between one symbol and numbers."""
    formula = sp.sympify(formula)
    if formula is sp.true:
        return True
    if isinstance(formula, sp.And):
        return all(is_domain(part) for part in formula.args)
    if isinstance(formula, sp.core.relational.Relational):
        symbols = formula.free_symbols
        functions = formula.atoms(sp.core.function.AppliedUndef)
        if len(symbols) == 1 and not functions:
            return True
        return _is_index_range(formula)
    return False


def _is_index_range(formula: sp.Basic) -> bool:
    """``index <= P - 1`` or ``index >= 0`` style bounds of an index by one parameter, as in
    ``pipeproof.theory.symbols.DOMAINS`` (s <= S - 1, m <= M - 1)."""
    from pipeproof.theory.symbols import DOMAINS

    known = set()
    for relation in DOMAINS.values():
        known.update(sp.And.make_args(relation))
    return formula in known


def _instance(formula: sp.Basic, premise: Premise) -> sp.Basic | None:
    """``formula`` at the premise's instance; None where the substitution does not apply (it
    would put an expression for a summation index)."""
    substitution = dict(premise.instance)
    try:
        return sp.sympify(formula).xreplace(substitution) if substitution else sp.sympify(formula)
    except (TypeError, ValueError):
        return None


def _same(candidate: sp.Basic | None, formula: sp.Basic) -> bool:
    return candidate is not None and sp.sympify(candidate) == sp.sympify(formula)


def _resolve_goal(theorem: Theorem, index: int, premise: Premise) -> str | None:
    earlier = {ob.name: ob for ob in theorem.obligations[:index]}
    if premise.source not in earlier:
        return f"no earlier obligation named {premise.source!r}"
    if not _same(_instance(earlier[premise.source].goal, premise), premise.formula):
        return f"the goal of {premise.source!r} is not {premise.formula}"
    return None


def _resolve_theorem(theorem: Theorem, premise: Premise) -> str | None:
    from pipeproof.theory.catalogue import by_id

    if premise.source not in theorem.uses:
        return f"{premise.source} is not in the theorem's uses"
    try:
        other = by_id(premise.source)
    except (KeyError, ValueError):
        return f"no catalogue theorem {premise.source!r}"
    candidates = (other.statement, *(ob.goal for ob in other.obligations))
    if not any(_same(_instance(c, premise), premise.formula) for c in candidates):
        return f"{premise.source} states no {premise.formula}"
    return None


def _resolve_assumption(premise: Premise) -> str | None:
    from pipeproof.theory import assumptions

    try:
        record = assumptions.by_id(premise.source)
    except (KeyError, ValueError):
        return f"no assumption record {premise.source!r}"
    formulas = getattr(record, "formulas", None)
    if formulas is None:
        return f"assumption {premise.source} has no formal statement"
    if not any(_same(_instance(c, premise), premise.formula) for c in formulas()):
        return f"assumption {premise.source} states no {premise.formula}"
    return None


def _resolve_lemma(premise: Premise) -> str | None:
    try:
        from pipeproof.theory.lemmas import LEMMAS
    except ModuleNotFoundError as error:
        if error.name != "pipeproof.theory.lemmas":
            raise
        return "no lemma library"
    if premise.source not in LEMMAS:
        return f"no lemma {premise.source!r}"
    if not _same(_instance(LEMMAS[premise.source].formula, premise), premise.formula):
        return f"lemma {premise.source} is not {premise.formula}"
    return None


def _resolve(theorem: Theorem, index: int, premise: Premise) -> str | None:
    """None when ``premise`` resolves, else what is wrong."""
    resolvers: dict[str, Callable[[], str | None]] = {
        "hypothesis": lambda: None if any(_same(premise.formula, a) for a in theorem.assumptions)
        else f"{premise.formula} is not a hypothesis of {theorem.id}",
        "goal": lambda: _resolve_goal(theorem, index, premise),
        "theorem": lambda: _resolve_theorem(theorem, premise),
        "assumption": lambda: _resolve_assumption(premise),
        "lemma": lambda: _resolve_lemma(premise),
    }
    if premise.kind not in resolvers:
        return f"unknown premise kind {premise.kind!r}"
    return resolvers[premise.kind]()


def problems(theorem: Theorem) -> list[str]:
    """Every premise of ``theorem`` that does not resolve, in words (empty when all do)."""
    found = []
    for index, obligation in enumerate(theorem.obligations):
        found += [f"{obligation.name}: {text}" for text in _obligation_problems(
            theorem, index, obligation)]
    return found


def _obligation_problems(theorem: Theorem, index: int, obligation: Obligation) -> list[str]:
    found = []
    listed = {sp.sympify(p.formula) for p in obligation.premises}
    for assumption in obligation.assumptions:
        if not is_domain(assumption) and sp.sympify(assumption) not in listed:
            found.append(f"premise typed in by hand: {assumption}")
    assumptions = {sp.sympify(a) for a in obligation.assumptions}
    for premise in obligation.premises:
        if sp.sympify(premise.formula) not in assumptions:
            found.append(f"premise {premise.formula} is not among the assumptions")
        problem = _resolve(theorem, index, premise)
        if problem:
            found.append(problem)
    return found


def check_provenance(theorem: Theorem) -> Verdict:
    """``proved`` when every premise resolves, ``unknown`` naming the first that does not."""
    started = time.perf_counter()
    found = problems(theorem)
    count = sum(len(ob.premises) for ob in theorem.obligations)
    if found:
        return Verdict(METHOD, Status.UNKNOWN, time.perf_counter() - started,
                       f"{len(found)} premise(s) without provenance", "pipeproof",
                       reason="; ".join(found[:5]))
    return Verdict(METHOD, Status.PROVED, time.perf_counter() - started,
                   f"{count} premises, each a hypothesis, an assumption record, a lemma, an "
                   "earlier goal or a catalogue theorem", "pipeproof")


__all__ = ["METHOD", "check_provenance", "is_domain", "problems"]
