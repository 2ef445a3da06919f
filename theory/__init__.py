"""pipeproof.theory: what pipeproof claims about pipeline-parallel training.

The names a user needs (loaded on first use, so importing the package stays cheap):

* :func:`theorems` gives every :class:`Theorem` of the :mod:`catalogue` in catalogue order,
  :func:`by_id` one of them (any case).
* :func:`schedule_spec` validates the parameters of one schedule into a :class:`ScheduleSpec`.
* :class:`ParameterError` is raised for every bad parameter, unknown ids included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeproof.theory import catalogue
    from pipeproof.theory.catalogue import by_id
    from pipeproof.theory.catalogue import catalogue as theorems
    from pipeproof.theory.parameters import ParameterError, ScheduleSpec, schedule_spec
    from pipeproof.theory.theorem import Theorem

__all__ = ["ParameterError", "ScheduleSpec", "Theorem", "by_id", "catalogue", "schedule_spec",
           "theorems"]


def __getattr__(name: str) -> Any:
    """Load the public names on first use."""
    if name == "catalogue":
        import pipeproof.theory.catalogue

        return pipeproof.theory.catalogue
    if name == "by_id":
        from pipeproof.theory.catalogue import by_id

        return by_id
    if name == "theorems":
        from pipeproof.theory.catalogue import catalogue as theorems

        return theorems
    if name in ("ParameterError", "ScheduleSpec", "schedule_spec"):
        from pipeproof.theory.parameters import ParameterError, ScheduleSpec, schedule_spec

        return {"ParameterError": ParameterError, "ScheduleSpec": ScheduleSpec,
                "schedule_spec": schedule_spec}[name]
    if name == "Theorem":
        from pipeproof.theory.theorem import Theorem

        return Theorem
    raise AttributeError(f"module 'pipeproof.theory' has no attribute {name!r}")
