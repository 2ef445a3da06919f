"""The numeric pipeline executor: real schedules training real objectives, slot by slot.

It runs PipeDream (with weight stashing), Randomized PipeDream, LocalSGD, GPipe,
PipeDream-Flush, PipeDream-2BW and plain SGD (:mod:`~pipeproof.checks.executor.methods.pipedream`,
:mod:`~pipeproof.checks.executor.methods.rpd`, :mod:`~pipeproof.checks.executor.methods.localsgd`,
:mod:`~pipeproof.checks.executor.methods.synchronous`,
:mod:`~pipeproof.checks.executor.methods.twobw`) on least-squares quadratics, logistic regression, a
multilayer perceptron and a small transformer
(:mod:`~pipeproof.checks.executor.objectives.quadratic`,
:mod:`~pipeproof.checks.executor.objectives.logistic`,
:mod:`~pipeproof.checks.executor.objectives.mlp`,
:mod:`~pipeproof.checks.executor.objectives.transformer`), measures what the theorems speak about
(:mod:`~pipeproof.checks.executor.schedule_log`, :mod:`~pipeproof.checks.executor.trace`) and
confirms them (:mod:`~pipeproof.checks.empirical.throughput`,
:mod:`~pipeproof.checks.empirical.staleness`). Every op table is validated before it runs
(:mod:`~pipeproof.checks.executor.table_validity`). Wrong forms of the convergence bounds are
refuted on stored instances (:mod:`~pipeproof.checks.empirical.convergence.wrong_bounds`) of RPD on
the pseudo-Huber objective (:mod:`~pipeproof.checks.executor.objectives.pseudo_huber`) with exact
expectations (:mod:`~pipeproof.checks.empirical.convergence.exact_expectation`), re-run and judged
by
:mod:`~pipeproof.checks.empirical.convergence.bound_instance`.

Typical use::

    from pipeproof.checks.executor import run_config, run_method
    record = run_method(run_config("pipedream", "quadratic", num_stages=16,
                                   num_microbatches=160, step_size=0.01))
    record.summary["final_gap"]

Importing this package is cheap; the names below load their modules on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["METHODS", "OBJECTIVES", "RunConfig", "RunRecord", "run_config", "run_method"]


def __getattr__(name: str) -> Any:
    if name == "METHODS":
        from pipeproof.checks.executor.methods.registry import METHODS

        return METHODS
    if name == "OBJECTIVES":
        from pipeproof.checks.executor.objectives.registry import OBJECTIVES

        return OBJECTIVES
    if name in ("RunConfig", "run_config"):
        from pipeproof.checks.executor.config import RunConfig, run_config

        return {"RunConfig": RunConfig, "run_config": run_config}[name]
    if name == "run_method":
        from pipeproof.checks.executor.run import run_method

        return run_method
    if name == "RunRecord":
        from pipeproof.checks.executor.record import RunRecord

        return RunRecord
    raise AttributeError(f"module 'pipeproof.checks.executor' has no attribute {name!r}")
