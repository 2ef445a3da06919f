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

from collections.abc import Callable

import numpy as np

from pipeproof.checks.executor.config import RunConfig
from pipeproof.checks.executor.methods import localsgd, pipedream, rpd, synchronous, twobw
from pipeproof.checks.executor.objectives.base import Objective
from pipeproof.checks.executor.record import MethodResult
from pipeproof.checks.executor.trace import Recorder
from pipeproof.theory.parameters import ParameterError

Runner = Callable[[Objective, RunConfig, np.random.Generator, Recorder], MethodResult]

METHODS: dict[str, Runner] = {
    "pipedream": pipedream.run,
    "rpd": rpd.run,
    "localsgd": localsgd.run,
    "gpipe": synchronous.run,
    "flush": synchronous.run,
    "2bw": twobw.run,
    "sgd": synchronous.run,
}
"""Method name -> its run function."""


def method_name(name: str) -> str:
    """The table's spelling of ``name`` (any case).

    Raises:
        ParameterError: naming the unknown method and the known ones.
    """
    if isinstance(name, str) and name.lower() in METHODS:
        return name.lower()
    raise ParameterError(f"method must be one of {', '.join(METHODS)}, got {name!r}")


def get_runner(name: str) -> Runner:
    """The run function of method ``name`` (any case)."""
    return METHODS[method_name(name)]
