"""Peak memory of a run.

* CUDA: the PyTorch allocator's peak (``torch.cuda.max_memory_allocated``) over the run;
* CPU on Linux: the resident-set high-water mark (VmHWM), reset at the start by writing 5 to
  ``/proc/self/clear_refs``; the run's peak is VmHWM minus the resident set at the start, and the
  process peak is VmHWM itself;
* elsewhere: the peak of ``tracemalloc`` (allocations made through Python, NumPy's included).
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from types import TracebackType

from pipeproof.checks.executor.backend import Backend

_STATUS = Path("/proc/self/status")
_CLEAR = Path("/proc/self/clear_refs")


def _status_kib(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_high_water() -> bool:
    try:
        _CLEAR.write_text("5")
    except OSError:
        return False
    return _status_kib("VmHWM") is not None


class PeakMemory:
    """Context manager measuring the peak memory of the code inside it.

    Attributes:
        peak_bytes: the peak above the memory in use at the start.
        process_peak_bytes: the whole process's peak (resident set or device total).
        method: how it was measured.
    """

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.peak_bytes = 0
        self.process_peak_bytes = 0
        self.method = ""
        self._start = 0

    def __enter__(self) -> PeakMemory:
        if self.backend.device == "cuda":
            torch = self.backend.torch
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self._start = torch.cuda.memory_allocated()
            self.method = "torch.cuda.max_memory_allocated"
        elif _reset_high_water():
            self._start = 1024 * (_status_kib("VmRSS") or 0)
            self.method = "resident set high-water mark (VmHWM)"
        else:
            tracemalloc.start()
            self.method = "tracemalloc"
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.method.startswith("torch"):
            torch = self.backend.torch
            torch.cuda.synchronize()
            self.process_peak_bytes = torch.cuda.max_memory_allocated()
        elif self.method == "tracemalloc":
            self.process_peak_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        else:
            self.process_peak_bytes = 1024 * (_status_kib("VmHWM") or 0)
        self.peak_bytes = max(0, self.process_peak_bytes - self._start)
