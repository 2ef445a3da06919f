"""The stored instances of the wrong convergence bounds, re-run; and a small search for new ones.

    python benchmarks/wrong_bound_instances.py            # every stored instance, its two sides
    python benchmarks/wrong_bound_instances.py --search   # scan gamma and delta at S = 1

The search runs RPD on the pseudo-Huber objective (S = 1, exact gradients, the oldest admissible
delays, so the expectation is the run) over a grid of step sizes and delays, and prints the
points where each wrong bound of CONV-RPD fails while the true bound holds.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from pipeproof.checks.empirical.convergence.bound_instance import judge, number, rerun
from pipeproof.checks.empirical.convergence.bounds import BOUNDS
from pipeproof.checks.empirical.convergence.wrong_bounds import STALE, WRONG_BOUNDS, for_theorem


def table() -> None:
    """Re-run every stored instance and print its numbers."""
    for wrong in WRONG_BOUNDS:
        started = time.perf_counter()
        verdict = judge(wrong)
        example = verdict.counterexample or {}
        instance = wrong.instance
        print(f"{wrong.theorem:11s} {verdict.status.value:9s} left {example.get('left', 0):.6g} "
              f"right {example.get('right', 0):.6g} true {example.get('true_bound')} | S "
              f"{instance.stages}, lambda {instance.scale:g}, sigma_s {instance.noise:g}, x0 "
              f"{instance.start}, gamma {instance.step_size:.6g}, delta {instance.delta}, K "
              f"{instance.updates} | {wrong.description} "
              f"({time.perf_counter() - started:.2f} s)")


def search(steps: tuple[float, ...], depths: tuple[int, ...], updates: int) -> None:
    """Print the (gamma, delta) points at S = 1 where a wrong bound of CONV-RPD fails."""
    for step in steps:
        for depth in depths:
            instance = replace(STALE, step_size=step, depth=depth, delta=depth, updates=updates)
            left = rerun(instance).value
            true = number(BOUNDS["CONV-RPD"].bound, instance)
            failing = [wrong.description.split(":")[0] for wrong in for_theorem("CONV-RPD")
                       if left > number(wrong.bound, instance)]
            print(f"gamma {step:g} delta {depth}: left {left:.4g}, true bound {true:.4g}, "
                  f"fails: {failing or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search", action="store_true", help="scan gamma and delta at S = 1")
    parser.add_argument("--updates", type=int, default=20000, help="K for the search")
    args = parser.parse_args()
    if args.search:
        search((0.001, 0.003, 0.01, 0.03), (10, 100, 300, 1000), args.updates)
    else:
        table()


if __name__ == "__main__":
    main()
