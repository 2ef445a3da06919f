"""The objectives by name: one table, looked up in any case; each builds its objective from a
run's parameters (data drawn from the generator given).

    quadratic    Gaussian least squares              (:mod:`.quadratic`)
    nesterov     Nesterov's tridiagonal quadratic    (:mod:`.quadratic`)
    tridiagonal  the authors' tridiagonal quadratic  (:mod:`.quadratic`)
    spectrum     a quadratic with a set spectrum     (:mod:`.quadratic`)
    logistic     L2-regularised logistic regression  (:mod:`.logistic`)
    mlp          a multilayer perceptron             (:mod:`.mlp`)
    transformer  a character-level transformer       (:mod:`.transformer`, PyTorch)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pipeproof.checks.executor.config import DEFAULT_CONDITION, LABEL_NOISE, RunConfig
from pipeproof.theory.parameters import ParameterError

if TYPE_CHECKING:
    import numpy as np

    from pipeproof.checks.executor.backend import Backend
    from pipeproof.checks.executor.objectives.base import Objective

Builder = Callable[[RunConfig, "Backend", "np.random.Generator"], "Objective"]
"""Each builder imports its objective's module when called, so that reading the table (the
command line's list of names) loads no model code."""


def _quadratic(config: RunConfig, backend: Backend, rng: np.random.Generator) -> Objective:
    from pipeproof.checks.executor.objectives import quadratic
    from pipeproof.checks.executor.objectives.datafile import read_data

    if config.data_path is not None:
        design, targets = read_data(config.data_path, "quadratic")
        return quadratic.from_data(backend, config.num_stages, design, targets)
    return quadratic.gaussian(backend, config.num_stages, config.dim, config.num_samples, rng,
                              _label_noise(config))


def _tridiagonal(config: RunConfig, backend: Backend, rng: np.random.Generator) -> Objective:
    from pipeproof.checks.executor.objectives import quadratic

    return quadratic.tridiagonal(backend, config.num_stages, config.dim, config.num_samples,
                                 config.condition, rng, _label_noise(config))


def _label_noise(config: RunConfig) -> float:
    return LABEL_NOISE[config.objective] if config.label_noise is None else config.label_noise


def _nesterov(config: RunConfig, backend: Backend, rng: np.random.Generator) -> Objective:
    from pipeproof.checks.executor.objectives import quadratic

    low, high = quadratic.tridiagonal_eigenvalues(config.dim)
    condition = config.condition or min(DEFAULT_CONDITION["nesterov"], high / low)
    return quadratic.nesterov(backend, config.num_stages, config.dim, condition)


def _spectrum(config: RunConfig, backend: Backend, rng: np.random.Generator) -> Objective:
    from pipeproof.checks.executor.objectives import quadratic

    condition = config.condition or DEFAULT_CONDITION["spectrum"]
    return quadratic.spectrum(backend, config.num_stages, config.dim, condition, rng)


def _logistic(config: RunConfig, backend: Backend, rng: np.random.Generator) -> Objective:
    from pipeproof.checks.executor.objectives import logistic
    from pipeproof.checks.executor.objectives.datafile import read_data

    if config.data_path is not None:
        design, targets = read_data(config.data_path, "logistic")
        logistic.check_size(design.shape[1])
        return logistic.Logistic(backend, design, targets, config.num_stages)
    return logistic.make(backend, config.num_stages, config.dim, config.num_samples, rng,
                         config.labels)


def _mlp(config: RunConfig, backend: Backend, rng: np.random.Generator) -> Objective:
    from pipeproof.checks.executor.objectives import mlp

    return mlp.make(backend, config.num_stages, config.dim, config.width, config.num_samples,
                    rng)


def _transformer(config: RunConfig, backend: Backend, rng: np.random.Generator) -> Objective:
    from pipeproof.checks.executor.objectives import transformer

    return transformer.make(backend, config.num_stages, config.context, config.width, rng)


OBJECTIVES: dict[str, Builder] = {
    "quadratic": _quadratic,
    "nesterov": _nesterov,
    "tridiagonal": _tridiagonal,
    "spectrum": _spectrum,
    "logistic": _logistic,
    "mlp": _mlp,
    "transformer": _transformer,
}
"""Objective name -> its builder."""


def objective_name(name: str) -> str:
    """The table's spelling of ``name`` (any case).

    Raises:
        ParameterError: naming the unknown objective and the known ones.
    """
    if isinstance(name, str) and name.lower() in OBJECTIVES:
        return name.lower()
    raise ParameterError(f"objective must be one of {', '.join(OBJECTIVES)}, got {name!r}")


def build_objective(config: RunConfig, backend: Backend, rng: np.random.Generator) -> Objective:
    """The objective ``config.objective`` with S = ``config.num_stages`` blocks.

    Raises:
        ParameterError: when the objective does not support the parameters (for example the
            transformer without the torch backend).
    """
    return OBJECTIVES[objective_name(config.objective)](config, backend, rng)
