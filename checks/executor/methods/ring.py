"""The versions Randomized PipeDream reads from: the last delta + 1 versions of every block.

RPD reads the mixed point z^k = (x_1^{k - d_1}, ..., x_S^{k - d_S}) with 0 <= d_j <= delta, so
block j must keep every version it had at the iterations k - delta .. k. Only one block changes
per iteration, so each block keeps its own versions in a ring of slots (version v of a block in
slot v mod C), and a table of the last delta + 1 version counts says which version every block
had at each recent iteration:

    z_j^k = ring_j[c_j(k - d_j) mod C],   c_j(t) = updates of block j among the first t.

The capacity C starts near twice the expected number of updates of one block in a window,
2 (delta + 1)/S, and doubles (up to delta + 1, always enough) when a block would overwrite a
version that is still readable. Memory is C d + (delta + 1) S, never the whole history.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeproof.checks.executor.backend import Backend


class VersionRing:
    """Block versions of the last ``max_delay`` + 1 iterations (module docstring)."""

    def __init__(self, backend: Backend, blocks: tuple[slice, ...], initial: Any,
                 max_delay: int) -> None:
        self.backend = backend
        self.blocks = blocks
        num_stages = len(blocks)
        self.window = max_delay + 1
        self.counts = np.zeros((self.window, num_stages), dtype=np.int64)
        self.version = np.zeros(num_stages, dtype=np.int64)
        self.iteration = 0
        self.sizes = np.array([block.stop - block.start for block in blocks])
        self.capacity = min(self.window, 2 * -(-self.window // num_stages) + 2)
        dim = blocks[-1].stop
        self.store = backend.zeros(self.capacity, dim)
        self.store[0] = initial
        self._columns = backend.index(np.arange(dim))
        self._stages = np.arange(num_stages)
        self._equal = bool((self.sizes == self.sizes[0]).all())
        self._stage_index = backend.index(self._stages)

    def mixed_point(self, delays: np.ndarray) -> Any:
        """z^k for the delays d_j (each in 0..min(delta, k)), as a flat array."""
        rows = (self.iteration - delays) % self.window
        slots = self.counts[rows, self._stages] % self.capacity
        if self._equal:
            blocks = self.store.reshape(self.capacity, self.sizes.size, int(self.sizes[0]))
            return blocks[self.backend.index(slots), self._stage_index].reshape(-1)
        return self.store[self.backend.index(np.repeat(slots, self.sizes)), self._columns]

    def update(self, stage: int, values: Any) -> None:
        """Block ``stage`` takes ``values`` (iteration k -> k + 1)."""
        version = int(self.version[stage]) + 1
        oldest = self._oldest_needed(stage, version)
        if version - oldest >= self.capacity:
            self._grow()
        self.store[version % self.capacity, self.blocks[stage]] = values
        self.version[stage] = version
        current = self.counts[self.iteration % self.window]
        self.iteration += 1
        following = self.counts[self.iteration % self.window]
        following[:] = current
        following[stage] += 1

    def _oldest_needed(self, stage: int, version: int) -> int:
        """The oldest version of block ``stage`` readable after this update, at k + 1 - delta."""
        first = self.iteration + 1 - (self.window - 1)
        if first > self.iteration:
            return version
        return int(self.counts[max(first, 0) % self.window, stage])

    def _grow(self) -> None:
        capacity = min(self.window, 2 * self.capacity)
        store = self.backend.zeros(capacity, self.store.shape[1])
        for stage, block in enumerate(self.blocks):
            newest = int(self.version[stage])
            for version in range(max(0, newest - self.capacity + 1), newest + 1):
                store[version % capacity, block] = self.store[version % self.capacity, block]
        self.store, self.capacity = store, capacity
