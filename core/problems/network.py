"""Small neural networks on 2-D toy data: the built-in problems circle, xor, gaussians, spiral.

Each is a multi-layer perceptron (`core.problems.mlp`: hidden widths and
activation chosen by the user, default 2-8-8-1 tanh, sigmoid output, binary
cross-entropy) trained on the training part of a seeded toy set
(`core.problems.toy_data`); the validation part gives the ``val_loss``
column. The parameters are the network's weights and biases, started from
Glorot uniform with the same seed as the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ConfigError
from core.problems import mlp, toy_data
from core.problems.base import Dataset, Problem

if TYPE_CHECKING:
    from core._types import FloatArray, Num

TITLES = {
    "circle": "A network learns a circle",
    "xor": "A network learns XOR",
    "gaussians": "A network separates two clouds",
    "spiral": "A network untangles two spirals",
}
DESCRIPTIONS = {
    "circle": "points inside a circle (label 1) against a ring around it (label 0)",
    "xor": "the four quadrants, labelled 1 where x·y ≥ 0, the classic problem no single "
           "neuron can learn",
    "gaussians": "two Gaussian clouds, one per label, which a single line can already "
                 "separate",
    "spiral": "two interleaved spiral arms, the hardest of the four",
}
# full-batch learning rates and budgets at which the default 2-8-8-1 tanh network
# reaches the tolerance, measured by sweeping; the two clouds overlap (noise
# 0.2), or every learning rate up to 1e5 would separate them and none be too big
DEFAULTS = {  # shape: (lr, steps, tolerance, noise)
    "circle": (0.5, 500, 0.05, 0.0),
    "xor": (0.5, 500, 0.05, 0.0),
    "gaussians": (0.5, 500, 0.06, 0.2),
    "spiral": (1.0, 1500, 0.3, 0.0),
}


@dataclass
class NetworkProblem(Problem):
    """A multi-layer perceptron's binary cross-entropy on a toy set's training points."""

    output_kind = "probability"  # the data view shades P(label 1) and draws its 0.5 line

    layout: mlp.Layout = field(default_factory=lambda: mlp.Layout((2, 8, 8, 1)))
    activation: str = "tanh"
    validation: Dataset | None = None

    # ------------------------------------------------------------ vectors
    def _vector(self, p: tuple[Num, ...]) -> Any:
        """The components back as one parameter vector (..., P)."""
        first = p[0]
        if type(first).__module__.startswith("torch"):
            import torch

            return torch.stack(list(p), dim=-1)
        try:  # components of one shape (the common case) go over in one copy
            return np.ascontiguousarray(np.moveaxis(np.array(p, dtype=np.float64), 0, -1))
        except ValueError:  # some components are scalars, others arrays
            return np.stack(np.broadcast_arrays(*[np.asarray(v, dtype=np.float64) for v in p]),
                            axis=-1)

    def loss_c(self, xp: Any, p: tuple[Num, ...], data: Dataset | None) -> Num:
        assert data is not None
        theta = self._vector(p)
        if getattr(xp, "name", "") == "torch":
            return mlp.torch_loss(self.layout, self.activation, theta, data.x, data.y)
        return mlp.loss(self.layout, self.activation, theta, data.x, data.y)

    def loss_grad_c(self, xp: Any, p: tuple[Num, ...],
                    data: Dataset | None) -> tuple[Num, tuple[Num, ...]]:
        assert data is not None
        if getattr(xp, "name", "") == "torch":
            return self._torch_loss_grad(p, data)
        value, grad = mlp.loss_and_grad(self.layout, self.activation, self._vector(p),
                                        data.x, data.y)
        return value, tuple(np.moveaxis(grad, -1, 0))

    def torch_vector_loss(self, theta: Any, data: Dataset | None) -> Any:
        """The loss of torch parameter vectors (..., P), for the torch backend."""
        assert data is not None
        return mlp.torch_loss(self.layout, self.activation, theta, data.x, data.y)

    def _torch_loss_grad(self, p: tuple[Num, ...],
                         data: Dataset) -> tuple[Num, tuple[Num, ...]]:
        """Loss and gradient of torch components: backpropagation is autograd's there."""
        import torch

        with torch.enable_grad():
            leaves = [c.detach().requires_grad_(True) for c in p]
            loss = mlp.torch_loss(self.layout, self.activation, torch.stack(leaves, dim=-1),
                                  data.x, data.y)
            grads = torch.autograd.grad(loss.sum(), leaves)
        return loss.detach(), tuple(grads)

    def grad_c(self, xp: Any, p: tuple[Num, ...], data: Dataset | None) -> tuple[Num, ...]:
        return self.loss_grad_c(xp, p, data)[1]

    def extras_c(self, xp: Any, p: tuple[Num, ...], data: Dataset | None) -> tuple[Num, ...]:
        if self.validation is None:
            return ()
        v = self.validation
        return (mlp.loss(self.layout, self.activation, self._vector(p), v.x, v.y),)

    def full_loss_grad_c(self, p: tuple[Num, ...]) -> tuple[Num, tuple[Num, ...]]:
        return self.loss_grad_c(None, p, self.data)

    def full_loss_c(self, p: tuple[Num, ...]) -> Num:
        assert self.data is not None
        with np.errstate(all="ignore"):
            return mlp.loss(self.layout, self.activation, self._vector(p), self.data.x,
                            self.data.y)

    def extras(self, theta: Any) -> dict[str, FloatArray]:
        if self.validation is None:
            return {}
        v = self.validation
        with np.errstate(all="ignore"):
            return {"val_loss": np.asarray(mlp.loss(self.layout, self.activation,
                                                    self._checked(theta), v.x, v.y))}

    # ---------------------------------------------- vectorised, whole vectors
    def loss(self, theta: Any) -> FloatArray:
        arr = self._checked(theta)
        with np.errstate(all="ignore"):
            return np.asarray(mlp.loss(self.layout, self.activation, arr, self.data.x,
                                       self.data.y), dtype=np.float64)

    def loss_and_grad(self, theta: Any) -> tuple[FloatArray, FloatArray]:
        arr = self._checked(theta)
        with np.errstate(all="ignore"):
            return mlp.loss_and_grad(self.layout, self.activation, arr, self.data.x,
                                     self.data.y)

    def grad(self, theta: Any) -> FloatArray:
        return self.loss_and_grad(theta)[1]

    def batch_loss_and_grad(self, theta: Any, idx: Any) -> tuple[FloatArray, FloatArray]:
        arr = self._checked(theta)
        part = self.data.take(idx)
        with np.errstate(all="ignore"):
            return mlp.loss_and_grad(self.layout, self.activation, arr, part.x, part.y)

    def predict(self, theta: Any, x: FloatArray) -> FloatArray:
        """The network's probability of label 1 at the inputs ``x`` (M, 2)."""
        return mlp.predict(self.layout, self.activation, self._checked(theta),
                           np.asarray(x, dtype=np.float64))

    def filters(self) -> list[FloatArray]:
        """Index arrays of each unit's incoming weights (for filter-normalised directions)."""
        out = []
        for (w, _), fan_in, fan_out in zip(self.layout.slices, self.layout.sizes[:-1],
                                           self.layout.sizes[1:], strict=True):
            idx = np.arange(w.start, w.stop).reshape(fan_in, fan_out)
            out += [idx[:, j] for j in range(fan_out)]
        return out

    def _checked(self, theta: Any) -> FloatArray:
        arr = np.asarray(theta, dtype=np.float64)
        if arr.shape[-1:] != (self.n_params,):
            raise ConfigError(
                f"parameter array must end in an axis of {self.n_params} (the network's "
                f"weights and biases), got shape {arr.shape}")
        return arr


