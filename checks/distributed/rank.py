"""The process of one pipeline stage: rank s holds block s and runs its column of the op table.

Every rank builds the run's objective and data from the seed, exactly as the executor does
(:func:`pipeproof.checks.executor.run.run_method`: the seed's generator split into a data stream
and a run stream, the run stream into rows and noise), and draws the rows and noise of every
microbatch in order, so all ranks and the executor see the same minibatches. Then, for each op:

* F(s, m): read the current weights from the :class:`WeightStash` (stage 0 starts from the rows,
  stage s > 0 receives the activation of stage s - 1), run the stage, send the activation on
  (the last stage keeps its output for the loss);
* B(s, m): receive the gradient of the activation from stage s + 1 (the last stage takes the
  loss gradient), take from the stash the very weights F(s, m) read (version and tensor, checked),
  compute the weight gradient and the gradient for stage s - 1 and send it back; PipeDream then
  updates x_s <- x_s - gamma g at once, the flush adds g to the step's sum;
* U (flush): x_s <- x_s - (gamma/A) sum g, one slot after the step's last op.

Sends are ``isend`` (a blocking send could deadlock two neighbours that send to each other in
the same slot); each message is a header (number of dimensions and shape) and the float64
payload, tagged by microbatch. With gloo and CUDA arithmetic, tensors go through the host.
Receives wait at most the process group's timeout, set beyond the launcher's, so that the
launcher, which sees every rank's progress (ops done, in shared memory), is the one that reports
a hang. The rank logs every op with its
slot, the version it read or used, the versions held, the activations kept and its wall-clock
interval, and keeps every version of its block.
"""

from __future__ import annotations

import logging
import os
import pickle
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from pipeproof.checks.distributed.jobs import Job, program

logger = logging.getLogger(__name__)

FAULTS = ("die", "hang", "raise")
"""Faults a rank can be told to have before an op (for the launcher's tests)."""


class RankError(RuntimeError):
    """A rank found its run inconsistent (a stash mismatch, a message of the wrong shape)."""


def log_path(folder: Path, rank: int) -> Path:
    return folder / f"rank{rank}.pkl"


def error_path(folder: Path, rank: int) -> Path:
    return folder / f"rank{rank}.error"


def main(rank: int, jobs: list[Job], port: int, timeout: float, folder: str,
         progress: Any, fault: tuple[str, int, int] | None = None) -> None:
    """Entry point of a rank process: run every job, write the logs, exit 1 on any failure
    (with one line in ``rank<r>.error``). ``progress[rank]`` is -1 until the rank has joined
    the group, then the number of ops it has run."""
    path = Path(folder)
    entered = time.monotonic_ns()
    try:
        logs = run_jobs(rank, jobs, port, timeout, progress, fault)
        for log in logs:
            log["entered_ns"] = entered
        temporary = path / f".rank{rank}.tmp"
        temporary.write_bytes(pickle.dumps(logs))
        os.replace(temporary, log_path(path, rank))
    except BaseException as error:  # every failure ends the process with its one line
        line = " ".join(f"{type(error).__name__}: {error}".split())
        error_path(path, rank).write_text(line[:500] + "\n", encoding="utf-8")
        os._exit(1)
    os._exit(0)  # the log is written; skip the interpreter's slow teardown of PyTorch


def run_jobs(rank: int, jobs: list[Job], port: int, timeout: float, progress: Any,
             fault: tuple[str, int, int] | None) -> list[dict[str, Any]]:
    """Join the process group, run ``jobs`` one after the other, leave the group."""
    import torch
    import torch.distributed as dist

    imported = time.monotonic_ns()
    torch.set_num_threads(1)
    first = jobs[0]
    device = "cpu"
    if first.device == "cuda":
        torch.cuda.set_device(rank % torch.cuda.device_count())
        device = "cuda"
    dist.init_process_group(first.backend, init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=first.num_stages, timeout=timedelta(seconds=timeout))
    joined = time.monotonic_ns()
    progress[rank] = 0
    try:
        logs = []
        for number, job in enumerate(jobs):
            stage = Stage(job, rank, device, fault if fault and fault[1] == rank else None,
                          number, progress)
            logs.append(stage.run())
            logs[-1].update(imported_ns=imported, joined_ns=joined)
        dist.barrier()
    finally:
        dist.destroy_process_group()
    return logs


