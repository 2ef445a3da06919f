"""The figure of one run: objective gap and gradient norm against block updates and slots.

Matplotlib is imported here only, when a figure is asked for (it is the ``plots`` extra).
"""

from __future__ import annotations

from pathlib import Path

from pipeproof.checks.executor.record import RunRecord
from pipeproof.checks.outputs import write_atomically
from pipeproof.theory.parameters import ParameterError


def plot_run(record: RunRecord, path: Path | str) -> Path:
    """Write a two-panel figure to ``path`` (format from its suffix, written atomically): f - f*
    and the running average of ||grad f||^2 against block updates (left) and against simulated
    slots (right).

    Raises:
        ParameterError: when matplotlib is not installed.
    """
    try:
        import matplotlib
    except ModuleNotFoundError:
        raise ParameterError("plot needs matplotlib: pip install 'pipeproof[plots]'") from None
    matplotlib.use("Agg")
    from matplotlib import pyplot

    traces, summary = record.traces, record.summary
    figure, axes = pyplot.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for axis, key, label in ((axes[0], "iteration", "block updates k"),
                             (axes[1], "slot", "simulated time (slots)")):
        axis.semilogy(traces[key], traces["gap"], label="f(x^k) - f*")
        axis.semilogy(traces[key], traces["avg_grad_norm_sq"], label="running mean ||grad f||^2")
        axis.set_xlabel(label)
        axis.grid(True, which="both", alpha=0.3)
    axes[0].legend()
    figure.suptitle(f"{summary['method']} on {summary['objective']}, S = {summary['num_stages']}, "
                    f"step {summary['step_size']:.3g}")
    try:
        return write_atomically(Path(path), lambda temporary: figure.savefig(temporary, dpi=120))
    finally:
        pyplot.close(figure)
