"""The training methods by name: one table, looked up in any case.

    pipedream  PipeDream, 1F1B with weight stashing      (:mod:`.pipedream`)
    rpd        Randomized PipeDream                      (:mod:`.rpd`)
    localsgd   LocalSGD: R copies share one pipeline     (:mod:`.localsgd`)
    gpipe      GPipe fill-drain                          (:mod:`.synchronous`)
    flush      1F1B with a flush (PipeDream-Flush)       (:mod:`.synchronous`)
    2bw        PipeDream-2BW, double-buffered weights    (:mod:`.twobw`)
    sgd        plain minibatch SGD                       (:mod:`.synchronous`)

Every method runs as ``run(objective, config, rng, recorder) -> MethodResult``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pipeproof.theory.parameters import ParameterError

if TYPE_CHECKING:
    import numpy as np

    from pipeproof.checks.executor.config import RunConfig
    from pipeproof.checks.executor.objectives.base import Objective
    from pipeproof.checks.executor.record import MethodResult
    from pipeproof.checks.executor.trace import Recorder

Runner = Callable[["Objective", "RunConfig", "np.random.Generator", "Recorder"], "MethodResult"]

NAMES = ("pipedream", "rpd", "localsgd", "gpipe", "flush", "2bw", "sgd")
"""The method names in table order; reading them imports no method (the command line lists
them without loading NumPy's training code)."""


@functools.cache
def _table() -> dict[str, Runner]:
    """Method name -> its run function (the methods are imported on first use)."""
    from pipeproof.checks.executor.methods import localsgd, pipedream, rpd, synchronous, twobw

    table = {"pipedream": pipedream.run, "rpd": rpd.run, "localsgd": localsgd.run,
             "gpipe": synchronous.run, "flush": synchronous.run, "2bw": twobw.run,
             "sgd": synchronous.run}
    if tuple(table) != NAMES:
        raise RuntimeError(f"method table {tuple(table)} differs from NAMES {NAMES}")
    return table


def __getattr__(name: str) -> Any:
    """``METHODS``: method name -> its run function, built on first use."""
    if name == "METHODS":
        return _table()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def method_name(name: str) -> str:
    """The table's spelling of ``name`` (any case).

    Raises:
        ParameterError: naming the unknown method and the known ones.
    """
    if isinstance(name, str) and name.lower() in NAMES:
        return name.lower()
    raise ParameterError(f"method must be one of {', '.join(NAMES)}, got {name!r}")


def get_runner(name: str) -> Runner:
    """The run function of method ``name`` (any case)."""
    return _table()[method_name(name)]