def _number(name: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, got {value!r}") from None
    if isinstance(value, bool) or not np.isfinite(v):
        raise ConfigError(f"{name} must be a finite number, got {value!r}")
    return v


def _whole(name: str, value: Any, low: int, high: int) -> int:
    v = _number(name, value)
    if not v.is_integer() or not low <= v <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high:,}, got {value!r}")
    return int(v)


def factory(shape: str) -> Any:
    """The built-in problem ``shape``: a function of its options, for the catalogue."""

    def make(hidden: Any = "8,8", activation: str = "tanh", noise: float = DEFAULTS[shape][3],
             train_fraction: float = 0.8, seed: int = 0, points: int = 250) -> NetworkProblem:
        return network_problem(shape, hidden, activation, noise, train_fraction, seed, points)

    make.__name__ = shape
    make.title = network_title(shape)  # type: ignore[attr-defined]
    make.__doc__ = f"{TITLES[shape]}: a small network on a toy set (see `network_problem`)."
    return make


def network_title(shape: str, hidden: Any = "8,8", activation: str = "tanh") -> str:
    """The title of a network problem, without generating its data (the problem list)."""
    arch = "-".join(map(str, (2, *mlp.parse_hidden(hidden), 1)))
    return f"{TITLES[shape]} ({arch} {activation})"


def network_problem(shape: str, hidden: Any = "8,8", activation: str = "tanh",
                    noise: float | None = None, train_fraction: float = 0.8, seed: int = 0,
                    points: int = 250) -> NetworkProblem:
    """A network problem on the toy set ``shape``, its options checked (ConfigError)."""
    if shape not in DEFAULTS:
        raise ConfigError(f"unknown data shape {shape!r}; choose one of: "
                          f"{', '.join(toy_data.SHAPES)}")
    widths = mlp.parse_hidden(hidden)
    if activation not in mlp.ACTIVATIONS:
        raise ConfigError(f"activation must be one of {', '.join(mlp.ACTIVATIONS)}, "
                          f"got {activation!r}")
    noise = _number("noise", DEFAULTS[shape][3] if noise is None else noise)
    train_fraction = _number("train_fraction", train_fraction)
    seed = _whole("seed", seed, 0, 2**31 - 1)
    points = _whole("points", points, 4, toy_data.MAX_POINTS)
    split = toy_data.make_split(shape, points, noise, train_fraction, seed)
    layout = mlp.Layout((2, *widths, 1))
    lr, steps, tolerance, _ = DEFAULTS[shape]
    val = Dataset(split.x_val, split.y_val) if len(split.y_val) else None
    arch = "-".join(map(str, layout.sizes))
    return NetworkProblem(
        name=shape,
        title=network_title(shape, hidden, activation),
        param_names=layout.names,
        start=tuple(layout.glorot(seed).tolist()),
        description=(
            f"A {arch} network with {activation} hidden units and a sigmoid output learns "
            f"{DESCRIPTIONS[shape]}: {len(split.y_train)} training points, "
            f"{len(split.y_val)} for validation, noise {noise:g}. Its {layout.n_params} "
            "weights and biases start from Glorot uniform; the loss is the mean binary "
            "cross-entropy."),
        default_lr=lr,
        default_steps=steps,
        window=((-3.0, 3.0), (-3.0, 3.0)),
        minima=(),
        min_loss=0.0,
        tolerance=tolerance,
        extra_columns=("val_loss",) if val is not None else (),
        data=Dataset(split.x_train, split.y_train),
        options={"hidden": ",".join(map(str, widths)), "activation": activation,
                 "noise": noise, "train_fraction": train_fraction, "seed": seed,
                 "points": points},
        layout=layout,
        activation=activation,
        validation=val,
    )
