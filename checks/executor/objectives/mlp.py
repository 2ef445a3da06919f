"""A multilayer perceptron whose layers are the pipeline stages (a nonconvex pipeline).

Stage s holds layer s, W_s (width_s x width_{s+1}) and bias b_s, flattened into block s. With
h_0 = x (the input features of a row),

    h_{s+1} = tanh(h_s W_s + b_s)  (s < S - 1),   output = h_{S-1} w_{S-1} + b_{S-1},

and f(x) = (1/2n) sum_i (output_i - y_i)^2. Unlike the additive models, the activations h_s (not
partial sums) flow down the pipeline, and the backward of stage s needs W_s itself:

    delta_s = g_{s+1} * (1 - h_{s+1}^2),  dW_s = h_s^T delta_s,  db_s = sum delta_s,
    g_s = delta_s W_s^T,

so weight stashing (the same W_s in the forward and the backward) matters here.
The data come from a teacher network of the same shape: y = teacher(x) + 0.01 e. Known about
f*: 0 <= f* <= f(teacher weights) (the noise level); pipeproof reports the lower bound 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeproof.checks.executor.backend import Backend
from pipeproof.checks.executor.objectives.base import (
    Constant,
    Objective,
    local_smoothness,
    split_blocks,
)


def layer_shapes(num_stages: int, inputs: int, width: int) -> list[tuple[int, int]]:
    """(fan-in, fan-out) of every layer; the last has fan-out 1."""
    fans = [inputs] + [width] * (num_stages - 1) + [1]
    return [(fans[s], fans[s + 1]) for s in range(num_stages)]


class Perceptron(Objective):
    """The tanh MLP of the module docstring on n samples."""

    name = "mlp"

    def __init__(self, backend: Backend, features: np.ndarray, targets: np.ndarray,
                 num_stages: int, width: int, initial: np.ndarray, teacher_loss: float) -> None:
        self.shapes = layer_shapes(num_stages, features.shape[1], width)
        super().__init__(backend, split_blocks([i * o + o for i, o in self.shapes]),
                         features.shape[0])
        self.width = width
        self.features = backend.asarray(features)
        self.targets = backend.asarray(targets)
        self._initial = initial
        self._teacher_loss = teacher_loss
        self._smoothness: Constant | None = None

    def parameters(self) -> dict[str, Any]:
        return {**super().parameters(), "width": self.width,
                "inputs": self.shapes[0][0]}

    def initial_point(self) -> Any:
        return self.backend.asarray(self._initial)

    def smoothness(self) -> Constant:
        if self._smoothness is None:
            self._smoothness = local_smoothness(self, self.initial_point())
        return self._smoothness

    def optimum(self) -> Constant:
        return Constant(0.0, "lower bound", "squared loss >= 0; the teacher's weights give "
                        f"f = {self._teacher_loss:.3g}, so 0 <= f* <= {self._teacher_loss:.3g}")

    def _unpack(self, stage: int, weights: Any) -> tuple[Any, Any]:
        fan_in, fan_out = self.shapes[stage]
        matrix = weights[: fan_in * fan_out].reshape(fan_in, fan_out)
        return matrix, weights[fan_in * fan_out:]

    def _is_last(self, stage: int) -> bool:
        return stage == self.num_stages - 1

    def stage_forward(self, stage: int, weights: Any, inputs: Any, rows: Any) -> tuple[Any, Any]:
        hidden = self.features[rows] if inputs is None else inputs
        matrix, bias = self._unpack(stage, weights)
        output = hidden @ matrix + bias
        if self._is_last(stage):
            return output.reshape(-1), (hidden, None)
        output = self.backend.tanh(output)
        return output, (hidden, output)

    def loss_gradient(self, outputs: Any, rows: Any) -> Any:
        return (outputs - self.targets[rows]) / rows.shape[0]

    def stage_backward(self, stage: int, weights: Any, cache: Any, grad_outputs: Any,
                       rows: Any) -> tuple[Any, Any]:
        hidden, output = cache
        matrix, _ = self._unpack(stage, weights)
        if self._is_last(stage):
            delta = grad_outputs.reshape(-1, 1)
        else:
            delta = grad_outputs * (1.0 - output * output)
        grad = self.backend.zeros(weights.shape[0])
        split = matrix.shape[0] * matrix.shape[1]
        grad[:split] = (hidden.T @ delta).reshape(-1)
        grad[split:] = self.backend.column_sums(delta)
        return grad, (None if stage == 0 else delta @ matrix.T)

    def _forward_all(self, x: Any, rows: Any) -> tuple[Any, list]:
        outputs, caches = None, []
        for stage, block in enumerate(self.blocks):
            outputs, cache = self.stage_forward(stage, x[block], outputs, rows)
            caches.append(cache)
        return outputs, caches

    def value(self, x: Any) -> float:
        outputs, _ = self._forward_all(x, slice(None))
        residual = outputs - self.targets
        return self.backend.item(0.5 * (residual @ residual) / self.num_samples)

    def gradient(self, x: Any) -> Any:
        outputs, caches = self._forward_all(x, slice(None))
        grad_outputs = (outputs - self.targets) / self.num_samples
        gradient = self.backend.zeros(self.dim)
        for stage in range(self.num_stages - 1, -1, -1):
            block = self.blocks[stage]
            gradient[block], grad_outputs = self.stage_backward(stage, x[block], caches[stage],
                                                                grad_outputs, None)
        return gradient


def _network(rng: np.random.Generator, shapes: list[tuple[int, int]]) -> np.ndarray:
    """Flat weights with W ~ N(0, 1/fan-in) and zero biases."""
    parts = []
    for fan_in, fan_out in shapes:
        parts += [rng.standard_normal(fan_in * fan_out) / np.sqrt(fan_in), np.zeros(fan_out)]
    return np.concatenate(parts)


def make(backend: Backend, num_stages: int, inputs: int, width: int, num_samples: int,
         rng: np.random.Generator) -> Perceptron:
    """Teacher-student data (module docstring); the student starts from fresh random weights."""
    shapes = layer_shapes(num_stages, inputs, width)
    features = rng.standard_normal((num_samples, inputs))
    teacher_weights = _network(rng, shapes)
    placeholder = np.zeros(num_samples)
    teacher = Perceptron(backend, features, placeholder, num_stages, width, teacher_weights, 0.0)
    clean = backend.to_numpy(teacher._forward_all(teacher.initial_point(), slice(None))[0])
    noise = 0.01 * rng.standard_normal(num_samples)
    teacher_loss = 0.5 * float(noise @ noise) / num_samples
    return Perceptron(backend, features, clean + noise, num_stages, width, _network(rng, shapes),
                      teacher_loss)
