"""The ``distributed`` verdicts of the runner: the staleness theorems on real processes.

For every S in :data:`STAGES` one launch of S processes runs PipeDream (M = 3S + 2) on the
quadratic, logistic and MLP objectives and 1F1B with a flush for one step (M = A = 2S + 1, the
theorem's table) on the quadratic and MLP objectives;
:func:`pipeproof.checks.distributed.confirm.judge` then judges every theorem on the runs of its
schedule. A launch that fails makes every verdict
``unknown`` with the launcher's one-line reason (never anything stronger).

The runner plans this only under a profile with ``distributed`` set (thorough) and where
PyTorch is installed: every rank imports PyTorch, seconds of CPU that the default profile's
minute cannot spare.
"""

from __future__ import annotations

import time

from pipeproof.checks.distributed.confirm import Outcome, judge, outcome
from pipeproof.checks.distributed.jobs import Job, make_job
from pipeproof.checks.distributed.launch import DistributedError, launch
from pipeproof.checks.verdict import Status, Verdict

STAGES = (2, 3, 4)
PIPEDREAM_OBJECTIVES = ("quadratic", "logistic", "mlp")
FLUSH_OBJECTIVES = ("quadratic", "mlp")


def jobs_for(stages: int) -> list[Job]:
    """The runs of one launch (module docstring)."""
    runs = [make_job(stages, objective, "pipedream") for objective in PIPEDREAM_OBJECTIVES]
    steps = 2 * stages + 1
    runs += [make_job(stages, objective, "flush", steps, accumulation=steps)
             for objective in FLUSH_OBJECTIVES]
    return runs


def confirm_theorems(theorem_ids: tuple[str, ...],
                     stages: tuple[int, ...] = STAGES) -> list[Verdict]:
    """One ``distributed`` verdict per id of ``theorem_ids`` (ids of
    :data:`pipeproof.checks.distributed.confirm.CHECKS`), in that order."""
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    try:
        for count in stages:
            jobs = jobs_for(count)
            outcomes += [outcome(job, logs) for job, logs in zip(jobs, launch(jobs),
                                                                  strict=True)]
    except DistributedError as error:
        seconds = time.perf_counter() - started
        return [Verdict("distributed", Status.UNKNOWN, seconds / len(theorem_ids),
                        reason=f"distributed run failed: {error}") for _ in theorem_ids]
    share = (time.perf_counter() - started) / len(theorem_ids)
    return [judge(theorem_id, outcomes, share) for theorem_id in theorem_ids]
