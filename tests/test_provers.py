"""The SymPy prover and the Z3 encoder: proofs, refutations with counterexamples, and honest
unknowns."""

from __future__ import annotations

import sympy as sp
import z3

from pipeproof.checks.provers.smt import Encoder, prove_smt
from pipeproof.checks.provers.symbolic import prove_symbolic
from pipeproof.checks.verdict import Status
from pipeproof.theory.symbols import S, domain, j
from pipeproof.theory.theorem import Obligation


def test_floor_identity_proved_by_both_with_parity_split():
    goal = sp.Eq(S**2 - sp.ceiling(S / 2), sp.floor(S**2 - S / 2))
    obligation = Obligation("floor", goal, domain(S), parity=(S,))
    assert prove_symbolic(obligation).status is Status.PROVED
    assert prove_smt(obligation).status is Status.PROVED


def test_false_identity_refuted_with_a_counterexample_that_fails():
    obligation = Obligation("paper", sp.Eq(S**2 - sp.ceiling(S / 2), S**2 - S / 2), domain(S))
    for verdict in (prove_smt(obligation), prove_symbolic(obligation)):
        assert verdict.status is Status.REFUTED
        value = verdict.counterexample["S"]
        assert value >= 1 and value % 2 == 1  # the claim fails exactly for odd S
        assert not bool(obligation.goal.subs(S, value))


def test_assumptions_restrict_the_counterexample():
    obligation = Obligation("even only", sp.Eq(sp.Mod(S, 2), 0), (sp.Eq(sp.Mod(S, 2), 0),))
    assert prove_smt(obligation).status is Status.PROVED


def test_undecidable_claim_stays_unknown_with_its_reason():
    x, y, z = sp.symbols("x y z", integer=True, positive=True)
    fermat = Obligation("no cube is a sum of two cubes", sp.Ne(x**3 + y**3, z**3), ())
    verdict = prove_smt(fermat, rlimit=100_000)
    assert verdict.status is Status.UNKNOWN
    assert verdict.reason
    assert verdict.counterexample is None


def test_symbolic_unknown_when_sympy_cannot_decide():
    x = sp.Symbol("x", integer=True, positive=True)
    # true for positive integers ((x-1)(x-2)(x-3) >= 0 there), but not a fact SymPy derives
    cubic = sp.expand((x - 1) * (x - 2) * (x - 3))
    verdict = prove_symbolic(Obligation("cubic", cubic >= 0, ()))
    assert verdict.status is Status.UNKNOWN
    assert verdict.reason
    assert prove_smt(Obligation("cubic", cubic >= 0, ())).status is Status.PROVED


def test_encoder_handles_piecewise_max_min_mod():
    encoder = Encoder()
    expr = sp.Piecewise((sp.Max(S, j) - sp.Min(S, j), S > 3), (sp.Mod(S, 2), True))
    term = encoder(expr)
    solver = z3.Solver()
    solver.add(encoder.variables[S] == 5, encoder.variables[j] == 2, term != 3)
    assert solver.check() == z3.unsat


def test_sums_with_symbolic_bounds_are_evaluated():
    x = sp.Symbol("x", integer=True, nonnegative=True)
    goal = sp.Eq(sp.Sum(S - x, (x, 0, S - 1)), S * (S + 1) / 2)
    assert prove_symbolic(Obligation("sum", goal, domain(S))).status is Status.PROVED
