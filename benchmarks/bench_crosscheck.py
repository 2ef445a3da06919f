"""Export every SMT obligation of the catalogue and re-check each file with z3 and cvc5.

Per theorem: the seconds of the export (Z3 proves each obligation again, recording its queries,
and reads every file back) and of the cross-check (z3 and cvc5 on every file), the number of
files, and the goal files cvc5 answered unknown on. Any disagreement (z3 and cvc5 giving
different definite answers) is listed and makes the exit code 1.

Run: ``python benchmarks/bench_crosscheck.py [--cvc5-seconds T] [--only ID ...] [--json PATH]``
(needs ``pipeproof[crosscheck]``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter

from pipeproof.checks.certificates.crosscheck import check_file, solvers_proving
from pipeproof.checks.certificates.smtlib import export_theorem
from pipeproof.checks.certificates.solvers import CVC5_SECONDS, cvc5_version
from pipeproof.checks.profiles import DEFAULT_RLIMIT
from pipeproof.theory.catalogue import by_id, catalogue


def measure(theorem_id: str, cvc5_seconds: float) -> dict:
    """Export and cross-check one theorem."""
    theorem = by_id(theorem_id)
    started = time.perf_counter()
    exports = export_theorem(theorem, DEFAULT_RLIMIT)
    exported = time.perf_counter() - started
    started = time.perf_counter()
    unknown, disagree, obligations, configurations = [], [], [], []
    files = 0
    for export in exports:
        checks = [check_file(file, cvc5_seconds) for file in export.files]
        files += len(checks)
        for check in checks:
            cvc5 = check.answer("cvc5")
            if check.file.role == "goal" and cvc5 is not None and cvc5.result == "unknown":
                unknown.append(f"o{export.number:02d} {check.file.case or ''}: "
                               f"{export.obligation.name}")
            if check.disagreement:
                disagree.append(check.disagreement)
            if cvc5 is not None and cvc5.configuration:
                configurations.append(cvc5.configuration)
        obligations.append({"number": export.number, "z3": export.verdict.status.value,
                            "proved_by": solvers_proving(export, checks)})
    return {"id": theorem_id, "export_s": round(exported, 2),
            "crosscheck_s": round(time.perf_counter() - started, 2), "files": files,
            "cvc5_unknown": unknown, "disagreements": disagree, "obligations": obligations,
            "configurations": configurations}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cvc5-seconds", type=float, default=CVC5_SECONDS)
    parser.add_argument("--only", nargs="+", metavar="ID")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    ids = args.only or [theorem.id for theorem in catalogue()]
    rows = []
    for theorem_id in ids:
        row = measure(theorem_id, args.cvc5_seconds)
        rows.append(row)
        print(f"{row['id']:14s} export {row['export_s']:6.2f} s  cross-check "
              f"{row['crosscheck_s']:6.2f} s  {row['files']:3d} files  cvc5 unknown "
              f"{len(row['cvc5_unknown'])}  disagreements {len(row['disagreements'])}",
              flush=True)
    total_export = sum(row["export_s"] for row in rows)
    total_check = sum(row["crosscheck_s"] for row in rows)
    obligations = [ob for row in rows for ob in row["obligations"]]
    both = sum("cvc5" in ob["proved_by"] for ob in obligations)
    print(f"total: export {total_export:.1f} s, cross-check {total_check:.1f} s, "
          f"{sum(row['files'] for row in rows)} files, {cvc5_version()}; "
          f"{both} of {len(obligations)} SMT obligations re-proved by cvc5")
    configurations = Counter(
        name for row in rows for name in row.get("configurations", []))
    print("cvc5 answers by configuration: "
          + ", ".join(f"{name} {count}" for name, count in sorted(configurations.items())))
    for row in rows:
        for line in row["cvc5_unknown"]:
            print(f"cvc5 unknown: {row['id']} {line}")
        for line in row["disagreements"]:
            print(f"DISAGREEMENT: {row['id']} {line}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(rows, handle, indent=2)
    return 1 if any(row["disagreements"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
