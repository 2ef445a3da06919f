"""Up-front bounds on the work of one run, from an estimate of its memory and its time.

A run is refused before any array is allocated when

* its largest arrays would not fit in half the machine's memory: the RPD version ring
  (8 (delta + 1) S bytes of counts and 8 c d bytes of stored versions, c = min(delta + 1,
  2 ceil((delta + 1) / S) + 2)), the op tables and per-op logs of the pipelined methods
  (:data:`BYTES_PER_OP` per (stage, microbatch)), and a minibatch of B rows of d numbers;
* or its estimated time exceeds :data:`MAX_SECONDS`: every block update costs at least
  :data:`SECONDS_PER_UPDATE` plus one multiply-add per entry of its minibatch (B d), and every
  trace point one pass over the data (n d multiply-adds), at :data:`SECONDS_PER_FLOP`; the
  automatic step size adds its 12 trial runs of about a tenth of the run each.

The estimates are deliberately rough (within a factor of a few of what the executor takes on
one core); they exist to refuse what cannot finish, not to predict run times. The error names
the parameter that makes the run too large and the largest value accepted with the others as
given.
"""

from __future__ import annotations

import math
import os

from pipeproof.checks.executor.config import RunConfig
from pipeproof.theory.parameters import ParameterError

MAX_SECONDS = 24 * 3600
"""Longest estimated run accepted (one day)."""
SECONDS_PER_UPDATE = 5e-6
"""Least Python overhead of one block update."""
SECONDS_PER_FLOP = 1e-9
"""Seconds per multiply-add (one core, float64)."""
BYTES_PER_OP = 128
"""Bytes allowed per (stage, microbatch) for the tables and logs of a pipelined method: several
times the 10-16 bytes of resident memory measured for S = 64, M = 6400 (pipedream, localsgd)."""
TABLE_METHODS = ("pipedream", "localsgd", "gpipe", "flush", "2bw")
DATA_OBJECTIVES = ("quadratic", "tridiagonal", "logistic", "mlp")
BLOCK_OBJECTIVES = ("quadratic", "nesterov", "tridiagonal", "spectrum", "logistic")
"""Objectives whose d parameters are split into S contiguous blocks."""


def memory_budget() -> int:
    """Half the physical memory, in bytes (8 GiB when the system does not say)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 16 << 30
    return total // 2


def _gib(size: float) -> str:
    return f"{size / 2**30:.1f} GiB"


def check_shape(config: RunConfig) -> None:
    """Refuse parameter combinations that make no sense: empty blocks, oversized batches."""
    if config.objective in BLOCK_OBJECTIVES and config.dim < config.num_stages:
        raise ParameterError(f"num_stages must be an integer in 1..{config.dim} for "
                             f"{config.objective} with d = {config.dim} (--dim): every stage "
                             f"holds at least one parameter, got {config.num_stages}")
    if config.objective in DATA_OBJECTIVES and config.batch_size > config.num_samples:
        raise ParameterError(f"batch_size must be an integer in 1..{config.num_samples} (the "
                             f"num_samples rows of the data), got {config.batch_size}")
    if config.batching == "cyclic":
        check_cyclic(config.batch_size, config.num_samples or None)


def check_cyclic(batch_size: int, num_samples: int | None) -> None:
    """Cyclic batching splits the n rows into n/B fixed batches: B must divide n."""
    if num_samples is not None and num_samples % batch_size:
        divisors = [b for b in range(1, min(num_samples, 64) + 1) if num_samples % b == 0]
        raise ParameterError(f"batch_size must divide num_samples = {num_samples} for cyclic "
                             f"batching (fixed batches of B rows; for example "
                             f"{', '.join(map(str, divisors[-4:]))}), got {batch_size}")


def _ring_bytes(config: RunConfig, delay: int) -> int:
    window = delay + 1
    capacity = min(window, 2 * -(-window // config.num_stages) + 2)
    return 8 * (window * config.num_stages + capacity * max(config.dim, 1))


def check_memory(config: RunConfig, budget: int | None = None) -> None:
    """Refuse a run whose largest arrays exceed ``budget`` bytes (default :func:`memory_budget`)."""
    budget = memory_budget() if budget is None else budget
    ring = config.method == "rpd" and config.delays == "uniform" and config.max_delay is not None
    if ring and _ring_bytes(config, config.max_delay) > budget:
        low, high = 0, config.max_delay
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if _ring_bytes(config, middle) <= budget else (
                low, middle - 1)
        raise ParameterError(f"max_delay must be an integer in 0..{low} here (the last "
                             f"max_delay + 1 versions of d = {config.dim} parameters must fit "
                             f"in {_gib(budget)}), got {config.max_delay}")
    uses_table = config.method in TABLE_METHODS or (
        config.method == "rpd" and config.delays == "pipedream")
    cells = config.num_stages * config.num_microbatches
    if uses_table and cells * BYTES_PER_OP > budget:
        most = budget // (BYTES_PER_OP * config.num_stages)
        raise ParameterError(f"num_microbatches must be an integer in 1..{most} for S = "
                             f"{config.num_stages} (the op tables of S M entries must fit in "
                             f"{_gib(budget)}), got {config.num_microbatches}")
    row = max(config.dim, config.width, 1) * 8
    if config.batch_size * row > budget:
        raise ParameterError(f"batch_size must be an integer in 1..{budget // row} (a minibatch "
                             f"must fit in {_gib(budget)}), got {config.batch_size}")


def estimated_seconds(config: RunConfig, trace_points: int | None = None) -> float:
    """Rough seconds of the run (module docstring), step-size trials included."""
    size = max(config.dim, config.width, 1)
    per_update = SECONDS_PER_UPDATE + SECONDS_PER_FLOP * config.batch_size * size
    samples = config.num_samples or 1024
    points = min(config.trace_points if trace_points is None else trace_points,
                 config.block_updates)
    seconds = config.block_updates * per_update + points * samples * size * SECONDS_PER_FLOP
    return seconds * (2.2 if config.step_size is None else 1.0)


def check_time(config: RunConfig, limit: float = MAX_SECONDS) -> None:
    """Refuse a run estimated to take more than ``limit`` seconds, naming what makes it long."""
    seconds = estimated_seconds(config)
    if seconds <= limit:
        return
    share = limit / seconds
    if config.method == "rpd" and config.num_block_updates is not None:
        most = max(1, math.floor(config.num_block_updates * share))
        name, value = "num_block_updates", config.num_block_updates
    elif config.num_microbatches > config.num_stages:
        most = max(1, math.floor(config.num_microbatches * share))
        name, value = "num_microbatches", config.num_microbatches
    else:
        most = max(1, math.floor(config.num_stages * math.sqrt(share)))
        name, value = "num_stages", config.num_stages
    raise ParameterError(f"{name} must be at most {most} here (the run is estimated at "
                         f"{seconds / 3600:.3g} hours, more than the {limit / 3600:.0f} hours "
                         f"accepted), got {value}")


def check_run(config: RunConfig) -> None:
    """All the up-front checks of one run."""
    check_shape(config)
    check_memory(config)
    check_time(config)
