"""The proved closed forms of :mod:`pipeproof.theory.schedules`, evaluated with NumPy alone.

These are the SymPy expressions of :mod:`pipeproof.theory.schedules` written out for integer arrays,
so that generating a table needs neither SymPy nor a compiled expression (``schedule`` and
``run-method`` start without importing SymPy). ``tests/test_closed_forms.py`` checks that each
function equals its SymPy statement, evaluated by SymPy, on a grid of (S, M, s, m).

Unit costs (t_F = t_B = 1), stages s = 0..S-1, microbatches m = 0..M-1:

* PipeDream (NOAM = S): F(s, m) = 2m + s for m >= S, max(m + s, 2m + 3s - 2S + 2) for m < S;
  B(s, m) = 2m + 2S - 1 - s.
* 1F1B with a flush: F(s, m) = m + s for m < S - s, else 2m + s; B(s, m) = 2m + 2S - 1 - s.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Form = Callable[[int, int, np.ndarray, np.ndarray], np.ndarray]
"""(S, M, s, m) -> start slots, for broadcastable integer arrays s and m."""


def pipedream_forward(stages: int, micro: int, s: np.ndarray, m: np.ndarray) -> np.ndarray:
    """F(s, m) of PipeDream with NOAM = S."""
    warmup = np.maximum(m + s, 2 * m + 3 * s - 2 * stages + 2)
    return np.where(m >= stages, 2 * m + s, warmup)


def backward(stages: int, micro: int, s: np.ndarray, m: np.ndarray) -> np.ndarray:
    """B(s, m) = 2m + 2S - 1 - s, for PipeDream and for 1F1B with a flush."""
    return 2 * m + 2 * stages - 1 - s


def flush_forward(stages: int, micro: int, s: np.ndarray, m: np.ndarray) -> np.ndarray:
    """F(s, m) of 1F1B with a flush."""
    return np.where(m < stages - s, m + s, 2 * m + s)


FORMS: dict[str, tuple[Form, Form]] = {
    "pipedream": (pipedream_forward, backward),
    "flush": (flush_forward, backward),
}
"""Schedule name -> (F, B)."""
