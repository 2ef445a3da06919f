"""What a run measures about its schedule: delays, version lags, stashed versions, activations.

The executor counts block updates as it applies them, so these are measurements of the run, not
readings of the op table. For microbatch m, let r_C1(j, m) be the number of updates applied
before F(j, m) ran (updates of the same slot on stages < j included: convention C1) and
r_C0(j, m) the number applied in earlier slots (C0); let k(s, m) be the index of the update that
applied the gradient of (s, m). Then (Ilin and Richtarik, arXiv 2606.03498; pipeproof's
staleness theorems STL-*)

    delay d(s, j, m) = k(s, m) - r(j, m),
    own version lag  = updates of block s between F(s, m) and the update of (s, m),
    mixed lag of j   = updates of block j between F(j, m) and the last update of m,

and a stage holds, right after F(s, m), the current version and every version read by an
in-flight microbatch. Statistics are folded in when a microbatch's last update is applied, so
memory stays O(S^2) plus the in-flight microbatches; with ``keep_arrays`` the (S, M) arrays are
kept as well (for tests and confirmations). "Steady" means the microbatches S <= m < M - S.
"""

from __future__ import annotations

from typing import Any

import numpy as np

ARRAY_NAMES = ("forward_slot", "backward_slot", "update_slot", "iteration", "read_c1",
               "read_c0", "read_version", "lag", "held", "in_flight")


class UpdateCounter:
    """Block updates applied so far in each stream (a LocalSGD copy, or the one model), and how
    many of them came in slots before the current one: the read indices under C1 and C0."""

    def __init__(self, num_streams: int = 1) -> None:
        self.count = [0] * num_streams
        self._slot = [-1] * num_streams
        self._before = [0] * num_streams

    def applied(self, stream: int, slot: int) -> int:
        """Count one update of ``stream`` in ``slot``; return its index within the stream."""
        if slot != self._slot[stream]:
            self._slot[stream] = slot
            self._before[stream] = self.count[stream]
        self.count[stream] += 1
        return self.count[stream] - 1

    def reads(self, stream: int, slot: int) -> tuple[int, int]:
        """(r_C1, r_C0) for a forward of ``stream`` that runs in ``slot``."""
        count = self.count[stream]
        return count, (self._before[stream] if self._slot[stream] == slot else count)


