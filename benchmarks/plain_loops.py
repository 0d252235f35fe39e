"""Plain-Python loops: the work of one run, written the way the seed articles write it.

Each built-in problem's full-data loss and gradient in Python floats with the
``math`` module, each optimizer's rule per parameter (torch.optim's exact
arithmetic), and a loop that records, for every row, what the step table
records: the parameters, the full-data loss and the gradient the update uses
(the whole data's, one sample's in order, or a shuffled mini-batch's), then
makes the update. This is the baseline `bench_defaults.py` measures the
program against, and an oracle `tests/core/test_plain_loops.py` holds
`core.train` equal to: nothing here calls the program's own code (mini-batch
shuffles reproduce its seeded order with numpy's generator, outside the timed
work of each step).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

Vec = list[float]
LossGrad = Callable[[Vec, Sequence[int] | None], tuple[float, Vec]]


# ------------------------------------------------------------------ surfaces
def rosenbrock(p: Vec, _idx: Sequence[int] | None = None) -> tuple[float, Vec]:
    a, b = p
    u = b - a * a
    return (1.0 - a) ** 2 + 100.0 * u * u, [-2.0 * (1.0 - a) - 400.0 * a * u, 200.0 * u]


def quadratic(condition: float = 10.0, angle: float = 0.0) -> LossGrad:
    phi = math.radians(angle)
    c, s = math.cos(phi), math.sin(phi)
    a11, a12, a22 = c * c + condition * s * s, (1.0 - condition) * c * s, s * s + condition * c * c

    def f(p: Vec, _idx: Sequence[int] | None = None) -> tuple[float, Vec]:
        a, b = p
        return (0.5 * (a11 * a * a + 2.0 * a12 * a * b + a22 * b * b),
                [a11 * a + a12 * b, a12 * a + a22 * b])

    return f


def himmelblau(p: Vec, _idx: Sequence[int] | None = None) -> tuple[float, Vec]:
    a, b = p
    u, v = a * a + b - 11.0, a + b * b - 7.0
    return u * u + v * v, [4.0 * a * u + 2.0 * v, 2.0 * u + 4.0 * b * v]


def beale(p: Vec, _idx: Sequence[int] | None = None) -> tuple[float, Vec]:
    a, b = p
    b2 = b * b
    b3 = b2 * b
    t1, t2, t3 = 1.5 - a + a * b, 2.25 - a + a * b2, 2.625 - a + a * b3
    ga = 2.0 * (t1 * (b - 1.0) + t2 * (b2 - 1.0) + t3 * (b3 - 1.0))
    gb = 2.0 * a * (t1 + 2.0 * t2 * b + 3.0 * t3 * b2)
    return t1 * t1 + t2 * t2 + t3 * t3, [ga, gb]


def saddle(p: Vec, _idx: Sequence[int] | None = None) -> tuple[float, Vec]:
    a, b = p
    return a * a - b * b, [2.0 * a, -2.0 * b]


def rastrigin(p: Vec, _idx: Sequence[int] | None = None) -> tuple[float, Vec]:
    a, b = p
    w = 2.0 * math.pi
    return (20.0 + a * a - 10.0 * math.cos(w * a) + b * b - 10.0 * math.cos(w * b),
            [2.0 * a + 10.0 * w * math.sin(w * a), 2.0 * b + 10.0 * w * math.sin(w * b)])


# --------------------------------------------------------------- data models
def linear(xs: Sequence[float], ys: Sequence[float]) -> LossGrad:
    """``mean((a·x + b − y)²)`` over the examples ``idx`` (all when None)."""

    def f(p: Vec, idx: Sequence[int] | None = None) -> tuple[float, Vec]:
        a, b = p
        rows = range(len(xs)) if idx is None else idx
        total = ga = gb = 0.0
        for i in rows:
            r = a * xs[i] + b - ys[i]
            total += r * r
            ga += r * xs[i]
            gb += r
        n = len(rows)
        return total / n, [2.0 * ga / n, 2.0 * gb / n]

    return f


def linear_loss(xs: Sequence[float], ys: Sequence[float]) -> Callable[[Vec], float]:
    """``mean((a·x + b − y)²)`` over every example, without the gradient."""

    def f(p: Vec) -> float:
        a, b = p
        total = 0.0
        for x, y in zip(xs, ys, strict=True):
            r = a * x + b - y
            total += r * r
        return total / len(xs)

    return f


def one_weight(x: float, y: float) -> LossGrad:
    def f(p: Vec, _idx: Sequence[int] | None = None) -> tuple[float, Vec]:
        r = p[0] * x - y
        return r * r, [2.0 * r * x]

    return f


def neuron(xs: Sequence[tuple[float, float]], ys: Sequence[float], kind: str) -> LossGrad:
    """Seeds 001/002: ``mean(½·(f(w1·x1 + w2·x2 + b) − y)²)``, f a sigmoid or a clip."""

    def f(p: Vec, idx: Sequence[int] | None = None) -> tuple[float, Vec]:
        w1, w2, b = p
        rows = range(len(ys)) if idx is None else idx
        total = g1 = g2 = gb = 0.0
        for i in rows:
            x1, x2 = xs[i]
            z = w1 * x1 + w2 * x2 + b
            if kind == "sigmoid":
                out = 0.5 * (1.0 + math.tanh(0.5 * z))
                slope = out * (1.0 - out)
            else:
                out = min(max(z, 0.0), 1.0)
                slope = 1.0 if 0.0 <= z <= 1.0 else 0.0
            err = out - ys[i]
            total += 0.5 * err * err
            delta = err * slope
            g1 += delta * x1
            g2 += delta * x2
            gb += delta
        n = len(rows)
        return total / n, [g1 / n, g2 / n, gb / n]

    return f


def neuron_loss(xs: Sequence[tuple[float, float]], ys: Sequence[float],
                kind: str) -> Callable[[Vec], float]:
    """`neuron`'s loss over every example, without the gradient."""

    def f(p: Vec) -> float:
        w1, w2, b = p
        total = 0.0
        for (x1, x2), y in zip(xs, ys, strict=True):
            z = w1 * x1 + w2 * x2 + b
            out = 0.5 * (1.0 + math.tanh(0.5 * z)) if kind == "sigmoid" else min(max(z, 0.0), 1.0)
            err = out - y
            total += 0.5 * err * err
        return total / len(ys)

    return f


