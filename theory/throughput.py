"""Makespan, idle time and bubbles of pipeline schedules, as SymPy expressions.

* Fill-drain and 1F1B schedules of M microbatches on S stages take
  T = (t_F + t_B)(M + S - 1) slots; each stage idles (t_F + t_B)(S - 1) of them, so the
  bubble fraction is (S - 1)/(M + S - 1) (Huang et al. 2019; Narayanan et al. 2021).
  No schedule can do better: the last stage starts after (S - 1) t_F slots, works M (t_F + t_B)
  slots, and its last backward still has S - 1 stages to cross.
* PipeDream in steady state finishes one microbatch per t_F + t_B slots and so applies
  S block updates every t_F + t_B slots.
* LocalSGD with R copies, H local steps and a hard barrier: a round of R H microbatches takes
  (t_F + t_B)[max(R, S) H + min(R, S) - 1] slots. With R = S the idle fraction is
  (S - 1)/(S H + S - 1) and the time per block update exceeds PipeDream's by the bubble factor
  beta = 1 + (S - 1)/(S H).
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.symbols import H, M, R, S, t_B, t_F


def fill_drain_makespan(micro: sp.Expr = M) -> sp.Expr:
    """T = (t_F + t_B)(M + S - 1)."""
    return (t_F + t_B) * (micro + S - 1)


def fill_drain_idle() -> sp.Expr:
    """Idle slots per stage, (t_F + t_B)(S - 1)."""
    return (t_F + t_B) * (S - 1)


def bubble_fraction() -> sp.Expr:
    """(S - 1)/(M + S - 1)."""
    return (S - 1) / (M + S - 1)


def idle_from_makespan(makespan: sp.Expr, micro: sp.Expr = M) -> sp.Expr:
    """Idle slots of a stage that works M (t_F + t_B) of ``makespan`` slots."""
    return makespan - micro * (t_F + t_B)


def localsgd_round_time(runs: sp.Expr = R) -> sp.Expr:
    """(t_F + t_B)[max(R, S) H + min(R, S) - 1] slots per round."""
    return (t_F + t_B) * (sp.Max(runs, S) * H + sp.Min(runs, S) - 1)


def localsgd_idle_fraction() -> sp.Expr:
    """Idle fraction of a LocalSGD round with R = S: (S - 1)/(S H + S - 1)."""
    return (S - 1) / (S * H + S - 1)


def localsgd_bubble_factor() -> sp.Expr:
    """beta = 1 + (S - 1)/(S H): LocalSGD (R = S) time per block update over PipeDream's."""
    return 1 + (S - 1) / (S * H)


def pipedream_time_per_update() -> sp.Expr:
    """(t_F + t_B)/S slots per block update in steady state."""
    return (t_F + t_B) / S


def localsgd_time_per_update() -> sp.Expr:
    """Round time over the R H S block updates of a round, with R = S."""
    return localsgd_round_time(S) / (S * H * S)
