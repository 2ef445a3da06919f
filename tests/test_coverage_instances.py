"""The coverage check adds an earlier goal at an instance an obligation names only where that
is an instance: of the goal's own bound symbols, at a term of their sort; a goal taken at a shared
parameter covers nothing it did not cover before."""

from __future__ import annotations

import sympy as sp
import z3

from pipeproof.checks.soundness.coverage import QuantifiableEncoder, check_coverage, instances
from pipeproof.checks.soundness.coverage import parameters as shared_parameters
from pipeproof.checks.verdict import Status
from pipeproof.theory.theorem import Obligation, Premise, Theorem


def _toy(instance: tuple[tuple[sp.Symbol, sp.Expr], ...]) -> Theorem:
    """x = 0 is a hypothesis; A's goal x = 0 is taken at ``instance`` by B. With x shared, A
    says nothing about y, so y = 0 must not be covered."""
    x, y = sp.symbols("x y", integer=True)
    a = Obligation("A", sp.Eq(x, 0), (), ("smt",))
    taken = Premise(sp.Eq(x, 0).xreplace(dict(instance)), "goal", "A", instance)
    b = Obligation("B", sp.Eq(y, y, evaluate=False), (taken.formula,), ("smt",), (), (taken,))
    return Theorem(id="TOY", title="toy", statement=sp.Eq(y, 0), assumptions=(sp.Eq(x, 0),),
                   hypotheses=("x = 0",), source="[D]", obligations=(a, b))


def test_coverage_does_not_instantiate_a_shared_parameter() -> None:
    x, y = sp.symbols("x y", integer=True)
    theorem = _toy(((x, y),))
    encoder = QuantifiableEncoder(z3.Context())
    assert instances(encoder, theorem, shared_parameters(theorem)) == []
    assert check_coverage(theorem).status is not Status.PROVED


def test_coverage_does_not_instantiate_an_integer_at_a_fraction() -> None:
    k = sp.Symbol("k", integer=True)
    lemma = Obligation("L", sp.Ge(k * k + 1, 2 * k, evaluate=False), (), ("smt",))
    taken = Premise(lemma.goal.xreplace({k: sp.Rational(1, 2)}), "goal", "L",
                    ((k, sp.Rational(1, 2)),))
    user = Obligation("U", sp.true, (), ("smt",), (), (taken,))
    theorem = Theorem(id="TOY", title="toy", statement=sp.true, obligations=(lemma, user),
                      hypotheses=(), source="[D]")
    encoder = QuantifiableEncoder(z3.Context())
    assert instances(encoder, theorem, shared_parameters(theorem)) == []


def test_coverage_adds_an_instance_of_a_bound_index() -> None:
    k, y = sp.symbols("k y", integer=True)
    lemma = Obligation("L", sp.Ge(k * k + 1, 2 * k, evaluate=False), (), ("smt",))
    taken = Premise(lemma.goal.xreplace({k: 2 * y}), "goal", "L", ((k, 2 * y),))
    user = Obligation("U", sp.Eq(y, y, evaluate=False), (taken.formula,), ("smt",), (), (taken,))
    theorem = Theorem(id="TOY", title="toy", statement=sp.Eq(y, y, evaluate=False),
                      obligations=(lemma, user), hypotheses=(), source="[D]")
    encoder = QuantifiableEncoder(z3.Context())
    assert len(instances(encoder, theorem, shared_parameters(theorem))) == 1