AND_X = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
GLASSES_X = [(0.55, 0.48), (0.45, 0.72), (0.35, 0.03), (0.20, 0.03)]
HOUSES = ([1.5, 2.0, 2.5], [300.0, 400.0, 500.0])
AND_Y, GLASSES_Y = [0.0, 0.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0]
# name -> (loss and gradient, examples, the loss over every example alone: what a row
# records beside the gradient of its batch when the update uses a batch)
PROBLEMS: dict[str, tuple[LossGrad, int, Callable[[Vec], float] | None]] = {
    "rosenbrock": (rosenbrock, 0, None),
    "quadratic": (quadratic(), 0, None),
    "himmelblau": (himmelblau, 0, None),
    "beale": (beale, 0, None),
    "saddle": (saddle, 0, None),
    "rastrigin": (rastrigin, 0, None),
    "line-one-point": (linear([1.0], [4.0]), 1, None),
    "house-prices": (linear(*HOUSES), 3, linear_loss(*HOUSES)),
    "single-weight": (one_weight(1.5, 1.0), 1, None),
    "and-gate": (neuron(AND_X, AND_Y, "sigmoid"), 4, neuron_loss(AND_X, AND_Y, "sigmoid")),
    "glasses-vs-ring": (neuron(GLASSES_X, GLASSES_Y, "clip"), 4,
                        neuron_loss(GLASSES_X, GLASSES_Y, "clip")),
}


# ---------------------------------------------------------------- optimizers
# Each loop writes its whole update out, the weight decay and the moments of the
# Adam family again in each: a helper shared between them would add a call to every
# entry of every step of the baseline, and so flatter the program measured against it.
def _lerp(start: float, end: float, weight: float) -> float:
    # torch's lerp: the second form for weight >= 0.5 lands on end exactly at 1
    if weight < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


def sgd(momentum: float = 0.0, dampening: float = 0.0, nesterov: bool = False,
        weight_decay: float = 0.0) -> Callable[[Vec, Vec, float, dict], Vec]:
    def step(p: Vec, g: Vec, lr: float, s: dict) -> Vec:
        out = []
        bufs = s.setdefault("buf", [None] * len(p))
        for i, (pi, gi) in enumerate(zip(p, g, strict=True)):
            if weight_decay:
                gi = gi + weight_decay * pi
            if momentum:
                b = bufs[i]
                b = gi if b is None else momentum * b + (1.0 - dampening) * gi
                bufs[i] = b
                gi = gi + momentum * b if nesterov else b
            out.append(pi - lr * gi)
        return out

    return step


def adam(betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
         weight_decay: float = 0.0, amsgrad: bool = False,
         decoupled: bool = False) -> Callable[[Vec, Vec, float, dict], Vec]:
    beta1, beta2 = betas

    def step(p: Vec, g: Vec, lr: float, s: dict) -> Vec:
        n = len(p)
        m, v = s.setdefault("m", [0.0] * n), s.setdefault("v", [0.0] * n)
        vmax = s.setdefault("vmax", [0.0] * n)
        t = s["t"] = s.get("t", 0) + 1
        step_size = lr / (1.0 - beta1**t)
        bc2_sqrt = (1.0 - beta2**t) ** 0.5
        out = []
        for i in range(n):
            pi, gi = p[i], g[i]
            if weight_decay:
                if decoupled:
                    pi = pi * (1.0 - lr * weight_decay)
                else:
                    gi = gi + weight_decay * pi
            m[i] = _lerp(m[i], gi, 1.0 - beta1)
            v[i] = v[i] * beta2 + (1.0 - beta2) * gi * gi
            second = v[i]
            if amsgrad:
                vmax[i] = max(vmax[i], v[i])
                second = vmax[i]
            out.append(pi - step_size * m[i] / (math.sqrt(second) / bc2_sqrt + eps))
        return out

    return step


