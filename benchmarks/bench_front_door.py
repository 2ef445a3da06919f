"""Start-up cost of the command line: each command in a fresh process against the same command
run in-process (imports done, closed forms ready), and what the fresh process imports.

Cases:

* ``start-up``: ``schedule pipedream --stages 2 --microbatches 4`` (almost no work);
* ``schedule S=256``: ``schedule pipedream --stages 256 --microbatches 2560``
  (target: fresh <= 2x in-process);
* ``run-method PD d=512``: ``run-method pipedream --objective quadratic --stages 16 --dim 512
  --step-size 0.01`` (2560 block updates).

For each case: the best wall time of ``repeats`` fresh processes (``pipeproof ...``), the
best in-process time after one warm-up call, their ratio, and whether the fresh process imported
SymPy or Z3 (from ``python -X importtime``). ``interpreter`` is ``python -c pass``, the floor of
any fresh process.

Run: ``python benchmarks/bench_front_door.py [--baseline TREE] [--json PATH]``; ``--baseline``
also measures another source tree of pipeproof (for a before/after comparison), interleaving the
fresh processes of both trees so that the machine's load affects both alike.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "start-up": ["schedule", "pipedream", "--stages", "2", "--microbatches", "4"],
    "schedule S=256": ["schedule", "pipedream", "--stages", "256", "--microbatches", "2560"],
    "run-method PD d=512": ["run-method", "pipedream", "--objective", "quadratic", "--stages",
                            "16", "--dim", "512", "--step-size", "0.01"],
}
HEAVY = ("sympy", "z3")


def fresh_once(argv: list[str], root: Path) -> float:
    """Wall time of ``pipeproof argv`` in a new process, run in ``root``."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeproof.checks", *argv], cwd=root, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def interpreter_seconds(repeats: int) -> float:
    """Best wall time of ``python -c pass``."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - started)
    return min(times)


def in_process_seconds(argv: list[str], repeats: int) -> float:
    """Best time of ``main(argv)`` in this process after one warm-up call."""
    from pipeproof.checks.cli.main import main

    times = []
    for attempt in range(repeats + 1):
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            started = time.perf_counter()
            code = main(argv)
            elapsed = time.perf_counter() - started
        if code != 0:
            raise RuntimeError(f"{argv} exited with {code}")
        if attempt:
            times.append(elapsed)
    return min(times)


def in_process_child(root: Path, repeats: int) -> dict[str, float]:
    """The in-process figures of ``root``, measured in a child process that imports it."""
    result = subprocess.run([sys.executable, __file__, "--root", str(root), "--repeats",
                             str(repeats), "--in-process"], check=True, capture_output=True,
                            text=True)
    return json.loads(result.stdout)


def imports(argv: list[str], root: Path) -> dict[str, Any]:
    """Import time in seconds (sum of ``-X importtime`` self times) and the heavy modules."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "pipeproof.checks", *argv],
                            cwd=root, check=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    total, loaded = 0, set()
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        fields = [field.strip() for field in line.split(":", 1)[1].split("|")]
        if not fields[0].isdigit():
            continue
        total += int(fields[0])
        if fields[2] in HEAVY:
            loaded.add(fields[2])
    return {"import_seconds": total / 1e6, "imports_sympy_or_z3": sorted(loaded)}


def measure(roots: dict[str, Path], repeats: int) -> dict[str, list[dict[str, Any]]]:
    """Rows per tree: the best fresh and in-process times over ``repeats`` rounds, their ratio,
    and the imports. Each round runs every tree's fresh processes and then its in-process child,
    so that the machine's changing load affects all figures alike."""
    fresh: dict[tuple[str, str], list[float]] = {}
    inside: dict[tuple[str, str], list[float]] = {}
    for _ in range(repeats):
        for label, root in roots.items():
            for name, argv in CASES.items():
                fresh.setdefault((label, name), []).append(fresh_once(argv, root))
            for name, seconds in in_process_child(root, 1).items():
                inside.setdefault((label, name), []).append(seconds)
    rows: dict[str, list[dict[str, Any]]] = {}
    for label, root in roots.items():
        rows[label] = []
        for name, argv in CASES.items():
            best, warm = min(fresh[(label, name)]), min(inside[(label, name)])
            rows[label].append({"case": name, "fresh_seconds": round(best, 4),
                                "in_process_seconds": round(warm, 4),
                                "ratio": round(best / warm, 2), **imports(argv, root)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="source tree to measure")
    parser.add_argument("--baseline", type=Path, help="another source tree, measured alike")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = args.root.resolve()
    if args.in_process:
        from pipeproof import checks

        if Path(checks.__file__).resolve().parents[1] != root:
            raise SystemExit(f"imported pipeproof.checks from {checks.__file__}, not from {root}"
                             " (measure a tree by installing it editable)")
        print(json.dumps({name: in_process_seconds(argv, args.repeats)
                          for name, argv in CASES.items()}))
        return
    roots = {"current": root}
    if args.baseline:
        roots["baseline"] = args.baseline.resolve()
    load_before = os.getloadavg()[0]
    rows = measure(roots, args.repeats)
    document = {"roots": {label: str(path) for label, path in roots.items()},
                "python": sys.version.split()[0], "cpus": os.cpu_count(),
                "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                "interpreter_seconds": round(interpreter_seconds(args.repeats), 4),
                "rows": rows}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    for label, table in rows.items():
        for row in table:
            print(f"{label:9} {row['case']:20} fresh {row['fresh_seconds']:7.3f} s  in-process "
                  f"{row['in_process_seconds']:7.3f} s  ratio {row['ratio']:7.2f}  imports "
                  f"{row['import_seconds']:.3f} s {' '.join(row['imports_sympy_or_z3'])}")
    print(f"interpreter {document['interpreter_seconds']:.3f} s (python -c pass); load "
          f"{document['load_average_1min']} on {document['cpus']} cpus")


if __name__ == "__main__":
    main()
