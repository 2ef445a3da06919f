"""Theorem id -> the confirmation that measures it on executor runs: one table.

A confirmation takes the profile and the folder for its figures (None: no figures) and returns an
empirical :class:`~pipeproof.checks.verdict.Verdict`. The runner reaches this table through
:func:`pipeproof.checks.empirical.confirm`.
"""

from __future__ import annotations

from pipeproof.checks.empirical import Confirmation, lsgd_bound, staleness, throughput
from pipeproof.checks.empirical.convergence import confirm as convergence
from pipeproof.checks.empirical.convergence import confirm_exponent as exponent

CONFIRMATIONS: dict[str, Confirmation] = {
    "THR-GPIPE": throughput.confirm_gpipe,
    "THR-FLUSH": throughput.confirm_flush,
    "THR-PD": throughput.confirm_pipedream,
    "THR-PD-CLOSED": throughput.confirm_closed_form,
    "THR-LSGD": throughput.confirm_localsgd,
    "THR-COST": throughput.confirm_costs,
    "STL-PD-MATRIX": staleness.confirm_matrix,
    "STL-PD-MAX": staleness.confirm_max,
    "STL-PD-PAPER": staleness.confirm_paper,
    "STL-PD-ORDER": staleness.confirm_order,
    "STL-PD-WARMUP": staleness.confirm_warmup,
    "STL-PD-STAGE": staleness.confirm_stage,
    "STL-PD-MEAN": staleness.confirm_mean,
    "STL-PD-LAG": staleness.confirm_lag,
    "STL-PD-STASH": staleness.confirm_stash,
    "STL-SYNC": staleness.confirm_synchronous,
    "STL-2BW": staleness.confirm_two_buffer,
    "CONV-RPD": convergence.confirm_rpd,
    "CONV-TUNED": convergence.confirm_tuned,
    "CONV-BLOCK": convergence.confirm_block,
    "CONV-PD-LAG": convergence.confirm_pd_lag,
    "CONV-VAR": convergence.confirm_variance,
    "CONV-NOG": convergence.confirm_no_moment,
    "CONV-EXP": exponent.confirm_exponent,
    "CMP-LSGD-BOUND": lsgd_bound.confirm,
}
