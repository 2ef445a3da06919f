"""The record of one run: its parameters, summary, traces and schedule measurements.

A record saves to JSON (``.json``) or NumPy (``.npz``) and loads back; the JSON document has the
summary keys at its top level (a contract of ``pipeproof run-method --out``):

    method, objective, num_stages, num_block_updates, step_size, seed, final_gap,
    avg_grad_norm_sq, measured_L, measured_G, max_delay, simulated_slots, slots_used,
    wall_seconds, peak_memory_bytes

plus ``parameters`` (everything that rebuilds the run), ``measurements`` (delays, lags,
versions held) and ``traces`` (against block updates and slots,
:mod:`pipeproof.checks.executor.trace`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SUMMARY_KEYS = ("method", "objective", "num_stages", "num_block_updates", "step_size", "seed",
                "final_gap", "avg_grad_norm_sq", "measured_L", "measured_G", "max_delay",
                "simulated_slots", "slots_used", "wall_seconds", "peak_memory_bytes")
"""Keys every summary has."""


@dataclass
class MethodResult:
    """What a method returns besides its traces.

    Attributes:
        simulated_slots: time of the run in slots.
        measurements: schedule statistics (JSON-ready).
        max_delay: the largest delay the run's reads had.
        delay_unit: "block updates" or "optimizer steps".
        arrays: per (stage, microbatch) measurements, when kept.
    """

    simulated_slots: int
    measurements: dict[str, Any]
    max_delay: int
    delay_unit: str = "block updates"
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class RunRecord:
    """One run.

    Attributes:
        parameters: the run's parameters (``RunConfig.to_json()`` plus the objective's).
        summary: the summary (:data:`SUMMARY_KEYS` and more).
        traces: name -> 1-D array, all of one length.
        measurements: schedule statistics.
        arrays: optional (S, M) arrays of per-op measurements.
        final_point: x^K (saved in .npz only).
    """

    parameters: dict[str, Any]
    summary: dict[str, Any]
    traces: dict[str, np.ndarray]
    measurements: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    final_point: np.ndarray | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON document (summary keys at the top level)."""
        return {**self.summary, "parameters": self.parameters,
                "measurements": self.measurements,
                "traces": {name: _finite_list(values) for name, values in self.traces.items()},
                "arrays": {name: values.tolist() for name, values in self.arrays.items()}}

    def save(self, path: Path | str) -> Path:
        """Write to ``path``: NumPy when it ends in .npz, else JSON."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".npz":
            header = {"summary": self.summary, "parameters": self.parameters,
                      "measurements": self.measurements}
            arrays = {f"trace_{name}": values for name, values in self.traces.items()}
            arrays.update({f"array_{name}": values for name, values in self.arrays.items()})
            if self.final_point is not None:
                arrays["final_point"] = self.final_point
            np.savez_compressed(path, header=np.array(json.dumps(header, default=_plain)),
                                **arrays)
        else:
            path.write_text(json.dumps(self.to_json(), indent=1, default=_plain) + "\n",
                            encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path | str) -> RunRecord:
        """Read a record written by :meth:`save`."""
        path = Path(path)
        if path.suffix == ".npz":
            with np.load(path) as data:
                header = json.loads(str(data["header"]))
                traces = {key[6:]: data[key] for key in data.files if key.startswith("trace_")}
                arrays = {key[6:]: data[key] for key in data.files if key.startswith("array_")}
                final = data["final_point"] if "final_point" in data.files else None
            return cls(header["parameters"], header["summary"], traces,
                       header["measurements"], arrays, final)
        document = json.loads(path.read_text(encoding="utf-8"))
        traces = {name: np.array(values, dtype=float)
                  for name, values in document.pop("traces").items()}
        arrays = {name: np.array(values) for name, values in document.pop("arrays", {}).items()}
        parameters = document.pop("parameters")
        measurements = document.pop("measurements")
        return cls(parameters, document, traces, measurements, arrays)


def _finite_list(values: np.ndarray) -> list:
    """A list with NaN and infinities as None (JSON has neither)."""
    return [float(value) if np.isfinite(value) else None for value in values]


def _plain(value: Any) -> Any:
    """JSON fallback for NumPy scalars and arrays."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
