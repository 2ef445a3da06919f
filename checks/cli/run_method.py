"""``pipeproof run-method METHOD ...``: train one method on one objective.

    pipeproof run-method pipedream --objective quadratic --stages 16 --microbatches 160
        [--step-size G|auto] [--max-delay D] [--runs R --local-steps H] [--backend numpy|torch]
        [--device cpu|cuda] [--seed N] [--out PATH.json|PATH.npz] [--plot PATH.png]

prints a summary (final gap, average squared gradient norm, L and G, delays, simulated time,
wall time, peak memory). Bad arguments print one line naming the flag and the accepted range,
and exit with 2; so does a run too large for this machine (estimated memory or time, see
:mod:`pipeproof.checks.executor.limits`). ``--out`` and ``--plot`` are checked before the run, the
record is written before the figure is drawn, and both are written atomically. A diverged run is
recorded with ``"diverged": true`` and null for every non-finite value.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeproof.checks.cli.main import at_least
from pipeproof.checks.executor.config import DELAY_MODES, run_config
from pipeproof.checks.executor.methods.registry import NAMES as METHODS
from pipeproof.checks.executor.objectives.registry import OBJECTIVES
from pipeproof.theory.parameters import ParameterError

if TYPE_CHECKING:
    from pipeproof.checks.executor.config import RunConfig
    from pipeproof.checks.executor.record import RunRecord

RECORD_SUFFIXES = (".json", ".npz")
TRANSFORMER_MIN_STAGES = 3
TRACE_POINTS = (50, 200)
"""Fewest and most trace points of a command-line run by default (the library's is 1000)."""
DEFAULT_TRACE_POINTS = TRACE_POINTS[1]
TRACE_HELP = ("points per trace (default ceil(K B / 3n) clamped to 50..200 for K block "
              "updates). Each point evaluates f and its full gradient over all n samples "
              "(n d multiply-adds, the arithmetic of n/B block updates): pipedream at "
              "d = 2^14, S = 16, K = 2560 took 20.1 s with 1000 points, 8.0 s with 200, "
              "3.8 s with 20")

FLAGS = {"method": "METHOD", "objective": "--objective", "num_stages": "--stages",
         "num_microbatches": "--microbatches", "step_size": "--step-size",
         "max_delay": "--max-delay", "num_runs": "--runs", "local_steps": "--local-steps",
         "backend": "--backend", "device": "--device", "seed": "--seed",
         "batch_size": "--batch-size", "accumulation": "--accumulation", "delays": "--delays",
         "num_block_updates": "--updates", "noise": "--noise", "dim": "--dim",
         "num_samples": "--samples", "condition": "--condition", "width": "--width",
         "context": "--context", "trace_points": "--trace-points",
         "forward_cost": "--forward-cost", "backward_cost": "--backward-cost",
         "slot_budget": "--slot-budget", "label_noise": "--label-noise", "labels": "--labels",
         "data_path": "--data", "batching": "--batching", "data_seed": "--data-seed"}
"""Parameter names and the flags that set them."""

NOTES = """limits and checks (each refusal is one line naming the flag, exit 2):
  --stages S is at most --dim for quadratic, nesterov, spectrum and logistic (no empty block);
  --batch-size is at most --samples; transformer needs --backend torch and S >= 3;
  a run whose estimated memory exceeds half the machine's or whose estimated time exceeds a
  day is refused, naming the parameter and the largest value accepted.
defaults: M = 10 S; localsgd R = S, H = 5 (as for `schedule localsgd`).
a diverged run prints "diverged" and its record has "diverged": true and null values."""

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
           ("--trace-points", "trace_points", at_least(1), "P", TRACE_HELP),
           ("--forward-cost", "forward_cost", at_least(1), "T_F", "slots per forward (1)"),
           ("--backward-cost", "backward_cost", at_least(1), "T_B", "slots per backward (1)"),
           ("--slot-budget", "slot_budget", at_least(1), "T",
            "stop at simulated time T (sets M; LocalSGD may end inside a round)"),
           ("--data-seed", "data_seed", at_least(0), "N",
            "seed of the data alone (default: drawn from --seed)"))


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def _step_size(text: str) -> float | str:
    if text == "auto":
        return text
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0 or auto, got {text!r}")
    return value


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add the ``run-method`` subcommand."""
    parser = commands.add_parser("run-method", help="train one method on one objective",
                                 description=__doc__.split("\n\n")[0] + "\n\n" + NOTES,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("method", metavar="METHOD", help=", ".join(METHODS))
    parser.add_argument("--objective", required=True, metavar="NAME",
                        help=", ".join(OBJECTIVES) + " (transformer: --backend torch, S >= 3)")
    parser.add_argument("--stages", type=at_least(1), required=True, metavar="S")
    parser.add_argument("--step-size", type=_step_size, default="auto", metavar="G|auto",
                        help="step size (finite, > 0), or auto: the best of a 2^-k grid "
                        "(default; warns when it picks an end of the grid)")
    for flag, dest, kind, metavar, text in OPTIONS:
        parser.add_argument(flag, dest=dest, type=kind, metavar=metavar, help=text)
    parser.add_argument("--delays", metavar="MODE",
                        help=f"rpd: {' or '.join(DELAY_MODES)} (default uniform)")
    parser.add_argument("--noise", type=_number, metavar="SIGMA",
                        help="Gaussian noise added to every block gradient (default 0)")
    parser.add_argument("--condition", type=_number, metavar="KAPPA",
                        help="nesterov, tridiagonal, spectrum: condition number")
    parser.add_argument("--label-noise", dest="label_noise", type=_number, metavar="SIGMA",
                        help="quadratic (default 0.1), tridiagonal (default 0): noise on y")
    parser.add_argument("--labels", metavar="KIND",
                        help="logistic: flipped (default) or bernoulli (the authors' data)")
    parser.add_argument("--batching", metavar="KIND",
                        help="random rows (default) or cyclic: fixed contiguous batches in "
                             "order (rpd draws one of them uniformly)")
    parser.add_argument("--data", dest="data_path", metavar="PATH.npz",
                        help="quadratic, logistic: an .npz file with X (n x d) and y (n)")
    parser.add_argument("--backend", default="numpy", help="numpy (default) or torch")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda (torch)")
    parser.add_argument("--out", metavar="PATH", help="write the record (.json or .npz)")
    parser.add_argument("--plot", metavar="PATH.png",
                        help="write a figure (.png, .pdf or .svg; needs matplotlib)")
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


def _transformer_problems(args: argparse.Namespace) -> None:
    """The transformer needs the torch backend and at least 3 stages: report both at once."""
    if args.objective != "transformer":
        return
    problems = []
    if args.stages < TRANSFORMER_MIN_STAGES:
        problems.append(f"--stages must be an integer >= {TRANSFORMER_MIN_STAGES} for "
                        f"transformer, got {args.stages}")
    if args.backend != "torch":
        problems.append(f"--objective transformer needs --backend torch, got --backend "
                        f"{args.backend}")
    if problems:
        raise ParameterError("; ".join(problems))


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options = {dest: getattr(args, dest) for _, dest, *_ in OPTIONS
               if getattr(args, dest) is not None}
    options.update({name: getattr(args, name) for name in (
        "delays", "noise", "condition", "label_noise", "labels", "batching", "data_path")
        if getattr(args, name) is not None})
    return options


def default_trace_points(config: RunConfig) -> int:
    """ceil(K B / 3n) clamped to :data:`TRACE_POINTS`: tracing stays a small share of a run
    (each point costs a pass over the n samples) with at least 50 points for a figure."""
    samples = config.num_samples or 1024
    wanted = -(-config.block_updates * config.batch_size // (3 * samples))
    return min(max(wanted, TRACE_POINTS[0]), TRACE_POINTS[1])


def _outputs(args: argparse.Namespace) -> tuple[Path | None, Path | None]:
    """--out and --plot, checked before any work."""
    from pipeproof.checks.outputs import FIGURE_SUFFIXES, output_file, require_matplotlib

    out = None if args.out is None else output_file("--out", args.out, RECORD_SUFFIXES)
    plot = None
    if args.plot is not None:
        plot = output_file("--plot", args.plot, FIGURE_SUFFIXES)
        require_matplotlib("--plot")
    if out is not None and plot is not None and out.resolve() == plot.resolve():
        raise ParameterError("--out and --plot must name different files")
    return out, plot


def run_command(args: argparse.Namespace) -> int:
    """Validate every parameter and output path, run, write the record (atomically), draw the
    figure, then print the summary."""
    from pipeproof.checks.executor.limits import check_run
    from pipeproof.checks.executor.run import run_method
    from pipeproof.checks.outputs import write_atomically

    try:
        _transformer_problems(args)
        options = _options(args)
        config = run_config(args.method, args.objective, args.stages,
                            options.pop("num_microbatches", None), args.step_size,
                            backend=args.backend, device=args.device, **options)
        if args.trace_points is None:
            config = replace(config, trace_points=default_trace_points(config))
        check_run(config)
        out, plot = _outputs(args)
        record = strict_record(run_method(config, progress=sys.stderr.isatty()))
        lines = []
        if out is not None:
            write_atomically(out, record.save)
            lines.append(f"record written to {out}")
        if plot is not None:
            from pipeproof.checks.executor.plot import plot_run
            lines.append(f"figure written to {plot_run(record, plot)}")
        lines.insert(0, summary_text(record.summary))
    except ParameterError as error:
        raise ParameterError(_flag_message(error)) from None
    warning = edge_warning(record.summary.get("step_size_choice"))
    if warning:
        print(f"pipeproof: warning: {warning}", file=sys.stderr)
    print("\n".join(lines))
    return 0


def strict_record(record: RunRecord) -> RunRecord:
    """The record with every non-finite summary or measurement value as None; ``diverged`` is
    true when any was (the JSON record is then strictly valid and says why values are null)."""
    from pipeproof.checks.outputs import finite_json

    summary, bad_summary = finite_json(record.summary)
    measurements, bad_measurements = finite_json(record.measurements)
    summary["diverged"] = bool(record.summary.get("diverged")) or bad_summary or bad_measurements
    return replace(record, summary=summary, measurements=measurements)


def edge_warning(choice: dict[str, Any] | None) -> str:
    """A warning when ``--step-size auto`` picked the largest or smallest step of its grid (the
    best step may lie beyond it); empty otherwise."""
    if not choice:
        return ""
    exponent, exponents = choice["exponent"], choice["exponents"]
    if exponent not in (exponents[0], exponents[-1]):
        return ""
    side = "largest" if exponent == exponents[0] else "smallest"
    return (f"--step-size auto chose 2^{-exponent}, the {side} step of its grid "
            f"2^{-exponents[0]}..2^{-exponents[-1]}; a better step may lie beyond it: give "
            "--step-size explicitly")


def summary_text(summary: dict[str, Any]) -> str:
    """The summary as a few lines of text."""
    from pipeproof.checks.executor.stepsize import describe

    def number(value: Any) -> str:
        return "diverged" if value is None else f"{value:.6g}"

    lines = [f"{summary['method']} on {summary['objective']}, S = {summary['num_stages']}, "
             f"M = {summary['num_microbatches']}: {summary['num_block_updates']} block updates",
             f"step size {summary['step_size']:.6g}"
             + (f" ({describe(summary['step_size_choice'])})" if summary['step_size_choice']
                else ""),
             f"final gap f - f* = {number(summary['final_gap'])} (from "
             f"{number(summary['initial_gap'])}; f* = {number(summary['f_star'])}, "
             f"{summary['f_star_kind']})",
             f"average ||grad f||^2 = {number(summary['avg_grad_norm_sq'])}",
             f"L = {number(summary['measured_L'])} ({summary['L_kind']}), G = "
             f"{number(summary['measured_G'])} (largest block-gradient norm seen)",
             f"max delay {summary['max_delay']} {summary['delay_unit']}; mean stale distance "
             f"||x - z||^2 = {number(summary['mean_stale_distance'])}",
             f"simulated time {summary['slots_used']} slots"
             + (f" (budget {summary['slot_budget']})" if summary.get('slot_budget') else "")
             + "; wall "
             f"{summary['wall_seconds']:.3f} s (+{summary['setup_seconds']:.3f} s setup); peak "
             f"memory {summary['peak_memory_bytes'] / 2**20:.1f} MiB ({summary['memory_method']})"]
    return "\n".join(lines)
