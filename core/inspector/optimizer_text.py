"""How each optimizer turns the gradient into the step, with this step's numbers.

For every optimizer the inspector shows the state torch keeps
(``optimizer.state[p]``: ``momentum_buffer``, ``exp_avg``, ``exp_avg_sq``,
``step``, ``square_avg``, ``grad_avg``, ``sum``) before and after the update,
and the step direction ``d`` with ``new = old − lr·d``. Each describer repeats
its optimizer's arithmetic in the same order as `core.optimizers`, so the
direction it shows is the one the run used, not a re-derivation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.inspector.model import Line, constant, number_line, opening, shown

if TYPE_CHECKING:
    from core._types import FloatArray
    from core.optim.base import Optimizer


@dataclass(frozen=True)
class StepContext:
    """What a describer needs about one update."""

    optimizer: Optimizer
    names: tuple[str, ...]
    theta: FloatArray  # parameters before the update
    grad: FloatArray  # the gradient the update uses
    lr: float
    before: Any  # optimizer state before the update
    after: Any  # optimizer state after it
    decimals: int = 4

    def line(
        self,
        key: str,
        label: str,
        value: float,
        formula: str = "",
        numbers: str = "",
        note: str = "",
        integer: bool = False,
    ) -> Line:
        return number_line(
            key,
            label,
            value,
            formula=formula,
            numbers=numbers,
            note=note,
            decimals=self.decimals,
            integer=integer,
        )

    def n(self, value: float) -> str:
        """A number inside an expression (brackets if negative)."""
        return shown(value, self.decimals)

    def o(self, value: float) -> str:
        """A number opening a bracket (no brackets needed)."""
        return opening(value, self.decimals)


@dataclass(frozen=True)
class OptimizerStep:
    """The optimizer's part of the gradient step and the update's arithmetic.

    ``direction`` satisfies ``new = old − lr·direction``; ``decay`` is AdamW's
    decoupled ``weight_decay·old`` (already inside ``direction``) or None.
    ``update_formula`` and ``update_numbers`` write the right-hand side of
    ``new = ...`` per parameter.
    """

    lines: tuple[Line, ...]
    direction: FloatArray
    decay: FloatArray | None
    update_formula: tuple[str, ...]
    update_numbers: tuple[str, ...]


def _sub(symbol: str, name: str) -> str:
    return f"<i>{symbol}</i><sub>{name}</sub>"


def _plain_update(ctx: StepContext, d: FloatArray, symbol: str) -> tuple[tuple[str, ...], ...]:
    lr = constant(ctx.lr)
    forms = tuple(f"<i>{n}</i> − lr·{_sub(symbol, n)}" for n in ctx.names)
    nums = tuple(f"{ctx.o(t)} − {lr} × {ctx.n(v)}" for t, v in zip(ctx.theta, d, strict=True))
    return forms, nums


def _coupled_decay(ctx: StepContext, lines: list[Line]) -> FloatArray:
    """``g′ = g + weight_decay·θ`` (SGD, Adam, RMSprop, Adagrad: decay enters the gradient)."""
    wd = ctx.optimizer.hyper["weight_decay"]
    if not wd:
        return ctx.grad
    g = ctx.grad + wd * ctx.theta
    for i, n in enumerate(ctx.names):
        lines.append(
            ctx.line(
                f"optimizer.grad.{n}",
                _sub("g′", n),
                g[i],
                "g + λ·θ",
                f"{ctx.o(ctx.grad[i])} + {constant(wd)} × {ctx.n(ctx.theta[i])}",
            )
        )
    return g


# ---------------------------------------------------------------------- SGD
def describe_sgd(ctx: StepContext) -> OptimizerStep:
    h = ctx.optimizer.hyper
    lines: list[Line] = []
    g = _coupled_decay(ctx, lines)
    gs = "g′" if h["weight_decay"] else "g"
    mu = h["momentum"]
    if not mu:
        forms, nums = _plain_update(ctx, g, gs)
        return OptimizerStep(tuple(lines), np.asarray(g, dtype=np.float64), None, forms, nums)
    buf = ctx.after.momentum_buffer
    first = ctx.before.momentum_buffer is None
    for i, n in enumerate(ctx.names):
        if first:
            lines.append(
                ctx.line(
                    f"state.momentum_buffer.{n}",
                    _sub("buf", n),
                    buf[i],
                    gs,
                    ctx.o(g[i]),
                    note="torch starts the buffer at the first gradient (no dampening)"
                    if i == 0
                    else "",
                )
            )
        else:
            damp = 1.0 - h["dampening"]
            lines.append(
                ctx.line(
                    f"state.momentum_buffer.{n}",
                    _sub("buf", n),
                    buf[i],
                    f"μ·buf<sub>prev</sub> + (1 − τ)·{gs}",
                    f"{constant(mu)} × {ctx.n(ctx.before.momentum_buffer[i])} + "
                    f"{constant(damp)} × {ctx.n(g[i])}",
                )
            )
    if h["nesterov"]:
        d = g + mu * buf
        for i, n in enumerate(ctx.names):
            lines.append(
                ctx.line(
                    f"direction.{n}",
                    _sub("d", n),
                    d[i],
                    f"{gs} + μ·buf",
                    f"{ctx.o(g[i])} + {constant(mu)} × {ctx.n(buf[i])}",
                    note="Nesterov looks ahead along the buffer" if i == 0 else "",
                )
            )
        forms, nums = _plain_update(ctx, d, "d")
    else:
        d = buf
        forms, nums = _plain_update(ctx, d, "buf")
    return OptimizerStep(tuple(lines), np.asarray(d, dtype=np.float64), None, forms, nums)


# --------------------------------------------------------------- Adam, AdamW
def describe_adam(ctx: StepContext) -> OptimizerStep:
    opt, h = ctx.optimizer, ctx.optimizer.hyper
    beta1, beta2 = h["betas"]
    decoupled = opt.name == "adamw"
    lines: list[Line] = []
    g = ctx.grad if decoupled else _coupled_decay(ctx, lines)
    gs = "g′" if (h["weight_decay"] and not decoupled) else "g"
    t = ctx.after.step
    m, v, vmax = ctx.after.exp_avg, ctx.after.exp_avg_sq, ctx.after.max_exp_avg_sq
    m0, v0 = ctx.before.exp_avg, ctx.before.exp_avg_sq
    lines.append(
        ctx.line(
            "state.step", "<i>t</i>", t, "<i>t</i><sub>prev</sub> + 1", f"{t - 1} + 1", integer=True
        )
    )
    for i, n in enumerate(ctx.names):
        lines.append(
            ctx.line(
                f"state.exp_avg.{n}",
                _sub("m", n),
                m[i],
                f"β<sub>1</sub>·m<sub>prev</sub> + (1 − β<sub>1</sub>)·{gs}",
                f"{constant(beta1)} × {ctx.n(m0[i])} + {constant(1.0 - beta1)} × {ctx.n(g[i])}",
            )
        )
        lines.append(
            ctx.line(
                f"state.exp_avg_sq.{n}",
                _sub("v", n),
                v[i],
                f"β<sub>2</sub>·v<sub>prev</sub> + (1 − β<sub>2</sub>)·{gs}²",
                f"{constant(beta2)} × {ctx.n(v0[i])} + {constant(1.0 - beta2)} × {ctx.n(g[i])}²",
            )
        )
        if vmax is not None:
            lines.append(
                ctx.line(
                    f"state.max_exp_avg_sq.{n}",
                    f"<i>v</i><sub>max,{n}</sub>",
                    vmax[i],
                    "max(<i>v</i><sub>max,prev</sub>, <i>v</i>)",
                    f"max({ctx.o(ctx.before.max_exp_avg_sq[i])}, {ctx.o(v[i])})",
                )
            )
    bc1 = 1.0 - beta1**t
    bc2 = 1.0 - beta2**t
    lines.append(
        ctx.line(
            "state.bias_correction1",
            "bc<sub>1</sub>",
            bc1,
            "1 − β<sub>1</sub><sup>t</sup>",
            f"1 − {constant(beta1)}<sup>{t}</sup>",
        )
    )
    lines.append(
        ctx.line(
            "state.bias_correction2",
            "bc<sub>2</sub>",
            bc2,
            "1 − β<sub>2</sub><sup>t</sup>",
            f"1 − {constant(beta2)}<sup>{t}</sup>",
        )
    )
    # the run computes (lr/bc1)·m/denom; the same factors give d = m/denom/bc1
    denom = np.sqrt(v if vmax is None else vmax) / bc2**0.5 + h["eps"]
    u = m / denom / bc1
    vs = "<i>v</i><sub>max</sub>" if vmax is not None else "<i>v</i>"
    sym = "u" if decoupled and h["weight_decay"] else "d"
    for i, n in enumerate(ctx.names):
        vi = (v if vmax is None else vmax)[i]
        lines.append(
            ctx.line(
                f"direction.{n}",
                _sub(sym, n),
                u[i],
                f"(<i>m</i> / bc<sub>1</sub>) / (√{vs} / √bc<sub>2</sub> + ε)",
                f"({ctx.o(m[i])} / {constant(bc1)}) / (√{ctx.n(vi)} / √{constant(bc2)} + "
                f"{constant(h['eps'])})",
                note="m / bc₁ and v / bc₂ undo the zero start of the moments" if i == 0 else "",
            )
        )
    wd = h["weight_decay"]
    if decoupled and wd:
        decay = wd * ctx.theta
        lr = constant(ctx.lr)
        forms = tuple(f"<i>{n}</i> − lr·(λ·<i>{n}</i> + {_sub('u', n)})" for n in ctx.names)
        nums = tuple(
            f"{ctx.o(th)} − {lr} × ({constant(wd)} × {ctx.n(th)} + {ctx.n(ui)})"
            for th, ui in zip(ctx.theta, u, strict=True)
        )
        return OptimizerStep(tuple(lines), decay + u, decay, forms, nums)
    forms, nums = _plain_update(ctx, u, "d")
    return OptimizerStep(tuple(lines), u, None, forms, nums)


# ------------------------------------------------------------------ RMSprop
def describe_rmsprop(ctx: StepContext) -> OptimizerStep:
    h = ctx.optimizer.hyper
    alpha, eps, mu = h["alpha"], h["eps"], h["momentum"]
    lines: list[Line] = []
    g = _coupled_decay(ctx, lines)
    gs = "g′" if h["weight_decay"] else "g"
    v, gbar, buf = ctx.after.square_avg, ctx.after.grad_avg, ctx.after.momentum_buffer
    for i, n in enumerate(ctx.names):
        lines.append(
            ctx.line(
                f"state.square_avg.{n}",
                _sub("v", n),
                v[i],
                f"α·v<sub>prev</sub> + (1 − α)·{gs}²",
                f"{constant(alpha)} × {ctx.n(ctx.before.square_avg[i])} + "
                f"{constant(1.0 - alpha)} × {ctx.n(g[i])}²",
            )
        )
        if gbar is not None:
            lines.append(
                ctx.line(
                    f"state.grad_avg.{n}",
                    _sub("ḡ", n),
                    gbar[i],
                    f"α·ḡ<sub>prev</sub> + (1 − α)·{gs}",
                    f"{constant(alpha)} × {ctx.n(ctx.before.grad_avg[i])} + "
                    f"{constant(1.0 - alpha)} × {ctx.n(g[i])}",
                )
            )
    if gbar is not None:
        avg = np.sqrt(v - gbar * gbar) + eps
        root, root_numbers = (
            "√(v − ḡ²)",
            [f"√({ctx.o(a)} − {ctx.n(b)}²)" for a, b in zip(v, gbar, strict=True)],
        )
    else:
        avg = np.sqrt(v) + eps
        root, root_numbers = "√v", [f"√{ctx.n(a)}" for a in v]
    scaled = g / avg
    if mu > 0:
        for i, n in enumerate(ctx.names):
            lines.append(
                ctx.line(
                    f"state.momentum_buffer.{n}",
                    _sub("buf", n),
                    buf[i],
                    f"μ·buf<sub>prev</sub> + {gs} / ({root} + ε)",
                    f"{constant(mu)} × {ctx.n(ctx.before.momentum_buffer[i])} + "
                    f"{ctx.n(g[i])} / ({root_numbers[i]} + {constant(eps)})",
                )
            )
        forms, nums = _plain_update(ctx, buf, "buf")
        return OptimizerStep(tuple(lines), np.asarray(buf, dtype=np.float64), None, forms, nums)
    for i, n in enumerate(ctx.names):
        lines.append(
            ctx.line(
                f"direction.{n}",
                _sub("d", n),
                scaled[i],
                f"{gs} / ({root} + ε)",
                f"{ctx.o(g[i])} / ({root_numbers[i]} + {constant(eps)})",
            )
        )
    forms, nums = _plain_update(ctx, scaled, "d")
    return OptimizerStep(tuple(lines), scaled, None, forms, nums)


# ------------------------------------------------------------------ Adagrad
def describe_adagrad(ctx: StepContext) -> OptimizerStep:
    h = ctx.optimizer.hyper
    lines: list[Line] = []
    g = _coupled_decay(ctx, lines)
    gs = "g′" if h["weight_decay"] else "g"
    t = ctx.after.step
    s = ctx.after.sum
    lines.append(
        ctx.line(
            "state.step", "<i>t</i>", t, "<i>t</i><sub>prev</sub> + 1", f"{t - 1} + 1", integer=True
        )
    )
    for i, n in enumerate(ctx.names):
        lines.append(
            ctx.line(
                f"state.sum.{n}",
                _sub("s", n),
                s[i],
                f"s<sub>prev</sub> + {gs}²",
                f"{ctx.o(ctx.before.sum[i])} + {ctx.n(g[i])}²",
            )
        )
    decay = 1 + (t - 1) * h["lr_decay"]
    d = g / (np.sqrt(s) + h["eps"]) / decay
    for i, n in enumerate(ctx.names):
        if h["lr_decay"]:
            form = f"{gs} / ((1 + (t − 1)·lr_decay)·(√s + ε))"
            nums = f"{ctx.o(g[i])} / ({constant(decay)} × (√{ctx.n(s[i])} + {constant(h['eps'])}))"
        else:
            form = f"{gs} / (√s + ε)"
            nums = f"{ctx.o(g[i])} / (√{ctx.n(s[i])} + {constant(h['eps'])})"
        lines.append(ctx.line(f"direction.{n}", _sub("d", n), d[i], form, nums))
    forms, nums_u = _plain_update(ctx, d, "d")
    return OptimizerStep(tuple(lines), d, None, forms, nums_u)


# ------------------------------------------------------------------ generic
def describe_generic(ctx: StepContext, new: FloatArray) -> OptimizerStep:
    """An optimizer the inspector does not know: its state, and d = (old − new)/lr."""
    lines: list[Line] = []
    for name, arr in ctx.optimizer.state_columns(ctx.after).items():
        for i, n in enumerate(ctx.names):
            lines.append(ctx.line(f"state.{name}.{n}", _sub(name, n), float(arr[i])))
    d = (ctx.theta - new) / ctx.lr if ctx.lr else np.zeros_like(ctx.theta)
    forms, nums = _plain_update(ctx, d, "d")
    return OptimizerStep(tuple(lines), d, None, forms, nums)


DESCRIBERS: dict[str, Callable[[StepContext], OptimizerStep]] = {
    "sgd": describe_sgd,
    "adam": describe_adam,
    "adamw": describe_adam,
    "rmsprop": describe_rmsprop,
    "adagrad": describe_adagrad,
}


def describe_optimizer(ctx: StepContext, new: FloatArray) -> OptimizerStep:
    """The optimizer's lines and direction for this update."""
    describer = DESCRIBERS.get(ctx.optimizer.name)
    if describer is None:
        return describe_generic(ctx, new)
    return describer(ctx)
