"""The NumPy closed forms equal the SymPy statements of :mod:`pipeproof.theory.schedules` on a grid,
and the tables and views built from them are computed once and without SymPy."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from pipeproof.checks import closed_forms, profiles
from pipeproof.checks.provers import smt
from pipeproof.checks.tables import delays
from pipeproof.checks.tables.generate import closed_form_table
from pipeproof.checks.tables.measures import TableView
from pipeproof.theory import schedules
from pipeproof.theory.parameters import schedule_spec
from pipeproof.theory.symbols import M, S, m, s

SYMPY_FORMS = {"pipedream": (schedules.pipedream_forward, schedules.pipedream_backward),
               "flush": (schedules.flush_forward, schedules.flush_backward)}


def mismatches(name: str, forms: tuple) -> list[tuple[int, ...]]:
    """(which, S, M, s, m) where a NumPy form differs from SymPy's value of the statement."""
    found = []
    for which, (numpy_form, sympy_form) in enumerate(zip(forms, SYMPY_FORMS[name],
                                                         strict=True)):
        expression = sympy_form()
        for stages in range(1, 8):
            for micro in (1, 2, stages, 2 * stages + 1, 3 * stages + 4):
                values = np.broadcast_to(numpy_form(stages, micro, np.arange(stages)[:, None],
                                                    np.arange(micro)[None, :]), (stages, micro))
                for row in range(stages):
                    for column in range(micro):
                        exact = expression.subs({S: stages, M: micro, s: row, m: column})
                        if int(values[row, column]) != int(sp.Integer(exact)):
                            found.append((which, stages, micro, row, column))
    return found


@pytest.mark.parametrize("name", sorted(closed_forms.FORMS))
def test_numpy_forms_equal_the_sympy_statement(name: str) -> None:
    assert mismatches(name, closed_forms.FORMS[name]) == []


def test_a_wrong_numpy_form_is_caught() -> None:
    def warmup_one_late(stages: int, micro: int, stage: np.ndarray, index: np.ndarray):
        right = closed_forms.pipedream_forward(stages, micro, stage, index)
        return right + ((index < stages) & (stage == stages - 1))
    wrong = (warmup_one_late, closed_forms.backward)
    assert mismatches("pipedream", wrong)


def test_block_counts_are_computed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = delays.block_counts

    def counted(*args: object) -> object:
        calls.append(args)
        return real(*args)
    monkeypatch.setattr(delays, "block_counts", counted)
    view = TableView(closed_form_table(schedule_spec("pipedream", 6, 30)))
    lags, held = view.lags, view.held
    assert len(calls) == 1
    index = view.index("C1")
    assert np.array_equal(lags, delays.version_lags(view.table, index))
    assert np.array_equal(held, delays.stashed_versions_at_forwards(view.table, index))


def test_profiles_use_the_solvers_default_budget() -> None:
    assert profiles.DEFAULT_RLIMIT == smt.DEFAULT_RLIMIT
