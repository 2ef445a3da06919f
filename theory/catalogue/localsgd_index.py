"""THR-LSGD at R >= S: the greedy policy's step read on the microbatch index.

At R >= S, max(R, S) = R, so the closed forms of a LocalSGD round depend on the local step q and
the copy r of microbatch i = q R + r only through i:

    B(s, q, r) = Bi(s, i) = 2i + 2S - 1 - s,
    F(s, q, r) = Fi(s, i) = max(i + s, 2i + 3s - 2S + 2, and for i >= R: 2(i - R) + 2S + s)

(``schedules.localsgd_index_forward``, ``localsgd_index_backward``). The policy's step on the
counts (qf, rf), (qb, rb) (``schedules.localsgd_policy_step``) is then PipeDream's step
(``schedules.policy_step``) on the counts nf = R qf + rf, nb = R qb + rb of the M = R H
microbatches of the round, stage 0 admitting while nf - nb < R. Three obligations carry this
(1 and 2 speak of the product R k alone, 3 is linear), and the case R >= S of the step takes
them as premises (kind goal, with their substitution):

1. index form: R >= S, k >= 0, 0 <= c <= R - 1 give F(j, k, c) = Fi(j, Rk + c) and
   B(j, k, c) = Bi(j, Rk + c) for every stage j;
2. counts: a count (k, c) of a round (k <= H - 1 and c <= R - 1, or (k, c) = (H, 0) once all
   R H have started) has Rk + c <= R H, with equality exactly at (H, 0);
3. index step: at R >= S, PipeDream's step with Fi, Bi and the limit R holds for every M >= 1.

The step in pair form needs no product R q of its own: each F, B and count it reads is an
instance of 1 and 2, and what it states is the instance of 3 at nf, nb, M = R H.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory import schedules
from pipeproof.theory.catalogue import op_tables
from pipeproof.theory.catalogue.convergence.premises import earlier
from pipeproof.theory.symbols import DOMAINS, H, M, R, S, s, t
from pipeproof.theory.theorem import Obligation, Premise

stage, step, copy = (sp.Symbol(name, integer=True) for name in ("j", "k", "c"))
"""The lemmas' own stage j, local step k and copy c: symbols of no statement, so that a lemma
holds for all of them and its instances at the counts follow from it."""

INDEX_FORM = "at R >= S, F(j, k, c) and B(j, k, c) read on the index i = R k + c"
COUNTS = "a count (k, c) of a round is at most R H as an index, equal to it once all have started"
INDEX_STEP = ("at R >= S, the greedy policy's step read on the index: PipeDream's step with "
              "Fi, Bi and stage 0 admitting while fewer than R are in flight")

_QF, _RF, _QB, _RB, _NF, _NB = (sp.Symbol(name, integer=True, nonnegative=True)
                                for name in ("qf", "rf", "qb", "rb", "nf", "nb"))


def index_form() -> Obligation:
    """R >= S, k >= 0, 0 <= c <= R - 1 imply F(j, k, c) = Fi(j, Rk + c), B(j, k, c) =
    Bi(j, Rk + c), for every integer j."""
    index = R * step + copy
    holds = sp.And(
        sp.Eq(schedules.localsgd_forward(stage, step, copy),
              schedules.localsgd_index_forward(stage, index)),
        sp.Eq(schedules.localsgd_backward(stage, step, copy),
              schedules.localsgd_index_backward(stage, index)))
    inside = sp.And(R >= S, step >= 0, copy >= 0, copy <= R - 1)
    return Obligation(INDEX_FORM, sp.Implies(inside, holds), (DOMAINS[S], DOMAINS[R]),
                      ("smt",))


def counts() -> Obligation:
    """(k, c) with k, c >= 0 and (k <= H - 1, c <= R - 1) or (k, c) = (H, 0) has Rk + c <= RH,
    with equality exactly at (H, 0)."""
    done = sp.And(sp.Eq(step, H), sp.Eq(copy, 0))
    counted = sp.And(step >= 0, copy >= 0, sp.Or(sp.And(step <= H - 1, copy <= R - 1), done))
    index = R * step + copy
    goal = sp.Implies(counted, sp.And(index <= R * H, sp.Equivalent(done, sp.Eq(index, R * H))))
    return Obligation(COUNTS, goal, (DOMAINS[R], DOMAINS[H]), ("smt",))


def index_step() -> Obligation:
    """At R >= S, the greedy policy's step (``op_tables.policy``) with Fi, Bi and stage 0
    admitting while nf - nb < R, for every M >= 1."""
    def admits(at: sp.Expr, started_f: sp.Expr, started_b: sp.Expr) -> sp.Basic:
        return sp.Or(at > 0, started_f - started_b < R)

    step_ = op_tables.unfold(op_tables.policy(admits), schedules.localsgd_index_forward,
                             schedules.localsgd_index_backward)
    domains = (DOMAINS[S], DOMAINS[M], DOMAINS[R], *sp.And.make_args(DOMAINS[s]), DOMAINS[t])
    return Obligation(INDEX_STEP, sp.Implies(R >= S, step_), domains, ("smt",))


def premises(lemmas: tuple[Obligation, Obligation, Obligation]) -> tuple[Premise, ...]:
    """The instances the case R >= S of the pair step takes: the index form at every F and B
    it reads (stage s at the counts and the ops before them, stage s - 1 at the forward count,
    stage s + 1 at the backward count), the counts at (qf, rf) and (qb, rb), and the index step
    at nf = R qf + rf, nb = R qb + rb, M = R H."""
    form, count, step_ = lemmas
    places = ((s, _QF, _RF), (s, _QF, _RF - 1), (s, _QF - 1, R - 1), (s - 1, _QF, _RF),
              (s, _QB, _RB), (s, _QB, _RB - 1), (s, _QB - 1, R - 1), (s + 1, _QB, _RB))
    made = [earlier(form, {stage: at, step: q, copy: r}) for at, q, r in places]
    made += [earlier(count, {step: q, copy: r}) for q, r in ((_QF, _RF), (_QB, _RB))]
    made.append(earlier(step_, {_NF: R * _QF + _RF, _NB: R * _QB + _RB, M: R * H}))
    return tuple(made)


__all__ = ["COUNTS", "INDEX_FORM", "INDEX_STEP", "counts", "index_form", "index_step",
           "premises"]
