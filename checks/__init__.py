"""pipeproof.checks: how the theorems of :mod:`pipeproof.theory` are verified.

The names a user needs (loaded on first use, so importing the package stays cheap):

* :func:`check` checks one theorem (object or id) and returns its :class:`TheoremReport`;
  :func:`run_checks` checks many under a profile of :data:`PROFILES`; a report holds
  :class:`Verdict` records with a :class:`Status`.
* :func:`op_table` generates the :class:`OpTable` of a schedule
  (:func:`pipeproof.theory.schedule_spec` builds its parameters).
* :func:`run_method` trains one method on one objective with the numeric executor, from the
  :class:`RunConfig` that :func:`run_config` validates, and returns a :class:`RunRecord`.
* :class:`ParameterError` is raised for every bad parameter, unknown ids included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeproof.checks.executor.config import RunConfig, run_config
    from pipeproof.checks.executor.record import RunRecord
    from pipeproof.checks.executor.run import run_method
    from pipeproof.checks.one_theorem import check
    from pipeproof.checks.profiles import PROFILES
    from pipeproof.checks.runner import TheoremReport, run_checks
    from pipeproof.checks.tables.generate import op_table
    from pipeproof.checks.tables.optable import OpTable
    from pipeproof.checks.verdict import Status, Verdict
    from pipeproof.theory.parameters import ParameterError

__all__ = ["PROFILES", "OpTable", "ParameterError", "RunConfig", "RunRecord", "Status",
           "TheoremReport", "Verdict", "check", "op_table", "run_checks", "run_config",
           "run_method"]


def __getattr__(name: str) -> Any:
    """Load the public names on first use."""
    if name == "check":
        from pipeproof.checks.one_theorem import check
        return check
    if name in ("TheoremReport", "run_checks"):
        from pipeproof.checks.runner import TheoremReport, run_checks
        return {"TheoremReport": TheoremReport, "run_checks": run_checks}[name]
    if name in ("Status", "Verdict"):
        from pipeproof.checks.verdict import Status, Verdict
        return {"Status": Status, "Verdict": Verdict}[name]
    if name == "PROFILES":
        from pipeproof.checks.profiles import PROFILES
        return PROFILES
    if name == "op_table":
        from pipeproof.checks.tables.generate import op_table
        return op_table
    if name == "OpTable":
        from pipeproof.checks.tables.optable import OpTable
        return OpTable
    if name in ("RunConfig", "run_config"):
        from pipeproof.checks.executor.config import RunConfig, run_config
        return {"RunConfig": RunConfig, "run_config": run_config}[name]
    if name == "run_method":
        from pipeproof.checks.executor.run import run_method
        return run_method
    if name == "RunRecord":
        from pipeproof.checks.executor.record import RunRecord
        return RunRecord
    if name == "ParameterError":
        from pipeproof.theory.parameters import ParameterError
        return ParameterError
    raise AttributeError(f"module 'pipeproof.checks' has no attribute {name!r}")
