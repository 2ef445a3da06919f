"""Build an objective by name from a run's parameters (data drawn from the generator given)."""

from __future__ import annotations

import numpy as np

from pipeproof.checks.executor.backend import Backend
from pipeproof.checks.executor.config import DEFAULT_CONDITION, RunConfig
from pipeproof.checks.executor.objectives import logistic, mlp, quadratic, transformer
from pipeproof.checks.executor.objectives.base import Objective


def build_objective(config: RunConfig, backend: Backend, rng: np.random.Generator) -> Objective:
    """The objective ``config.objective`` with S = ``config.num_stages`` blocks.

    Raises:
        ParameterError: when the objective does not support the parameters (for example the
            transformer without the torch backend).
    """
    stages, name = config.num_stages, config.objective
    if name == "quadratic":
        return quadratic.gaussian(backend, stages, config.dim, config.num_samples, rng)
    if name == "nesterov":
        low, high = quadratic.tridiagonal_eigenvalues(config.dim)
        condition = config.condition or min(DEFAULT_CONDITION[name], high / low)
        return quadratic.nesterov(backend, stages, config.dim, condition)
    if name == "spectrum":
        condition = config.condition or DEFAULT_CONDITION[name]
        return quadratic.spectrum(backend, stages, config.dim, condition, rng)
    if name == "logistic":
        return logistic.make(backend, stages, config.dim, config.num_samples, rng)
    if name == "mlp":
        return mlp.make(backend, stages, config.dim, config.width, config.num_samples, rng)
    return transformer.make(backend, stages, config.context, config.width, rng)
