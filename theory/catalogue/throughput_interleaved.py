"""Catalogue section 5: interleaved 1F1B (THR-INTERLEAVED), its op times in closed form.

Megatron-LM's interleaved 1F1B (Narayanan et al. 2021): S ranks, v >= 2 model chunks per rank,
stage j = cS + r on rank r, S | M. Number the forwards of rank r by k = 0..N - 1, N = vM: the
k-th is chunk c = (k mod vS) div S of microbatch (k div vS) S + k mod S; the backwards likewise
with the chunk reversed (v - 1 - c). Rank r runs w_r = min(a_r, N) warm-up forwards,
a_r = 2(S - 1 - r) + (v - 1)S = vS + S - 2 - 2r, then one forward and one backward in turn,
then its last backwards (``pipeproof.checks.tables.action_policies``). Timed as early as the
dependencies allow, at unit chunk costs t_F = t_B = 1, with V = vS:

  F(r, k) = max(k + r,  2k - w_r + r,  [k >= V + S] (2k - V + r)),
  B(r, k) = min(k + N + 2S - 2 - r,
                max(2k + V + S - 1 - r,
                    [k >= V + S - w_r] min(2k + V + 2S - 3 - 3r, k + N + S - 2 - r),
                    [k >= N - w_r] (k + N + r))).

k + r is the pipeline's fill; 2k - w_r + r the rank's own alternation after its warm-up;
2k - V + r the forwards that wait for the chunk wrap from rank S - 1 (it binds on the ranks
r <= (S - 2)/2, whose alternation would run ahead of it); 2k + V + S - 1 - r the backward wave
started by the last stage's forwards, its shifted form the backwards that follow the waiting
forwards, k + N + r and the first line of the min the rank's last backwards back to back.

Dependencies, stated on indices: F(r - 1, k) before F(r, k); B(r + 1, k) before B(r, k); the
forward chunk wrap F(S - 1, k - S) before F(0, k) and the backward one B(0, k - S) before
B(S - 1, k) wherever chunk c(k) >= 1; the last stage F(S - 1, k + V - S) before B(S - 1, k)
wherever c(k) = 0 (these are the same (stage, microbatch): the k-th backward of rank S - 1 in
chunk v - 1, the (k + V - S)-th forward). The wrap parts are proved for every k >= S outside
[V, V + S) and the last-stage part for every k with k + V - S <= N - 1; the arithmetic part
shows that these sets contain every wrap (c >= 1) and every last-stage (c = 0, S | M) index.
The forward of (j, m) precedes its backward on every stage by the chains. A rank holds
nF - nB live chunk activations (forwards started minus backwards ended, both prefixes of k),
so the peak is the peak_in_flight form of :mod:`.op_tables` read with k for m.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.catalogue import op_tables
from pipeproof.theory.catalogue.common import SMT, claim
from pipeproof.theory.catalogue.op_tables import B, F, Part
from pipeproof.theory.symbols import M, S, m, s, t_B, t_F, v
from pipeproof.theory.theorem import Grid, Obligation, TableCheck, Theorem, Variant

k = sp.Symbol("k", integer=True, nonnegative=True)
"""Index of a rank's forwards (or backwards), 0..vM - 1."""
k2 = sp.Symbol("k2", integer=True, nonnegative=True)
"""A second such index."""
g, c, u, q = (sp.Symbol(name, integer=True, nonnegative=True) for name in "gcuq")
"""Group, chunk and offset of an index k = g vS + c S + u, and M = q S."""

INTERLEAVED = Grid("interleaved", (1, 8), (S, 2 * S, 4 * S), chunks=(2, 3, 4))
INTERLEAVED_COSTS = Grid("interleaved", (2, 6), (S, 2 * S), chunks=(2, 3),
                         costs=((1, 2), (2, 1), (2, 3)))
