"""Premises of the convergence chains, each built from where it comes from.

No step of a chain states a premise itself: it takes

* :func:`assumed`: a formula of an assumption record or of a definition of the algorithm
  (:mod:`pipeproof.theory.assumptions`), possibly at another point;
* a lemma of :mod:`pipeproof.theory.lemmas` (``LEMMAS[name].at(...)``,
:func:`pipeproof.theory.lemmas.recurrence`,
  :func:`pipeproof.theory.lemmas.induction`);
* :func:`earlier`: the goal of an earlier obligation, possibly at another point;
* :func:`cited`: the statement or a goal of a catalogue theorem;
* :func:`hypothesis`: a formal hypothesis of the theorem (a step-size condition).

Each builder checks when the chain is built that the formula really is what it names (a
ValueError otherwise); ``pipeproof.checks.soundness.provenance`` checks it again on the finished
theorem.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.assumptions import by_id
from pipeproof.theory.catalogue.common import SMT, ob
from pipeproof.theory.convergence import S
from pipeproof.theory.theorem import Obligation, Premise

Instance = dict[sp.Basic, sp.Expr]


def _instance(formula: sp.Basic, instance: Instance | None) -> tuple[sp.Basic, tuple]:
    pairs = tuple((instance or {}).items())
    return (formula.xreplace(dict(pairs)) if pairs else formula), pairs


def assumed(record: str, formula: sp.Basic, instance: Instance | None = None) -> Premise:
    """``formula`` of the record ``record``, at ``instance``.

    Raises:
        ValueError: if ``formula`` is not one of the record's formulas.
    """
    if formula not in by_id(record).formulas():
        raise ValueError(f"{record} states no {formula}")
    stated, pairs = _instance(formula, instance)
    return Premise(stated, "assumption", record, pairs)


def earlier(obligation: Obligation, instance: Instance | None = None) -> Premise:
    """The goal of ``obligation`` (an earlier obligation of the same theorem), at ``instance``."""
    stated, pairs = _instance(obligation.goal, instance)
    return Premise(stated, "goal", obligation.name, pairs)


def cited(theorem_id: str, formula: sp.Basic, instance: Instance | None = None) -> Premise:
    """The statement or a goal ``formula`` of the catalogue theorem ``theorem_id``, at
    ``instance`` (looked up by the provenance check, not here: the catalogue is being built)."""
    stated, pairs = _instance(formula, instance)
    return Premise(stated, "theorem", theorem_id, pairs)


def hypothesis(formula: sp.Basic) -> Premise:
    """A formal hypothesis of the theorem (it must be among ``Theorem.assumptions``)."""
    return Premise(formula, "hypothesis", str(formula))


def derive(name: str, goal: sp.Basic, *premises: Premise, domains: tuple = (),
           methods: tuple[str, ...] = SMT, parity: tuple[sp.Symbol, ...] = ()) -> Obligation:
    """An obligation: under S >= 1 and ``domains`` (ranges of single symbols), ``premises``
    imply ``goal``."""
    built = ob(name, goal, S, extra=(*domains, *(p.formula for p in premises)),
               methods=methods, parity=parity)
    return Obligation(built.name, built.goal, built.assumptions, built.methods, built.parity,
                      premises)


__all__ = ["assumed", "cited", "derive", "earlier", "hypothesis"]
