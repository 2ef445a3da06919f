"""Launch the ranks of distributed jobs as local processes and collect their logs.

How: processes of the standard library's ``multiprocessing``, one per stage (not
``torch.multiprocessing``, whose additions share tensors between processes, which the ranks do
not do: so the launching process never imports PyTorch), each joining a ``torch.distributed``
process group through a TCP rendezvous on ``127.0.0.1:PORT`` (rank 0 hosts the store; no
``torchrun`` is needed). PORT is the one given, checked free before anything starts, or one the
system picks as free (port 0). The start method is ``forkserver`` where the platform has it: a
fork server started for the launch imports PyTorch and the rank code once (:data:`PRELOAD`) and
forks every rank from that clean single-threaded process, so S ranks do not each pay PyTorch's
import (about 2 s of CPU); elsewhere ``spawn``. Neither forks the launching process itself. As
with every start method but fork, a script that launches must guard its entry point with
``if __name__ == "__main__":``.

Several jobs with the same S, backend and device run one after the other in one launch (the
processes and the group are made once). The launcher watches the processes: it returns when all
have exited cleanly; when one exits with an error it stops the others and raises
:class:`DistributedError` with that rank's one-line reason; when the time is up (the jobs'
budget: ``timeout`` seconds once every rank has joined the group, after at most
:data:`STARTUP_SECONDS` of start-up) it stops them all and says how many ops each rank had run,
which tells the rank that hung from the ranks waiting for it. Stopping is SIGTERM, then SIGKILL
after two seconds, sent to the launched processes only. Ctrl-C stops them the same way.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from pipeproof.checks.distributed import rank as rank_module
from pipeproof.checks.distributed.jobs import DEFAULT_TIMEOUT, TORCH_MISSING, Job, torch_available
from pipeproof.theory.parameters import ParameterError, check_int, check_real

logger = logging.getLogger(__name__)

STARTUP_SECONDS = 60.0
"""Allowance for starting the interpreters and importing PyTorch, on top of ``timeout``."""
START_METHOD = ("forkserver" if "forkserver" in multiprocessing.get_all_start_methods()
                else "spawn")
PRELOAD = ["torch", "torch.distributed", "pipeproof.checks.distributed.rank",
           "pipeproof.checks.executor.objectives.registry"]
"""Modules the fork server imports once, so that the ranks do not import PyTorch each."""
MAX_TIMEOUT = 86400.0
POLL_SECONDS = 0.05
GRACE_SECONDS = 2.0
MESSAGE_CHARACTERS = 300
RECEIVE_MARGIN = 30.0
"""A receive inside the group waits ``timeout`` plus this long, so the launcher times out first."""


class DistributedError(RuntimeError):
    """A distributed run failed: a rank exited with an error, or the time ran out. The message
    is one line."""


def free_port(port: int = 0) -> int:
    """``port`` when it can be bound on 127.0.0.1 now, or one the system picks (port 0).

    Raises:
        ParameterError: for a port outside 0..65535 or one in use.
    """
    port = check_int("port", port, 0, 65535)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise ParameterError(f"port must be a free port (or 0 for any), got {port}: "
                                 f"{error.strerror}") from None
        return int(probe.getsockname()[1])


def check_jobs(jobs: list[Job]) -> None:
    """Jobs of one launch share S, backend and device.

    Raises:
        ParameterError: when they do not, or when there are none.
    """
    if not jobs:
        raise ParameterError("jobs must name at least one run")
    first = jobs[0]
    for job in jobs[1:]:
        if (job.num_stages, job.backend, job.device) != (first.num_stages, first.backend,
                                                         first.device):
            raise ParameterError("jobs of one launch must share num_stages, backend and device")


def launch(jobs: list[Job], port: int = 0, timeout: float = DEFAULT_TIMEOUT,
           fault: tuple[str, int, int] | None = None) -> list[list[dict[str, Any]]]:
    """Run ``jobs`` on S local processes; return, per job, the log of every rank (rank order).

    Args:
        jobs: runs with the same S, backend and device (:func:`~.jobs.make_job`).
        port: the rendezvous port (0: any free one).
        timeout: seconds for the jobs once the processes have started, and the limit of every
            receive.
        fault: (kind, rank, op) makes rank ``rank`` die, hang or raise before its op number
            ``op`` (tests of the failure paths).

    Raises:
        ParameterError: bad input (checked before any process starts), PyTorch missing.
        DistributedError: a rank failed or the time ran out (one line).
    """
    if not torch_available():
        raise ParameterError(TORCH_MISSING)
    check_jobs(jobs)
    timeout = check_real("timeout", timeout, 0.0, MAX_TIMEOUT, open_min=True)
    port = free_port(port)
    context = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":
        context.set_forkserver_preload(PRELOAD)
    stages = jobs[0].num_stages
    with tempfile.TemporaryDirectory(prefix="pipeproof-distributed-") as folder:
        progress = context.Array("q", [-1] * stages, lock=False)
        processes = [context.Process(target=rank_module.main, name=f"pipeproof-rank{rank}",
                                     args=(rank, jobs, port, timeout + RECEIVE_MARGIN, folder,
                                           progress, fault))
                     for rank in range(stages)]
        started = time.monotonic_ns()
        try:
            for process in processes:
                process.start()
            _watch(processes, Path(folder), progress, timeout)
        finally:
            _stop(processes)
        logs = [pickle.loads(rank_module.log_path(Path(folder), rank).read_bytes())
                for rank in range(stages)]
    for log in logs:
        for entry in log:
            entry["launched_ns"] = started
    return [[logs[rank][number] for rank in range(stages)] for number in range(len(jobs))]


def _watch(processes: list, folder: Path, progress: Any, timeout: float) -> None:
    """Wait until every process has exited cleanly; raise on the first failure, when start-up
    takes longer than :data:`STARTUP_SECONDS`, or ``timeout`` seconds after every rank joined."""
    deadline = time.monotonic() + STARTUP_SECONDS
    joined = False
    while True:
        codes = [process.exitcode for process in processes]
        failed = [rank for rank, code in enumerate(codes) if code not in (None, 0)]
        if failed:
            raise DistributedError(_failure(folder, failed, codes))
        if all(code == 0 for code in codes):
            return
        if not joined and min(progress) >= 0:
            joined, deadline = True, time.monotonic() + timeout
        if time.monotonic() > deadline:
            raise DistributedError(_stalled(progress, codes, joined, timeout))
        time.sleep(POLL_SECONDS)


def _stalled(progress: Any, codes: list[int | None], joined: bool, timeout: float) -> str:
    """One line on a run out of time: what each unfinished rank had done."""
    if not joined:
        late = [rank for rank, done in enumerate(progress) if done < 0]
        return (f"start-up took longer than {STARTUP_SECONDS:.0f} s: rank(s) "
                f"{', '.join(map(str, late))} had not joined the process group")
    counts = [int(done) for done in progress]
    waiting = [rank for rank, code in enumerate(codes) if code is None]
    least = min(counts[rank] for rank in waiting)
    stuck = [rank for rank in waiting if counts[rank] == least]
    states = ", ".join(f"rank {rank}: {counts[rank]} ops" for rank in waiting)
    return (f"timed out after {timeout:g} s with rank(s) {', '.join(map(str, stuck))} the "
            f"furthest behind ({states})")


def _failure(folder: Path, failed: list[int], codes: list[int | None]) -> str:
    """One line on the ranks that failed, those that wrote no reason (a crash) first."""
    parts = []
    for rank in failed:
        path = rank_module.error_path(folder, rank)
        reason = path.read_text(encoding="utf-8").strip() if path.exists() else ""
        parts.append((bool(reason), f"rank {rank} exited with code {codes[rank]}"
                      + (f": {reason}" if reason else " before finishing (no reason written)")))
    line = "; ".join(text for _, text in sorted(parts, key=lambda part: part[0]))
    return line if len(line) <= MESSAGE_CHARACTERS else line[:MESSAGE_CHARACTERS - 3] + "..."


def _stop(processes: list) -> None:
    """SIGTERM to every launched process still alive, SIGKILL after the grace period."""
    alive = [process for process in processes if process.pid is not None and process.is_alive()]
    for process in alive:
        process.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for process in alive:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(GRACE_SECONDS)
