"""PipeDream and 1F1B with a flush on torch.distributed processes: programs, input checks, one
S = 4 launch judged against the executor and the theorems, edits of its logs that the judgement
must catch, and ranks that die or hang."""

from __future__ import annotations

import copy
import socket
import time

import numpy as np
import pytest

from pipeproof.checks.distributed import jobs as jobs_module
from pipeproof.checks.distributed.jobs import make_job, program, table
from pipeproof.checks.tasks import DistributedTask, plan
from pipeproof.checks.verdict import Status
from pipeproof.theory.parameters import ParameterError

HAS_TORCH = jobs_module.torch_available()
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")


@needs_torch
@pytest.mark.parametrize(("schedule", "micro", "steps"), [("pipedream", 11, 1), ("flush", 9, 3)])
def test_every_rank_runs_its_column_of_the_policy_table_in_slot_order(schedule, micro, steps):
    job = make_job(3, "quadratic", schedule, micro)
    rounds = table(job)
    for stage in range(3):
        ops = program(job, stage)
        forwards = [op for op in ops if op[0] == "F"]
        assert [op[2] for op in forwards] == list(range(micro))
        assert sorted(op[2] for op in ops if op[0] == "B") == list(range(micro))
        assert [op[1] for op in forwards][: rounds.num_microbatches] == \
            rounds.forward_start[stage].tolist()
        assert sum(op[0] == "U" for op in ops) == (steps if schedule == "flush" else 0)
        slots = [op[1] for op in ops]
        assert slots == sorted(slots)


@needs_torch
@pytest.mark.parametrize(("arguments", "flag"), [
    ({"stages": 1}, "num_stages"), ({"stages": 33}, "num_stages"),
    ({"stages": 2, "schedule": "gpipe"}, "schedule"),
    ({"stages": 2, "objective": "transformer"}, "objective"),
    ({"stages": 2, "backend": "nccl"}, "backend nccl needs device cuda"),
    ({"stages": 2, "step_size": 0.0}, "step_size"),
    ({"stages": 2, "schedule": "flush", "microbatches": 3}, "num_microbatches"),
    ({"stages": 8, "dim": 4}, "num_stages must be at most dim"),
])
def test_bad_input_is_refused_with_the_parameter(arguments, flag):
    with pytest.raises(ParameterError, match=flag):
        make_job(**arguments)


def test_missing_torch_names_the_extra(monkeypatch):
    monkeypatch.setattr(jobs_module, "torch_available", lambda: False)
    with pytest.raises(ParameterError, match=r"pipeproof\[torch\]"):
        make_job(4)


def test_a_port_in_use_is_refused():
    from pipeproof.checks.distributed.launch import free_port

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        with pytest.raises(ParameterError, match=f"port must be a free port.*{port}"):
            free_port(port)
    assert free_port(0) > 0


