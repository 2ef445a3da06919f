"""The staleness theorems on torch.distributed processes, in one script (< 3 minutes).

    python benchmarks/distributed_check.py [--device cpu|cuda] [--backend gloo|nccl]
        [--stages 2 4] [--out DIR]

For each S (default 2 and 4) one launch of S processes, one stage each, runs PipeDream
(M = 3S + 2) and 1F1B with a flush (three steps of A = S microbatches, and one step of
A = 2S + 1, the table STL-SYNC speaks of) on the quadratic, logistic and MLP objectives. Every
run is compared with the executor's run of the same schedule, data and seed (every per-op
measurement exactly, the loss trajectory and x^K to 1e-9 relative) and judged against the
staleness theorems (:mod:`pipeproof.checks.distributed.confirm`).

On a GPU machine: ``--device cuda`` computes on the GPU (rank r on GPU r mod count). NCCL
cannot put two ranks on one GPU, so with fewer GPUs than stages use ``--backend gloo`` (the
default: messages go through the host); ``--backend nccl`` is refused up front there.

The results (launch wall times, start-up, per-run agreement, verdicts) are printed and written to
``DIR/distributed_check-<device>-<backend>.json`` (default DIR: benchmarks/results). Exit code 0
when every run agrees and every verdict is confirmed, 1 otherwise, 2 for a refused setting.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeproof.checks.distributed.confirm import CHECKS, judge, outcome
from pipeproof.checks.distributed.document import agrees
from pipeproof.checks.distributed.jobs import OBJECTIVES, make_job
from pipeproof.checks.distributed.launch import START_METHOD, DistributedError, launch
from pipeproof.theory.parameters import ParameterError


def jobs_for(stages: int, backend: str, device: str) -> list:
    """PipeDream, the three-step flush and the one-step flush on every objective."""
    common = {"backend": backend, "device": device}
    jobs = [make_job(stages, objective, "pipedream", **common) for objective in OBJECTIVES]
    jobs += [make_job(stages, objective, "flush", **common) for objective in OBJECTIVES]
    one = 2 * stages + 1
    jobs += [make_job(stages, objective, "flush", one, accumulation=one, **common)
             for objective in OBJECTIVES]
    return jobs


def run_entry(result) -> dict:
    """What one run measured."""
    config = result.job.config
    return {"schedule": result.job.schedule, "objective": config.objective,
            "num_stages": config.num_stages, "num_microbatches": config.num_microbatches,
            "accumulation": config.accumulation, "agrees": agrees(result),
            "mismatched_arrays": list(result.mismatched),
            "trajectory_max_relative_difference": result.trajectory_difference,
            "final_point_max_relative_difference": result.point_difference,
            "inconsistent_reads": result.inconsistent_reads,
            "rank_seconds": [log["seconds"] for log in result.logs],
            "device": result.logs[0]["device"]}


def main() -> int:
    """Launch, compare, judge, print and write; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--backend", default="gloo", choices=("gloo", "nccl"))
    parser.add_argument("--stages", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    try:
        plans = {stages: jobs_for(stages, args.backend, args.device) for stages in args.stages}
    except ParameterError as error:
        print(f"distributed_check: refused: {error}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    outcomes, launches = [], []
    for stages, jobs in plans.items():
        begun = time.perf_counter()
        try:
            logs = launch(jobs)
        except DistributedError as error:
            print(f"distributed_check: S = {stages}: {error}", file=sys.stderr)
            return 1
        wall = time.perf_counter() - begun
        results = [outcome(job, entry) for job, entry in zip(jobs, logs, strict=True)]
        outcomes += results
        startup = max(log["ready_ns"] for log in logs[0]) - logs[0][0]["launched_ns"]
        launches.append({"num_stages": stages, "runs": len(jobs), "wall_seconds": wall,
                         "startup_seconds": startup / 1e9})
        print(f"S = {stages}: {len(jobs)} runs in one launch, {wall:.1f} s wall "
              f"(start-up {startup / 1e9:.1f} s)")
    verdicts = {theorem_id: judge(theorem_id, outcomes) for theorem_id in CHECKS}
    runs = [run_entry(result) for result in outcomes]
    for entry in runs:
        print(f"  {entry['schedule']:<9} {entry['objective']:<9} S = {entry['num_stages']} "
              f"M = {entry['num_microbatches']:<3} agrees {entry['agrees']}, trajectory "
              f"{entry['trajectory_max_relative_difference']:.1e}, x^K "
              f"{entry['final_point_max_relative_difference']:.1e}, reads off "
              f"{entry['inconsistent_reads']}")
    for theorem_id, verdict in verdicts.items():
        print(f"  {theorem_id:<14} {verdict.status.value}"
              + (f" {verdict.counterexample}" if verdict.counterexample else ""))
    ok = all(entry["agrees"] for entry in runs) and all(
        verdict.status.value == "confirmed" for verdict in verdicts.values())
    document = {"device": args.device, "backend": args.backend, "start_method": START_METHOD,
                "machine": platform.platform(), "python": platform.python_version(),
                "rank_device": runs[0]["device"], "seconds": time.perf_counter() - started,
                "ok": ok, "launches": launches, "runs": runs,
                "verdicts": {theorem_id: verdict.to_json()
                             for theorem_id, verdict in verdicts.items()}}
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"distributed_check-{args.device}-{args.backend}.json"
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"{'OK' if ok else 'NOT OK'} in {document['seconds']:.1f} s; written to {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
