"""The same run on NumPy and on PyTorch (CPU) agrees to 1e-10 relative; CUDA is in
test_executor_gpu.py (marked gpu)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeproof.checks.executor.backend import NUMPY, get_backend
from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.methods.registry import METHODS
from pipeproof.checks.executor.run import run_method
from pipeproof.theory.parameters import ParameterError

pytest.importorskip("torch")

TOLERANCE = 1e-10


def relative(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.abs(first - second).max() / np.abs(first).max())


def pair(method: str, objective: str, **options):
    sizes = {"mlp": {"dim": 5, "num_samples": 32}, "nesterov": {"dim": 12},
             "spectrum": {"dim": 12}}.get(objective, {"dim": 12, "num_samples": 32})
    micro = 40 if method == "localsgd" else 16
    base = {"batch_size": 3, "noise": 0.05, "trace_points": 20, **sizes, **options}
    return [run_method(run_config(method, objective, 4, micro, 0.05, backend=backend, **base))
            for backend in ("numpy", "torch")]


@pytest.mark.parametrize("method", METHODS)
def test_methods_agree_across_backends(method: str) -> None:
    first, second = pair(method, "quadratic")
    assert relative(first.final_point, second.final_point) <= TOLERANCE
    for name in ("gap", "grad_norm_sq", "stale_distance"):
        np.testing.assert_allclose(second.traces[name], first.traces[name], rtol=TOLERANCE,
                                   atol=1e-300)
    assert first.measurements == second.measurements


@pytest.mark.parametrize("objective", ["logistic", "mlp", "nesterov", "spectrum"])
def test_objectives_agree_across_backends(objective: str) -> None:
    for method in ("pipedream", "rpd"):
        first, second = pair(method, objective)
        assert relative(first.final_point, second.final_point) <= TOLERANCE


def test_backend_arguments_are_checked() -> None:
    assert get_backend() is NUMPY
    with pytest.raises(ParameterError, match="backend must be one of numpy, torch"):
        get_backend("jax")
    with pytest.raises(ParameterError, match="device must be cpu for the numpy backend"):
        get_backend("numpy", "cuda")
    assert get_backend("torch", "cpu").describe().startswith("torch")
