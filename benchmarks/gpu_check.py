"""The executor on a GPU: CPU-vs-CUDA agreement and throughput, in one script (< 8 minutes).

    python benchmarks/gpu_check.py [--device cuda|cpu] [--quick] [--out DIR]

1. Agreement: every method on the quadratic, logistic and MLP objectives (and the transformer
   with PipeDream and RPD), once with PyTorch on the CPU and once on ``--device``, from the same
   seed; the largest relative difference of the final iterates and of the traces must be at
   most 1e-9 (1e-10 when ``--device cpu``, which compares NumPy with PyTorch on the CPU).
2. Throughput: PipeDream, RPD and PipeDream-2BW on the random Gaussian quadratic with 2^22
   parameters, S = 16 (n = 64, batch 10), block updates per second on ``--device``; with
   ``--quick`` (used by the tests) 2^13 parameters and fewer agreement runs.

The results, with the device name, are printed and written to
``DIR/gpu_check-<device>.json`` (default DIR: benchmarks/results).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.methods.registry import METHODS
from pipeproof.checks.executor.record import RunRecord
from pipeproof.checks.executor.run import run_method

OBJECTIVES = ("quadratic", "logistic", "mlp")
SIZES = {"quadratic": {"dim": 64, "num_samples": 128}, "logistic": {"dim": 64, "num_samples": 128},
         "mlp": {"dim": 8, "num_samples": 128}, "transformer": {}}


def relative_difference(first: RunRecord, second: RunRecord) -> float:
    """Largest relative difference of the final iterates and of the gap and gradient traces."""
    worst = float(np.abs(first.final_point - second.final_point).max()
                  / max(np.abs(first.final_point).max(), 1e-300))
    for name in ("gap", "grad_norm_sq", "stale_distance"):
        a, b = first.traces[name], second.traces[name]
        scale = np.maximum(np.abs(a), 1e-300)
        worst = max(worst, float(np.nanmax(np.abs(a - b) / scale)))
    return worst


def agreement_runs(quick: bool) -> list[tuple[str, str, int]]:
    """(method, objective, S) pairs to compare."""
    runs = [(method, objective, 4) for objective in OBJECTIVES for method in METHODS]
    runs += [("pipedream", "transformer", 3), ("rpd", "transformer", 3)]
    return runs[:3] if quick else runs


def agreement(device: str, quick: bool) -> list[dict]:
    """Compare PyTorch-CPU (NumPy for device cpu) with ``device`` on every pair."""
    reference_backend = "numpy" if device == "cpu" else "torch"
    rows = []
    for method, objective, stages in agreement_runs(quick):
        options = {"batch_size": 4, "noise": 0.05, "trace_points": 20, **SIZES[objective]}
        micro = 8 * stages if method != "localsgd" else 2 * stages * 5
        step = 0.2 if objective == "transformer" else 0.05
        first_backend = "torch" if objective == "transformer" else reference_backend
        records = [run_method(run_config(method, objective, stages, micro, step,
                                         backend=backend, device=where, **options))
                   for backend, where in ((first_backend, "cpu"), ("torch", device))]
        rows.append({"method": method, "objective": objective, "num_stages": stages,
                     "relative_difference": relative_difference(*records)})
    return rows


def throughput(device: str, quick: bool) -> list[dict]:
    """Block updates per second on the 2^22-parameter quadratic (2^13 with ``quick``)."""
    dim = 2**13 if quick else 2**22
    rows = []
    for method, extra in (("pipedream", {}), ("rpd", {"max_delay": 248}), ("2bw", {})):
        config = run_config(method, "quadratic", 16, 64, 2.0**-12, dim=dim, num_samples=64,
                            batch_size=10, backend="torch", device=device, trace_points=4,
                            **extra)
        started = time.perf_counter()
        summary = run_method(config).summary
        rows.append({"method": method, "dim": dim, "num_stages": 16,
                     "block_updates": summary["num_block_updates"],
                     "train_seconds": summary["wall_seconds"],
                     "updates_per_second": summary["num_block_updates"] / summary["wall_seconds"],
                     "peak_memory_bytes": summary["peak_memory_bytes"],
                     "total_seconds": time.perf_counter() - started})
    return rows


def device_name(device: str) -> str:
    """The accelerator's name, or the CPU's."""
    if device == "cuda":
        import torch
        return torch.cuda.get_device_name()
    return platform.processor() or platform.machine()


def main() -> int:
    """Run both checks, print and write the results; exit 1 if an agreement check fails."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    tolerance = 1e-9 if args.device == "cuda" else 1e-10
    started = time.perf_counter()
    rows = agreement(args.device, args.quick)
    speed = throughput(args.device, args.quick)
    name = device_name(args.device)
    passed = all(row["relative_difference"] <= tolerance for row in rows)
    document = {"device": name, "tolerance": tolerance, "passed": passed, "agreement": rows,
                "throughput": speed, "seconds": time.perf_counter() - started}
    for row in rows:
        print(f"{row['method']:10} {row['objective']:12} S={row['num_stages']}  "
              f"max relative difference {row['relative_difference']:.1e}")
    for row in speed:
        print(f"{row['method']:10} d={row['dim']} S=16: {row['updates_per_second']:.0f} block "
              f"updates/s ({row['block_updates']} in {row['train_seconds']:.2f} s), peak "
              f"{row['peak_memory_bytes'] / 2**20:.0f} MiB")
    print(f"{name}: agreement {'passed' if passed else 'FAILED'} (tolerance {tolerance:g}), "
          f"{document['seconds']:.0f} s")
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or args.device
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"gpu_check-{slug}.json"
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"written to {path}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
