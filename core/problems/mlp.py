"""A small multi-layer perceptron for 2-D binary classification, by hand.

Layers ``sizes = (2, h1, ..., hk, 1)``: each hidden layer computes
``act(h·W + b)`` with tanh, relu or sigmoid; the output unit gives a logit
``z`` and ``p = sigmoid(z)``. The loss is the mean binary cross-entropy over
the training points, written as ``softplus(s·z)`` with ``s = 1 − 2y`` so that
no two large numbers are subtracted (see the logistic regression problem).

The parameters are one flat vector, layer by layer: ``W1`` row by row (input
i to unit j is ``w1_i_j``, 1-based), then ``b1``, then ``W2``, ``b2``, ...
Everything is vectorised over leading axes of ``theta`` (..., P): one call
evaluates a single network, a batch of networks (a sweep: one per learning
rate) or a grid of them (a loss-landscape slice). The gradient is
backpropagation written out by hand; the tests hold it against torch
autograd and central differences.

Weights start from Glorot (Xavier) uniform: ``U(−r, r)`` with
``r = √(6 / (fan_in + fan_out))``, biases at zero, from
``numpy.random.default_rng([seed, 1])`` (the data uses ``seed`` alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ConfigError
from core.problems.mlp_work import each_chunk, work_array

if TYPE_CHECKING:
    from core._types import FloatArray

ACTIVATIONS = ("tanh", "relu", "sigmoid")
MAX_UNITS = 256  # per hidden layer
MAX_LAYERS = 6
MAX_PARAMS = 20_000


def _sigmoid(z: Any) -> Any:
    # tanh form: no overflow warning for large |z|
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _softplus(z: Any) -> Any:
    # log(1 + e^z) as max(z, 0) + log1p(e^−|z|): the same value to a rounding,
    # a third of the time of numpy's logaddexp, and no overflow for large |z|
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


# each activation with its slope written in terms of its own output h
_ACT = {
    "tanh": (np.tanh, lambda h: 1.0 - h * h),
    "sigmoid": (_sigmoid, lambda h: h * (1.0 - h)),
    "relu": (lambda a: np.maximum(a, 0.0), lambda h: (h > 0.0).astype(h.dtype)),
}


def torch_loss(layout: Layout, activation: str, theta: Any, x: Any, y: Any) -> Any:
    """The same loss on torch tensors (for autograd and the torch backend).

    ``logaddexp(0, t)`` rather than ``torch.nn.functional.softplus``, which
    returns t itself above t = 20 and would differ from the numpy loss there.
    """
    import torch

    act = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}[activation]
    layers = layout.unpack(theta)
    h = x
    for w, b in layers[:-1]:
        h = act(h @ w + b)
    w, b = layers[-1]
    z = (h @ w + b)[..., 0]
    t = (1.0 - 2.0 * y) * z
    return torch.logaddexp(torch.zeros_like(t), t).mean(dim=-1)


def parse_hidden(hidden: Any) -> tuple[int, ...]:
    """Hidden layer widths from ``(8, 8)``, ``[8, 8]``, ``"8,8"`` or ``"8-8"``; ConfigError."""
    text = hidden if isinstance(hidden, str) else None
    try:
        if text is not None:
            parts = [p for p in text.replace("-", ",").replace(" ", ",").split(",") if p]
            widths = tuple(int(p) for p in parts)
        elif isinstance(hidden, int | np.integer) and not isinstance(hidden, bool):
            widths = (int(hidden),)
        else:
            widths = tuple(int(w) for w in hidden)
            if any(isinstance(w, bool) or float(w) != int(w) for w in hidden):
                raise ValueError
    except (TypeError, ValueError):
        raise ConfigError(
            f"hidden must be layer widths such as 8,8 (whole numbers from 1 to {MAX_UNITS}), "
            f"got {hidden!r}") from None
    if not 1 <= len(widths) <= MAX_LAYERS:
        raise ConfigError(f"hidden must name from 1 to {MAX_LAYERS} layers, got {hidden!r}")
    bad = [w for w in widths if not 1 <= w <= MAX_UNITS]
    if bad:
        raise ConfigError(
            f"each hidden layer needs from 1 to {MAX_UNITS} units, got {bad[0]} in {hidden!r}")
    return widths


@dataclass(frozen=True)
class Layout:
    """Where each layer's weights and biases sit in the flat parameter vector."""

    sizes: tuple[int, ...]

    def __post_init__(self) -> None:
        if self.n_params > MAX_PARAMS:
            raise ConfigError(
                f"a network of sizes {'-'.join(map(str, self.sizes))} has {self.n_params:,} "
                f"parameters; at most {MAX_PARAMS:,} are allowed")

    @cached_property
    def slices(self) -> tuple[tuple[slice, slice], ...]:
        """For each layer, the slices of its weights and of its biases."""
        out, at = [], 0
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            w = slice(at, at + fan_in * fan_out)
            at = w.stop
            b = slice(at, at + fan_out)
            at = b.stop
            out.append((w, b))
        return tuple(out)

    @property
    def n_params(self) -> int:
        return sum(i * o + o for i, o in zip(self.sizes[:-1], self.sizes[1:], strict=True))

    @cached_property
    def names(self) -> tuple[str, ...]:
        names: list[str] = []
        for layer, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:],
                                                      strict=True), start=1):
            names += [f"w{layer}_{i}_{j}" for i in range(1, fan_in + 1)
                      for j in range(1, fan_out + 1)]
            names += [f"b{layer}_{j}" for j in range(1, fan_out + 1)]
        return tuple(names)

    def unpack(self, theta: Any) -> list[tuple[Any, Any]]:
        """``(W, b)`` per layer as views of ``theta``: W (..., in, out), b (..., 1, out)."""
        lead = tuple(theta.shape[:-1])
        layers = []
        for (w, b), fan_in, fan_out in zip(self.slices, self.sizes[:-1], self.sizes[1:],
                                           strict=True):
            layers.append((theta[..., w].reshape(*lead, fan_in, fan_out),
                           theta[..., b].reshape(*lead, 1, fan_out)))
        return layers

    def glorot(self, seed: int) -> FloatArray:
        """Glorot-uniform weights and zero biases, from ``default_rng([seed, 1])``."""
        rng = np.random.default_rng([seed, 1])
        theta = np.zeros(self.n_params)
        for (w, _), fan_in, fan_out in zip(self.slices, self.sizes[:-1], self.sizes[1:],
                                           strict=True):
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            theta[w] = rng.uniform(-limit, limit, fan_in * fan_out)
        return theta


