"""The seed articles' worked examples, as built-in problems.

Each factory reproduces the article's set-up; the tests re-implement the
article's own loop and check our runs against it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from core.problems.base import Dataset, Problem
from core.problems.regression import LinearRegression

if TYPE_CHECKING:
    from core._types import Comps, Num, Rows


def line_one_point() -> LinearRegression:
    """Seed 003: y = a·x + b fitted to the single point (1, 4) from a=3, b=4."""
    return LinearRegression(
        name="line-one-point",
        title="A line through one point (seed 003)",
        param_names=("a", "b"),
        start=(3.0, 4.0),
        description=(
            "Seed 003's model y = a·x + b learns from the single point x=1, y=4 "
            "with squared error, starting at a=3, b=4. Every line with a + b = 4 "
            "fits it, so the minimum is a whole valley floor, not a point."
        ),
        default_steps=30,
        window=((-1.0, 5.0), (0.0, 6.0)),
        minima=(),  # a line of minima: a + b = 4
        seed="003",
        extra_columns=("y_pred", "error"),
        data=Dataset(np.array([[1.0]]), np.array([4.0])),
    )


def house_prices() -> LinearRegression:
    """Seed 004: nn.Linear(1, 1) on three houses, MSE, SGD lr 0.01, 100 epochs."""
    return LinearRegression(
        name="house-prices",
        title="House prices from size (seed 004)",
        param_names=("w", "b"),
        start=(0.0, 0.0),
        description=(
            "Seed 004 fits price = w·size + b (sizes 1.5, 2.0, 2.5 thousand sqft, "
            "prices 300, 400, 500 thousand dollars) with nn.Linear, MSE and SGD "
            "at lr 0.01 for 100 epochs. We start at w=0, b=0 instead of torch's "
            "random initialisation so every run is the same."
        ),
        default_lr=0.01,
        window=((-50.0, 350.0), (-200.0, 400.0)),
        minima=((200.0, 0.0),),
        tolerance=1e-2,
        seed="004",
        data=Dataset(np.array([[1.5], [2.0], [2.5]]), np.array([300.0, 400.0, 500.0])),
    )


# ------------------------------------------------------------- seed 002 (one)
class OneWeight(Problem):
    """``output = w·x`` with squared error, ``loss = mean((w·x − y)²)``."""

    output_kind = "value"

    def predict_c(self, xp: Any, p: Comps, x: Any) -> Num:
        (w,) = p
        return xp.col(w) * x[:, 0]

    def loss_c(self, xp: Any, p: Comps, data: Dataset | None) -> Num:
        (w,) = p
        assert data is not None
        r = xp.col(w) * data.x[:, 0] - data.y
        return xp.mean(r * r)

    def grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        (w,) = p
        assert data is not None
        x = data.x[:, 0]
        r = xp.col(w) * x - data.y
        # 2·(mean of r·x), written as the article's 2·(output − target)·x
        return (2.0 * xp.mean(r * x),)

    def hessian_c(self, xp: Any, p: Comps, data: Dataset | None) -> Rows:
        assert data is not None
        x = data.x[:, 0]
        return ((2.0 * xp.mean(x * x),),)

    def extras_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        # the article prints the output and the error of its single example
        (w,) = p
        assert data is not None
        output = w * float(data.x[0, 0])
        return output, output - float(data.y[0])


def single_weight() -> OneWeight:
    """Seed 002's first loop: one weight, one input x=1.5, target 1, lr 0.1."""
    return OneWeight(
        name="single-weight",
        title="One weight, one input (seed 002)",
        param_names=("w",),
        start=(0.3,),
        description=(
            "Seed 002's smallest network computes output = w·x for the single input "
            "x=1.5 with target 1, and learns w by squared error from w=0.3. The "
            "gradient is 2·(output − target)·x, and the best weight is 1/1.5 ≈ 0.667."
        ),
        default_steps=20,
        window=((-0.5, 1.5),),
        minima=((1.0 / 1.5,),),
        seed="002",
        extra_columns=("output", "error"),
        data=Dataset(np.array([[1.5]]), np.array([1.0])),
    )