def rmsprop(alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0,
            momentum: float = 0.0,
            centered: bool = False) -> Callable[[Vec, Vec, float, dict], Vec]:
    def step(p: Vec, g: Vec, lr: float, s: dict) -> Vec:
        n = len(p)
        sq, ga, buf = (s.setdefault(k, [0.0] * n) for k in ("sq", "ga", "buf"))
        out = []
        for i in range(n):
            gi = g[i] + weight_decay * p[i] if weight_decay else g[i]
            sq[i] = sq[i] * alpha + (1.0 - alpha) * gi * gi
            if centered:
                ga[i] = _lerp(ga[i], gi, 1.0 - alpha)
                avg = math.sqrt(sq[i] - ga[i] * ga[i]) + eps
            else:
                avg = math.sqrt(sq[i]) + eps
            if momentum > 0:
                buf[i] = buf[i] * momentum + gi / avg
                out.append(p[i] - lr * buf[i])
            else:
                out.append(p[i] - lr * gi / avg)
        return out

    return step


def adagrad(lr_decay: float = 0.0, weight_decay: float = 0.0,
            initial_accumulator_value: float = 0.0,
            eps: float = 1e-10) -> Callable[[Vec, Vec, float, dict], Vec]:
    def step(p: Vec, g: Vec, lr: float, s: dict) -> Vec:
        n = len(p)
        acc = s.setdefault("sum", [initial_accumulator_value] * n)
        t = s["t"] = s.get("t", 0) + 1
        clr = lr / (1 + (t - 1) * lr_decay)
        out = []
        for i in range(n):
            gi = g[i] + weight_decay * p[i] if weight_decay else g[i]
            acc[i] = acc[i] + gi * gi
            out.append(p[i] - clr * gi / (math.sqrt(acc[i]) + eps))
        return out

    return step


def _float32(x: float) -> float:
    # torch keeps NAdam's running product of momenta in a float32 tensor
    return float(np.float32(x))


def nadam(betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
          weight_decay: float = 0.0, momentum_decay: float = 4e-3,
          decoupled_weight_decay: bool = False) -> Callable[[Vec, Vec, float, dict], Vec]:
    beta1, beta2 = betas

    def step(p: Vec, g: Vec, lr: float, s: dict) -> Vec:
        n = len(p)
        m, v = s.setdefault("m", [0.0] * n), s.setdefault("v", [0.0] * n)
        t = s["t"] = s.get("t", 0) + 1
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * momentum_decay)))
        product = s["product"] = _float32(s.get("product", 1.0) * _float32(mu))
        product_next = product * mu_next
        bc2 = 1.0 - beta2**t
        out = []
        for i in range(n):
            pi, gi = p[i], g[i]
            if weight_decay:
                if decoupled_weight_decay:
                    pi = pi * (1.0 - lr * weight_decay)
                else:
                    gi = gi + weight_decay * pi
            m[i] = _lerp(m[i], gi, 1.0 - beta1)
            v[i] = v[i] * beta2 + (1.0 - beta2) * gi * gi
            denom = math.sqrt(v[i] / bc2) + eps
            pi = pi + (-lr * (1.0 - mu) / (1.0 - product)) * gi / denom
            out.append(pi + ((-lr * mu_next) / (1.0 - product_next)) * m[i] / denom)
        return out

    return step


def radam(betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
          weight_decay: float = 0.0,
          decoupled_weight_decay: bool = False) -> Callable[[Vec, Vec, float, dict], Vec]:
    beta1, beta2 = betas
    rho_inf = 2.0 / (1.0 - beta2) - 1.0

    def step(p: Vec, g: Vec, lr: float, s: dict) -> Vec:
        n = len(p)
        m, v = s.setdefault("m", [0.0] * n), s.setdefault("v", [0.0] * n)
        t = s["t"] = s.get("t", 0) + 1
        bc2 = 1.0 - beta2**t
        rho = rho_inf - 2.0 * t * (beta2**t) / bc2
        rect = (((rho - 4.0) * (rho - 2.0) * rho_inf
                 / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho)) ** 0.5 if rho > 5.0 else None)
        out = []
        for i in range(n):
            pi, gi = p[i], g[i]
            if weight_decay:
                if decoupled_weight_decay:
                    pi = pi * (1.0 - lr * weight_decay)
                else:
                    gi = gi + weight_decay * pi
            m[i] = _lerp(m[i], gi, 1.0 - beta1)
            v[i] = v[i] * beta2 + (1.0 - beta2) * gi * gi
            corrected = m[i] / (1.0 - beta1**t)
            if rect is None:
                out.append(pi - corrected * lr)
            else:
                out.append(pi - corrected * lr * (bc2**0.5 / (math.sqrt(v[i]) + eps)) * rect)
        return out

    return step