# networks evaluated together in one pass: enough to share each numpy call's
# fixed cost, few enough that their activations stay in the processor's cache
# (measured on a sweep of a hundred 2-8-8-1 networks: 16 at a time 2.49 s,
# 50 at a time 2.28 s, all 100 at once 2.58 s)
CHUNK = 50


def _chunks(theta: FloatArray) -> tuple[FloatArray, tuple[int, ...], list[slice]]:
    """``theta`` as (B, P) rows, its leading shape, and the row slices to take in turn."""
    lead = theta.shape[:-1]
    flat = theta.reshape(-1, theta.shape[-1])
    return flat, lead, [slice(i, i + CHUNK) for i in range(0, flat.shape[0], CHUNK)]


def _forward(layout: Layout, activation: str, theta: FloatArray,
             x: FloatArray) -> tuple[FloatArray, list[FloatArray]]:
    """Logits z (B, N) of the networks ``theta`` (B, P) and each layer's input.

    The results are work arrays, overwritten by the next call: copy what is kept.
    """
    act = _ACT[activation][0]
    layers = layout.unpack(theta)
    hs = [x]
    h = x
    for layer, (w, b) in enumerate(layers):
        a = np.matmul(h, w, out=work_array("a", layer, (*w.shape[:-2], x.shape[0],
                                                            w.shape[-1])))
        a += b
        if layer == len(layers) - 1:
            return a[..., 0], hs
        h = np.tanh(a, out=a) if activation == "tanh" else act(a)
        hs.append(h)
    raise AssertionError("a layout has at least one layer")  # pragma: no cover