INTERLEAVED_UNIT = Grid("interleaved", (1, 8), (S, 2 * S, 3 * S, 5 * S), chunks=(2, 3, 4, 5))
"""The closed form against the policy tables."""


def chunks_per_rank() -> sp.Expr:
    """V = vS stages in all."""
    return v * S


def total() -> sp.Expr:
    """N = vM forwards (and backwards) per rank."""
    return v * M


def warmup(rank: sp.Expr = s) -> sp.Expr:
    """w_r = min(vS + S - 2 - 2r, vM)."""
    return sp.Min(chunks_per_rank() + S - 2 - 2 * rank, total())


def forward(rank: sp.Expr = s, index: sp.Expr = k) -> sp.Expr:
    """F(r, k) = max(k + r, 2k - w_r + r, [k >= V + S] (2k - V + r))."""
    V = chunks_per_rank()
    fill = index + rank
    wrapped = sp.Piecewise((2 * index - V + rank, index >= V + S), (fill, True))
    return sp.Max(fill, 2 * index - warmup(rank) + rank, wrapped)


def backward(rank: sp.Expr = s, index: sp.Expr = k) -> sp.Expr:
    """B(r, k): the module docstring's min of the drain and the max of the backward waves."""
    V, N, w = chunks_per_rank(), total(), warmup(rank)
    wave = 2 * index + V + S - 1 - rank
    shifted = sp.Piecewise((sp.Min(2 * index + V + 2 * S - 3 - 3 * rank,
                                   index + N + S - 2 - rank), index >= V + S - w), (wave, True))
    tail = sp.Piecewise((index + N + rank, index >= N - w), (wave, True))
    return sp.Min(index + N + 2 * S - 2 - rank, sp.Max(wave, shifted, tail))


def index_ranges() -> tuple[sp.Basic, ...]:
    """S >= 1, v >= 2, M >= S, 0 <= r <= S - 1, 0 <= k, k2 <= vM - 1."""
    N = total()
    return (S >= 1, v >= 2, M >= S, s >= 0, s <= S - 1, k >= 0, k <= N - 1, k2 >= 0,
            k2 <= N - 1)


def _outside_first_chunk0(index: sp.Expr) -> sp.Basic:
    """S <= k and not V <= k < V + S: a superset of the wrap indices (chunk >= 1)."""
    V = chunks_per_rank()
    return sp.And(index >= S, sp.Or(index < V, index >= V + S))


def dependencies() -> sp.Basic:
    """The chain, wrap and last-stage dependencies (unit costs), on the index sets above."""
    V, N = chunks_per_rank(), total()
    return sp.And(
        sp.Implies(s >= 1, F(s - 1, k) + 1 <= F(s, k)),
        sp.Implies(s <= S - 2, B(s + 1, k) + 1 <= B(s, k)),
        sp.Implies(_outside_first_chunk0(k), F(S - 1, k - S) + 1 <= F(0, k)),
        sp.Implies(_outside_first_chunk0(k), B(0, k - S) + 1 <= B(S - 1, k)),
        sp.Implies(k + V - S <= N - 1, F(S - 1, k + V - S) + 1 <= B(S - 1, k)),
    )


def rank_order() -> sp.Basic:
    """Each rank's forwards and backwards in index order, never two ops in one slot, and in
    Megatron's order: w_r forwards, then F(r, k + w_r) before B(r, k) before F(r, k + w_r + 1),
    then the backwards after the last forward."""
    N, w = total(), warmup()
    return sp.And(
        sp.Implies(k <= N - 2, F(s, k) + 1 <= F(s, k + 1)),
        sp.Implies(k <= N - 2, B(s, k) + 1 <= B(s, k + 1)),
        sp.Or(F(s, k) + 1 <= B(s, k2), B(s, k2) + 1 <= F(s, k)),
        sp.Implies(k + w <= N - 1, F(s, k + w) + 1 <= B(s, k)),
        sp.Implies(k + w <= N - 2, B(s, k) + 1 <= F(s, k + w + 1)),
        sp.Implies(k + w >= N, F(s, N - 1) + 1 <= B(s, k)),
    )


