"""The lemma library on random instances: each tested lemma's scalar reduction holds on every draw.

A draw builds the objects a lemma speaks about (vectors, a smooth function, a finite distribution
of samples, a uniform block), computes the chain's scalars from them exactly (integers and
fractions) or in floating point (the descent lemma), and evaluates ``LEMMAS[name].formula`` at
those scalars. Each test also shows that the check can fail: a wrong form of the lemma is false
on some draw.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from pipeproof.theory import lemmas
from pipeproof.theory.catalogue import catalogue
from pipeproof.theory.convergence import (
    G,
    L,
    S,
    block,
    block_cross,
    block_dist2,
    block_stale2,
    block_var,
    cross,
    delta,
    dist2,
    f,
    gamma,
    k,
    sample2,
    sampled_inner,
    stale2,
    step2,
    step_inner,
)
from pipeproof.theory.lemmas import LEMMAS

DRAWS = 100


def _holds(formula: sp.Basic, values: dict) -> bool:
    """``formula`` at ``values`` (applications of undefined functions included), decided."""
    stages = values.get(S)
    decided = formula.subs(S, stages).doit() if stages is not None else formula
    decided = decided.xreplace({key: sp.nsimplify(value) if isinstance(value, Fraction)
                                else sp.sympify(value) for key, value in values.items()})
    decided = sp.sympify(decided.doit())
    assert decided in (sp.true, sp.false), decided
    return bool(decided)


def _blocks(rng, stages: int) -> list[slice]:
    sizes = rng.integers(1, 4, size=stages)
    edges = np.concatenate([[0], np.cumsum(sizes)])
    return [slice(int(edges[s]), int(edges[s + 1])) for s in range(stages)]


def _dot(a, b) -> int:
    return int(np.dot(a, b))


def test_descent_lemma_on_random_smooth_functions():
    """f(x) = x^T A x/2 + sum_i c_i cos(w_i . x) has L = ||A||_2 + sum_i |c_i| ||w_i||^2; over a
    random distribution of pairs (x^k, x^{k+1}) the means satisfy the descent lemma, and fail it
    with L/4 on some draw."""
    rng = np.random.default_rng(0)
    failed_with_quarter = False
    for _ in range(DRAWS):
        dim, terms, pairs = rng.integers(1, 5), rng.integers(0, 4), rng.integers(1, 5)
        root = rng.normal(size=(dim, dim))
        hessian = root @ root.T
        weights, scales = rng.normal(size=(terms, dim)), rng.normal(size=terms)
        smooth = np.linalg.norm(hessian, 2) + float(np.sum(np.abs(scales) * np.sum(
            weights**2, axis=1)))

        def value(point, hessian=hessian, weights=weights, scales=scales):
            return 0.5 * point @ hessian @ point + float(np.sum(scales * np.cos(weights @ point)))

        def gradient(point, hessian=hessian, weights=weights, scales=scales):
            return hessian @ point - weights.T @ (scales * np.sin(weights @ point))

        xs, ys = rng.normal(size=(pairs, dim)), rng.normal(size=(pairs, dim))
        p = rng.dirichlet(np.ones(pairs))
        scalars = {f(k + 1): p @ [value(y) for y in ys], f(k): p @ [value(x) for x in xs],
                   step_inner: p @ [gradient(x) @ (y - x) for x, y in zip(xs, ys, strict=True)],
                   step2: p @ [np.sum((y - x) ** 2) for x, y in zip(xs, ys, strict=True)]}
        slack = 1e-9 * (1 + abs(scalars[f(k)]))
        assert _holds(LEMMAS["descent"].formula, {**scalars, f(k + 1): scalars[f(k + 1)] - slack,
                                                  L: smooth})
        failed_with_quarter |= not _holds(LEMMAS["descent"].formula, {**scalars, L: smooth / 4})
    assert failed_with_quarter


def _sampled(rng):
    """S blocks, gradients grad f(x), grad f(z) and zero-mean noise per block (A3)."""
    stages = int(rng.integers(1, 5))
    blocks = _blocks(rng, stages)
    dim = blocks[-1].stop
    at_x, at_z = rng.integers(-5, 6, size=dim), rng.integers(-5, 6, size=dim)
    noise = rng.integers(-4, 5, size=(int(rng.integers(1, 4)), dim))
    noise = np.concatenate([noise, -noise])  # a symmetric finite distribution: mean zero
    return stages, blocks, at_x, at_z, noise


def test_tower_property_on_random_distributions():
    """E over a uniform block s and a sample xi (g_s = grad_s f(z) + noise_s(xi), mean zero) of
    <grad_s f(x), g_s> is the mean over s of <grad_s f(x), grad_s f(z)>; and not that mean
    times S."""
    rng = np.random.default_rng(1)
    for _ in range(DRAWS):
        stages, blocks, at_x, at_z, noise = _sampled(rng)
        mean = sum(Fraction(_dot(at_x[b], at_z[b] + e[b]), stages * len(noise))
                   for b in blocks for e in noise)
        values = {S: stages, sampled_inner: mean,
                  **{block_cross(s): _dot(at_x[b], at_z[b]) for s, b in enumerate(blocks)}}
        assert _holds(LEMMAS["tower"].formula, values)
        if stages > 1 and mean != 0:
            assert not _holds(LEMMAS["tower"].formula, {**values, sampled_inner: mean * stages})


def test_block_decomposition_on_random_vectors():
    """<a, c> = sum_s <a_s, c_s>, ||c||^2 = sum_s ||c_s||^2 and ||a - c||^2 = sum_s ||a_s - c_s||^2
    over a random partition."""
    rng = np.random.default_rng(2)
    for _ in range(DRAWS):
        stages, blocks, at_x, at_z, _ = _sampled(rng)
        crosses = {block_cross(s): _dot(at_x[b], at_z[b]) for s, b in enumerate(blocks)}
        assert _holds(LEMMAS["blocks"].formula, {S: stages, cross: _dot(at_x, at_z), **crosses})
        norms = {block_stale2(s): _dot(at_z[b], at_z[b]) for s, b in enumerate(blocks)}
        assert _holds(LEMMAS["block norms"].formula, {S: stages, stale2(k): _dot(at_z, at_z),
                                                      **norms})
        gaps = {block_dist2(s): _dot(at_x[b] - at_z[b], at_x[b] - at_z[b])
                for s, b in enumerate(blocks)}
        distance = _dot(at_x - at_z, at_x - at_z)
        assert _holds(LEMMAS["block distances"].formula.xreplace({lemmas.x: block}),
                      {S: stages, dist2(k): distance, **gaps})
        if stages > 1 and _dot(at_x[blocks[0]], at_z[blocks[0]]) != 0:
            assert not _holds(LEMMAS["blocks"].formula,
                              {S: stages, cross: _dot(at_x, at_z), **crosses,
                               block_cross(0): 2 * crosses[block_cross(0)]})


def test_variance_decomposition_on_random_distributions():
    """E_s E_xi ||g_s||^2 <= sum_s (||grad_s f(z)||^2 + sigma_s^2)/S with sigma_s^2 = E||noise_s||^2
    (A3'), with equality; sigma_0^2 one too small breaks it."""
    rng = np.random.default_rng(3)
    for _ in range(DRAWS):
        stages, blocks, _, at_z, noise = _sampled(rng)
        moment = sum(Fraction(_dot(at_z[b] + e[b], at_z[b] + e[b]), stages * len(noise))
                     for b in blocks for e in noise)
        variances = [Fraction(sum(_dot(e[b], e[b]) for e in noise), len(noise)) for b in blocks]
        values = {S: stages, sample2: moment,
                  **{block_stale2(s): _dot(at_z[b], at_z[b]) for s, b in enumerate(blocks)},
                  **{block_var(s): v for s, v in enumerate(variances)}}
        assert _holds(LEMMAS["variance"].formula, values)
        assert not _holds(LEMMAS["variance"].formula, {**values, block_var(0): variances[0] - 1})


def test_cauchy_schwarz_for_finite_sums():
    """||sum_{t<n} v_t||^2 <= n sum_t ||v_t||^2 in expectation over random vectors; equality for
    equal vectors, so n - 1 in place of n fails."""
    rng = np.random.default_rng(4)
    formula = LEMMAS["cauchy-schwarz"].formula
    for _ in range(DRAWS):
        count, dim, outcomes = (int(v) for v in rng.integers(1, 6, size=3))
        vectors = rng.integers(-5, 6, size=(outcomes, count, dim))
        p = [Fraction(1, outcomes)] * outcomes
        total = sum(q * _dot(v.sum(axis=0), v.sum(axis=0)) for q, v in zip(p, vectors, strict=True))
        spread = sum(q * int(np.sum(v**2)) for q, v in zip(p, vectors, strict=True))
        assert _holds(formula, {lemmas.norm2_sum: total, lemmas.count: count,
                                lemmas.sum_norm2: spread})
        same = np.repeat(rng.integers(1, 5, size=(1, dim)), count, axis=0)
        if count > 1:
            assert not _holds(formula, {lemmas.norm2_sum: _dot(same.sum(0), same.sum(0)),
                                        lemmas.count: count - 1,
                                        lemmas.sum_norm2: int(np.sum(same**2))})


def test_block_counting_on_random_block_sequences():
    """Every sequence of delta uniform blocks, updates g^t in block s_t with ||g^t||^2 <= G^2 that
    count for block j when t < d_j (the delays of DELAY): the exact mean of ||x^k - z^k||^2 with
    gamma = 1 is at most G^2 (delta + delta (delta - 1)/S), and not always at most
    G^2 delta^2/S."""
    rng = np.random.default_rng(7)
    below_crude_bound_fails = False
    for _ in range(DRAWS // 2):
        stages, window = int(rng.integers(1, 4)), int(rng.integers(0, 5))
        blocks = _blocks(rng, stages)
        updates = {(t, j): rng.integers(-3, 4, size=blocks[j].stop - blocks[j].start)
                   for t in range(window) for j in range(stages)}
        moment = max([_dot(g, g) for g in updates.values()] + [1])
        delays = rng.integers(0, window + 1, size=stages)
        total = Fraction(0)
        for sequence in itertools.product(range(stages), repeat=window):
            distance = np.zeros(blocks[-1].stop, dtype=np.int64)
            for t, j in enumerate(sequence):
                if t < delays[j]:
                    distance[blocks[j]] += updates[(t, j)]
            total += Fraction(_dot(distance, distance), stages**window)
        values = {S: stages, delta: window, gamma: 1, G: sp.sqrt(moment), dist2(k): total}
        assert _holds(LEMMAS["block counting"].formula, values)
        below_crude_bound_fails |= total > Fraction(moment * window**2, stages)
    assert below_crude_bound_fails


def test_recurrence_of_finite_sums():
    """sum_{x=a}^{n} t(x) = sum_{x=a}^{n-1} t(x) + t(n) for polynomial summands and every pair of
    integer limits (reversed ones with SymPy's convention)."""
    rng = np.random.default_rng(5)
    for _ in range(DRAWS // 3):
        coefficients = rng.integers(-3, 4, size=3)
        summand = sum(int(c) * lemmas.x**power for power, c in enumerate(coefficients))
        start, end = (int(v) for v in rng.integers(-4, 7, size=2))
        formula = lemmas.RECURRENCE.xreplace({lemmas.term(lemmas.x): summand,
                                              lemmas.term(lemmas.upper): summand.subs(
                                                  lemmas.x, end),
                                              lemmas.lower: start, lemmas.upper: end})
        assert sp.sympify(formula.doit()) is sp.true


def test_induction_witness_on_random_predicates():
    """For a random predicate P on 0..N with P(0) and not P(N), W = the last index before the
    first failure gives P(W) and not P(W + 1); a random W does not always."""
    rng = np.random.default_rng(6)
    wrong_witness_fails = False
    for _ in range(DRAWS):
        reach = int(rng.integers(0, 8))
        holds = [bool(v) for v in rng.integers(0, 2, size=reach + 2)]
        failure = next((i for i, v in enumerate(holds[:reach + 1]) if not v), None)
        witness = failure - 1 if failure else 0
        guess = int(rng.integers(0, reach + 1))
        for point, expect_true in ((witness, True), (guess, False)):
            decided = lemmas.INDUCTION.xreplace({
                lemmas.base: holds[0], lemmas.before: holds[point],
                lemmas.after: holds[point + 1], lemmas.conclusion: holds[reach],
                lemmas.witness: point, lemmas.reach: reach})
            if expect_true:
                assert decided is sp.true
            else:
                wrong_witness_fails |= decided is sp.false
    assert wrong_witness_fails


def test_every_tested_lemma_names_a_test_here_and_every_proved_one_is_proved_where_used():
    here = globals()
    for lemma in LEMMAS.values():
        if lemma.status == "tested":
            assert lemma.test in here, lemma.name
        else:
            assert lemma.status == "proved"
            with pytest.raises(ValueError):
                LEMMAS["descent"].obligation()
    for theorem in catalogue():
        goals = {ob.goal for ob in theorem.obligations}
        for ob in theorem.obligations:
            for premise in ob.premises:
                if premise.kind == "lemma" and LEMMAS[premise.source].status == "proved":
                    assert LEMMAS[premise.source].formula in goals, (theorem.id, premise.source)
                if premise.kind == "lemma":
                    assert lemmas.consistent(premise), (theorem.id, ob.name)
