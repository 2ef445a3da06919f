"""The numeric pipeline executor: real schedules training real objectives, slot by slot.

It runs PipeDream (with weight stashing), Randomized PipeDream, LocalSGD, GPipe,
PipeDream-Flush, PipeDream-2BW and plain SGD (:mod:`~checks.executor.pipedream`,
:mod:`~checks.executor.rpd`, :mod:`~checks.executor.localsgd`,
:mod:`~checks.executor.synchronous`, :mod:`~checks.executor.twobw`) on least-squares
quadratics, logistic regression, a multilayer perceptron and a small transformer
(:mod:`~checks.executor.quadratic`, :mod:`~checks.executor.logistic`,
:mod:`~checks.executor.mlp`, :mod:`~checks.executor.transformer`), measures what the theorems
speak about (:mod:`~checks.executor.measurements`, :mod:`~checks.executor.trace`) and confirms
them (:mod:`~checks.executor.confirm_throughput`, :mod:`~checks.executor.confirm_staleness`).
Every op table is validated before it runs (:mod:`~checks.executor.table_validity`). Wrong forms
of the convergence bounds are refuted on stored instances (:mod:`~checks.executor.wrong_bounds`)
of RPD on the pseudo-Huber objective (:mod:`~checks.executor.pseudo_huber`) with exact
expectations (:mod:`~checks.executor.exact_expectation`), re-run and judged by
:mod:`~checks.executor.bound_instance`.

Typical use::

    from checks.executor import run_config, run_method
    record = run_method(run_config("pipedream", "quadratic", num_stages=16,
                                   num_microbatches=160, step_size=0.01))
    record.summary["final_gap"]

Importing this package is cheap; the names below load their modules on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {"run_config": "checks.executor.config", "RunConfig": "checks.executor.config",
            "METHODS": "checks.executor.config", "OBJECTIVES": "checks.executor.config",
            "run_method": "checks.executor.run", "RunRecord": "checks.executor.record"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'checks.executor' has no attribute {name!r}")
