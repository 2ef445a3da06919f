"""Catalogue section 3: nonconvex convergence of Randomized PipeDream (CONV-*).

The proofs are chains of scalar obligations over expectations; the quantities, the shared steps,
the lemmas and the rules the chains take without checking are in
:mod:`pipeproof.theory.catalogue.convergence.chain`. The theorems:

* :mod:`pipeproof.theory.catalogue.convergence.rpd`: CONV-RPD (the bound with D = delta^2) and
CONV-TUNED
  (tuned step size, the S^4/K stale term and the S^6 threshold);
* :mod:`pipeproof.theory.catalogue.convergence.stale_distance`: CONV-BLOCK (block counting) and
  CONV-PD-LAG (PipeDream's per-block lags), sharper window constants D;
* :mod:`pipeproof.theory.catalogue.convergence.variance`: CONV-VAR (variance form) and CONV-NOG (no
  second-moment bound), with the window sums of
  :mod:`pipeproof.theory.catalogue.convergence.windows`;
* :mod:`pipeproof.theory.catalogue.convergence.measured`: CONV-EXP (the exponent of the stale
distance in S
  measured on executor runs).
"""

from __future__ import annotations

from pipeproof.theory.catalogue.convergence.chain import (
    ASSUMPTIONS,
    CONDITIONS,
    POLARIZATION_SCALARS,
    RULES,
    WINDOW_SCALARS,
    reduce,
    sampled_descent,
)
from pipeproof.theory.catalogue.convergence.measured import exponent
from pipeproof.theory.catalogue.convergence.rpd import rpd, tuned
from pipeproof.theory.catalogue.convergence.stale_distance import block, pd_lag
from pipeproof.theory.catalogue.convergence.variance import no_moment, variance

THEOREMS = (rpd, tuned, block, pd_lag, variance, no_moment, exponent)
"""Builders of the section's theorems, in catalogue order."""

__all__ = ["ASSUMPTIONS", "CONDITIONS", "POLARIZATION_SCALARS", "RULES", "THEOREMS",
           "WINDOW_SCALARS", "reduce", "sampled_descent"]