class Stage:
    """Rank ``rank`` of one job: its block, stash, messages and log."""

    def __init__(self, job: Job, rank: int, device: str, fault: tuple[str, int, int] | None,
                 number: int, progress: Any) -> None:
        import torch

        from pipeproof.checks.executor.backend import TorchBackend
        from pipeproof.checks.executor.methods.stash import WeightStash
        from pipeproof.checks.executor.objectives.registry import build_objective
        from pipeproof.checks.executor.sampler import streams

        self.torch = torch
        self.job, self.rank, self.fault, self.progress = job, rank, fault, progress
        self.last = rank == job.num_stages - 1
        self.host = job.backend == "gloo" and device != "cpu"
        self.tag_base = number << 24
        config = job.config
        data, rest = np.random.default_rng(config.seed).spawn(2)
        self.backend = TorchBackend(device)
        self.objective = build_objective(config, self.backend, data)
        sampler, noise, _ = streams(self.backend, self.objective.num_samples, config.batch_size,
                                    config.noise, rest)
        self.rows = [sampler.draw() for _ in range(config.num_microbatches)]
        self.noise = [noise.draw(self.objective.dim) for _ in range(config.num_microbatches)]
        block = self.objective.initial_point()[self.objective.blocks[rank]]
        self.stash = WeightStash(block.clone())
        self.versions = [self.backend.to_numpy(block).copy()]
        self.ops: list[dict[str, Any]] = []
        self.pending: list[tuple[Any, ...]] = []
        self.kept: dict[int, tuple[int, Any, float, Any, Any]] = {}
        self.read: dict[int, int] = {}
        self.total: Any = None
        self.step_micro: list[int] = []
        self.in_flight = 0

    def run(self) -> dict[str, Any]:
        """Run the program; return the log."""
        started = time.perf_counter()
        ready = time.monotonic_ns()
        for number, (kind, slot, micro) in enumerate(program(self.job, self.rank)):
            if self.fault is not None and number == self.fault[2]:
                self._fail(self.fault[0])
            begin = time.monotonic_ns()
            entry = {"B": self._backward, "F": self._forward, "U": self._flush}[kind](micro)
            entry.update(op=kind, slot=slot, start_ns=begin, end_ns=time.monotonic_ns())
            self.ops.append(entry)
            self.progress[self.rank] += 1
        for work, *_ in self.pending:
            work.wait()
        self.pending.clear()
        self.backend.synchronize()
        return {"rank": self.rank, "ops": self.ops, "versions": np.stack(self.versions),
                "seconds": time.perf_counter() - started, "ready_ns": ready,
                "device": self.backend.describe(), "pid": os.getpid()}

    def _fail(self, kind: str) -> None:
        if kind == "die":
            os._exit(3)
        if kind == "hang":
            time.sleep(3600)
        raise RankError(f"rank {self.rank} was told to fail")

    def _forward(self, micro: int) -> dict[str, Any]:
        objective = self.objective
        version, weights = self.stash.read(micro)
        inputs = self._receive(self.rank - 1, 2 * micro) if self.rank else None
        output, cache = objective.stage_forward(self.rank, weights, inputs, self.rows[micro])
        fingerprint = float(weights @ weights)
        if self.last:
            self.kept[micro] = (version, weights, fingerprint, cache, output)
        else:
            self.kept[micro] = (version, weights, fingerprint, cache, None)
            self._send(output, self.rank + 1, 2 * micro)
        self.read[micro] = version
        self.in_flight += 1
        return {"micro": micro, "version": version, "held": self.stash.held(),
                "in_flight": self.in_flight}

    def _backward(self, micro: int) -> dict[str, Any]:
        objective, rows = self.objective, self.rows[micro]
        version, used, fingerprint, cache, output = self.kept.pop(micro)
        if self.last:
            grad_outputs = objective.loss_gradient(output, rows)
        else:
            grad_outputs = self._receive(self.rank + 1, 2 * micro + 1)
        taken, weights = self.stash.take(micro)
        if taken != version or weights is not used or float(weights @ weights) != fingerprint:
            raise RankError(f"B({self.rank}, {micro}) would use weight version {taken}, but "
                            f"F({self.rank}, {micro}) used version {version}")
        grad, grad_inputs = objective.stage_backward(self.rank, weights, cache, grad_outputs,
                                                     rows)
        if self.rank:
            self._send(grad_inputs, self.rank - 1, 2 * micro + 1)
        self.in_flight -= 1
        noise = self.noise[micro]
        if noise is not None:
            grad = grad + noise[objective.blocks[self.rank]]
        entry = {"micro": micro, "version": version}
        if self.job.schedule == "pipedream":
            entry["lag"] = self.stash.version - version
            self._replace(-self.job.config.step_size * grad)
            entry["new_version"] = self.stash.version
        else:
            self.total = grad if self.total is None else self.total + grad
            self.step_micro.append(micro)
        return entry

    def _flush(self, step: int) -> dict[str, Any]:
        config = self.job.config
        grad = self.total / config.accumulation
        lags = [self.stash.version - self.read.pop(micro) for micro in self.step_micro]
        self._replace(-config.step_size * grad)
        entry = {"step": step, "micros": list(self.step_micro), "lags": lags,
                 "new_version": self.stash.version}
        self.total, self.step_micro = None, []
        return entry

    def _replace(self, delta: Any) -> None:
        self.stash.replace(self.stash.current + delta)
        self.versions.append(self.backend.to_numpy(self.stash.current).copy())

    def _send(self, tensor: Any, peer: int, tag: int) -> None:
        torch = self.torch
        import torch.distributed as dist

        payload = tensor.detach()
        payload = (payload.cpu() if self.host else payload).contiguous()
        shape = list(payload.shape) + [0] * (2 - payload.dim())
        header = torch.tensor([payload.dim(), *shape], dtype=torch.int64,
                              device=payload.device)
        tag = self.tag_base + 2 * tag
        self.pending.append((dist.isend(header, peer, tag=tag), header))
        self.pending.append((dist.isend(payload, peer, tag=tag + 1), payload))
        self.pending = [entry for entry in self.pending if not entry[0].is_completed()]

    def _receive(self, peer: int, tag: int) -> Any:
        torch = self.torch
        import torch.distributed as dist

        where = "cpu" if self.host else self.backend.device
        tag = self.tag_base + 2 * tag
        header = torch.empty(3, dtype=torch.int64, device=where)
        dist.irecv(header, peer, tag=tag).wait()
        dims, *shape = (int(value) for value in header.tolist())
        if not 0 <= dims <= 2:
            raise RankError(f"rank {self.rank} received a header of {dims} dimensions")
        payload = torch.empty(shape[:dims], dtype=torch.float64, device=where)
        dist.irecv(payload, peer, tag=tag + 1).wait()
        return payload.to(self.backend.device) if self.host else payload
