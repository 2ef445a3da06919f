"""Benchmark of the numeric pipeline executor against the paper's reference figures.

    python benchmarks/bench_executor.py [--repeats N] [--json PATH] [--quick]

Cases (NumPy, float64, one BLAS thread, fixed step size):

* PipeDream on the random Gaussian quadratic, d = 512, n = 1024, S = 16, batch 10, M = 160
  (2,560 block updates); the authors' reference code took 1.5 s and about 136 MB on a 2-core
  machine (Ilin and Richtarik, arXiv 2606.03498, from their repository's timing);
* Randomized PipeDream on the same problem with delta = 248; reference 2.3 s;
* both again with 8 times as many block updates, to show that peak memory does not grow with K;
* PipeDream and RPD with S = 64, d = 2^16 (n = 256), M = 192, to show how the cost grows (100
  trace points: each costs a full gradient, O(n d), where a block update costs O(n d / S)).

Time is the training loop's wall time (objective built beforehand), the minimum and the median
over the repeats, after one warm-up run. Memory is the tracemalloc peak of one run's
allocations (objective data and training) and the process's whole resident-set peak
(interpreter and libraries included, as in the reference's figure).
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeproof.checks.executor.config import run_config
from pipeproof.checks.executor.run import run_method

REFERENCE = {"pipedream": (1.5, 136e6), "rpd": (2.3, None)}
STEP_SIZE = 2.0**-6
logger = logging.getLogger("bench_executor")


def cases(quick: bool) -> list[dict]:
    """The benchmark cases: name, method, options."""
    base = {"objective": "quadratic", "num_stages": 16, "dim": 512, "num_samples": 1024,
            "batch_size": 10}
    rows = [{"name": "pipedream d=512 S=16 M=160", "method": "pipedream",
             "num_microbatches": 160, **base},
            {"name": "rpd delta=248 d=512 S=16 K=2560", "method": "rpd", "max_delay": 248,
             "num_microbatches": 160, **base},
            {"name": "pipedream d=512 S=16 M=1280", "method": "pipedream",
             "num_microbatches": 1280, **base},
            {"name": "rpd delta=248 d=512 S=16 K=20480", "method": "rpd", "max_delay": 248,
             "num_microbatches": 1280, **base}]
    if not quick:
        large = {"objective": "quadratic", "num_stages": 64, "dim": 2**16, "num_samples": 256,
                 "batch_size": 10, "num_microbatches": 192, "trace_points": 100}
        rows += [{"name": "pipedream d=2^16 S=64 M=192", "method": "pipedream", **large},
                 {"name": "rpd delta=4064 d=2^16 S=64 K=12288", "method": "rpd", **large}]
    return rows


def config_of(case: dict):
    """The RunConfig of a case."""
    options = {key: value for key, value in case.items() if key not in ("name", "method",
                                                                          "objective")}
    options.setdefault("trace_points", 1000)
    return run_config(case["method"], case["objective"], options.pop("num_stages"),
                      options.pop("num_microbatches"), STEP_SIZE, **options)


def measure(case: dict, repeats: int) -> dict:
    """Time (min, median) and memory of one case."""
    config = config_of(case)
    run_method(config)  # warm up: compiles the closed-form table once per process
    records = [run_method(config) for _ in range(repeats)]
    times = [record.summary["wall_seconds"] for record in records]
    tracemalloc.start()
    run_method(config)
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    summary = records[-1].summary
    return {"case": case["name"], "method": case["method"],
            "block_updates": summary["num_block_updates"], "seconds_min": min(times),
            "seconds_median": statistics.median(times), "setup_seconds": summary["setup_seconds"],
            "process_peak_bytes": summary["process_peak_memory_bytes"],
            "tracemalloc_peak_bytes": traced, "final_gap": summary["final_gap"]}


def report(results: list[dict]) -> str:
    """The figures as a text table, with the speedups over the reference."""
    lines = [f"{'case':36} {'K':>6} {'min s':>8} {'median s':>9} {'traced MiB':>10} "
             f"{'process MiB':>11} {'speedup':>8}"]
    for row in results:
        reference = REFERENCE.get(row["method"]) if row["block_updates"] == 2560 else None
        speedup = f"{reference[0] / row['seconds_median']:.1f}x" if reference else ""
        lines.append(f"{row['case']:36} {row['block_updates']:6d} {row['seconds_min']:8.3f} "
                     f"{row['seconds_median']:9.3f} "
                     f"{row['tracemalloc_peak_bytes'] / 2**20:10.1f} "
                     f"{row['process_peak_bytes'] / 2**20:11.1f} {speedup:>8}")
    lines.append("reference (authors' code, 2 cores): pipedream 1.5 s / ~136 MB, rpd 2.3 s; "
                 "speedup = reference / median")
    return "\n".join(lines)


def main() -> int:
    """Run the cases, print the table, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--quick", action="store_true", help="skip the S = 64 cases")
    args = parser.parse_args()
    results = [measure(case, args.repeats) for case in cases(args.quick)]
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(report(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
