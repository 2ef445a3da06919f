"""One distributed run and the program each of its ranks runs.

A job is an executor :class:`~pipeproof.checks.executor.config.RunConfig` (method ``pipedream``
or ``flush``, objective, S, M, step size, seed, data sizes; tables from the policy simulator)
plus where it runs: the process-group backend (gloo or nccl) and the device of the arithmetic
(cpu or cuda). Defaults: M = 3S + 2 for PipeDream (past the warm-up maximum, with steady
microbatches S <= m < M - S, as the executor's staleness confirmations use), M = 3S for the flush
(three steps of A = S microbatches), step size 0.01; smaller data than the executor's defaults,
since every rank builds the objective: d = 64 and n = 256 for the quadratic and logistic
objectives, n = 256 for the MLP (d = 16 inputs, width 32).

The program of rank s is its column of the op table, in slot order: ``("F", slot, m)``,
``("B", slot, m)`` and, for the flush, ``("U", slot, step)`` one slot after the step's last op
(the executor's flush slot, which is also the first slot of the next step: the flush comes first
in it). PipeDream updates at the end of every backward.
"""

from __future__ import annotations

import importlib.util
import itertools
from dataclasses import dataclass

from pipeproof.checks.executor.config import RunConfig, run_config
from pipeproof.checks.executor.table_validity import validate
from pipeproof.checks.tables.generate import op_table
from pipeproof.checks.tables.optable import OpTable
from pipeproof.theory.parameters import ParameterError, check_choice, check_int, check_real

SCHEDULES = ("pipedream", "flush")
OBJECTIVES = ("quadratic", "logistic", "mlp")
BACKENDS = ("gloo", "nccl")
DEVICES = ("cpu", "cuda")
MAX_STAGES = 32
"""Most ranks (processes) of one run."""
ADDITIVE = ("quadratic", "logistic")
DEFAULT_STEP = 0.01
DEFAULT_TIMEOUT = 120.0
DEFAULT_SIZES = {"quadratic": {"dim": 64, "num_samples": 256},
                 "logistic": {"dim": 64, "num_samples": 256}, "mlp": {"num_samples": 256}}
TORCH_MISSING = "pipeproof distributed needs PyTorch: pip install 'pipeproof[torch]'"

Op = tuple[str, int, int]
"""(kind, slot, microbatch or step): kind F (forward), B (backward) or U (the flush's update)."""


@dataclass(frozen=True)
class Job:
    """One distributed run.

    Attributes:
        config: the executor's parameters of the same run (method, objective, S, M, ...).
        backend: the process-group backend, gloo or nccl.
        device: where the stages compute, cpu or cuda.
    """

    config: RunConfig
    backend: str = "gloo"
    device: str = "cpu"

    @property
    def num_stages(self) -> int:
        """S, one rank each."""
        return self.config.num_stages

    @property
    def schedule(self) -> str:
        """pipedream or flush."""
        return self.config.method

    @property
    def steps(self) -> int:
        """Optimizer steps of the flush (M / A); PipeDream: M."""
        config = self.config
        return config.num_microbatches // config.accumulation if self.schedule == "flush" \
            else config.num_microbatches


def torch_available() -> bool:
    """True when PyTorch can be imported (it is not imported here)."""
    return importlib.util.find_spec("torch") is not None


def default_microbatches(schedule: str, stages: int) -> int:
    """3S + 2 for PipeDream, 3S for the flush (three steps of S microbatches)."""
    return 3 * stages + 2 if schedule == "pipedream" else 3 * stages


def make_job(stages: int, objective: str = "quadratic", schedule: str = "pipedream",
             microbatches: int | None = None, step_size: float = DEFAULT_STEP, seed: int = 0,
             backend: str = "gloo", device: str = "cpu", **options: object) -> Job:
    """Validate a distributed run before any process starts.

    ``options`` are executor parameters (dim, num_samples, batch_size, width, noise).

    Raises:
        ParameterError: naming the parameter and the accepted range; PyTorch missing.
    """
    if not torch_available():
        raise ParameterError(TORCH_MISSING)
    stages = check_int("num_stages", stages, 2, MAX_STAGES)
    schedule = check_choice("schedule", schedule, SCHEDULES)
    objective = check_choice("objective", objective, OBJECTIVES)
    backend = check_choice("backend", backend, BACKENDS)
    device = check_choice("device", device, DEVICES)
    check_real("step_size", step_size, 0.0, open_min=True)
    micro = default_microbatches(schedule, stages) if microbatches is None else microbatches
    options = {**DEFAULT_SIZES[objective], **options}
    if schedule == "pipedream":
        options.pop("accumulation", None)
    config = run_config(schedule, objective, stages, micro, step_size, seed=seed,
                        tables="policy", keep_arrays=True, **options)
    if objective in ADDITIVE and stages > config.dim:
        raise ParameterError(f"num_stages must be at most dim ({config.dim}) for the "
                             f"{objective} objective (no empty block), got {stages}")
    config = run_config(schedule, objective, stages, micro, step_size, seed=seed,
                        tables="policy", keep_arrays=True,
                        trace_points=config.block_updates + 1, **options)
    check_devices(stages, backend, device)
    return Job(config, backend, device)


def check_devices(stages: int, backend: str, device: str) -> None:
    """NCCL needs one GPU per stage and CUDA tensors; CUDA needs a GPU.

    Raises:
        ParameterError: naming the option and what would work instead.
    """
    if device == "cpu" and backend == "nccl":
        raise ParameterError("backend nccl needs device cuda (use backend gloo on the cpu)")
    if device == "cpu":
        return
    import torch

    if not torch.cuda.is_available():
        raise ParameterError("device must be cpu here: torch.cuda.is_available() is False")
    count = torch.cuda.device_count()
    if backend == "nccl" and count < stages:
        raise ParameterError(f"backend nccl needs one GPU per stage (NCCL cannot put two ranks "
                             f"on one GPU): S = {stages}, {count} GPU(s) here; use backend gloo "
                             "with device cuda (CUDA arithmetic, messages through the host)")


def table(job: Job) -> OpTable:
    """The validated op table of one round (the flush: one step of A microbatches) from the
    policy simulator."""
    from pipeproof.theory.parameters import schedule_spec

    config = job.config
    size = config.accumulation if job.schedule == "flush" else config.num_microbatches
    spec = schedule_spec(job.schedule, config.num_stages, size)
    return validate(op_table(spec, "policy"))


def program(job: Job, stage: int) -> list[Op]:
    """The ops of rank ``stage`` in the order it runs them (slot order)."""
    round_table = table(job)
    size = round_table.num_microbatches
    rounds = job.steps if job.schedule == "flush" else 1
    ops: list[Op] = []
    for number in range(rounds):
        offset, first = number * round_table.makespan, number * size
        column = [("F", int(slot) + offset, first + m)
                  for m, slot in enumerate(round_table.forward_start[stage])]
        column += [("B", int(slot) + offset, first + m)
                   for m, slot in enumerate(round_table.backward_start[stage])]
        ops += sorted(column, key=lambda op: op[1])
        if job.schedule == "flush":
            ops.append(("U", offset + round_table.makespan, number))
    for before, after in itertools.pairwise(ops):
        if after[1] < before[1] or (after[1] == before[1] and before[0] != "U"):
            raise ParameterError(f"stage {stage} has two ops in slot {after[1]}")
    return ops
