"""The runner's units of work are small frozen records that survive the trip to a worker."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from pipeproof.checks.profiles import PROFILES
from pipeproof.checks.progress import task_theorems, task_weights
from pipeproof.checks.runner import _assemble
from pipeproof.checks.tasks import (
    SOUNDNESS,
    ClaimKey,
    EmpiricalTask,
    GridTask,
    ProofTask,
    SoundnessTask,
    grids,
    plan,
    run_task,
)
from pipeproof.checks.verdict import Status
from pipeproof.theory.catalogue import by_id

QUICK = PROFILES["quick"]


def test_tasks_are_frozen_and_pickle():
    theorem = by_id("THR-GPIPE")
    [(grid, claims), *_] = grids([theorem]).items()
    tasks = [ProofTask("THR-GPIPE", None, "symbolic", QUICK.rlimit),
             SoundnessTask("THR-GPIPE", "provenance", QUICK.rlimit),
             GridTask(grid, tuple(claims), QUICK),
             EmpiricalTask("THR-GPIPE", QUICK, None)]
    for task in tasks:
        assert dataclasses.is_dataclass(task)
        with pytest.raises(dataclasses.FrozenInstanceError):
            task.profile = None  # type: ignore[misc]
        assert pickle.loads(pickle.dumps(task)) == task
        assert task_theorems(task) == {"THR-GPIPE"}
    assert all(isinstance(key, ClaimKey) and key.theorem_id == "THR-GPIPE" for key, _ in claims)


def test_a_proof_task_and_a_grid_task_give_their_verdicts():
    theorem = by_id("THR-GPIPE")
    verdict = run_task(ProofTask("THR-GPIPE", None, "symbolic", QUICK.rlimit))
    assert verdict.method == "symbolic" and verdict.status is Status.PROVED
    grid, claims = next(iter(grids([theorem]).items()))
    verdicts = run_task(GridTask(grid, tuple(claims), QUICK))
    assert len(verdicts) == len(claims)
    statement = [v for (key, _), v in zip(claims, verdicts, strict=True) if key.variant is None]
    assert statement and all(v.status is Status.CHECKED for v in statement)


def test_a_soundness_task_runs_its_check_and_refuses_an_unknown_one():
    verdict = run_task(SoundnessTask("THR-GPIPE", "tautology", QUICK.rlimit))
    assert verdict.method == "tautology"
    with pytest.raises(ValueError, match="check must be one of"):
        SoundnessTask("THR-GPIPE", "symbolic", QUICK.rlimit)


def test_the_plan_has_every_kind_longest_first_and_weights_by_kind():
    theorems = [by_id("THR-GPIPE"), by_id("STL-PD-MAX")]
    tasks = plan(theorems, QUICK, None)
    kinds = [type(task).__name__ for task in tasks]
    order = ["EmpiricalTask", "GridTask", "SoundnessTask", "ProofTask"]
    assert sorted(kinds, key=order.index) == kinds and set(kinds) == set(order)
    checks = {(task_theorems(t).pop(), t.check) for t in tasks if isinstance(t, SoundnessTask)}
    assert checks == {(t.id, check) for t in theorems for check in SOUNDNESS}
    weights = task_weights(tasks, {})
    assert weights[0] == 20.0 and weights[-1] == 1.0
    assert {theorem_id for t in tasks for theorem_id in task_theorems(t)} == {
        "THR-GPIPE", "STL-PD-MAX"}


def test_assemble_pairs_each_task_with_its_own_result():
    theorem = by_id("THR-GPIPE")
    task = ProofTask("THR-GPIPE", None, "symbolic", QUICK.rlimit)
    verdict = run_task(task)
    [report] = _assemble([theorem], [task], [verdict])
    assert report.verdict("symbolic") is verdict
    with pytest.raises(ValueError):
        _assemble([theorem], [task], [])
    with pytest.raises(TypeError, match="not a runner task"):
        _assemble([theorem], [("proof", ("THR-GPIPE", None, "symbolic", 1))], [verdict])