def adamax(betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
           weight_decay: float = 0.0) -> Callable[[Vec, Vec, float, dict], Vec]:
    beta1, beta2 = betas

    def step(p: Vec, g: Vec, lr: float, s: dict) -> Vec:
        n = len(p)
        m, u = s.setdefault("m", [0.0] * n), s.setdefault("u", [0.0] * n)
        t = s["t"] = s.get("t", 0) + 1
        clr = lr / (1.0 - beta1**t)
        out = []
        for i in range(n):
            gi = g[i] + weight_decay * p[i] if weight_decay else g[i]
            m[i] = _lerp(m[i], gi, 1.0 - beta1)
            u[i] = max(u[i] * beta2, abs(gi) + eps)
            out.append(p[i] - clr * m[i] / u[i])
        return out

    return step


def adadelta(rho: float = 0.9, eps: float = 1e-6,
             weight_decay: float = 0.0) -> Callable[[Vec, Vec, float, dict], Vec]:
    def step(p: Vec, g: Vec, lr: float, s: dict) -> Vec:
        n = len(p)
        sq, acc = s.setdefault("sq", [0.0] * n), s.setdefault("acc", [0.0] * n)
        out = []
        for i in range(n):
            gi = g[i] + weight_decay * p[i] if weight_decay else g[i]
            sq[i] = sq[i] * rho + (1.0 - rho) * gi * gi
            delta = math.sqrt(acc[i] + eps) / math.sqrt(sq[i] + eps) * gi
            acc[i] = acc[i] * rho + (1.0 - rho) * delta * delta
            out.append(p[i] - lr * delta)
        return out

    return step


OPTIMIZERS = {
    "sgd": sgd,
    "adam": adam,
    "adamw": lambda **h: adam(**{"weight_decay": 1e-2, **h}, decoupled=True),
    "rmsprop": rmsprop,
    "adagrad": adagrad,
    "nadam": nadam,
    "radam": radam,
    "adamax": adamax,
    "adadelta": adadelta,
}


# ----------------------------------------------------------------- the loop
def batch_order(batch: str | int, n: int, steps: int, seed: int) -> list[list[int] | None]:
    """The examples each update uses: None (all), one in order, or shuffled batches."""
    if batch == "full":
        return [None] * (steps + 1)
    if batch == "sample":
        return [[k % n] for k in range(steps + 1)]
    size = int(batch)
    per = -(-n // size)
    # the program's documented order: epoch e is row e mod B of one generator's
    # shuffles of B copies of 0..n-1, the generator seeded with (seed, e // B)
    epochs_a_block = max(1, 65536 // n)
    blocks: dict[int, list[list[int]]] = {}
    order: list[list[int] | None] = []
    for k in range(steps + 1):
        epoch, j = divmod(k, per)
        block, row = divmod(epoch, epochs_a_block)
        if block not in blocks:
            copies = np.tile(np.arange(n), (epochs_a_block, 1))
            blocks[block] = np.random.default_rng([seed, block]).permuted(copies, axis=1).tolist()
        order.append(blocks[block][row][j * size : (j + 1) * size])
    return order


def run(problem: str, start: Sequence[float], *, optimizer: str = "sgd", lr: float = 0.1,
        steps: int = 100, batch: str | int = "full",
        order: list[list[int] | None] | None = None, **hyper: object) -> list[tuple[float, ...]]:
    """Rows (params..., loss, grads...) of ``steps`` updates, as the step table records
    them: the loss over every example, and the gradient the update uses (the whole
    data's, or its batch's).

    ``order`` (from `batch_order`) may be given to keep the shuffle out of a timing.
    """
    loss_grad, n, loss_of = PROBLEMS[problem]
    update = OPTIMIZERS[optimizer](**hyper)
    batches = order if order is not None else batch_order(batch, n, steps, 0)
    p = [float(v) for v in start]
    state: dict = {}
    rows = []
    for k in range(steps + 1):
        idx = batches[k]
        if idx is None:
            loss, g = loss_grad(p)
        else:
            assert loss_of is not None  # a problem with batches has its loss alone
            loss = loss_of(p)
            _, g = loss_grad(p, idx)
        rows.append((*p, loss, *g))
        if not math.isfinite(loss):
            break
        p = update(p, g, lr, state)
    return rows
