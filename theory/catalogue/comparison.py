"""Catalogue section 4: PipeDream against LocalSGD (CMP-*).

* :mod:`pipeproof.theory.catalogue.comparison_time`: CMP-TIME, slots per block update;
* :mod:`pipeproof.theory.catalogue.comparison_bound`: CMP-LSGD-BOUND, LocalSGD's nonconvex bound
  from the literature;
* :mod:`pipeproof.theory.catalogue.comparison_eps`: CMP-EPS, time to epsilon of each guarantee.

The math they share is :mod:`pipeproof.theory.comparison`.
"""

from __future__ import annotations

from pipeproof.theory.catalogue.comparison_bound import bound
from pipeproof.theory.catalogue.comparison_eps import eps_theorem
from pipeproof.theory.catalogue.comparison_time import time

THEOREMS = (time, bound, eps_theorem)
"""Builders of the section's theorems, in catalogue order."""
