"""Array backends of the executor: NumPy (the default) and PyTorch on CPU or CUDA.

The methods and objectives are written once against the operators that NumPy arrays and PyTorch
tensors share (``@``, ``+``, ``*``, slicing, integer-array indexing); what differs goes through a
:class:`Backend`. Every run computes in float64. Randomness never comes from the backend: row
indices, noise and block choices are drawn from a ``numpy.random.Generator`` and moved to the
device, so the same seed gives the same run on every backend. PyTorch is imported only when a
torch backend is asked for.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeproof.theory.parameters import ParameterError, check_choice

BACKENDS = ("numpy", "torch")
DEVICES = ("cpu", "cuda")


class Backend:
    """NumPy operations on float64 arrays; :class:`TorchBackend` overrides them for tensors.

    Attributes:
        name: "numpy" or "torch".
        device: "cpu" or "cuda".
    """

    name = "numpy"
    device = "cpu"

    def asarray(self, values: Any) -> Any:
        """``values`` (a NumPy array or a number) as float64 on this backend; NumPy shares
        float64 arrays instead of copying them (the executor never writes to its data)."""
        return np.asarray(values, dtype=np.float64)

    def index(self, rows: np.ndarray) -> Any:
        """An integer index array for this backend."""
        return rows

    def zeros(self, *shape: int) -> Any:
        """A float64 array of zeros."""
        return np.zeros(shape, dtype=np.float64)

    def copy(self, values: Any) -> Any:
        """An independent copy."""
        return values.copy()

    def to_numpy(self, values: Any) -> np.ndarray:
        """A NumPy float64 array with the same values."""
        return np.asarray(values, dtype=np.float64)

    def item(self, value: Any) -> float:
        """A Python float from a 0-d array (a device sync on CUDA)."""
        return float(value)

    def tanh(self, values: Any) -> Any:
        """Elementwise tanh."""
        return np.tanh(values)

    def softplus(self, values: Any) -> Any:
        """log(1 + exp(t)), computed as logaddexp(0, t) (no overflow, full precision)."""
        return np.logaddexp(0.0, values)

    def sigmoid(self, values: Any) -> Any:
        """1 / (1 + exp(-t)) = exp(-softplus(-t))."""
        return np.exp(-np.logaddexp(0.0, -values))

    def column_sums(self, values: Any) -> Any:
        """Sums over the first axis."""
        return values.sum(axis=0)

    def maximum(self, first: Any, second: Any) -> Any:
        """The larger of two scalars, without a device sync."""
        return max(first, second)

    def synchronize(self) -> None:
        """Wait for queued device work (no-op on the CPU)."""

    def describe(self) -> str:
        """``numpy <version>`` or ``torch <version> cuda (<device name>)``."""
        return f"numpy {np.__version__}"


class TorchBackend(Backend):
    """PyTorch tensors in float64 on ``device``."""

    name = "torch"

    def __init__(self, device: str) -> None:
        import torch

        self.torch = torch
        self.device = device
        self._device = torch.device(device)

    def asarray(self, values: Any) -> Any:
        return self.torch.tensor(np.asarray(values, dtype=np.float64), device=self._device)

    def index(self, rows: np.ndarray) -> Any:
        return self.torch.from_numpy(np.ascontiguousarray(rows, dtype=np.int64)).to(self._device)

    def zeros(self, *shape: int) -> Any:
        return self.torch.zeros(shape, dtype=self.torch.float64, device=self._device)

    def copy(self, values: Any) -> Any:
        return values.clone()

    def to_numpy(self, values: Any) -> np.ndarray:
        if isinstance(values, self.torch.Tensor):
            return values.detach().cpu().numpy().astype(np.float64, copy=False)
        return np.asarray(values, dtype=np.float64)

    def item(self, value: Any) -> float:
        return float(value.item()) if isinstance(value, self.torch.Tensor) else float(value)

    def tanh(self, values: Any) -> Any:
        return self.torch.tanh(values)

    def softplus(self, values: Any) -> Any:
        return self.torch.logaddexp(self.torch.zeros_like(values), values)

    def sigmoid(self, values: Any) -> Any:
        return self.torch.sigmoid(values)

    def column_sums(self, values: Any) -> Any:
        return values.sum(dim=0)

    def maximum(self, first: Any, second: Any) -> Any:
        return self.torch.maximum(self.torch.as_tensor(first, device=self._device),
                                  self.torch.as_tensor(second, device=self._device))

    def synchronize(self) -> None:
        if self.device == "cuda":
            self.torch.cuda.synchronize()

    def describe(self) -> str:
        text = f"torch {self.torch.__version__} {self.device}"
        if self.device == "cuda":
            text += f" ({self.torch.cuda.get_device_name()})"
        return text


NUMPY = Backend()
"""The default backend."""


def get_backend(name: str = "numpy", device: str = "cpu") -> Backend:
    """The backend ``name`` on ``device``.

    Raises:
        ParameterError: for an unknown name or device, CUDA with NumPy, PyTorch not installed,
            or CUDA not available.
    """
    name = check_choice("backend", name, BACKENDS)
    device = check_choice("device", device, DEVICES)
    if name == "numpy":
        if device != "cpu":
            raise ParameterError("device must be cpu for the numpy backend (cuda needs "
                                 "backend torch)")
        return NUMPY
    try:
        import torch
    except ModuleNotFoundError:
        raise ParameterError("backend torch needs PyTorch: pip install "
                             "'pipeproof[torch]'") from None
    if device == "cuda" and not torch.cuda.is_available():
        raise ParameterError("device must be cpu here: torch.cuda.is_available() is False")
    return TorchBackend(device)
