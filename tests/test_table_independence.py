"""The closed forms of the schedule theorems are checked against tables they did not make.

A wrong closed form of PipeDream's table (THR-PD-CLOSED), put in place of the proved one in
:mod:`pipeproof.theory.schedules` (so both the theorem and the closed-form generator of
:mod:`pipeproof.checks.tables.generate` use it), must be refuted by the exhaustive method, refused
by the executor, and must not be confirmed by the empirical method; the other theorems' exhaustive
verdicts must not change, which shows their tables do not come from the closed form either.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import pipeproof.checks.exhaustive as exhaustive
from pipeproof.checks import closed_forms
from pipeproof.checks.empirical import runs as confirmations
from pipeproof.checks.empirical.throughput import confirm_closed_form
from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.run import run_method
from pipeproof.checks.executor.table_validity import InvalidTableError
from pipeproof.checks.profiles import PROFILES
from pipeproof.checks.tables import generate
from pipeproof.checks.verdict import Status
from pipeproof.theory import schedules
from pipeproof.theory.catalogue.staleness import steady_max
from pipeproof.theory.catalogue.throughput import pipedream, pipedream_closed
from pipeproof.theory.parameters import schedule_spec
from pipeproof.theory.symbols import M, S, m, s

MAX_STAGES = 6
ORIGINAL_FORWARD = schedules.pipedream_forward


def _two_ops_in_a_slot(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """F + 1: F(S - 1, m) then falls in the slot of B(S - 1, m)."""
    return ORIGINAL_FORWARD(stage, micro) + 1


def _off_by_one(stage: sp.Expr = s, micro: sp.Expr = m) -> sp.Expr:
    """F(S - 1, m) one slot early, together with F(S - 2, m)."""
    return ORIGINAL_FORWARD(stage, micro) - sp.Piecewise((1, sp.Eq(stage, S - 1)), (0, True))


WRONG_FORMS = {"two ops in one slot": _two_ops_in_a_slot, "off-by-one forward": _off_by_one}


def _put_in_place(monkeypatch: pytest.MonkeyPatch, wrong) -> None:
    """The wrong form in the theory (SymPy) and in the closed-form generator (NumPy)."""
    monkeypatch.setattr(schedules, "pipedream_forward", wrong)
    evaluate = sp.lambdify((S, M, s, m), wrong(), "numpy")

    def forward(stages: int, micro: int, stage: np.ndarray, mb: np.ndarray) -> np.ndarray:
        return np.broadcast_to(evaluate(stages, micro, stage, mb), np.broadcast(stage, mb).shape)

    monkeypatch.setitem(closed_forms.FORMS, "pipedream", (forward, closed_forms.backward))


@pytest.fixture(params=sorted(WRONG_FORMS))
def wrong_closed_form(request, monkeypatch):
    """PipeDream's forward closed form replaced by a wrong one, the run cache cleared."""
    confirmations._run.cache_clear()
    _put_in_place(monkeypatch, WRONG_FORMS[request.param])
    yield request.param
    confirmations._run.cache_clear()


def _exhaustive(theorem) -> list:
    verdicts = []
    for check in theorem.tables:
        run = exhaustive.GridRun(check.grid, [exhaustive.compile_claim(c) for c in check.claims])
        run.run(MAX_STAGES)
        verdicts += [run.verdict(state, 0.0) for state in run.claims]
    return verdicts


def _closed_form_claims(theorem) -> list:
    """The exhaustive verdicts of the claims F(s, m) = the (wrong) closed form."""
    wrong = schedules.pipedream_forward()
    verdicts = []
    for check in theorem.tables:
        claims = [c for c in check.claims if c.quantity == "forward_start" and c.formula == wrong]
        run = exhaustive.GridRun(check.grid, [exhaustive.compile_claim(c) for c in claims])
        run.run(MAX_STAGES)
        verdicts += [run.verdict(state, 0.0) for state in run.claims]
    assert verdicts
    return verdicts


def test_the_wrong_form_really_differs(wrong_closed_form) -> None:
    spec = schedule_spec("pipedream", 4, 14)
    closed = generate.op_table(spec, "closed-form")
    policy = generate.op_table(spec, "policy")
    assert (closed.forward_start != policy.forward_start).any()


def test_exhaustive_refutes_a_wrong_closed_form(wrong_closed_form) -> None:
    if wrong_closed_form == "two ops in one slot":
        # unfolded, its valid-table obligation is false: the theorem is not even built
        with pytest.raises(ValueError, match="the closed form contradicts"):
            pipedream_closed()
        return
    verdicts = _closed_form_claims(pipedream_closed())
    assert all(v.status is Status.REFUTED for v in verdicts), (
        "the exhaustive method did not compare the closed form with the simulator")
    assert verdicts[0].counterexample["quantity"] == "forward_start"
    assert all("tables from the policy simulator" in v.detail
               for v in _exhaustive(pipedream_closed()))


def test_other_exhaustive_verdicts_do_not_see_the_closed_form(wrong_closed_form) -> None:
    for theorem in (pipedream(), steady_max()):
        statuses = {v.status for v in _exhaustive(theorem)}
        assert statuses == {Status.CHECKED}, theorem.id


def test_the_guard_fails_if_the_exhaustive_method_used_the_closed_form(monkeypatch) -> None:
    """The attack the guard exists for: tables from the closed form check a wrong one."""
    _put_in_place(monkeypatch, _off_by_one)

    def closed_batch(specs):
        return [generate.op_table(spec) for spec in specs]

    monkeypatch.setattr(exhaustive, "simulate_batch", closed_batch)
    statuses = {v.status for v in _closed_form_claims(pipedream_closed())}
    assert statuses == {Status.CHECKED}


@pytest.mark.parametrize("tables", ["auto", "closed-form"])
def test_the_executor_refuses_a_wrong_closed_form(wrong_closed_form, tables) -> None:
    config = run_config("pipedream", "quadratic", 4, 14, 0.01, dim=8, num_samples=16,
                        batch_size=2, tables=tables)
    with pytest.raises(InvalidTableError) as error:
        run_method(config)
    assert error.value.rule in ("one op per stage per slot", "forward dependency")


def test_policy_tables_still_run(wrong_closed_form) -> None:
    config = run_config("pipedream", "quadratic", 4, 14, 0.01, dim=8, num_samples=16,
                        batch_size=2, tables="policy", keep_arrays=True)
    record = run_method(config)
    assert record.summary["simulated_slots"] == 2 * (14 + 4 - 1)


def test_the_empirical_confirmation_does_not_confirm_a_wrong_closed_form(
        wrong_closed_form) -> None:
    verdict = confirm_closed_form(PROFILES["quick"], None)
    assert verdict.status is Status.REFUTED
    assert verdict.counterexample["quantity"] == "forward_start"
    assert "tables from the policy simulator" in verdict.detail


def test_confirmations_on_closed_form_tables_would_not_confirm(wrong_closed_form,
                                                                monkeypatch) -> None:
    monkeypatch.setattr(confirmations, "TABLES", "closed-form")
    with pytest.raises(InvalidTableError):
        confirm_closed_form(PROFILES["quick"], None)


def test_confirmations_train_on_policy_tables() -> None:
    assert confirmations.TABLES == "policy"
    record = confirmations.run("pipedream", 2, 8)
    assert record.parameters["tables"] == "policy"
