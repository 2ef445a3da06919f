"""Check one theorem: the call behind ``pipeproof show`` for use from Python.

    >>> from pipeproof.checks import check
    >>> report = check("THR-GPIPE", profile="quick")
    >>> report.status.value, report.as_expected
    ('proved', True)
"""

from __future__ import annotations

from pathlib import Path

from pipeproof.checks.profiles import PROFILES, Profile
from pipeproof.checks.runner import TheoremReport, run_checks
from pipeproof.theory.catalogue import by_id
from pipeproof.theory.parameters import ParameterError, check_choice
from pipeproof.theory.theorem import Theorem


def check(theorem: Theorem | str, profile: Profile | str = "default",
          plots: Path | None = None) -> TheoremReport:
    """Check ``theorem`` (a :class:`~pipeproof.theory.theorem.Theorem` or a catalogue id, any
    case) by every method that applies, and its wrong variants; return its report.

    Raises:
        ParameterError: for an unknown theorem id or profile name, or a ``theorem`` that is
            neither a theorem nor an id.
    """
    if isinstance(theorem, str):
        theorem = by_id(theorem)
    elif not isinstance(theorem, Theorem):
        raise ParameterError(f"theorem must be a Theorem or a theorem id, got {theorem!r}")
    if not isinstance(profile, Profile):
        profile = PROFILES[check_choice("profile", profile, tuple(PROFILES))]
    [report] = run_checks([theorem], profile, plots=plots)
    return report
