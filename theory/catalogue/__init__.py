"""The catalogue: every theorem pipeproof states, built once, in catalogue order."""

from __future__ import annotations

from functools import cache

from pipeproof.theory.catalogue import (
    comparison,
    convergence,
    later_schedules,
    staleness,
    throughput,
)
from pipeproof.theory.parameters import ParameterError
from pipeproof.theory.theorem import Theorem

SECTIONS = (throughput, staleness, convergence, comparison, later_schedules)


@cache
def catalogue() -> tuple[Theorem, ...]:
    """All theorems, section by section."""
    return tuple(build().undecided() for section in SECTIONS for build in section.THEOREMS)


def by_id(theorem_id: str) -> Theorem:
    """The theorem with ``theorem_id`` (case-insensitive).

    Raises:
        ParameterError: naming the unknown id and the known ones.
    """
    for theorem in catalogue():
        if theorem.id.lower() == theorem_id.lower():
            return theorem
    known = ", ".join(theorem.id for theorem in catalogue())
    raise ParameterError(f"unknown theorem id {theorem_id!r}; known ids: {known}")
