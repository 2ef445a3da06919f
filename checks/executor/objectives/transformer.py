"""A small character-level transformer language model split into S >= 3 stages (PyTorch).

Stage 0 embeds the characters (token and position embeddings), stages 1..S-2 are pre-norm
transformer blocks (Vaswani et al. 2017; causal self-attention with 2 heads, then a GELU MLP),
and stage S-1 is the output head (layer norm, linear map to the vocabulary). The samples are
windows of ``context + 1`` characters of the text shipped in
``checks/executor/objectives/data/text.txt``, taken every ``context / 2`` characters; f is the mean
next-character cross-entropy over every position of every window. Gradients come from PyTorch
autograd, stage by stage: the forward of stage s keeps its graph, whose leaves are the stage's
weights and its input activation, and the backward differentiates that graph, so the weights the
backward uses are by construction the ones the forward used (weight stashing); the graph's weight
tensor is checked to be the stashed version.

Known about f*: no model that sees only the window can beat the conditional entropy of the next
character given the characters it sees, so f* >= H(next | visible prefix) on the training windows
(:func:`entropy_bound`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from importlib import resources
from typing import Any

import numpy as np

from pipeproof.checks.executor.backend import Backend
from pipeproof.checks.executor.methods.stash import StashingError
from pipeproof.checks.executor.objectives.base import (
    Constant,
    Objective,
    local_smoothness,
    split_blocks,
)
from pipeproof.theory.parameters import ParameterError

HEADS = 2
CHUNK = 256
"""Windows per chunk when f or grad f is evaluated over the whole text."""


def load_text() -> str:
    """The text shipped with the package."""
    data = resources.files("pipeproof.checks.executor.objectives").joinpath("data/text.txt")
    return data.read_text("utf-8")


def stage_layout(stage: int, num_stages: int, vocabulary: int, context: int,
                 width: int) -> list[tuple[str, tuple[int, ...]]]:
    """Names and shapes of the parameters of one stage, in flat order."""
    if stage == 0:
        return [("tokens", (vocabulary, width)), ("positions", (context, width))]
    if stage == num_stages - 1:
        return [("norm_gain", (width,)), ("norm_bias", (width,)),
                ("head", (width, vocabulary)), ("head_bias", (vocabulary,))]
    hidden = 2 * width
    return [("norm1_gain", (width,)), ("norm1_bias", (width,)), ("qkv", (width, 3 * width)),
            ("qkv_bias", (3 * width,)), ("out", (width, width)), ("out_bias", (width,)),
            ("norm2_gain", (width,)), ("norm2_bias", (width,)), ("up", (width, hidden)),
            ("up_bias", (hidden,)), ("down", (hidden, width)), ("down_bias", (width,))]


class CharTransformer(Objective):
    """The language model of the module docstring (torch backend only)."""

    name = "transformer"

    def __init__(self, backend: Backend, text: str, num_stages: int, context: int,
                 width: int, rng: np.random.Generator) -> None:
        import torch

        self.torch = torch
        self.vocabulary = sorted(set(text))
        codes = np.array([self.vocabulary.index(char) for char in text], dtype=np.int64)
        starts = np.arange(0, codes.size - context, context // 2)
        windows = codes[starts[:, None] + np.arange(context + 1)]
        self.layouts = [stage_layout(s, num_stages, len(self.vocabulary), context, width)
                        for s in range(num_stages)]
        sizes = [sum(math.prod(shape) for _, shape in layout) for layout in self.layouts]
        super().__init__(backend, split_blocks(sizes), windows.shape[0])
        self.context, self.width = context, width
        self.windows_np = windows
        self.inputs = backend.index(windows[:, :-1])
        self.labels = backend.index(windows[:, 1:])
        self._initial = self._initial_weights(rng)
        self._smoothness: Constant | None = None

    def _initial_weights(self, rng: np.random.Generator) -> np.ndarray:
        parts = []
        for layout in self.layouts:
            for name, shape in layout:
                size = math.prod(shape)
                if name.endswith("gain"):
                    parts.append(np.ones(size))
                elif name.endswith("bias"):
                    parts.append(np.zeros(size))
                else:
                    parts.append(0.1 * rng.standard_normal(size))
        return np.concatenate(parts)

    def parameters(self) -> dict[str, Any]:
        return {**super().parameters(), "context": self.context, "width": self.width,
                "vocabulary": len(self.vocabulary)}

    def initial_point(self) -> Any:
        return self.backend.asarray(self._initial)

    def smoothness(self) -> Constant:
        if self._smoothness is None:
            self._smoothness = local_smoothness(self, self.initial_point(), iterations=10)
        return self._smoothness

    def optimum(self) -> Constant:
        return Constant(entropy_bound(self.windows_np), "lower bound",
                        "conditional entropy of the next character given the visible prefix")

    def _views(self, stage: int, flat: Any) -> dict[str, Any]:
        views, offset = {}, 0
        for name, shape in self.layouts[stage]:
            size = math.prod(shape)
            views[name] = flat[offset:offset + size].view(shape)
            offset += size
        return views

    def _apply(self, stage: int, params: dict[str, Any], inputs: Any) -> Any:
        functional = self.torch.nn.functional
        if stage == 0:
            return params["tokens"][inputs] + params["positions"]
        if stage == self.num_stages - 1:
            normed = functional.layer_norm(inputs, (self.width,), params["norm_gain"],
                                           params["norm_bias"])
            return normed @ params["head"] + params["head_bias"]
        hidden = inputs + self._attention(params, functional.layer_norm(
            inputs, (self.width,), params["norm1_gain"], params["norm1_bias"]))
        normed = functional.layer_norm(hidden, (self.width,), params["norm2_gain"],
                                       params["norm2_bias"])
        up = functional.gelu(normed @ params["up"] + params["up_bias"])
        return hidden + up @ params["down"] + params["down_bias"]

    def _attention(self, params: dict[str, Any], normed: Any) -> Any:
        batch, length, width = normed.shape
        query, key, value = (normed @ params["qkv"] + params["qkv_bias"]).split(width, dim=-1)
        heads = [part.reshape(batch, length, HEADS, width // HEADS).transpose(1, 2)
                 for part in (query, key, value)]
        mixed = self.torch.nn.functional.scaled_dot_product_attention(*heads, is_causal=True)
        merged = mixed.transpose(1, 2).reshape(batch, length, width)
        return merged @ params["out"] + params["out_bias"]

    def stage_forward(self, stage: int, weights: Any, inputs: Any, rows: Any) -> tuple[Any, Any]:
        leaf = weights.detach().requires_grad_(True)
        source = (self.inputs[rows] if inputs is None
                  else inputs.detach().requires_grad_(True))
        with self.torch.enable_grad():
            output = self._apply(stage, self._views(stage, leaf), source)
        return output.detach(), (weights, leaf, source, output)

    def loss_gradient(self, outputs: Any, rows: Any) -> Any:
        probabilities = self.torch.softmax(outputs, dim=-1)
        labels = self.labels[rows]
        probabilities.scatter_add_(-1, labels.unsqueeze(-1),
                                   -self.torch.ones_like(probabilities[..., :1]))
        return probabilities / labels.numel()

    def stage_backward(self, stage: int, weights: Any, cache: Any, grad_outputs: Any,
                       rows: Any) -> tuple[Any, Any]:
        stashed, leaf, source, output = cache
        if stashed is not weights:
            raise StashingError(f"stage {stage}: the backward got other weights than the forward")
        wanted = [leaf] if stage == 0 else [leaf, source]
        grads = self.torch.autograd.grad(output, wanted, grad_outputs)
        return grads[0], (None if stage == 0 else grads[1])

    def _losses(self, x: Any, rows: Any) -> Any:
        activations = self.inputs[rows]
        for stage, block in enumerate(self.blocks):
            activations = self._apply(stage, self._views(stage, x[block]), activations)
        logits = activations.reshape(-1, len(self.vocabulary))
        return self.torch.nn.functional.cross_entropy(logits, self.labels[rows].reshape(-1),
                                                      reduction="sum")

    def value(self, x: Any) -> float:
        with self.torch.no_grad():
            total = sum(self.backend.item(self._losses(x, chunk)) for chunk in self._chunks())
        return total / (self.num_samples * self.context)

    def gradient(self, x: Any) -> Any:
        leaf = x.detach().requires_grad_(True)
        total = self.backend.zeros(self.dim)
        for chunk in self._chunks():
            with self.torch.enable_grad():
                total += self.torch.autograd.grad(self._losses(leaf, chunk), leaf)[0]
        return total / (self.num_samples * self.context)

    def _chunks(self) -> list[slice]:
        return [slice(start, start + CHUNK) for start in range(0, self.num_samples, CHUNK)]


def entropy_bound(windows: np.ndarray) -> float:
    """Mean over positions t and windows of H(next character | the t + 1 characters seen)."""
    total = 0.0
    for position in range(windows.shape[1] - 1):
        counts: dict[bytes, Counter] = defaultdict(Counter)
        for window in windows:
            counts[window[:position + 1].tobytes()][int(window[position + 1])] += 1
        for counter in counts.values():
            size = sum(counter.values())
            total -= sum(c * math.log(c / size) for c in counter.values())
    return total / (windows.shape[0] * (windows.shape[1] - 1))


def make(backend: Backend, num_stages: int, context: int, width: int,
         rng: np.random.Generator) -> CharTransformer:
    """The transformer on the shipped text.

    Raises:
        ParameterError: without the torch backend, for S < 3, or a width not divisible by
            the number of heads.
    """
    if backend.name != "torch":
        raise ParameterError("backend must be torch for the transformer objective, got numpy")
    if num_stages < 3:
        raise ParameterError(f"num_stages must be an integer >= 3 for the transformer "
                             f"(embedding, blocks, head), got {num_stages}")
    if width % HEADS:
        raise ParameterError(f"width must be a multiple of {HEADS} for the transformer, "
                             f"got {width}")
    return CharTransformer(backend, load_text(), num_stages, context, width, rng)
