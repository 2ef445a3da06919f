"""Closed-form op tables: the first slot of F(s, m) and B(s, m) for each schedule.

Stages s = 0..S-1, microbatches m = 0..M-1; a forward takes t_F slots, a backward t_B.

* GPipe fill-drain (Huang et al. 2019), any costs:
  F(s, m) = (m + s) t_F,  B(s, m) = (M + S - 1) t_F + (m + S - 1 - s) t_B.
* PipeDream 1F1B with NOAM = S (Harlap et al. 2018), unit costs:
  B(s, m) = 2m + 2S - 1 - s for every m;
  F(s, m) = 2m + s for m >= S, and max(m + s, 2m + 3s - 2S + 2) for m < S (the warm-up: stage s
  forwards back to back until its first backward arrives at slot 2S - 1 - s, then alternates).
* 1F1B with a flush (PipeDream-Flush, Narayanan et al. 2021), unit costs:
  B(s, m) = 2m + 2S - 1 - s;  F(s, m) = m + s for m < S - s, else 2m + s.
* LocalSGD with R copies, H local steps and a barrier every R H microbatches, unit costs, inside
  a round (microbatch i = q R + r is local step q of copy r):
  B(s, q, r) = 2 max(R, S) q + 2r + 2S - 1 - s;  F(s, q, r) = max(i + s, 2i + 3s - 2S + 2, and
  for q >= 1 B(0, q - 1, r) + 1 + s). A round takes 2[max(R, S) H + min(R, S) - 1] slots.

The PipeDream, Flush and LocalSGD forms are the output of the greedy policy for every S, M, R, H
(THR-PD-CLOSED, THR-FLUSH and THR-LSGD prove the inductive step with Z3); GPipe's is checked
against the policy simulator.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.symbols import M, S, m, s, t_B, t_F


def gpipe_forward(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """F(s, m) = (m + s) t_F."""
    return (micro + stage) * t_F


def gpipe_backward(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """B(s, m) = (M + S - 1) t_F + (m + S - 1 - s) t_B."""
    return (M + S - 1) * t_F + (micro + S - 1 - stage) * t_B


def pipedream_forward(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """F(s, m) = 2m + s for m >= S, max(m + s, 2m + 3s - 2S + 2) for m < S (unit costs)."""
    return sp.Piecewise((2 * micro + stage, micro >= S), (_warmup(stage, micro), True))


def _warmup(stage: sp.Expr, micro: sp.Expr) -> sp.Expr:
    """max(m + s, 2m + 3s - 2S + 2): forwards back to back from slot 0 until the first backward
    arrives, then alternating (PipeDream's warm-up, unit costs)."""
    return sp.Max(micro + stage, 2 * micro + 3 * stage - 2 * S + 2)


def pipedream_steady_forward(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """F(s, m) = 2m + s, the steady-state form (m >= S)."""
    return 2 * micro + stage


def pipedream_backward(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """B(s, m) = 2m + 2S - 1 - s (unit costs, every m)."""
    return 2 * micro + 2 * S - 1 - stage


def flush_forward(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """F(s, m) = m + s for m < S - s, 2m + s otherwise (unit costs)."""
    return sp.Piecewise((micro + stage, micro < S - stage), (2 * micro + stage, True))


flush_backward = pipedream_backward
"""B(s, m) of 1F1B with a flush: the same 2m + 2S - 1 - s as PipeDream."""


def is_schedule(forward, backward, forward_cost: sp.Expr = 1, backward_cost: sp.Expr = 1,
                other: sp.Symbol | None = None) -> sp.Basic:
    """The conditions for closed forms F(s, m), B(s, m) to be a valid op table.

    Dependencies: F(s, m) ends before F(s + 1, m) starts, F(S - 1, m) before B(S - 1, m),
    B(s + 1, m) before B(s, m); each stage runs its forwards and its backwards in microbatch
    order; and no forward overlaps a backward on the same stage (``other`` is the second
    microbatch index m').
    """
    other = other if other is not None else sp.Symbol("m2", integer=True, nonnegative=True)
    last = S - 1
    return sp.And(
        sp.Implies(s <= S - 2, forward(s, m) + forward_cost <= forward(s + 1, m)),
        forward(last, m) + forward_cost <= backward(last, m),
        sp.Implies(s <= S - 2, backward(s + 1, m) + backward_cost <= backward(s, m)),
        sp.Implies(m <= M - 2, forward(s, m) + forward_cost <= forward(s, m + 1)),
        sp.Implies(m <= M - 2, backward(s, m) + backward_cost <= backward(s, m + 1)),
        sp.Or(forward(s, m) + forward_cost <= backward(s, other),
              backward(s, other) + backward_cost <= forward(s, m)),
    )


def policy_step(forward, backward, admits) -> tuple[sp.Basic, tuple[sp.Basic, ...]]:
    """The inductive step "closed form = greedy 1F1B policy" at slot t on stage s (unit costs).

    Let nf and nb be the forwards and backwards stage s started before slot t in the closed
    form (the unique counts with F(s, nf - 1) < t <= F(s, nf), and likewise for B). If the
    policy's history before t equals the closed form's, the policy sees these counts and
    starts at t: B(s, nb) when it is ready (B(s + 1, nb), or F(S - 1, nb) on the last stage,
    ended before t), else F(s, nf) when it is ready (F(s - 1, nf) ended before t, and
    ``admits(s, nf, nb)``: the in-flight limit lets it in), else nothing. The goal states that the
    closed form does exactly that; by induction on t it is the policy's output.

    Returns:
        (goal, assumptions) over S, M, s, t and the counts nf, nb.
    """
    started_f = sp.Symbol("nf", integer=True, nonnegative=True)
    started_b = sp.Symbol("nb", integer=True, nonnegative=True)
    slot = sp.Symbol("t", integer=True, nonnegative=True)

    def counted(start, count: sp.Symbol) -> sp.Basic:
        return sp.And(count <= M, sp.Or(sp.Eq(count, 0), start(s, count - 1) < slot),
                      sp.Or(sp.Eq(count, M), start(s, count) >= slot))

    downstream = sp.Piecewise((forward(s, started_b), sp.Eq(s, S - 1)),
                              (backward(s + 1, started_b), True))
    backward_ready = sp.And(started_b < M, downstream + 1 <= slot)
    upstream = sp.Or(sp.Eq(s, 0), forward(s - 1, started_f) + 1 <= slot)
    forward_ready = sp.And(started_f < M, upstream, admits(s, started_f, started_b))
    does_backward = sp.And(started_b < M, sp.Eq(backward(s, started_b), slot))
    does_forward = sp.And(started_f < M, sp.Eq(forward(s, started_f), slot))
    goal = sp.And(sp.Equivalent(does_backward, backward_ready),
                  sp.Equivalent(does_forward, sp.And(sp.Not(backward_ready), forward_ready)))
    assumptions = (S >= 1, M >= 1, s >= 0, s <= S - 1, slot >= 0,
                   counted(forward, started_f), counted(backward, started_b))
    return goal, assumptions


def pipedream_admits(stage: sp.Expr, started_f: sp.Expr, started_b: sp.Expr) -> sp.Basic:
    """PipeDream with NOAM = S: stage 0 admits while fewer than S microbatches are in flight."""
    return sp.Or(stage > 0, started_f - started_b < S)


def flush_admits(stage: sp.Expr, started_f: sp.Expr, started_b: sp.Expr) -> sp.Basic:
    """1F1B with a flush: stage s starts a forward while fewer than S - s are in flight."""
    return started_f - started_b < S - stage


def localsgd_backward(stage: sp.Expr, step: sp.Expr, copy: sp.Expr) -> sp.Expr:
    """LocalSGD, unit costs, inside one round: B = 2 max(R, S) q + 2r + 2S - 1 - s.

    Microbatch i = q R + r of the round is local step q of copy r (copy = i mod R). With
    R >= S this is PipeDream's 2i + 2S - 1 - s; with R <= S copy r completes a round trip of
    2S slots per step and re-enters right after its previous microbatch left.
    """
    from pipeproof.theory.symbols import R

    return 2 * sp.Max(R, S) * step + 2 * copy + 2 * S - 1 - stage


def localsgd_forward(stage: sp.Expr, step: sp.Expr, copy: sp.Expr) -> sp.Expr:
    """LocalSGD, unit costs, inside one round: F(s, q, r) is the largest of

    * i + s (forwards back to back from slot 0, i = q R + r),
    * 2i + 3s - 2S + 2 (PipeDream's warm-up: stage s alternates once its backwards arrive),
    * for q >= 1, B(0, q - 1, r) + 1 + s = 2 max(R, S)(q - 1) + 2r + 2S + s (copy r re-enters
      stage 0 one slot after its previous microbatch left it).
    """
    from pipeproof.theory.symbols import R

    reentry = localsgd_backward(0, step - 1, copy) + 1 + stage
    warmup = _warmup(stage, step * R + copy)
    return sp.Piecewise((sp.Max(warmup, reentry), step >= 1), (warmup, True))


def localsgd_index_backward(stage: sp.Expr, index: sp.Expr) -> sp.Expr:
    """LocalSGD at R >= S, B of microbatch i = q R + r of a round by its index: 2i + 2S - 1 - s.

    With max(R, S) = R, B(s, q, r) = 2Rq + 2r + 2S - 1 - s is PipeDream's B at i.
    """
    return pipedream_backward(stage, index)


def localsgd_index_forward(stage: sp.Expr, index: sp.Expr) -> sp.Expr:
    """LocalSGD at R >= S, F of microbatch i = q R + r of a round by its index: the largest of
    i + s, 2i + 3s - 2S + 2 and, for i >= R (q >= 1), B(0, i - R) + 1 + s = 2(i - R) + 2S + s.
    """
    from pipeproof.theory.symbols import R

    reentry = localsgd_index_backward(0, index - R) + 1 + stage
    warmup = _warmup(stage, index)
    return sp.Piecewise((sp.Max(warmup, reentry), index >= R), (warmup, True))


def localsgd_round() -> sp.Expr:
    """Slots per LocalSGD round (unit costs): B(0, H - 1, R - 1) + 1 = 2[max(R, S) H + min(R, S)
    - 1]."""
    from pipeproof.theory.symbols import H, R

    return 2 * (sp.Max(R, S) * H + sp.Min(R, S) - 1)


def localsgd_table_start(kind: str, stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """F or B (``kind`` "forward" / "backward") of global microbatch m: round k = floor(m/(RH))
    starts at k times the round time; inside it m is local step q = floor(i/R) of copy
    r = i - qR, i = m - kRH."""
    from pipeproof.theory.symbols import H, R

    rounds = sp.floor(micro / (R * H))
    index = micro - rounds * R * H
    step = sp.floor(index / R)
    op = localsgd_forward if kind == "forward" else localsgd_backward
    return rounds * localsgd_round() + op(stage, step, index - step * R)


def localsgd_policy_step(forward, backward) -> tuple[sp.Basic, tuple[sp.Basic, ...]]:
    """The greedy policy's step inside a LocalSGD round, op times ``forward(s, q, r)``,
    ``backward(s, q, r)`` of microbatch i = q R + r (unit costs; see :func:`policy_step`).

    The counts of forwards and backwards stage s started before slot t are written as pairs
    (qf, rf), (qb, rb): i = q R + r with 0 <= r <= R - 1 and q <= H - 1, or (H, 0) when all R H
    have started. Stage 0 admits a forward while fewer than R microbatches are in flight
    (copy r re-enters after its previous microbatch left); inside a round the barrier does not
    bind (the round starts on an empty pipeline).

    Returns:
        (goal, assumptions) over S, R, H, s, t and the counts.
    """
    from pipeproof.theory.symbols import H, R

    def count(name: str) -> sp.Symbol:
        return sp.Symbol(name, integer=True, nonnegative=True)

    slot = sp.Symbol("t", integer=True, nonnegative=True)
    started_f = (count("qf"), count("rf"))
    started_b = (count("qb"), count("rb"))

    def previous(op, stage: sp.Expr, step: sp.Expr, copy: sp.Expr) -> sp.Expr:
        return sp.Piecewise((op(stage, step, copy - 1), copy >= 1),
                            (op(stage, step - 1, R - 1), True))

    def done(step: sp.Expr, copy: sp.Expr) -> sp.Basic:
        return sp.And(sp.Eq(step, H), sp.Eq(copy, 0))

    def counted(op, step: sp.Expr, copy: sp.Expr) -> sp.Basic:
        inside = sp.And(copy <= R - 1, step <= H - 1)
        first = sp.And(sp.Eq(step, 0), sp.Eq(copy, 0))
        return sp.And(sp.Or(inside, done(step, copy)),
                      sp.Or(first, previous(op, s, step, copy) < slot),
                      sp.Or(done(step, copy), op(s, step, copy) >= slot))

    downstream = sp.Piecewise((forward(s, *started_b), sp.Eq(s, S - 1)),
                              (backward(s + 1, *started_b), True))
    backward_ready = sp.And(sp.Not(done(*started_b)), downstream + 1 <= slot)
    upstream = sp.Or(sp.Eq(s, 0), forward(s - 1, *started_f) + 1 <= slot)
    in_flight = started_f[0] * R + started_f[1] - (started_b[0] * R + started_b[1])
    admitted = sp.Or(s > 0, in_flight < R)
    forward_ready = sp.And(sp.Not(done(*started_f)), upstream, admitted)
    does_backward = sp.And(sp.Not(done(*started_b)), sp.Eq(backward(s, *started_b), slot))
    does_forward = sp.And(sp.Not(done(*started_f)), sp.Eq(forward(s, *started_f), slot))
    goal = sp.And(sp.Equivalent(does_backward, backward_ready),
                  sp.Equivalent(does_forward, sp.And(sp.Not(backward_ready), forward_ready)))
    assumptions = (S >= 1, R >= 1, H >= 1, s >= 0, s <= S - 1, slot >= 0,
                   counted(forward, *started_f), counted(backward, *started_b))
    return goal, assumptions