def wrap_indices() -> sp.Basic:
    """Megatron's numbering k = g vS + c S + u (group 0 <= g <= q - 1 of M = qS, chunk
    0 <= c <= v - 1, offset 0 <= u <= S - 1) gives an index 0 <= k <= vM - 1; one of chunk
    c >= 1 lies in the wrap set (k >= S, not vS <= k < vS + S), one of chunk 0 in the
    last-stage set (k + vS - S <= vM - 1)."""
    V = chunks_per_rank()
    index = g * V + c * S + u
    ranges = sp.And(g >= 0, g <= q - 1, c >= 0, c <= v - 1, u >= 0, u <= S - 1, q >= 1,
                    sp.Eq(M, q * S))
    return sp.Implies(ranges, sp.And(index <= total() - 1,
                                     sp.Implies(c >= 1, _outside_first_chunk0(index)),
                                     sp.Implies(sp.Eq(c, 0), index + V - S <= total() - 1)))


def makespan() -> sp.Expr:
    """2(vM + S - 1) slots at unit costs."""
    return 2 * (total() + S - 1)


def peak_live(rank: sp.Expr = s) -> sp.Expr:
    """min(2(S - 1 - r) + (v - 1)S + 1, vM) live chunk activations on rank r."""
    return sp.Min(2 * (S - 1 - rank) + (v - 1) * S + 1, total())


def parts() -> tuple[Part, ...]:
    """The statement's parts, formulas in F and B."""
    N, end = total(), makespan()
    window = sp.And(F(s, k) >= 0, F(s, k) + 1 <= end, B(s, k) + 1 <= end)
    return (
        Part("chain, chunk-wrap and last-stage dependencies", dependencies()),
        Part("rank order: index order, one op per slot, Megatron's alternation", rank_order()),
        Part("the wrap and last-stage index sets contain every chunk >= 1 and chunk-0 index",
             wrap_indices()),
        Part("every op lies in [0, 2(vM + S - 1)): each rank runs its 2vM ops in distinct "
             "slots, idle 2(S - 1)", window),
        Part("the last op B(0, vM - 1) ends at 2(vM + S - 1), the makespan",
             sp.Eq(B(0, N - 1) + 1, end)),
        Part("peak live chunk activations min(2(S - 1 - r) + (v - 1)S + 1, vM)",
             _peak(peak_live())),
    )


def formal(forward_form: op_tables.Op = forward, backward_form: op_tables.Op = backward
           ) -> tuple[sp.Basic, tuple, tuple[Obligation, ...]]:
    """(statement, definitions, obligations) of :func:`parts` for the given closed forms,
    unfolded without evaluation (SymPy's comparisons of nested Max and Min take seconds and
    decide nothing the provers need)."""
    ranges = index_ranges()
    with sp.evaluate(False):
        return op_tables.formal(parts(), forward_form, backward_form, ranges)


def divisible() -> tuple[sp.Basic, ...]:
    """S | M: M = qS, q >= 1 (the wrong variants are refuted only where it holds)."""
    return (q >= 1, sp.Eq(M, q * S))