def forward(layout: Layout, activation: str, theta: FloatArray, x: FloatArray) -> FloatArray:
    """The output logits z (..., N): ``theta`` (..., P), inputs ``x`` (N, 2)."""
    flat, lead, parts = _chunks(theta)
    z = np.empty((flat.shape[0], x.shape[0]))

    def one(part: slice) -> None:
        z[part] = _forward(layout, activation, flat[part], x)[0]

    each_chunk(one, parts)
    return z.reshape(*lead, x.shape[0])


def loss(layout: Layout, activation: str, theta: FloatArray, x: FloatArray,
         y: FloatArray) -> FloatArray:
    """Mean binary cross-entropy, vectorised: ``(..., P) -> (...)``."""
    z = forward(layout, activation, theta, x)
    return _softplus((1.0 - 2.0 * y) * z).mean(axis=-1)


def loss_and_grad(layout: Layout, activation: str, theta: FloatArray, x: FloatArray,
                  y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The loss (...) and its gradient (..., P) by backpropagation."""
    flat, lead, parts = _chunks(theta)
    values = np.empty(flat.shape[0])
    grads = np.empty(flat.shape)
    x_t = np.ascontiguousarray(x.T)
    s = 1.0 - 2.0 * y

    def one(part: slice) -> None:
        values[part], grads[part] = _backprop(layout, activation, flat[part], x, x_t, s)

    each_chunk(one, parts)
    return values.reshape(lead), grads.reshape(*lead, flat.shape[-1])


def _backprop(layout: Layout, activation: str, theta: FloatArray, x: FloatArray,
              x_t: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Loss (B,) and gradient (B, P) of the networks ``theta`` (B, P); ``s = 1 − 2y``."""
    z, hs = _forward(layout, activation, theta, x)
    t = s * z
    value = _softplus(t).mean(axis=-1)
    # d loss / d z = (sigmoid(z) − y) / N, written as s·sigmoid(s·z) / N
    g = (s * _sigmoid(t) / z.shape[-1])[..., None]
    layers = layout.unpack(theta)
    grad = np.empty(theta.shape)
    # a bias's gradient sums over the points: a product with a row of ones is
    # several times faster than numpy's sum along the middle axis
    ones = np.ones((1, z.shape[-1]))
    for layer in range(len(layers) - 1, -1, -1):
        w_slice, b_slice = layout.slices[layer]
        h = hs[layer]
        dw = (x_t if layer == 0 else np.swapaxes(h, -1, -2)) @ g
        grad[:, w_slice] = dw.reshape(dw.shape[0], -1)
        grad[:, b_slice] = (ones @ g)[:, 0, :]
        if layer:
            g = _back_through(layers[layer][0], g, h, activation, layer)
    return value, grad


def _back_through(w: FloatArray, g: FloatArray, h: FloatArray, activation: str,
                  layer: int) -> FloatArray:
    """The gradient at the pre-activations below ``w`` from ``g`` above it; ``h`` is
    that layer's output."""
    w_t = np.swapaxes(w, -1, -2)
    below = work_array("g", layer, h.shape)
    if g.shape[-1] == 1:  # one output unit: an outer product, faster broadcast
        np.multiply(g, w_t, out=below)
    else:
        np.matmul(g, np.ascontiguousarray(w_t), out=below)
    if activation == "tanh":  # times 1 − h², in place
        d = np.multiply(h, h, out=work_array("d", layer, h.shape))
        np.subtract(1.0, d, out=d)
        below *= d
    else:
        below *= _ACT[activation][1](h)
    return below


def predict(layout: Layout, activation: str, theta: FloatArray, x: FloatArray) -> FloatArray:
    """The probability of label 1 at the inputs ``x`` (M, 2): ``(..., M)``."""
    return _sigmoid(forward(layout, activation, theta, x))
