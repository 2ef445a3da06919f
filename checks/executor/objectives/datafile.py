"""One's own data for the least-squares and logistic objectives: an .npz file with X and y.

The file holds ``X``, a finite n x d array of numbers, and ``y``, a finite array of n numbers
(for logistic regression labels in {0, 1} or {-1, +1}, read as -1/+1). Everything is checked
when the run is configured, before any work; a bad file is refused with one line naming
``data_path`` and what it accepts.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from pipeproof.theory.parameters import ParameterError

ACCEPTED = "an .npz file with a finite n x d array X and a finite array y of n numbers"


def _refuse(path: Path, why: str) -> ParameterError:
    return ParameterError(f"data_path must be {ACCEPTED}; {path}: {why}")


def read_data(path: str | Path, objective: str) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of the file, as float64; y in {-1, +1} for ``logistic``.

    Raises:
        ParameterError: when the file is missing, unreadable, or its arrays are not as stated.
    """
    path = Path(path)
    if path.suffix != ".npz":
        raise _refuse(path, "the name does not end in .npz")
    if not path.is_file():
        raise _refuse(path, "no such file")
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [name for name in ("X", "y") if name not in data.files]
            if missing:
                raise _refuse(path, f"no array {missing[0]} (it has {', '.join(data.files)})")
            design, targets = data["X"], data["y"]
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise _refuse(path, f"cannot be read ({error})") from None
    if design.ndim != 2 or min(design.shape) < 1:
        raise _refuse(path, f"X has shape {design.shape}, not n x d with n, d >= 1")
    if targets.ndim != 1 or targets.shape[0] != design.shape[0]:
        raise _refuse(path, f"y has shape {targets.shape}, not ({design.shape[0]},)")
    for name, array in (("X", design), ("y", targets)):
        if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype,
                                                                     np.complexfloating):
            raise _refuse(path, f"{name} holds {array.dtype}, not real numbers")
        if not np.isfinite(array).all():
            raise _refuse(path, f"{name} has a value that is not finite")
    design, targets = design.astype(np.float64), targets.astype(np.float64)
    if objective == "logistic":
        targets = _signs(path, targets)
    return design, targets


def _signs(path: Path, labels: np.ndarray) -> np.ndarray:
    """Labels in {0, 1} or {-1, +1} as -1/+1."""
    values = set(np.unique(labels).tolist())
    if values <= {0.0, 1.0}:
        return 2.0 * labels - 1.0
    if values <= {-1.0, 1.0}:
        return labels
    raise _refuse(path, f"logistic labels must be in {{0, 1}} or {{-1, +1}}, got "
                        f"{sorted(values)[:4]}")
