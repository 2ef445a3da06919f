"""The delays of PipeDream's stale reads, as SymPy expressions.

Iterations count block updates (backwards) in time order, within a slot by stage index. The
delay of block j at the update of block s by microbatch m is k - r, with k the index of that
update and r the number of updates before F(j, m): under C1 the updates of the same slot on
stages < j count, under C0 they do not. With the closed forms of :mod:`pipeproof.theory.schedules`
(unit costs, NOAM = S), in steady state (S <= m < M - S) stage x updates in slot u exactly when
x + u is odd, so the delay counts stages of one parity over the slots from F(j, m) = 2m + j to
B(s, m) = 2m + 2S - 1 - s:

    D1(s, j) = floor((S - j)/2) + S floor((2S - 2 - s - j)/2)
               + [s + j odd] (ceil(S/2) - [j odd][S odd]) + floor(s/2),
    D0(s, j) = D1(s, j) + ceil(j/2).

D1 decreases in s and in j, so the steady maximum is D1(0, 0) = S^2 - ceil(S/2) = floor(S^2 - S/2),
the paper's "S^2 - S/2 + O(1)" (arXiv 2606.03498) with |O(1)| <= 1/2. Averaged over s and j,
D1 gives (S^2 - 1)/2 (the authors' fit S^2/2). During the warm-up the forwards of stage 0 run
back to back, so microbatch S - 1 waits longest: S(S - 1) + floor(S^2/4) (:func:`run_max_delay`).
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.symbols import S, j, m, s

_x = sp.Symbol("x", integer=True)
_u = sp.Symbol("u", integer=True)


def odd(expr: sp.Expr) -> sp.Expr:
    """[expr odd] = (1 - (-1)^expr)/2, a form SymPy can sum."""
    return (1 - (-1) ** expr) / 2


def delay_c1(stage: sp.Expr = s, read: sp.Expr = j) -> sp.Expr:
    """D1(s, j): steady-state delay of block j at the update of block s, convention C1."""
    return (
        sp.floor((S - read) / 2)
        + S * sp.floor((2 * S - 2 - stage - read) / 2)
        + sp.Mod(stage + read, 2) * (sp.ceiling(S / 2) - sp.Mod(read, 2) * sp.Mod(S, 2))
        + sp.floor(stage / 2)
    )


def delay_c0(stage: sp.Expr = s, read: sp.Expr = j) -> sp.Expr:
    """D0(s, j) = D1(s, j) + ceil(j/2): C0 also counts the slot-mates on stages < j."""
    return delay_c1(stage, read) + sp.ceiling(read / 2)


def delay(convention: str, stage: sp.Expr = s, read: sp.Expr = j) -> sp.Expr:
    """D1 or D0 by convention name ("C1" or "C0")."""
    return delay_c1(stage, read) if convention == "C1" else delay_c0(stage, read)


def delay_by_counting(stage: sp.Expr = s, read: sp.Expr = j, micro: sp.Expr = m) -> sp.Expr:
    """The C1 delay as a count of updates in its window (unevaluated SymPy sums).

    Updates after F(j, m) in its own slot t = 2m + j (stages x > j with x + t odd), in every slot
    strictly between t and tau = 2m + 2S - 1 - s (stages x with x + u odd), and in slot tau on
    stages x < s (x + tau odd).
    """
    start = 2 * micro + read
    end = 2 * micro + 2 * S - 1 - stage
    same_slot = sp.Sum(odd(_x + start), (_x, read + 1, S - 1))
    between = sp.Sum(sp.Sum(odd(_x + _u), (_x, 0, S - 1)), (_u, start + 1, end - 1))
    last_slot = sp.Sum(odd(_x + end), (_x, 0, stage - 1))
    return same_slot + between + last_slot


def steady_max_delay() -> sp.Expr:
    """S^2 - ceil(S/2), the steady-state maximum under C1 and C0 alike."""
    return S**2 - sp.ceiling(S / 2)


def paper_delay() -> sp.Expr:
    """S^2 - S/2, the paper's form of the delay."""
    return S**2 - S / 2


def stage_max_delay(convention: str, read: sp.Expr = j) -> sp.Expr:
    """Steady maximum of the delay of block j over all updates.

    C1: S^2 - ceil(S/2) - ceil(j (S + 1)/2);  C0: S^2 - ceil(S/2) - floor(j S/2).
    """
    if convention == "C1":
        return steady_max_delay() - sp.ceiling(read * (S + 1) / 2)
    return steady_max_delay() - sp.floor(read * S / 2)


def mean_delay(convention: str) -> sp.Expr:
    """Steady mean over s, j and m: (S^2 - 1)/2 under C1, plus floor(S^2/4)/S under C0."""
    base = (S**2 - 1) / sp.Integer(2)
    return base if convention == "C1" else base + sp.floor(S**2 / 4) / S


def run_max_delay() -> sp.Expr:
    """Maximum over the whole run (warm-up included), for M >= S + floor(S/2) - 1.

    Equal to S^2 - ceil(S/2) + floor((S - 1)^2/4) = S(S - 1) + floor(S^2/4): microbatch S - 1
    is read by stage 0 at slot S - 1, before any update, and applied at slot 4S - 3.
    """
    return S**2 - sp.ceiling(S / 2) + sp.floor((S - 1) ** 2 / 4)


def warmup_min_microbatches() -> sp.Expr:
    """Least M for which the whole-run maximum is reached: S + floor(S/2) - 1."""
    return S + sp.floor(S / 2) - 1


def warmup_delay(micro: sp.Expr = m) -> sp.Expr:
    """Delay of block 0 at the update of block 0 by microbatch m < S: m S + floor(S^2/4)."""
    return micro * S + sp.floor(S**2 / 4)


def warmup_delay_by_counting(micro: sp.Expr = m) -> sp.Expr:
    """The same delay as a count: stage x updates for m' with 2m' + 2S - 1 - x < 2m + 2S - 1,
    i.e. m + ceil(x/2) times, and F(0, m) = m precedes every update (the first is at slot S)."""
    return sp.Sum(micro + (_x + odd(_x)) / 2, (_x, 0, S - 1))


def own_lag(stage: sp.Expr = s) -> sp.Expr:
    """Updates of block s between F(s, m) and B(s, m) in steady state: S - 1 - s."""
    return S - 1 - stage


def mixed_lag(read: sp.Expr = j) -> sp.Expr:
    """Most updates of block j between F(j, m) and an update of microbatch m: S-1-floor(j/2)."""
    return S - 1 - sp.floor(read / 2)