# ------------------------------------------------- two-input neurons (001, 002)
class TwoInputNeuron(Problem):
    """``pred = f(w1·x1 + w2·x2 + b)`` with ``loss = mean(½·(pred − y)²)``.

    Subclasses give the activation ``f`` with its first two derivatives. The
    half makes the gradient ``(pred − y)·f′(z)·x``, the articles' update rule.
    """

    output_kind = "probability"  # the prediction lies in [0, 1], read as a class

    def predict_c(self, xp: Any, p: Comps, x: Any) -> Num:
        w1, w2, b = p
        z = xp.col(w1) * x[:, 0] + xp.col(w2) * x[:, 1] + xp.col(b)
        return self.activation(xp, z, 0)[0]

    def activation(self, xp: Any, z: Num, order: int) -> Comps:
        """``f(z)`` and its derivatives up to ``order`` (at most 2)."""
        raise NotImplementedError

    def _z(self, xp: Any, p: Comps, data: Dataset | None) -> Num:
        w1, w2, b = p
        assert data is not None
        # same summation order as the articles' loops: (w1·x1 + w2·x2) + b
        return xp.col(w1) * data.x[:, 0] + xp.col(w2) * data.x[:, 1] + xp.col(b)

    def loss_c(self, xp: Any, p: Comps, data: Dataset | None) -> Num:
        (pred,) = self.activation(xp, self._z(xp, p, data), 0)
        assert data is not None
        r = pred - data.y
        return xp.mean(0.5 * (r * r))

    def loss_grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> tuple[Num, Comps]:
        pred, d1 = self.activation(xp, self._z(xp, p, data), 1)
        assert data is not None
        r = pred - data.y
        delta = r * d1
        return (xp.mean(0.5 * (r * r)),
                (xp.mean(delta * data.x[:, 0]), xp.mean(delta * data.x[:, 1]), xp.mean(delta)))

    def grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        return self.loss_grad_c(xp, p, data)[1]

    def hessian_c(self, xp: Any, p: Comps, data: Dataset | None) -> Rows:
        pred, d1, d2 = self.activation(xp, self._z(xp, p, data), 2)
        assert data is not None
        # ∂²L/∂θj∂θk = mean((f′² + (pred − y)·f″)·xj·xk), with x3 = 1 for the bias
        c = d1 * d1 + (pred - data.y) * d2
        x1, x2 = data.x[:, 0], data.x[:, 1]
        h11, h12, h13 = xp.mean(c * x1 * x1), xp.mean(c * x1 * x2), xp.mean(c * x1)
        h22, h23, h33 = xp.mean(c * x2 * x2), xp.mean(c * x2), xp.mean(c)
        return ((h11, h12, h13), (h12, h22, h23), (h13, h23, h33))


class SigmoidNeuron(TwoInputNeuron):
    """A sigmoid neuron with half squared error (seed 002's AND gate)."""

    def activation(self, xp: Any, z: Num, order: int) -> Comps:
        s = xp.sigmoid(z)
        if order == 0:
            return (s,)
        d1 = s * (1.0 - s)
        return (s, d1) if order == 1 else (s, d1, d1 * (1.0 - 2.0 * s))


class ClippedLinearNeuron(TwoInputNeuron):
    """A linear neuron clipped to [0, 1], half squared error (seed 001).

    The gradient includes the clip's derivative: 1 on the closed interval
    0 ≤ z ≤ 1 (as torch.clamp passes it), 0 outside. The article's rule
    ``w += lr·(y − pred)·x`` leaves the clip out; the two differ only when the
    prediction is clipped on the wrong side (z > 1 for a ring, z < 0 for
    glasses), which never happens on the article's run, so its loop and ours
    take the same steps (a test checks this).
    """

    def activation(self, xp: Any, z: Num, order: int) -> Comps:
        pred = xp.clip(z, 0.0, 1.0)
        if order == 0:
            return (pred,)
        inside = xp.indicator((z >= 0.0) & (z <= 1.0))
        return (pred, inside) if order == 1 else (pred, inside, 0.0 * inside)


def and_gate() -> SigmoidNeuron:
    """Seed 002's sigmoid neuron learning AND, one example per update."""
    return SigmoidNeuron(
        name="and-gate",
        title="A sigmoid neuron learns AND (seed 002)",
        param_names=("w1", "w2", "b"),
        start=(0.1, -0.2, 0.0),
        description=(
            "Seed 002's sigmoid neuron learns the AND gate from its four examples, one "
            "example per update at lr 0.5, starting at w1=0.1, w2=-0.2, b=0. The loss is "
            "half the squared error, so its gradient is exactly the article's "
            "delta = err·s·(1 − s) times the input."
        ),
        default_lr=0.5,
        default_steps=4000,  # 1,000 epochs of 4 examples
        default_batch="sample",
        window=((-2.0, 8.0), (-2.0, 8.0)),
        minima=(),  # the loss only approaches 0 as the weights grow without bound
        tolerance=1e-2,  # reached after about 1,250 of the 4,000 updates
        seed="002",
        # the article prints total_loss/4, total_loss adding err² = 2·(our ½·err²)
        article_loss_factor=0.5,
        data=Dataset(
            np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
            np.array([0.0, 0.0, 0.0, 1.0]),
        ),
    )


def glasses_vs_ring() -> ClippedLinearNeuron:
    """Seed 001's clipped linear neuron telling smart glasses from smart rings."""
    return ClippedLinearNeuron(
        name="glasses-vs-ring",
        title="Glasses or ring? (seed 001)",
        param_names=("w1", "w2", "b"),
        start=(0.5, 0.5, 0.0),
        description=(
            "Seed 001's neuron predicts clip(w1·price + w2·weight + b, 0, 1) for four "
            "devices, glasses (1) or ring (0), and learns one device at a time at lr 0.1 "
            "from w1=0.5, w2=0.5, b=0. The loss is half the squared error, whose "
            "gradient is the article's update rule except where a prediction is "
            "clipped on the wrong side."
        ),
        default_steps=400,  # 100 epochs of 4 devices, as in the article
        default_batch="sample",
        window=((-0.5, 2.5), (-0.5, 2.5)),
        minima=(),  # every separating (w1, w2, b) with clipped outputs fits exactly
        tolerance=3e-3,  # reached after about 300 of the 400 updates
        seed="001",
        # the article prints total_loss, the sum of (y − pred)² = 2·(our ½·err²)
        article_loss_factor=2.0,
        data=Dataset(
            np.array([[0.55, 0.48], [0.45, 0.72], [0.35, 0.03], [0.20, 0.03]]),
            np.array([1.0, 1.0, 0.0, 0.0]),
        ),
    )
