"""Activation and weight memory of pipeline schedules, as SymPy expressions.

* In flight at stage s: microbatches whose forward on s has started and whose backward on s has
  not ended (their activations are live). GPipe holds all M; 1F1B with a flush at most
  min(S - s, M) (Narayanan et al. 2021); PipeDream with NOAM = S holds S - s in steady state but
  up to min(S, 2(S - s) - 1) during the warm-up, when stage s forwards back to back.
* Stashed weight versions at stage s (PipeDream's weight stashing, Harlap et al. 2018): in steady
  state every microbatch in flight read a different version, so S - s versions, S(S + 1)/2
  stage-weight copies in all. Synchronous schedules hold one version per model copy.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.symbols import M, S, s


def gpipe_peak_in_flight() -> sp.Expr:
    """M: every forward runs before the first backward."""
    return M


def flush_peak_in_flight(stage: sp.Expr = s) -> sp.Expr:
    """min(S - s, M)."""
    return sp.Min(S - stage, M)


def pipedream_steady_in_flight(stage: sp.Expr = s) -> sp.Expr:
    """S - s microbatches in flight at stage s in steady state."""
    return S - stage


def pipedream_peak_in_flight(stage: sp.Expr = s) -> sp.Expr:
    """min(S, 2(S - s) - 1, M): the warm-up peak at stage s."""
    return sp.Min(S, 2 * (S - stage) - 1, M)


def stashed_versions(stage: sp.Expr = s) -> sp.Expr:
    """S - s weight versions at stage s in steady state."""
    return S - stage


def stashed_total() -> sp.Expr:
    """S(S + 1)/2 stage-weight copies over all stages."""
    return S * (S + 1) / 2
