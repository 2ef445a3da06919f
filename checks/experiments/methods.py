"""Method lists of a comparison: ``pipedream,rpd:delta=60,localsgd:H=5``.

Each item is a method name, optionally followed by ``:key=value`` pairs (several joined by
``:``). The keys, and the run parameter each sets:

    rpd        delta=D (max_delay), delays=uniform|pipedream
    localsgd   H=H (local_steps), R=R (num_runs)
    gpipe, flush, 2bw   A=A (accumulation)
    pipedream, sgd      none

An item's text is its name in tables and records, so every item must be different.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeproof.theory.parameters import ParameterError

KEYS: dict[str, dict[str, tuple[str, type]]] = {
    "pipedream": {},
    "rpd": {"delta": ("max_delay", int), "delays": ("delays", str)},
    "localsgd": {"H": ("local_steps", int), "R": ("num_runs", int)},
    "gpipe": {"A": ("accumulation", int)},
    "flush": {"A": ("accumulation", int)},
    "2bw": {"A": ("accumulation", int)},
    "sgd": {},
}
"""Method -> its keys -> (run parameter, type)."""


@dataclass(frozen=True)
class MethodSpec:
    """One method of a comparison.

    Attributes:
        name: the item as written (its name in tables and records).
        method: the executor's method name.
        options: run parameters the item sets, as (name, value) pairs.
    """

    name: str
    method: str
    options: tuple[tuple[str, Any], ...] = ()

    def run_options(self) -> dict[str, Any]:
        """The options as keyword arguments of ``run_config``."""
        return dict(self.options)


def _refuse(why: str) -> ParameterError:
    methods = ", ".join(KEYS)
    return ParameterError(f"methods must be a comma-separated list of {methods}, each with "
                          f"optional :key=value settings (rpd: delta, delays; localsgd: H, R; "
                          f"gpipe, flush, 2bw: A); {why}")


def parse_item(text: str) -> MethodSpec:
    """One item, e.g. ``localsgd:H=5:R=16``."""
    method, *settings = text.strip().split(":")
    method = method.lower()
    if method not in KEYS:
        raise _refuse(f"unknown method {method!r}")
    options: dict[str, Any] = {}
    for setting in settings:
        key, equals, value = setting.partition("=")
        if not equals or key not in KEYS[method]:
            known = ", ".join(KEYS[method]) or "none"
            raise _refuse(f"{text.strip()!r} sets {key!r}, but {method} takes {known}")
        name, kind = KEYS[method][key]
        if name in options:
            raise _refuse(f"{text.strip()!r} sets {key} twice")
        if kind is int:
            if not value.isdigit():
                raise _refuse(f"{key} in {text.strip()!r} must be a whole number, got {value!r}")
            options[name] = int(value)
        else:
            options[name] = value
    return MethodSpec(text.strip(), method, tuple(sorted(options.items())))


def parse_methods(text: str) -> tuple[MethodSpec, ...]:
    """Every item of a comma-separated list (at least one; no item twice)."""
    items = [item for item in text.split(",")]
    if not text.strip() or any(not item.strip() for item in items):
        raise _refuse(f"got {text!r} (an empty item)")
    specs = tuple(parse_item(item) for item in items)
    names = [spec.name for spec in specs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise _refuse(f"{repeated[0]!r} is given twice")
    return specs
