"""Weight stashing: the versions of one stage's weights that PipeDream keeps.

PipeDream (Harlap et al. 2018) lets a stage update its weights while microbatches that read an
older version are still in flight; the backward of microbatch m on stage s must use the weights
its forward used, so the stage keeps ("stashes") every version some in-flight microbatch read,
plus the current one. In steady state with NOAM = S that is S - s versions at stage s
(STL-PD-STASH). Versions are immutable: an update makes a new array, so a stashed version can
never change under a microbatch that still needs it; NumPy arrays are also marked read-only
(:func:`freeze`), so an update made in place would fail loudly.
"""

from __future__ import annotations

from typing import Any


class StashingError(AssertionError):
    """The forward and the backward of one (stage, microbatch) used different weights."""


def freeze(weights: Any) -> Any:
    """Mark a NumPy array read-only (other arrays are returned as they are)."""
    flags = getattr(weights, "flags", None)
    if flags is not None:
        flags.writeable = False
    return weights


class WeightStash:
    """The current weights of one stage and the versions read by in-flight microbatches.

    Attributes:
        current: the newest weights (read by the next forward).
        version: how many updates produced ``current``.
    """

    def __init__(self, weights: Any) -> None:
        self.current = freeze(weights)
        self.version = 0
        self._reads: dict[int, tuple[int, Any]] = {}
        self._refs: dict[int, int] = {}

    def read(self, micro: int) -> tuple[int, Any]:
        """The forward of ``micro`` reads the current version; it stays stashed until taken."""
        entry = (self.version, self.current)
        self._reads[micro] = entry
        self._refs[self.version] = self._refs.get(self.version, 0) + 1
        return entry

    def take(self, micro: int) -> tuple[int, Any]:
        """The backward of ``micro`` takes the version its forward read (and releases it)."""
        try:
            entry = self._reads.pop(micro)
        except KeyError:
            raise StashingError(f"microbatch {micro} has no stashed weights") from None
        count = self._refs[entry[0]] - 1
        if count:
            self._refs[entry[0]] = count
        else:
            del self._refs[entry[0]]
        return entry

    def replace(self, weights: Any) -> None:
        """Install the result of an update as the current version."""
        self.current = freeze(weights)
        self.version += 1

    def held(self) -> int:
        """Distinct versions held: the stashed ones and the current one."""
        return len(self._refs) + (self.version not in self._refs)
