"""The empirical method: confirmations measured on executor runs, by theorem id.

A confirmation trains or replays real schedules on real objectives and compares what the theorem
speaks about with what the runs measure, within a stated tolerance. It returns a
:class:`~pipeproof.checks.verdict.Verdict` with method ``"empirical"`` and status ``confirmed``,
``refuted`` (with the run that disagrees as counterexample), ``not applicable`` (a hypothesis of
the theorem fails on the run) or ``unknown``. Modules register their confirmations with
:func:`confirmation`; :func:`load` imports them.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from pathlib import Path

from pipeproof.checks.profiles import Profile
from pipeproof.checks.verdict import Status, Verdict

Confirmation = Callable[[Profile, Path | None], Verdict]
"""A confirmation takes the profile and the folder for its figures (None: no figures)."""

CONFIRMATIONS: dict[str, Confirmation] = {}
"""Theorem id -> confirmation."""

MODULES: tuple[str, ...] = ("pipeproof.checks.empirical.throughput",
                            "pipeproof.checks.empirical.staleness",
                            "pipeproof.checks.empirical.convergence.confirm",
                            "pipeproof.checks.empirical.convergence.confirm_exponent")
"""Modules that register confirmations when imported."""


def confirmation(theorem_id: str) -> Callable[[Confirmation], Confirmation]:
    """Register the decorated function as the confirmation of ``theorem_id``."""
    def register(function: Confirmation) -> Confirmation:
        CONFIRMATIONS[theorem_id] = function
        return function
    return register


def load() -> dict[str, Confirmation]:
    """Import every registering module and return the registry."""
    for module in MODULES:
        importlib.import_module(module)
    return CONFIRMATIONS


def confirm(theorem_id: str, profile: Profile, plots: Path | None = None) -> Verdict:
    """Run the confirmation of ``theorem_id`` (unknown when none is registered)."""
    started = time.perf_counter()
    function = load().get(theorem_id)
    if function is None:
        return Verdict("empirical", Status.UNKNOWN, time.perf_counter() - started,
                       reason=f"no confirmation registered for {theorem_id}")
    return function(profile, plots)
