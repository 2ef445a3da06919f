"""The op table of a pipeline schedule: which operation every stage runs in every slot.

A table stores, for every stage s and microbatch m, the first slot of the forward F(s, m) and of
the backward B(s, m); an op occupies ``forward_cost`` (t_F) or ``backward_cost`` (t_B) slots.
The dense slot x stage view (:meth:`OpTable.grid`) is built only on demand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeproof.theory.parameters import ScheduleSpec

IDLE = 0
"""Grid code of an idle slot; forward of m is ``m + 1``, backward of m is ``-(m + 1)``."""


@dataclass(frozen=True, eq=False)
class OpTable:
    """Start slots of every forward and backward of one schedule.

    Attributes:
        spec: the validated schedule parameters.
        forward_start: int array (S, M), first slot of F(s, m).
        backward_start: int array (S, M), first slot of B(s, m).
    """

    spec: ScheduleSpec
    forward_start: np.ndarray
    backward_start: np.ndarray

    @property
    def num_stages(self) -> int:
        """S, the number of stages."""
        return self.spec.num_stages

    @property
    def num_microbatches(self) -> int:
        """M, the number of microbatches."""
        return self.spec.num_microbatches

    @property
    def makespan(self) -> int:
        """Slots until the last op ends: max over (s, m) of B(s, m) + t_B."""
        return int(self.backward_start.max()) + self.spec.backward_cost

    def grid(self) -> np.ndarray:
        """Dense (makespan, S) int array: 0 idle, m + 1 for F(s, m), -(m + 1) for B(s, m).

        Raises:
            ValueError: when two ops overlap on one stage (the table is then not a schedule).
        """
        num_stages, num_micro = self.forward_start.shape
        grid = np.zeros((self.makespan, num_stages), dtype=np.int64)
        occupied = np.zeros_like(grid)
        codes = np.arange(1, num_micro + 1)
        stage_index = np.broadcast_to(np.arange(num_stages)[:, None], (num_stages, num_micro))
        for start, cost, sign in (
            (self.forward_start, self.spec.forward_cost, 1),
            (self.backward_start, self.spec.backward_cost, -1),
        ):
            for offset in range(cost):
                rows = (start + offset).ravel()
                cols = stage_index.ravel()
                np.add.at(occupied, (rows, cols), 1)
                grid[rows, cols] = sign * np.broadcast_to(codes, start.shape).ravel()
        if occupied.max(initial=0) > 1:
            raise ValueError("two ops overlap on one stage: not a valid op table")
        return grid
