"""The pipeline engine: runs an op table slot by slot on a real objective.

Every forward F(s, m) reads weights through the method's policy, runs stage s on the
microbatch and passes its activation on; every backward B(s, m) takes the gradient from stage
s + 1 (or the loss, on the last stage), asks the policy for the weights F(s, m) read, and hands
the weight gradient to the policy, which decides when and where it is applied (at once for
PipeDream and LocalSGD, at the flush for GPipe and Flush, at the end of the step for 2BW).

Invariant, asserted for every (s, m): the backward uses exactly the weights its forward used,
the same version number and the same array. Policies whose versions are immutable freeze NumPy
arrays (read-only); for the others (LocalSGD updates in place, after the backward) and for
PyTorch tensors on the CPU the engine also compares a checksum taken at the forward.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from pipeproof.checks.executor.events import OpChunk
from pipeproof.checks.executor.methods.stash import StashingError
from pipeproof.checks.executor.objectives.base import Objective
from pipeproof.checks.executor.sampler import Noise, Sampler
from pipeproof.checks.executor.schedule_log import ScheduleLog
from pipeproof.checks.executor.trace import Recorder


class Policy(Protocol):
    """How a pipelined method keeps and updates weights.

    Attributes:
        mutable: True when the policy updates weight arrays in place.
    """

    mutable: bool

    def read(self, stage: int, micro: int) -> tuple[int, Any]:
        """(version, weights) for F(stage, micro)."""

    def reads(self, micro: int, slot: int) -> tuple[int, int]:
        """(r_C1, r_C0): updates of the stream of ``micro`` before a forward in ``slot``."""

    def take(self, stage: int, micro: int) -> tuple[int, Any]:
        """(version, weights) for B(stage, micro): what its forward read."""

    def apply(self, stage: int, micro: int, grad: Any, point: Any, slot: int, lag: int) -> None:
        """Use the gradient of (stage, micro), computed at ``point``."""

    def held(self, stage: int) -> int:
        """Weight versions the stage holds."""

    def version(self, stage: int, micro: int) -> int:
        """Updates applied so far to the copy of block ``stage`` that ``micro`` uses."""

    def end_round(self, slot: int) -> None:
        """A flush or barrier after ``slot``."""


class Engine:
    """Runs op chunks; see the module docstring."""

    def __init__(self, objective: Objective, policy: Policy, recorder: Recorder,
                 sampler: Sampler, noise: Noise, log: ScheduleLog) -> None:
        self.objective = objective
        self.policy = policy
        self.recorder = recorder
        self.sampler = sampler
        self.noise = noise
        self.log = log
        stages = objective.num_stages
        backend = objective.backend
        self.verify = backend.device == "cpu" and (policy.mutable or backend.name != "numpy")
        self._rows: dict[int, Any] = {}
        self._noise: dict[int, Any] = {}
        self._points: dict[int, Any] = {}
        self._ops: list[dict[int, tuple]] = [{} for _ in range(stages)]
        self._outputs: list[dict[int, Any]] = [{} for _ in range(stages)]
        self._grads: list[dict[int, Any]] = [{} for _ in range(stages)]
        self._in_flight = [0] * stages
        self._last = stages - 1

    def run(self, chunks: Iterable[OpChunk], limit: int | None = None) -> int:
        """Run every op, or with a ``limit`` (a slot budget T) every op in a slot below T;
        return the simulated time: the last slot used plus one, or T when the budget cut the
        schedule. A round (flush, barrier) cut by the budget is not ended."""
        slot = -1
        for chunk in chunks:
            for at, stage, backward, micro in zip(chunk.slots, chunk.stages, chunk.backward,
                                                  chunk.micro, strict=True):
                if limit is not None and at >= limit:
                    return limit
                slot = at
                if backward:
                    self._backward(stage, micro, slot)
                else:
                    self._forward(stage, micro, slot)
            if chunk.end_of_round:
                self.policy.end_round(slot)
        return slot + 1

    def _forward(self, stage: int, micro: int, slot: int) -> None:
        objective, policy = self.objective, self.policy
        if stage == 0:
            self._rows[micro] = self.sampler.draw()
            self._noise[micro] = self.noise.draw(objective.dim)
            self._points[micro] = objective.backend.zeros(objective.dim)
        version, weights = policy.read(stage, micro)
        inputs = self._outputs[stage - 1].pop(micro) if stage else None
        output, cache = objective.stage_forward(stage, weights, inputs, self._rows[micro])
        self._points[micro][objective.blocks[stage]] = weights
        fingerprint = float(weights @ weights) if self.verify else None
        if stage == self._last:
            self._ops[stage][micro] = (version, weights, fingerprint, cache, output)
        else:
            self._ops[stage][micro] = (version, weights, fingerprint, cache, None)
            self._outputs[stage][micro] = output
        self._in_flight[stage] += 1
        read_c1, read_c0 = policy.reads(micro, slot)
        self.log.forward(stage, micro, slot, read_c1, read_c0, version, policy.held(stage),
                         self._in_flight[stage])

    def _backward(self, stage: int, micro: int, slot: int) -> None:
        objective, policy = self.objective, self.policy
        version, used, fingerprint, cache, output = self._ops[stage].pop(micro)
        rows = self._rows[micro]
        if stage == self._last:
            grad_outputs = objective.loss_gradient(output, rows)
        else:
            grad_outputs = self._grads[stage + 1].pop(micro)
        taken, weights = policy.take(stage, micro)
        if taken != version or weights is not used or (
                self.verify and not _same(float(weights @ weights), fingerprint)):
            raise StashingError(f"B({stage}, {micro}) would use weight version {taken}, but "
                                f"F({stage}, {micro}) used version {version}")
        grad, grad_inputs = objective.stage_backward(stage, weights, cache, grad_outputs, rows)
        if stage:
            self._grads[stage][micro] = grad_inputs
        self._in_flight[stage] -= 1
        self.log.backward(stage, micro, slot)
        noise = self._noise[micro]
        if noise is not None:
            grad = grad + noise[objective.blocks[stage]]
        lag = policy.version(stage, micro) - version
        policy.apply(stage, micro, grad, self._points[micro], slot, lag)
        if stage == 0:
            del self._rows[micro], self._points[micro], self._noise[micro]


def _same(first: float, second: float | None) -> bool:
    """Equal fingerprints; two NaNs (weights of a diverged run) count as equal."""
    return first == second or (first != first and second is not None and second != second)
