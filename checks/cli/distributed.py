"""``pipeproof distributed --stages S ...``: one run on S local processes, confirmed.

    pipeproof distributed --stages 4 --objective quadratic --schedule pipedream
        [--microbatches M] [--accumulation A] [--step-size G] [--seed N]
        [--backend gloo|nccl] [--device cpu|cuda] [--port P] [--timeout T]
        [--dim D] [--samples N] [--batch-size B] [--width W] [--out PATH.json]

launches one process per stage (:mod:`pipeproof.checks.distributed.launch`), merges their logs,
runs the executor on the same schedule, data and seed, and prints the agreement and the verdict
of every staleness theorem the run speaks about; exit code 0 when all agree, 1 when not or when
the run fails (one line: the rank that failed, or the ranks' progress at the time-out), 2 for bad
input (S < 2, a port in use, PyTorch missing, NCCL with fewer GPUs than stages, ...), all checked
before any process starts.
"""

from __future__ import annotations

import argparse
import sys
import time

from pipeproof.checks.cli.main import at_least
from pipeproof.theory.parameters import ParameterError, check_real

NOTES = """defaults: M = 3S + 2 (pipedream) or 3S (flush, A = S); step size 0.01; d = 64 and
n = 256 (quadratic, logistic), n = 256 (mlp).
processes: Python's multiprocessing with a fork server that imports PyTorch once (spawn where
the platform has none), a TCP rendezvous on 127.0.0.1 (--port 0: any free port); no torchrun.
GPUs: --device cuda computes on GPU (rank mod the GPU count); with --backend gloo the messages
go through the host, so S ranks may share one GPU; --backend nccl needs one GPU per stage."""

FLAGS = {"num_stages": "--stages", "num_microbatches": "--microbatches",
         "step_size": "--step-size", "accumulation": "--accumulation", "dim": "--dim",
         "num_samples": "--samples", "batch_size": "--batch-size", "width": "--width",
         "port": "--port", "timeout": "--timeout", "seed": "--seed", "schedule": "--schedule",
         "objective": "--objective", "backend": "--backend", "device": "--device"}


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add the ``distributed`` subcommand."""
    from pipeproof.checks.distributed.jobs import (
        BACKENDS,
        DEFAULT_STEP,
        DEFAULT_TIMEOUT,
        DEVICES,
        OBJECTIVES,
        SCHEDULES,
    )

    parser = commands.add_parser(
        "distributed", help="PipeDream or 1F1B-flush on S torch.distributed processes",
        description=__doc__.split("\n\n")[0] + "\n\n" + NOTES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stages", type=at_least(1), required=True, metavar="S",
                        help="stages, one process each (2..32)")
    parser.add_argument("--objective", default="quadratic", help=", ".join(OBJECTIVES))
    parser.add_argument("--schedule", default="pipedream", help=" or ".join(SCHEDULES))
    parser.add_argument("--microbatches", dest="num_microbatches", type=at_least(1),
                        metavar="M")
    parser.add_argument("--accumulation", type=at_least(1), metavar="A",
                        help="flush: microbatches per step (default S)")
    parser.add_argument("--step-size", type=float, default=DEFAULT_STEP, metavar="G")
    parser.add_argument("--seed", type=at_least(0), default=0, metavar="N")
    parser.add_argument("--backend", default="gloo", help=" or ".join(BACKENDS))
    parser.add_argument("--device", default="cpu", help=" or ".join(DEVICES))
    parser.add_argument("--port", type=at_least(0), default=0, metavar="P",
                        help="rendezvous port on 127.0.0.1 (default 0: any free port)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="T",
                        help=f"seconds for the run once every rank has joined "
                             f"(default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--dim", type=at_least(1), metavar="D")
    parser.add_argument("--samples", dest="num_samples", type=at_least(1), metavar="N")
    parser.add_argument("--batch-size", type=at_least(1), metavar="B")
    parser.add_argument("--width", type=at_least(1), metavar="W")
    parser.add_argument("--out", metavar="PATH.json", help="write the run's document")
    parser.set_defaults(handler=run_command)


def _message(error: ParameterError) -> str:
    message = str(error.args[0]) if error.args else str(error)
    for name, flag in FLAGS.items():
        if message.startswith(name + " "):
            return flag + message[len(name):]
    return message


def run_command(args: argparse.Namespace) -> int:
    """Check everything, launch, confirm, print; see the module docstring."""
    from pipeproof.checks.distributed.confirm import outcome
    from pipeproof.checks.distributed.document import document, lines, ok, verdicts
    from pipeproof.checks.distributed.jobs import make_job
    from pipeproof.checks.distributed.launch import (
        MAX_TIMEOUT,
        START_METHOD,
        DistributedError,
        free_port,
        launch,
    )
    from pipeproof.checks.outputs import output_file, write_json

    try:
        path = output_file("--out", args.out, (".json",)) if args.out is not None else None
        options = {name: getattr(args, name) for name in
                   ("accumulation", "dim", "num_samples", "batch_size", "width")
                   if getattr(args, name) is not None}
        job = make_job(args.stages, args.objective, args.schedule, args.num_microbatches,
                       args.step_size, args.seed, args.backend, args.device, **options)
        check_real("timeout", args.timeout, 0.0, MAX_TIMEOUT, open_min=True)
        port = free_port(args.port)
    except ParameterError as error:
        print(f"pipeproof: error: {_message(error)}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        logs = launch([job], port, args.timeout)[0]
    except DistributedError as error:
        print(f"pipeproof: distributed run failed: {error}", file=sys.stderr)
        return 1
    wall = time.perf_counter() - started
    result = outcome(job, logs)
    judged = verdicts(result)
    if path is not None:
        write_json(document(result, judged, wall, START_METHOD), path)
    print("\n".join(lines(result, judged, wall, START_METHOD)))
    return 0 if ok(result, judged) else 1
