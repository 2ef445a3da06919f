"""One BLAS thread (and one PyTorch thread) while the executor runs.

The executor works on small arrays (a block of tens to thousands of numbers per operation).
OpenBLAS splits a matrix-vector product of more than about 9,000 entries over its threads, which
costs more than it saves at these sizes, and on a loaded two-core machine threads that wait for
a busy core slow LAPACK down by orders of magnitude (measured here: eigvalsh of a 512 x 512
matrix took 0.02 s on one thread and 2.6 s on two while another process held a core).
:func:`single_threaded` sets the OpenBLAS that NumPy loaded, and PyTorch's intra-op pool when
PyTorch is loaded, to one thread for the duration of a block and restores the previous counts;
where no OpenBLAS is found it leaves NumPy alone.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

_NAMES = (("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
          ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
          ("openblas_get_num_threads", "openblas_set_num_threads"))


@cache
def _openblas() -> tuple[Any, Any] | None:
    """(get, set) thread-count functions of the loaded OpenBLAS, or None."""
    import numpy  # noqa: F401  (loads NumPy's BLAS)

    try:
        maps = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return None
    paths = sorted({line.split()[-1] for line in maps
                    if "openblas" in line.lower() and line.split()[-1].startswith("/")})
    for path in paths:
        library = ctypes.CDLL(path)
        for getter, setter in _NAMES:
            if hasattr(library, getter) and hasattr(library, setter):
                return getattr(library, getter), getattr(library, setter)
    return None


@contextmanager
def single_threaded() -> Iterator[None]:
    """Run the block with one OpenBLAS thread and one PyTorch thread (module docstring)."""
    functions = _openblas()
    torch = sys.modules.get("torch")
    previous = int(functions[0]()) if functions else None
    previous_torch = torch.get_num_threads() if torch is not None else None
    if functions:
        functions[1](1)
    if torch is not None:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if functions:
            functions[1](previous)
        if torch is not None:
            torch.set_num_threads(previous_torch)
