"""Progress of a check run on stderr: a bar on a terminal, one line per theorem otherwise.

The runner calls the hook before any work and as each task finishes
(:data:`pipeproof.checks.runner.TaskHook`). Each task carries a weight, its expected share of the
work: the seconds its theorems took in the last report of the same profile, split evenly over their
tasks, or else a fixed weight per kind of task (an executor confirmation counts as
:data:`KIND_WEIGHTS` proof tasks). The estimate of the time left is

    elapsed * (total weight - finished weight) / finished weight,

so a slow first task does not make it jump. Without a terminal a line is printed when the last
task of a theorem finishes, and a line with the share of work done whenever
:data:`HEARTBEAT_SECONDS` pass without one, so a long task is never silent.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

KIND_WEIGHTS = {"distributed": 60.0, "empirical": 20.0, "grid": 5.0, "proof": 1.0}
"""Weight of a task of each kind when no earlier report says how long it takes."""
HEARTBEAT_SECONDS = 10.0


def task_theorems(task: Any) -> set[str]:
    """The ids of the theorems a runner task works for (:mod:`pipeproof.checks.tasks`)."""
    return set(task.theorem_ids)


def last_seconds(path: Path | None, profile: str) -> dict[str, float]:
    """Seconds per theorem in the report at ``path`` when it was made under ``profile``."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("profile") != profile:
        return {}
    return {entry["id"]: float(entry.get("seconds") or 0.0)
            for entry in document.get("theorems", []) if isinstance(entry, dict) and "id" in entry}


def task_weights(tasks: list, seconds: dict[str, float]) -> list[float]:
    """The weight of every task (see the module docstring)."""
    owners = [task_theorems(task) for task in tasks]
    if not seconds or not all(owner <= seconds.keys() for owner in owners):
        return [KIND_WEIGHTS.get(task.kind, 1.0) for task in tasks]
    counts: dict[str, int] = {}
    for owner in owners:
        for theorem_id in owner:
            counts[theorem_id] = counts.get(theorem_id, 0) + 1
    weights = [sum(seconds[i] / counts[i] for i in owner) for owner in owners]
    return [max(weight, 1e-3) for weight in weights]


class RunProgress:
    """The runner's task hook: a bar on a terminal, else one line per finished theorem."""

    def __init__(self, stream: TextIO | None = None, seconds: dict[str, float] | None = None,
                 terminal: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.seconds = seconds or {}
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.started = self.last_line = time.perf_counter()
        self.tasks: list = []
        self.weights: list[float] = []
        self.done_weight = 0.0
        self.done = 0
        self.remaining: dict[str, int] = {}
        self.finished: list[str] = []
        self.bar: Any = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def __call__(self, tasks: list, number: int | None) -> None:
        with self._lock:
            if number is None:
                self._start(tasks)
            else:
                self._finish(number)

    def _finish(self, number: int) -> None:
        self.done += 1
        self.done_weight += self.weights[number]
        for theorem_id in sorted(task_theorems(self.tasks[number])):
            self.remaining[theorem_id] -= 1
            if not self.remaining[theorem_id]:
                self.finished.append(theorem_id)
                if not self.terminal:
                    self._line(theorem_id)
        if self.bar is not None:
            self.bar.update(self.weights[number])
            self.bar.set_postfix_str(f"{self.done}/{len(self.tasks)} tasks", refresh=False)

    def _start(self, tasks: list) -> None:
        self.started = self.last_line = time.perf_counter()
        self.tasks = tasks
        self.weights = task_weights(tasks, self.seconds)
        for task in tasks:
            for theorem_id in task_theorems(task):
                self.remaining[theorem_id] = self.remaining.get(theorem_id, 0) + 1
        if self.terminal and tasks:
            from tqdm import tqdm
            self.bar = tqdm(total=sum(self.weights), file=self.stream, leave=False,
                            smoothing=0.0, desc="checks",
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix} "
                                       "[{elapsed} elapsed, about {remaining} left]")
        elif tasks:
            self._beat = threading.Thread(target=self._heartbeats, daemon=True)
            self._beat.start()

    def _line(self, theorem_id: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(f"[{len(self.finished)}/{len(self.remaining)}] {theorem_id} checked "
              f"({elapsed:.1f} s elapsed, about {self.eta():.0f} s left by counted work)",
              file=self.stream, flush=True)
        self.last_line = time.perf_counter()

    def _heartbeats(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                if time.perf_counter() - self.last_line >= HEARTBEAT_SECONDS:
                    self._heartbeat()

    def _heartbeat(self) -> None:
        share = 100 * self.done_weight / sum(self.weights)
        left = f"about {self.eta():.0f} s left" if self.done_weight else "no estimate yet"
        print(f"[{share:.0f}% of counted work] {self.done}/{len(self.tasks)} tasks, "
              f"{time.perf_counter() - self.started:.1f} s elapsed, {left}",
              file=self.stream, flush=True)
        self.last_line = time.perf_counter()

    def eta(self) -> float:
        """Seconds left: elapsed * (remaining weight) / (finished weight)."""
        if self.done_weight <= 0:
            return float("nan")
        elapsed = time.perf_counter() - self.started
        return max(0.0, elapsed * (sum(self.weights) - self.done_weight) / self.done_weight)

    def close(self) -> None:
        """Stop the heartbeat and remove the bar."""
        self._stop.set()
        if self._beat is not None:
            self._beat.join()
            self._beat = None
        if self.bar is not None:
            self.bar.close()
            self.bar = None
