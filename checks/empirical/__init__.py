"""The empirical method: confirmations measured on executor runs, by theorem id.

A confirmation trains or replays real schedules on real objectives and compares what the theorem
speaks about with what the runs measure, within a stated tolerance. It returns a
:class:`~pipeproof.checks.verdict.Verdict` with method ``"empirical"`` and status ``confirmed``,
``refuted`` (with the run that disagrees as counterexample), ``not applicable`` (a hypothesis of
the theorem fails on the run) or ``unknown``. The table theorem id -> confirmation is
:data:`pipeproof.checks.empirical.table.CONFIRMATIONS`; :func:`load` returns it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pipeproof.checks.profiles import Profile
from pipeproof.checks.verdict import Status, Verdict

Confirmation = Callable[[Profile, Path | None], Verdict]
"""A confirmation takes the profile and the folder for its figures (None: no figures)."""


def load() -> dict[str, Confirmation]:
    """The table theorem id -> confirmation (its modules load on the first call: they import
    the executor)."""
    from pipeproof.checks.empirical.table import CONFIRMATIONS

    return CONFIRMATIONS


def confirm(theorem_id: str, profile: Profile, plots: Path | None = None) -> Verdict:
    """Run the confirmation of ``theorem_id`` (unknown when the table has none)."""
    started = time.perf_counter()
    function = load().get(theorem_id)
    if function is None:
        return Verdict("empirical", Status.UNKNOWN, time.perf_counter() - started,
                       reason=f"no confirmation registered for {theorem_id}")
    return function(profile, plots)
