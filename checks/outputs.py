"""Output files of the command line: checked before any work, written atomically.

Every path an option names (``--json``, ``--out``, ``--plot``, ``--plots``) is checked up
front: not empty, not a folder where a file is meant (or a file where a folder is meant), an
accepted suffix, and a folder in which a file can be created (tried, not guessed from
permission bits). A file is written to a temporary name in its own folder and renamed over the
target with ``os.replace``, so an interrupted write leaves no partial file. JSON is strict
(RFC 8259): non-finite numbers become ``null``.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeproof.theory.parameters import ParameterError

FIGURE_SUFFIXES = (".png", ".pdf", ".svg")
"""Figure formats accepted by ``--plot``."""


def _nearest_folder(path: Path) -> Path:
    """The deepest existing ancestor of ``path`` (the folder a write would start from)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _probe(option: str, folder: Path) -> None:
    """Create and remove a file in ``folder``; ParameterError when that is not possible."""
    if not folder.is_dir():
        raise ParameterError(f"{option}: {folder} is not a folder")
    try:
        handle, name = tempfile.mkstemp(prefix=".pipeproof-probe-", dir=folder)
    except OSError as error:
        raise ParameterError(f"{option}: cannot write in {folder} ({error.strerror})") from None
    os.close(handle)
    os.unlink(name)


def output_file(option: str, text: str | os.PathLike[str],
                suffixes: tuple[str, ...]) -> Path:
    """Check the file path given to ``option`` before any work and return it.

    Accepted: a non-empty path ending in one of ``suffixes`` that is not a folder, whose
    nearest existing ancestor is a folder in which a file can be created.

    Raises:
        ParameterError: naming ``option`` and what it accepts.
    """
    accepted = f"a file path ending in {' or '.join(suffixes)}"
    raw = os.fspath(text)
    if not raw.strip():
        raise ParameterError(f"{option} must be {accepted}, got an empty path")
    path = Path(raw)
    if path.is_dir() or raw.endswith(os.sep):
        raise ParameterError(f"{option} must be {accepted}, got the folder {raw}")
    if path.suffix.lower() not in suffixes:
        raise ParameterError(f"{option} must be {accepted}, got {raw}")
    if path.exists() and not os.access(path, os.W_OK):
        raise ParameterError(f"{option}: {raw} is not writable")
    _probe(option, _nearest_folder(path))
    return path


def output_folder(option: str, text: str | os.PathLike[str]) -> Path:
    """Check the folder given to ``option`` (existing, or creatable) and return it.

    Raises:
        ParameterError: naming ``option`` and what it accepts.
    """
    raw = os.fspath(text)
    if not raw.strip():
        raise ParameterError(f"{option} must be a folder path, got an empty path")
    path = Path(raw)
    if path.exists() and not path.is_dir():
        raise ParameterError(f"{option} must be a folder path, got the file {raw}")
    _probe(option, path if path.is_dir() else _nearest_folder(path))
    return path


def require_matplotlib(option: str) -> None:
    """ParameterError when matplotlib (the ``plots`` extra) is not installed."""
    if importlib.util.find_spec("matplotlib") is None:
        raise ParameterError(f"{option} needs matplotlib: pip install 'pipeproof[plots]'")


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (same suffix); rename it to ``path`` on success,
    remove it on any error or interrupt."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix,
                                    dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_atomically(path: Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write(temporary)`` and rename the result to ``path``; return ``path``."""
    with atomic_path(path) as temporary:
        write(temporary)
    return path


def finite_json(value: Any) -> tuple[Any, bool]:
    """``value`` with every non-finite float (NaN, +-inf) replaced by None, and whether any was.

    Tuples become lists and NumPy scalars and arrays plain Python values, so the result
    passes ``json.dumps(..., allow_nan=False)``.
    """
    if isinstance(value, dict):
        pairs = [(key, finite_json(item)) for key, item in value.items()]
        return {key: item for key, (item, _) in pairs}, any(bad for _, (_, bad) in pairs)
    if isinstance(value, (list, tuple)):
        items = [finite_json(item) for item in value]
        return [item for item, _ in items], any(bad for _, bad in items)
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return finite_json(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None, True
    return value, False


def json_text(document: Any, indent: int = 2) -> str:
    """Strict JSON text of ``document`` (non-finite numbers as null, others via ``str``)."""
    clean, _ = finite_json(document)
    return json.dumps(clean, indent=indent, default=str, allow_nan=False) + "\n"


def write_json(document: Any, path: Path, indent: int = 2) -> Path:
    """Write ``document`` as strict JSON to ``path``, atomically."""
    text = json_text(document, indent)
    return write_atomically(path, lambda temporary: temporary.write_text(text, "utf-8"))
