"""The SymPy symbols of pipeproof, one per name of the parameter vocabulary.

Integer parameters carry ``integer=True``; their ranges are stated as SymPy relations in
:data:`DOMAINS` so that both the SymPy prover and the Z3 encoder read the same hypotheses.
"""

from __future__ import annotations

import sympy as sp

S = sp.Symbol("S", integer=True, positive=True)  # num_stages
M = sp.Symbol("M", integer=True, positive=True)  # num_microbatches
NOAM = sp.Symbol("NOAM", integer=True, positive=True)  # most microbatches in flight
R = sp.Symbol("R", integer=True, positive=True)  # num_runs (LocalSGD copies)
H = sp.Symbol("H", integer=True, positive=True)  # local_steps
t_F = sp.Symbol("t_F", integer=True, positive=True)  # forward_cost
t_B = sp.Symbol("t_B", integer=True, positive=True)  # backward_cost (input gradient when split)
v = sp.Symbol("v", integer=True, positive=True)  # chunks (model chunks per rank)
t_W = sp.Symbol("t_W", integer=True, positive=True)  # weight_cost (weight-gradient op)

s = sp.Symbol("s", integer=True, nonnegative=True)  # stage index (updated block)
j = sp.Symbol("j", integer=True, nonnegative=True)  # stage index (read block)
m = sp.Symbol("m", integer=True, nonnegative=True)  # microbatch index
m2 = sp.Symbol("m2", integer=True, nonnegative=True)  # a second microbatch index
t = sp.Symbol("t", integer=True, nonnegative=True)  # slot
n = sp.Symbol("n", integer=True, nonnegative=True)  # parity-split variable

PARAMETERS = (S, M, NOAM, R, H, t_F, t_B, v, t_W)
"""Grid parameters, in the order the exhaustive method binds them."""

INDICES = (s, j, m)
"""Index symbols of measured arrays."""

DOMAINS = {
    S: S >= 1,
    M: M >= 1,
    NOAM: NOAM >= 1,
    R: R >= 1,
    H: H >= 1,
    t_F: t_F >= 1,
    t_B: t_B >= 1,
    v: v >= 1,
    t_W: t_W >= 1,
    s: (s >= 0) & (s <= S - 1),
    j: (j >= 0) & (j <= S - 1),
    m: (m >= 0) & (m <= M - 1),
    m2: (m2 >= 0) & (m2 <= M - 1),
    t: t >= 0,
}
"""The range of every symbol, as a SymPy relation."""


def domain(*symbols: sp.Symbol) -> tuple[sp.Basic, ...]:
    """The domain relations of ``symbols`` (for the assumptions of an obligation)."""
    return tuple(DOMAINS[symbol] for symbol in symbols)
