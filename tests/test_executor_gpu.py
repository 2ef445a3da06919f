"""CPU against CUDA: the same run agrees to 1e-9 relative (skipped without CUDA)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.methods.registry import METHODS
from pipeproof.checks.executor.run import run_method

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]

TOLERANCE = 1e-9


def on(device: str, method: str, objective: str, stages: int = 4):
    sizes = {"mlp": {"dim": 5, "num_samples": 32}, "transformer": {}}.get(
        objective, {"dim": 16, "num_samples": 32})
    micro = 40 if method == "localsgd" else 12 * stages
    config = run_config(method, objective, stages, micro, 0.05, batch_size=3, noise=0.05,
                        trace_points=20, backend="torch", device=device, **sizes)
    return run_method(config)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("objective", ["quadratic", "logistic", "mlp"])
def test_cpu_and_cuda_agree(method: str, objective: str) -> None:
    cpu, cuda = on("cpu", method, objective), on("cuda", method, objective)
    scale = np.abs(cpu.final_point).max()
    assert np.abs(cpu.final_point - cuda.final_point).max() <= TOLERANCE * scale
    np.testing.assert_allclose(cuda.traces["gap"], cpu.traces["gap"], rtol=TOLERANCE)
    assert cpu.measurements == cuda.measurements


@pytest.mark.parametrize("method", ["pipedream", "rpd", "2bw"])
def test_transformer_cpu_and_cuda_agree(method: str) -> None:
    cpu, cuda = on("cpu", method, "transformer", 3), on("cuda", method, "transformer", 3)
    scale = np.abs(cpu.final_point).max()
    assert np.abs(cpu.final_point - cuda.final_point).max() <= TOLERANCE * scale


def test_cuda_memory_is_measured_by_the_allocator() -> None:
    summary = on("cuda", "pipedream", "quadratic").summary
    assert summary["memory_method"] == "torch.cuda.max_memory_allocated"
    assert summary["peak_memory_bytes"] > 0