class ScheduleLog:
    """Per-op hooks called by the pipeline engine, and the statistics they add up to.

    With ``track_delays`` False (PipeDream-2BW, whose updates are per step, not per microbatch)
    only versions held, activations and step delays are kept.
    """

    def __init__(self, num_stages: int, num_microbatches: int, keep_arrays: bool = False,
                 track_delays: bool = True) -> None:
        self.num_stages = num_stages
        self.track_delays = track_delays
        self.steady = (num_stages, num_microbatches - num_stages)
        shape = (num_stages, num_microbatches)
        self.arrays = ({name: np.full(shape, -1, dtype=np.int64) for name in ARRAY_NAMES}
                       if keep_arrays else None)
        self._reads: dict[int, tuple[list, list, list]] = {}
        self._updates: dict[int, list] = {}
        self.run = {"max_delay": 0, "max_delay_c0": 0, "max_foreign_delay": 0,
                    "max_foreign_delay_c0": 0, "delay_sum": 0, "delay_count": 0,
                    "max_mixed_lag": 0, "step_delays": set(),
                    "first_step_delays": set()}
        self.held = [[0, 0] for _ in range(num_stages)]  # [run max, steady max]
        self.in_flight = [[0, 0] for _ in range(num_stages)]
        self.lags = [[None, None] for _ in range(num_stages)]  # steady [min, max]
        self._steady_matrix: dict[str, list] = {}
        self._mixed = np.zeros(num_stages, dtype=np.int64)
        self._max_lag = 0
        self._steady_count = 0

    def is_steady(self, micro: int) -> bool:
        """S <= m < M - S."""
        return self.steady[0] <= micro < self.steady[1]

    def forward(self, stage: int, micro: int, slot: int, read_c1: int, read_c0: int,
                version: int, held: int, in_flight: int) -> None:
        """F(stage, micro) ran at ``slot`` after ``read_c1`` updates (``read_c0`` in earlier
        slots), read weight version ``version``; the stage now holds ``held`` versions and
        ``in_flight`` microbatches."""
        entry = self._reads.get(micro) if self.track_delays else ([0], [0], [0])
        if entry is None:
            size = self.num_stages
            entry = self._reads[micro] = ([0] * size, [0] * size, [0] * size)
            self._updates[micro] = [0] * size
        if self.track_delays:
            entry[0][stage], entry[1][stage], entry[2][stage] = read_c1, read_c0, version
        record = self.held[stage]
        if held > record[0]:
            record[0] = held
        if held > record[1] and self.steady[0] <= micro < self.steady[1]:
            record[1] = held
        record = self.in_flight[stage]
        if in_flight > record[0]:
            record[0] = in_flight
        if in_flight > record[1] and self.steady[0] <= micro < self.steady[1]:
            record[1] = in_flight
        if self.arrays is not None:
            for name, value in (("forward_slot", slot), ("read_c1", read_c1),
                                ("read_c0", read_c0), ("read_version", version),
                                ("held", held), ("in_flight", in_flight)):
                self.arrays[name][stage, micro] = value

    def backward(self, stage: int, micro: int, slot: int) -> None:
        """B(stage, micro) ended in ``slot`` (kept with the arrays only)."""
        if self.arrays is not None:
            self.arrays["backward_slot"][stage, micro] = slot

    def update(self, stage: int, micro: int, slot: int, iteration: int, lag: int) -> None:
        """The gradient of (stage, micro) was applied as update ``iteration`` at ``slot``, ``lag``
        updates of block ``stage`` after its forward read."""
        self._updates[micro][stage] = iteration
        if lag > self._max_lag:
            self._max_lag = lag
        if self.steady[0] <= micro < self.steady[1]:
            bounds = self.lags[stage]
            bounds[0] = lag if bounds[0] is None else min(bounds[0], lag)
            bounds[1] = lag if bounds[1] is None else max(bounds[1], lag)
        if self.arrays is not None:
            for name, value in (("update_slot", slot), ("iteration", iteration), ("lag", lag)):
                self.arrays[name][stage, micro] = value

    def step_delay(self, step: int, delay: int) -> None:
        """Optimizer step ``step`` applied a gradient read ``delay`` versions before the one it
        updates (PipeDream-2BW); the first step is kept apart."""
        self.run["first_step_delays" if step == 0 else "step_delays"].add(delay)

    def finish(self, micro: int, versions: list[int]) -> None:
        """Every update of ``micro`` is applied; ``versions`` counts the updates of each block
        before its last one. Fold its delays and mixed lags into the statistics."""
        read_c1, read_c0, read_versions = (np.asarray(part) for part in self._reads.pop(micro))
        iteration = np.asarray(self._updates.pop(micro))
        delays = iteration[:, None] - read_c1[None, :]
        delays_c0 = iteration[:, None] - read_c0[None, :]
        own = np.argsort(np.argsort(iteration, kind="stable"), kind="stable")[:, None]
        run = self.run
        for key, value in (("max_delay", delays.max()), ("max_delay_c0", delays_c0.max()),
                           ("max_foreign_delay", (delays - own).max()),
                           ("max_foreign_delay_c0", (delays_c0 - own).max())):
            run[key] = max(run[key], int(value))
        run["delay_sum"] += int(delays.sum())
        run["delay_count"] += delays.size
        mixed = np.asarray(versions) - read_versions
        run["max_mixed_lag"] = max(run["max_mixed_lag"], int(mixed.max()))
        if self.is_steady(micro):
            self._fold_steady(delays, delays_c0, mixed)

    def _fold_steady(self, delays_c1: np.ndarray, delays_c0: np.ndarray,
                     mixed: np.ndarray) -> None:
        for name, delays in (("C1", delays_c1), ("C0", delays_c0)):
            if name not in self._steady_matrix:
                self._steady_matrix[name] = [delays.copy(), delays.copy(), delays.astype(float)]
            else:
                low, high, total = self._steady_matrix[name]
                np.minimum(low, delays, out=low)
                np.maximum(high, delays, out=high)
                total += delays
        np.maximum(self._mixed, mixed, out=self._mixed)
        self._steady_count += 1

    def statistics(self) -> dict[str, Any]:
        """JSON-ready statistics (steady entries are None without steady microbatches)."""
        run = self.run
        result: dict[str, Any] = {
            "max_delay": run["max_delay"],
            "max_delay_c0": run["max_delay_c0"],
            "max_foreign_delay": run["max_foreign_delay"],
            "max_foreign_delay_c0": run["max_foreign_delay_c0"],
            "mean_delay": run["delay_sum"] / run["delay_count"] if run["delay_count"] else None,
            "max_version_lag": self._max_lag,
            "max_mixed_lag": run["max_mixed_lag"],
            "step_delays": sorted(run["step_delays"]),
            "first_step_delays": sorted(run["first_step_delays"]),
            "held_versions_max_per_stage": [pair[0] for pair in self.held],
            "in_flight_max_per_stage": [pair[0] for pair in self.in_flight],
            "steady": None,
        }
        if self._steady_count:
            result["steady"] = self._steady_statistics()
        return result

    def _steady_statistics(self) -> dict[str, Any]:
        steady: dict[str, Any] = {"microbatches": self._steady_count}
        for name, (low, high, total) in self._steady_matrix.items():
            steady[name] = {"max": int(high.max()),
                            "mean": float(total.mean() / self._steady_count),
                            "max_per_read_block": high.max(axis=0).tolist(),
                            "matrix_min": low.tolist(), "matrix_max": high.tolist()}
        steady["lag_min_per_stage"] = [pair[0] for pair in self.lags]
        steady["lag_max_per_stage"] = [pair[1] for pair in self.lags]
        steady["mixed_lag_max_per_block"] = self._mixed.tolist()
        steady["held_versions_per_stage"] = [pair[1] for pair in self.held]
        steady["in_flight_per_stage"] = [pair[1] for pair in self.in_flight]
        return steady


class DelayTally:
    """Delays of Randomized PipeDream's mixed reads: max, mean and max per block."""

    def __init__(self, num_stages: int) -> None:
        self.max_per_block = np.zeros(num_stages, dtype=np.int64)
        self.total = 0
        self.count = 0

    def add(self, delays: np.ndarray) -> None:
        """Delays of updates, one row per update and one column per block j."""
        np.maximum(self.max_per_block, delays.max(axis=0), out=self.max_per_block)
        self.total += int(delays.sum())
        self.count += delays.size

    def statistics(self) -> dict[str, Any]:
        """JSON-ready statistics."""
        return {"max_delay": int(self.max_per_block.max()),
                "mean_delay": self.total / self.count if self.count else None,
                "max_delay_per_block": self.max_per_block.tolist()}
