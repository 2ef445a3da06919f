"""Start-up cost of the command line: each command in a fresh process against the same command
run in-process (imports done, closed forms ready), and what the fresh process imports.

Cases:

* ``start-up``: ``schedule pipedream --stages 2 --microbatches 4`` (almost no work);
* ``schedule S=256``: ``schedule pipedream --stages 256 --microbatches 2560``
  (target: fresh <= 2x in-process);
* ``run-method PD d=512``: ``run-method pipedream --objective quadratic --stages 16 --dim 512
  --step-size 0.01`` (2560 block updates).

For each case: the best wall time of ``repeats`` fresh processes (``python -m checks ...``), the
best in-process time after one warm-up call, their ratio, and whether the fresh process imported
SymPy or Z3 (from ``python -X importtime``). ``interpreter`` is ``python -c pass``, the floor of
any fresh process.

Run: ``python benchmarks/bench_front_door.py [--root TREE] [--json PATH]``; ``--root`` measures
another source tree of pipeproof (for a before/after comparison).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
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


def fresh_seconds(argv: list[str], root: Path, repeats: int) -> float:
    """Best wall time of ``python -m checks argv`` in a new process, run in ``root``."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "checks", *argv], cwd=root, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return min(times)


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
    from checks.cli import main

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


def imports(argv: list[str], root: Path) -> dict[str, Any]:
    """Import time in seconds (sum of ``-X importtime`` self times) and the heavy modules."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "checks", *argv],
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


def measure(name: str, root: Path, repeats: int) -> dict[str, Any]:
    """One row: fresh, in-process, their ratio, and the imports."""
    argv = CASES[name]
    fresh = fresh_seconds(argv, root, repeats)
    inside = in_process_seconds(argv, repeats)
    return {"case": name, "fresh_seconds": round(fresh, 4),
            "in_process_seconds": round(inside, 4), "ratio": round(fresh / inside, 2),
            **imports(argv, root)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="source tree to measure")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    root = args.root.resolve()
    sys.path.insert(0, str(root))
    import checks

    if Path(checks.__file__).resolve().parents[1] != root:
        raise SystemExit(f"imported checks from {checks.__file__}, not from {root}")
    rows = [measure(name, root, args.repeats) for name in CASES]
    floor = interpreter_seconds(args.repeats)
    for row in rows:
        print(f"{row['case']:22} fresh {row['fresh_seconds']:7.3f} s  in-process "
              f"{row['in_process_seconds']:7.3f} s  ratio {row['ratio']:7.2f}  imports "
              f"{row['import_seconds']:.3f} s {row['imports_sympy_or_z3'] or ''}")
    print(f"{'interpreter':22} fresh {floor:7.3f} s (python -c pass)")
    if args.json:
        document = {"root": str(root), "python": sys.version.split()[0],
                    "interpreter_seconds": round(floor, 4), "rows": rows}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