def interleaved() -> Theorem:
    """THR-INTERLEAVED: Megatron's interleaved 1F1B, bubble (S - 1)/(vM)."""
    assumptions = index_ranges()
    variant_assumptions = (*assumptions, *divisible())
    N, end, peak = total(), makespan(), peak_live()
    statement, definitions, obligations = formal()
    unit = (claim("rank_forward_start", forward(s, m), s, m),
            claim("rank_backward_start", backward(s, m), s, m),
            claim("makespan", end))
    claims = (claim("makespan", (t_F + t_B) * (N + S - 1)),
              claim("idle_per_rank", (t_F + t_B) * (S - 1), s),
              claim("bubble_over_ideal", (S - 1) / N),
              claim("peak_live_per_rank", peak, s))
    return Theorem(
        id="THR-INTERLEAVED",
        title="Interleaved 1F1B, v chunks: makespan (t_F+t_B)(vM+S-1), bubble (S-1)/(vM), "
              "peak min(2(S-1-r)+(v-1)S+1, vM) chunk activations",
        statement=statement,
        assumptions=assumptions,
        definitions=definitions,
        hypotheses=("S >= 1 ranks, v >= 2 chunks per rank, S | M",
                    "Megatron's order: forwards in groups of S microbatches chunk by chunk, "
                    "min(2(S - 1 - r) + (v - 1)S, vM) warm-up forwards on rank r, then one "
                    "forward and one backward in turn",
                    "unit chunk ops t_F = t_B = 1 for the closed form; integer costs on the "
                    "tables; timed as early as dependencies allow"),
        source="[L] Narayanan et al. 2021 (Megatron-LM interleaved schedule); closed form and "
               "peak [D]",
        obligations=obligations,
        tables=(TableCheck(INTERLEAVED, claims), TableCheck(INTERLEAVED_UNIT, unit),
                TableCheck(INTERLEAVED_COSTS, claims[:3])),
        variants=(
            Variant("bubble without the chunks: (S - 1)/M",
                    claims=(claim("bubble_over_ideal", (S - 1) / M),)),
            Variant("makespan off by one chunk slot pair: (t_F + t_B)(vM + S)",
                    claims=(claim("makespan", (t_F + t_B) * (N + S)),)),
            Variant("peak without the current microbatch: 2(S - 1 - r) + (v - 1)S",
                    (Obligation("peak 2(S - 1 - r) + (v - 1)S",
                                _unfold(_peak(sp.Min(2 * (S - 1 - s) + (v - 1) * S, N))),
                                variant_assumptions, SMT),),
                    (claim("peak_live_per_rank", sp.Min(2 * (S - 1 - s) + (v - 1) * S,
                                                        N), s),)),
            Variant("makespan 2(vM + S) - 1: the last backward one slot later",
                    (Obligation("B(0, vM - 1) + 1 = 2(vM + S) - 1",
                                _unfold(sp.Eq(B(0, N - 1) + 1, 2 * (N + S) - 1)),
                                variant_assumptions, SMT),)),
            Variant("dropped v >= 2: the peak form with one chunk (1F1B has S - r)",
                    claims=(claim("peak_live_per_rank", peak, s),),
                    grid=Grid("interleaved", (2, 8), (2 * S,), chunks=(1,))),
            Variant("no wait for the chunk wrap: F(r, k) = max(k + r, 2k - w_r + r)",
                    claims=(claim("rank_forward_start", sp.Max(m + s, 2 * m - warmup(s) + s),
                                  s, m),), grid=INTERLEAVED_UNIT),
        ),
        notes="Proved for all S, v >= 2 and M >= S on the unit-cost closed form (Z3); that "
              "Megatron's order timed as early as possible produces it is checked on the "
              "policy tables (S <= 8, v <= 5), the integer-cost makespan and idle on the "
              "tables of INTERLEAVED_COSTS only. PyTorch's ScheduleInterleaved1F1B (two "
              "chunks) gives the same makespan and peaks for S = 2..8, M in {S, 2S, 4S, 8S} "
              "(pipeproof external torch).",
    )


def _unfold(formula: sp.Basic) -> sp.Basic:
    """``formula`` with the closed forms put in, left unevaluated (see :func:`formal`)."""
    with sp.evaluate(False):
        return op_tables.unfold(formula, forward, backward)


def _peak(peak: sp.Expr) -> sp.Basic:
    """op_tables.peak_in_flight read with the rank index k for m and vM for M."""
    return op_tables.peak_in_flight(peak, index=k, other=k2, count=total())


THEOREMS = (interleaved,)
"""Builders of the section's theorems."""