@needs_torch
def test_the_command_refuses_bad_input_in_one_line(capsys):
    from pipeproof.checks.cli.main import main

    assert main(["distributed", "--stages", "1"]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "--stages must be an integer in 2..32" in error


@pytest.mark.parametrize(("profile", "torch", "planned"), [
    ("thorough", True, True), ("thorough", False, False), ("default", True, False),
    ("quick", True, False)])
def test_the_runner_plans_distributed_runs_only_in_thorough_with_torch(monkeypatch, profile,
                                                                        torch, planned):
    from pipeproof.checks.profiles import PROFILES
    from pipeproof.theory.catalogue import by_id

    monkeypatch.setattr(jobs_module, "torch_available", lambda: torch)
    theorems = [by_id("STL-PD-LAG"), by_id("THR-GPIPE"), by_id("STL-SYNC")]
    tasks = [task for task in plan(theorems, PROFILES[profile], None)
             if isinstance(task, DistributedTask)]
    assert tasks == ([DistributedTask(("STL-PD-LAG", "STL-SYNC"))] if planned else [])


@pytest.fixture(scope="module")
def launched():
    """One launch of S = 4 processes: PipeDream on the MLP, the flush for one step on the
    quadratic, and for three steps on the logistic objective."""
    if not HAS_TORCH:
        pytest.skip("PyTorch is not installed")
    from pipeproof.checks.distributed.launch import launch

    jobs = [make_job(4, "mlp", "pipedream"),
            make_job(4, "quadratic", "flush", 9, accumulation=9),
            make_job(4, "logistic", "flush")]
    started = time.perf_counter()
    logs = launch(jobs)
    return jobs, logs, time.perf_counter() - started


@pytest.fixture(scope="module")
def outcomes(launched):
    from pipeproof.checks.distributed.confirm import outcome

    jobs, logs, _ = launched
    return [outcome(job, entry) for job, entry in zip(jobs, logs, strict=True)]


def test_four_processes_agree_with_the_executor_and_the_theorems(launched, outcomes):
    from pipeproof.checks.distributed.confirm import CHECKS, TOLERANCE, judge

    assert launched[2] < 60
    pids = {log["pid"] for log in launched[1][0]}
    assert len(pids) == 4
    for result in outcomes:
        assert result.mismatched == ()
        assert result.trajectory_difference <= TOLERANCE
        assert result.point_difference <= TOLERANCE
    pipedream = outcomes[0].record.measurements["steady"]
    assert pipedream["held_versions_per_stage"] == [4, 3, 2, 1]
    assert pipedream["lag_min_per_stage"] == pipedream["lag_max_per_stage"] == [3, 2, 1, 0]
    assert pipedream["C1"]["max"] == 16 - 2
    for theorem_id in CHECKS:
        verdict = judge(theorem_id, outcomes)
        assert verdict.status is Status.CONFIRMED, (theorem_id, verdict.counterexample)
        assert verdict.method == "distributed"


def test_each_rank_updates_only_its_block_in_its_own_order(outcomes):
    result = outcomes[0]
    for log in result.logs:
        updates = [op for op in log["ops"] if "new_version" in op]
        assert [op["new_version"] for op in updates] == list(range(1, 15))
        assert len(log["versions"]) == 15
        assert [op["micro"] for op in updates] == list(range(14))
    stages = [update.stage for update in result.merged.updates]
    assert sorted(stages) == sorted(list(range(4)) * 14)


def test_a_multi_step_flush_is_outside_stl_sync_and_shows_the_c0_step_boundary(outcomes):
    from pipeproof.checks.distributed.confirm import judge

    three_steps = outcomes[2]
    assert three_steps.inconsistent_reads == {"C1": 0, "C0": 2}
    assert judge("STL-SYNC", [three_steps]).status is Status.NOT_APPLICABLE
    assert outcomes[1].inconsistent_reads == {"C1": 0, "C0": 0}


def _judged(launched, edit, index=0):
    from pipeproof.checks.distributed.confirm import CHECKS, judge, outcome

    jobs, logs, _ = launched
    edited = copy.deepcopy(logs[index])
    edit(edited)
    result = outcome(jobs[index], edited)
    return result, {theorem_id: judge(theorem_id, [result]) for theorem_id in CHECKS
                    if CHECKS[theorem_id][0] == jobs[index].schedule}


def _first(log, kind, micro):
    return next(op for op in log["ops"] if op["op"] == kind and op["micro"] == micro)


def test_a_forward_that_read_a_newer_version_is_caught(launched):
    result, verdicts = _judged(launched, lambda logs: _first(logs[2], "F", 7).update(
        version=_first(logs[2], "F", 7)["version"] + 1))
    assert "read_version" in result.mismatched and result.inconsistent_reads["C1"] == 1
    assert all(verdict.status is Status.REFUTED for verdict in verdicts.values())


def test_a_stage_that_held_one_version_more_is_caught(launched):
    result, verdicts = _judged(launched, lambda logs: _first(logs[0], "F", 8).update(held=5))
    assert result.mismatched == ("held",)
    assert verdicts["STL-PD-STASH"].counterexample["quantity"] == "per-op measurements that " \
        "differ from the executor's"


def test_an_update_off_in_the_sixth_digit_is_caught(launched):
    def nudge(logs):
        logs[1]["versions"] = logs[1]["versions"].copy()
        logs[1]["versions"][5] += 1e-6
    result, verdicts = _judged(launched, nudge)
    assert result.mismatched == () and result.trajectory_difference > 1e-9
    assert verdicts["STL-PD-LAG"].status is Status.REFUTED


def test_a_flush_that_a_stage_applied_late_is_caught(launched):
    def late(logs):
        flush = next(op for op in logs[3]["ops"] if op["op"] == "U")
        flush["lags"] = [1] * len(flush["lags"])
    result, verdicts = _judged(launched, late, index=1)
    assert "lag" in result.mismatched
    assert verdicts["STL-SYNC"].status is Status.REFUTED


def test_the_wrong_theorem_is_refuted_by_the_same_measurements(outcomes):
    from pipeproof.checks.empirical.runs import Comparison

    comparison = Comparison()
    measured = outcomes[0].record.measurements["steady"]["C1"]["max"]
    comparison.check("paper's S^2 - S/2 read exactly, S = 4", measured, 16 - 2 + 0.5)
    assert comparison.counterexample is not None
    assert np.isclose(comparison.counterexample["measured"], 14)


@needs_torch
@pytest.mark.parametrize(("fault", "expected"), [
    (("die", 1, 2), "rank 1 exited with code 3 before finishing"),
    (("raise", 0, 3), "rank 0 exited with code 1: RankError"),
    (("hang", 1, 2), r"timed out after 3 s with rank\(s\) 1 the furthest behind"),
])
def test_a_rank_that_dies_or_hangs_ends_the_launch_in_one_line(fault, expected):
    import multiprocessing

    from pipeproof.checks.distributed.launch import DistributedError, launch

    started = time.perf_counter()
    with pytest.raises(DistributedError, match=expected) as caught:
        launch([make_job(2, "quadratic", "pipedream")], timeout=3, fault=fault)
    assert "\n" not in str(caught.value)
    assert time.perf_counter() - started < 60
    assert not [child for child in multiprocessing.active_children()
                if child.name.startswith("pipeproof-rank")]


@needs_torch
def test_the_command_runs_confirms_and_writes_the_document(tmp_path, capsys):
    import json

    from pipeproof.checks.cli.main import main

    path = tmp_path / "run.json"
    assert main(["distributed", "--stages", "2", "--objective", "logistic", "--out",
                 str(path)]) == 0
    printed = capsys.readouterr().out
    assert "STL-PD-LAG     confirmed" in printed and printed.rstrip().endswith(
        "OK: the run agrees with the executor and the theorems")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["ok"] and document["num_stages"] == 2 and document["num_microbatches"] == 8
    assert [stage["versions"] for stage in document["stages"]] == [9, 9]
    assert len(document["update_order"]) == 16 == len(document["traces"]["gap"]) - 1
    assert document["executor_agreement"]["trajectory_max_relative_difference"] <= 1e-9


@pytest.mark.slow
@needs_torch
def test_the_distributed_benchmark_writes_its_results(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "distributed_check.py"
    done = subprocess.run([sys.executable, str(script), "--stages", "2", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    document = json.loads((tmp_path / "distributed_check-cpu-gloo.json").read_text())
    assert document["ok"] and len(document["runs"]) == 9
    assert {entry["status"] for entry in document["verdicts"].values()} == {"confirmed"}
