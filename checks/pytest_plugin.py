"""pytest plugin: every catalogue theorem as test items, one per method, obligation and variant.

Installed with pipeproof (entry point ``pytest11``), it collects nothing until asked::

    pytest --pyargs pipeproof -k STL-PD-MAX              # that theorem's items
    pytest --pyargs pipeproof -k "STL-PD-MAX and smt"    # one method
    pytest --pyargs pipeproof --pipeproof-profile quick  # every theorem, quick profile

``--pyargs pipeproof`` makes pytest collect the installed package's folder; there the plugin
turns ``pipeproof/__init__.py`` into one collector per theorem (named by its id) with the items
of :func:`pipeproof.checks.testing.item_names`: ``status``, each method (``symbolic``, ``smt``,
``exhaustive``, ``empirical``, ``coverage``, ``provenance``, ``tautology``), ``obligation[N]``
and ``variant[N]``. The items of one theorem share one check of it (run by the first item
selected), so selecting one method still checks the whole theorem once. An item fails when its
status is not the expected one (:func:`pipeproof.checks.testing.judge`); a soundness item of a
theorem whose proof is known to be open is an expected failure (xfail).

Importing this module imports only pytest and the standard library, and a session that does not
collect the pipeproof package collects nothing from it, so the plugin costs nothing elsewhere.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PROFILE_OPTION = "--pipeproof-profile"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--pipeproof-profile``: the profile of the theorem items."""
    group = parser.getgroup("pipeproof", "pipeproof theorem items (pytest --pyargs pipeproof)")
    group.addoption(PROFILE_OPTION, default="default", choices=("quick", "default", "thorough"),
                    help="check profile of the theorem items (default: default)")


@functools.cache
def _root_init() -> Path | None:
    """The ``__init__.py`` of the installed pipeproof root package (no import of pipeproof)."""
    import importlib.util

    spec = importlib.util.find_spec("pipeproof")
    return Path(spec.origin).resolve() if spec is not None and spec.origin else None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """The theorem items, when pytest collects the pipeproof root package's ``__init__.py``."""
    if file_path.name != "__init__.py" or file_path.resolve() != _root_init():
        return None
    return Catalogue.from_parent(parent, path=file_path)


class Catalogue(pytest.File):
    """Every catalogue theorem, one collector each."""

    def collect(self) -> Iterator[pytest.Collector]:
        from pipeproof.theory.catalogue import catalogue

        for theorem in catalogue():
            yield TheoremItems.from_parent(self, name=theorem.id, theorem_id=theorem.id)


class TheoremItems(pytest.Collector):
    """One theorem's items, sharing one check of it."""

    def __init__(self, *, theorem_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.theorem_id = theorem_id
        self._report: Any = None

    def collect(self) -> Iterator[pytest.Item]:
        from pipeproof.checks.testing import item_names
        from pipeproof.theory.catalogue import by_id

        for name in item_names(by_id(self.theorem_id)):
            yield TheoremItem.from_parent(self, name=name)

    def report(self) -> Any:
        """The theorem's report, checked once (the profile of ``--pipeproof-profile``)."""
        if self._report is None:
            from pipeproof.checks.one_theorem import check

            profile = self.config.getoption(PROFILE_OPTION)
            self._report = check(self.theorem_id, profile)
        return self._report


class TheoremItem(pytest.Item):
    """One expectation of one theorem (see :func:`pipeproof.checks.testing.judge`)."""

    def runtest(self) -> None:
        from pipeproof.checks.testing import judge

        outcome = judge(self.parent.report(), self.name)
        if outcome.passed:
            return
        if outcome.expected_failure:
            pytest.xfail(outcome.message)
        raise TheoremExpectationError(outcome.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, TheoremExpectationError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.parent.name}::{self.name}"


class TheoremExpectationError(AssertionError):
    """A status that is not the expected one."""
