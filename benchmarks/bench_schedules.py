"""Speed and memory of op-table generation plus the full delay extraction.

Reference figures (the authors' code, same kind of 2-core machine): 0.5 s for S = 128 and 2.7 s
for S = 256, both with M = 10 S. Target: at least 20 times faster, and S = 1024, M = 10240
(about 10^7 block updates) in under 10 s without the K x S delay matrix.

Run: ``python benchmarks/bench_schedules.py`` (prints one line per case; ``--json PATH`` also
writes them).
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from pathlib import Path

from pipeproof.checks.tables import delays
from pipeproof.checks.tables.generate import op_table
from pipeproof.theory.parameters import schedule_spec

REFERENCE_SECONDS = {128: 0.5, 256: 2.7}
TARGET_SPEEDUP = 20


def extract(stages: int, generator: str) -> delays.DelayStatistics:
    """Generate the PipeDream table and its delay statistics under both conventions."""
    table = op_table(schedule_spec("pipedream", stages, 10 * stages), generator)
    statistics = None
    for convention in delays.CONVENTIONS:
        statistics = delays.delay_statistics(delays.update_index(table, convention))
    return statistics


def measure(stages: int, generator: str, repeats: int) -> dict[str, float | int | str]:
    """Best wall time over ``repeats`` and the peak traced memory of one run."""
    extract(stages, generator)  # warm-up: compiles the closed form once
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        extract(stages, generator)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    statistics = extract(stages, generator)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    row: dict[str, float | int | str] = {
        "stages": stages, "microbatches": 10 * stages, "generator": generator,
        "block_updates": stages * 10 * stages, "seconds": min(times),
        "peak_memory_mb": peak / 2**20, "steady_max": statistics.steady_max,
    }
    if stages in REFERENCE_SECONDS:
        row["reference_seconds"] = REFERENCE_SECONDS[stages]
        row["speedup"] = REFERENCE_SECONDS[stages] / min(times)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    args = parser.parse_args()
    rows = [measure(128, "auto", 5), measure(256, "auto", 5), measure(1024, "auto", 1),
            measure(128, "policy", 3), measure(256, "policy", 3)]
    for row in rows:
        print("  ".join(f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}"
                        for key, value in row.items()))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
