"""``python -m checks run-method METHOD ...``: train one method on one objective.

    python -m checks run-method pipedream --objective quadratic --stages 16 --microbatches 160
        [--step-size G|auto] [--max-delay D] [--runs R --local-steps H] [--backend numpy|torch]
        [--device cpu|cuda] [--seed N] [--out PATH.json|PATH.npz] [--plot PATH.png]

prints a summary (final gap, average squared gradient norm, L and G, delays, simulated time,
wall time, peak memory). Bad arguments print one line naming the flag and the accepted range,
and exit with 2.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from checks.cli import at_least
from checks.executor.config import DELAY_MODES, METHODS, OBJECTIVES, run_config
from theory.parameters import ParameterError

FLAGS = {"method": "METHOD", "objective": "--objective", "num_stages": "--stages",
         "num_microbatches": "--microbatches", "step_size": "--step-size",
         "max_delay": "--max-delay", "num_runs": "--runs", "local_steps": "--local-steps",
         "backend": "--backend", "device": "--device", "seed": "--seed",
         "batch_size": "--batch-size", "accumulation": "--accumulation", "delays": "--delays",
         "num_block_updates": "--updates", "noise": "--noise", "dim": "--dim",
         "num_samples": "--samples", "condition": "--condition", "width": "--width",
         "context": "--context", "trace_points": "--trace-points",
         "forward_cost": "--forward-cost", "backward_cost": "--backward-cost"}
"""Parameter names and the flags that set them."""

OPTIONS = (("--microbatches", "num_microbatches", at_least(1), "M", "microbatches (default 10 S)"),
           ("--max-delay", "max_delay", at_least(0), "D", "rpd: delta (default S^2 - ceil(S/2))"),
           ("--runs", "num_runs", at_least(1), "R", "localsgd: model copies (default S)"),
           ("--local-steps", "local_steps", at_least(1), "H", "localsgd: steps per round (5)"),
           ("--seed", "seed", at_least(0), "N", "seed of the run (default 0)"),
           ("--batch-size", "batch_size", at_least(1), "B", "rows per microbatch (default 10)"),
           ("--accumulation", "accumulation", at_least(1), "A",
            "gpipe, flush, 2bw: microbatches per step (default S)"),
           ("--updates", "num_block_updates", at_least(1), "K", "rpd: block updates (S M)"),
           ("--dim", "dim", at_least(1), "D", "parameters d (mlp: input features)"),
           ("--samples", "num_samples", at_least(1), "N", "samples n (default 1024)"),
           ("--width", "width", at_least(1), "W", "hidden width (mlp, transformer; 32)"),
           ("--context", "context", at_least(2), "T", "transformer: characters per window (16)"),
           ("--trace-points", "trace_points", at_least(1), "P", "points per trace (1000)"),
           ("--forward-cost", "forward_cost", at_least(1), "T_F", "slots per forward (1)"),
           ("--backward-cost", "backward_cost", at_least(1), "T_B", "slots per backward (1)"))


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None


def _step_size(text: str) -> float | str:
    if text == "auto":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 0 or auto, got {text!r}") from None


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add the ``run-method`` subcommand."""
    parser = commands.add_parser("run-method", help="train one method on one objective",
                                 description=__doc__.split("\n\n")[0])
    parser.add_argument("method", metavar="METHOD", help=", ".join(METHODS))
    parser.add_argument("--objective", required=True, metavar="NAME", help=", ".join(OBJECTIVES))
    parser.add_argument("--stages", type=at_least(1), required=True, metavar="S")
    parser.add_argument("--step-size", type=_step_size, default="auto", metavar="G|auto",
                        help="step size, or auto: the best of a 2^-k grid (default)")
    for flag, dest, kind, metavar, text in OPTIONS:
        parser.add_argument(flag, dest=dest, type=kind, metavar=metavar, help=text)
    parser.add_argument("--delays", metavar="MODE",
                        help=f"rpd: {' or '.join(DELAY_MODES)} (default uniform)")
    parser.add_argument("--noise", type=_number, metavar="SIGMA",
                        help="Gaussian noise added to every block gradient (default 0)")
    parser.add_argument("--condition", type=_number, metavar="KAPPA",
                        help="nesterov, spectrum: condition number")
    parser.add_argument("--backend", default="numpy", help="numpy (default) or torch")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda (torch)")
    parser.add_argument("--out", type=Path, metavar="PATH", help="write the record (.json, .npz)")
    parser.add_argument("--plot", type=Path, metavar="PATH.png", help="write a figure")
    parser.set_defaults(handler=run_command)


def _flag_message(error: ParameterError) -> str:
    """The message with parameter names replaced by their flags."""
    message = str(error.args[0]) if error.args else str(error)
    for name, flag in FLAGS.items():
        if message.startswith(name + " "):
            message = flag + message[len(name):]
        elif "_" in name or name == "delays":
            message = re.sub(rf"\b{name}\b", flag, message)
    return message


def run_command(args: argparse.Namespace) -> int:
    """Validate, run, print the summary, write the record and the figure."""
    from checks.executor.run import run_method

    options = {dest: getattr(args, dest) for _, dest, *_ in OPTIONS
               if getattr(args, dest) is not None}
    options.update({name: getattr(args, name) for name in ("delays", "noise", "condition")
                    if getattr(args, name) is not None})
    try:
        config = run_config(args.method, args.objective, args.stages,
                            options.pop("num_microbatches", None), args.step_size,
                            backend=args.backend, device=args.device, **options)
        record = run_method(config, progress=sys.stderr.isatty())
        if args.plot is not None:
            from checks.executor.plot import plot_run
            plot_run(record, args.plot)
    except ParameterError as error:
        raise ParameterError(_flag_message(error)) from None
    print(summary_text(record.summary))
    if args.out is not None:
        print(f"record written to {record.save(args.out)}")
    if args.plot is not None:
        print(f"figure written to {args.plot}")
    return 0


def summary_text(summary: dict[str, Any]) -> str:
    """The summary as a few lines of text."""
    from checks.executor.stepsize import describe

    def number(value: Any) -> str:
        return "diverged" if value is None else f"{value:.6g}"

    lines = [f"{summary['method']} on {summary['objective']}, S = {summary['num_stages']}, "
             f"M = {summary['num_microbatches']}: {summary['num_block_updates']} block updates",
             f"step size {summary['step_size']:.6g}"
             + (f" ({describe(summary['step_size_choice'])})" if summary['step_size_choice']
                else ""),
             f"final gap f - f* = {number(summary['final_gap'])} (from "
             f"{number(summary['initial_gap'])}; f* = {summary['f_star']:.6g}, "
             f"{summary['f_star_kind']})",
             f"average ||grad f||^2 = {number(summary['avg_grad_norm_sq'])}",
             f"L = {summary['measured_L']:.6g} ({summary['L_kind']}), G = "
             f"{number(summary['measured_G'])} (largest block-gradient norm seen)",
             f"max delay {summary['max_delay']} {summary['delay_unit']}; mean stale distance "
             f"||x - z||^2 = {summary['mean_stale_distance']:.3g}",
             f"simulated time {summary['simulated_slots']} slots; wall "
             f"{summary['wall_seconds']:.3f} s (+{summary['setup_seconds']:.3f} s setup); peak "
             f"memory {summary['peak_memory_bytes'] / 2**20:.1f} MiB ({summary['memory_method']})"]
    return "\n".join(lines)
