"""How each optimizer turns the gradient into the step, with this step's numbers.

For every optimizer the inspector shows the state torch keeps
(``optimizer.state[p]``: ``momentum_buffer``, ``exp_avg``, ``exp_avg_sq``,
``step``, ``square_avg``, ``grad_avg``, ``sum``) before and after the update,
and the step direction ``d`` with ``new = old − lr·d``. Each describer repeats
its optimizer's arithmetic in the same order as `core.optim`, so the
direction it shows is the one the run used, not a re-derivation.

This module has the shared pieces and SGD, Adam, AdamW, RMSprop and Adagrad;
`core.inspector.adaptive_text` NAdam, RAdam, Adamax and Adadelta;
`core.inspector.optimizer_steps` picks one by the optimizer's name.
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

    def line(self, key: str, label: str, value: float, formula: str = "", numbers: str = "",
             **more: Any) -> Line:
        """A `number_line` at this step's decimals (``more``: ``note``, ``integer``)."""
        return number_line(key, label, value, formula=formula, numbers=numbers,
                           decimals=self.decimals, **more)

    def each(self, key: str, symbol: str, values: Any, formula: str,
             numbers: Callable[[int], str], note: str = "") -> list[Line]:
        """One line per parameter (``<key>.<name>``, ``symbol`` subscripted by the
        name); ``numbers(i)`` writes parameter i's arithmetic; ``note`` goes on the
        first line only."""
        return [self.line(f"{key}.{n}", sub(symbol, n), values[i], formula, numbers(i),
                          note=note if i == 0 else "")
                for i, n in enumerate(self.names)]

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


def sub(symbol: str, name: str) -> str:
    return f"<i>{symbol}</i><sub>{name}</sub>"


def interleaved(*columns: list[Line]) -> list[Line]:
    """Lines grouped by parameter: the first parameter's of every column, then the next's."""
    return [line for group in zip(*(c for c in columns if c), strict=True) for line in group]


def _plain_update(ctx: StepContext, d: FloatArray, symbol: str) -> tuple[tuple[str, ...], ...]:
    lr = constant(ctx.lr)
    forms = tuple(f"<i>{n}</i> − lr·{sub(symbol, n)}" for n in ctx.names)
    nums = tuple(f"{ctx.o(t)} − {lr} × {ctx.n(v)}" for t, v in zip(ctx.theta, d, strict=True))
    return forms, nums


def plain_step(ctx: StepContext, lines: list[Line], d: Any, symbol: str) -> OptimizerStep:
    """``new = old − lr·d`` with ``d`` named ``symbol``."""
    d = np.asarray(d, dtype=np.float64)
    forms, nums = _plain_update(ctx, d, symbol)
    return OptimizerStep(tuple(lines), d, None, forms, nums)


def coupled_decay(ctx: StepContext, lines: list[Line]) -> FloatArray:
    """``g′ = g + weight_decay·θ`` (SGD, Adam, RMSprop, Adagrad: decay enters the gradient)."""
    wd = ctx.optimizer.hyper["weight_decay"]
    if not wd:
        return ctx.grad
    g = ctx.grad + wd * ctx.theta
    lines += ctx.each("optimizer.grad", "g′", g, "g + λ·θ",
                      lambda i: f"{ctx.o(ctx.grad[i])} + {constant(wd)} × {ctx.n(ctx.theta[i])}")
    return g


def moving_average(ctx: StepContext, field: str, symbol: str, coef: float, coef_symbol: str,
                    gs: str, g: FloatArray, squared: bool = False) -> list[Line]:
    """``coef·prev + (1 − coef)·g`` (or ``g²``) for the state ``field``, per parameter."""
    sq = "²" if squared else ""
    prev = getattr(ctx.before, field)
    return ctx.each(f"state.{field}", symbol, getattr(ctx.after, field),
                    f"{coef_symbol}·{symbol}<sub>prev</sub> + (1 − {coef_symbol})·{gs}{sq}",
                    lambda i: f"{constant(coef)} × {ctx.n(prev[i])} + "
                              f"{constant(1.0 - coef)} × {ctx.n(g[i])}{sq}")


def step_count_line(ctx: StepContext, t: int) -> Line:
    return ctx.line("state.step", "<i>t</i>", t, "<i>t</i><sub>prev</sub> + 1", f"{t - 1} + 1",
                    integer=True)


# ---------------------------------------------------------------------- SGD
def describe_sgd(ctx: StepContext) -> OptimizerStep:
    h = ctx.optimizer.hyper
    lines: list[Line] = []
    g = coupled_decay(ctx, lines)
    gs = "g′" if h["weight_decay"] else "g"
    mu = h["momentum"]
    if not mu:
        return plain_step(ctx, lines, g, gs)
    buf = ctx.after.momentum_buffer
    prev = ctx.before.momentum_buffer
    if prev is None:
        lines += ctx.each("state.momentum_buffer", "buf", buf, gs, lambda i: ctx.o(g[i]),
                          note="torch starts the buffer at the first gradient (no dampening)")
    else:
        damp = 1.0 - h["dampening"]
        lines += ctx.each(
            "state.momentum_buffer", "buf", buf, f"μ·buf<sub>prev</sub> + (1 − τ)·{gs}",
            lambda i: f"{constant(mu)} × {ctx.n(prev[i])} + {constant(damp)} × {ctx.n(g[i])}")
    if not h["nesterov"]:
        return plain_step(ctx, lines, buf, "buf")
    d = g + mu * buf
    lines += ctx.each("direction", "d", d, f"{gs} + μ·buf",
                      lambda i: f"{ctx.o(g[i])} + {constant(mu)} × {ctx.n(buf[i])}",
                      note="Nesterov looks ahead along the buffer")
    return plain_step(ctx, lines, d, "d")


# --------------------------------------------------------------- Adam, AdamW
def describe_adam(ctx: StepContext) -> OptimizerStep:
    h = ctx.optimizer.hyper
    decoupled = ctx.optimizer.name == "adamw"
    lines: list[Line] = []
    g = ctx.grad if decoupled else coupled_decay(ctx, lines)
    gs = "g′" if (h["weight_decay"] and not decoupled) else "g"
    t = ctx.after.step
    lines.append(step_count_line(ctx, t))
    lines += _adam_moments(ctx, g, gs)
    u = _adam_direction(ctx, lines, sym="u" if decoupled and h["weight_decay"] else "d")
    return decoupled_step(ctx, lines, u) if decoupled else plain_step(ctx, lines, u, "d")


def decoupled_step(ctx: StepContext, lines: list[Line], u: FloatArray) -> OptimizerStep:
    """``new = old − lr·(λ·old + u)``: the decay applied to the weights themselves
    (AdamW, and NAdam or RAdam with decoupled_weight_decay), ``u`` the rest."""
    wd = ctx.optimizer.hyper["weight_decay"]
    if not wd:
        return plain_step(ctx, lines, u, "d")
    decay = wd * ctx.theta
    lr = constant(ctx.lr)
    forms = tuple(f"<i>{n}</i> − lr·(λ·<i>{n}</i> + {sub('u', n)})" for n in ctx.names)
    nums = tuple(
        f"{ctx.o(th)} − {lr} × ({constant(wd)} × {ctx.n(th)} + {ctx.n(ui)})"
        for th, ui in zip(ctx.theta, u, strict=True)
    )
    return OptimizerStep(tuple(lines), decay + u, decay, forms, nums)


def _adam_moments(ctx: StepContext, g: FloatArray, gs: str) -> list[Line]:
    """m, v (and v_max with amsgrad), parameter by parameter."""
    beta1, beta2 = ctx.optimizer.hyper["betas"]
    before, after = ctx.before, ctx.after
    m = moving_average(ctx, "exp_avg", "m", beta1, "β<sub>1</sub>", gs, g)
    v = moving_average(ctx, "exp_avg_sq", "v", beta2, "β<sub>2</sub>", gs, g, squared=True)
    vmax: list[Line] = []
    if after.max_exp_avg_sq is not None:
        vmax = [ctx.line(f"state.max_exp_avg_sq.{n}", f"<i>v</i><sub>max,{n}</sub>",
                         after.max_exp_avg_sq[i], "max(<i>v</i><sub>max,prev</sub>, <i>v</i>)",
                         f"max({ctx.o(before.max_exp_avg_sq[i])}, {ctx.o(after.exp_avg_sq[i])})")
                for i, n in enumerate(ctx.names)]
    return interleaved(m, v, vmax)


def _adam_direction(ctx: StepContext, lines: list[Line], sym: str) -> FloatArray:
    """The bias corrections and ``(m / bc1) / (√v / √bc2 + ε)``, appended to ``lines``."""
    h, after = ctx.optimizer.hyper, ctx.after
    beta1, beta2 = h["betas"]
    t = after.step
    bc1, bc2 = 1.0 - beta1**t, 1.0 - beta2**t
    for k, beta, bc in ((1, beta1, bc1), (2, beta2, bc2)):
        lines.append(ctx.line(f"state.bias_correction{k}", f"bc<sub>{k}</sub>", bc,
                              f"1 − β<sub>{k}</sub><sup>t</sup>",
                              f"1 − {constant(beta)}<sup>{t}</sup>"))
    m, vmax = after.exp_avg, after.max_exp_avg_sq
    v = after.exp_avg_sq if vmax is None else vmax
    # the run computes (lr/bc1)·m/denom; the same factors give d = m/denom/bc1
    u = m / (np.sqrt(v) / bc2**0.5 + h["eps"]) / bc1
    vs = "<i>v</i><sub>max</sub>" if vmax is not None else "<i>v</i>"
    lines += ctx.each(
        "direction", sym, u, f"(<i>m</i> / bc<sub>1</sub>) / (√{vs} / √bc<sub>2</sub> + ε)",
        lambda i: f"({ctx.o(m[i])} / {constant(bc1)}) / (√{ctx.n(v[i])} / √{constant(bc2)} + "
                  f"{constant(h['eps'])})",
        note="m / bc₁ and v / bc₂ undo the zero start of the moments")
    return u


# ------------------------------------------------------------------ RMSprop
def describe_rmsprop(ctx: StepContext) -> OptimizerStep:
    h = ctx.optimizer.hyper
    eps, mu = h["eps"], h["momentum"]
    lines: list[Line] = []
    g = coupled_decay(ctx, lines)
    gs = "g′" if h["weight_decay"] else "g"
    lines += _rmsprop_averages(ctx, g, gs)
    v, gbar = ctx.after.square_avg, ctx.after.grad_avg
    if gbar is not None:
        avg = np.sqrt(v - gbar * gbar) + eps
        root = "√(v − ḡ²)"
        roots = [f"√({ctx.o(a)} − {ctx.n(b)}²)" for a, b in zip(v, gbar, strict=True)]
    else:
        avg = np.sqrt(v) + eps
        root, roots = "√v", [f"√{ctx.n(a)}" for a in v]
    if mu > 0:
        prev = ctx.before.momentum_buffer
        lines += ctx.each(
            "state.momentum_buffer", "buf", ctx.after.momentum_buffer,
            f"μ·buf<sub>prev</sub> + {gs} / ({root} + ε)",
            lambda i: f"{constant(mu)} × {ctx.n(prev[i])} + "
                      f"{ctx.n(g[i])} / ({roots[i]} + {constant(eps)})")
        return plain_step(ctx, lines, ctx.after.momentum_buffer, "buf")
    scaled = g / avg
    lines += ctx.each("direction", "d", scaled, f"{gs} / ({root} + ε)",
                      lambda i: f"{ctx.o(g[i])} / ({roots[i]} + {constant(eps)})")
    return plain_step(ctx, lines, scaled, "d")


def _rmsprop_averages(ctx: StepContext, g: FloatArray, gs: str) -> list[Line]:
    """v (and ḡ when centered), parameter by parameter."""
    alpha = ctx.optimizer.hyper["alpha"]
    v = moving_average(ctx, "square_avg", "v", alpha, "α", gs, g, squared=True)
    gbar: list[Line] = []
    if ctx.after.grad_avg is not None:
        gbar = moving_average(ctx, "grad_avg", "ḡ", alpha, "α", gs, g)
    return interleaved(v, gbar)


# ------------------------------------------------------------------ Adagrad
def describe_adagrad(ctx: StepContext) -> OptimizerStep:
    h = ctx.optimizer.hyper
    lines: list[Line] = []
    g = coupled_decay(ctx, lines)
    gs = "g′" if h["weight_decay"] else "g"
    t, s = ctx.after.step, ctx.after.sum
    lines.append(step_count_line(ctx, t))
    lines += ctx.each("state.sum", "s", s, f"s<sub>prev</sub> + {gs}²",
                      lambda i: f"{ctx.o(ctx.before.sum[i])} + {ctx.n(g[i])}²")
    decay = 1 + (t - 1) * h["lr_decay"]
    d = g / (np.sqrt(s) + h["eps"]) / decay
    eps = constant(h["eps"])
    if h["lr_decay"]:
        lines += ctx.each("direction", "d", d, f"{gs} / ((1 + (t − 1)·lr_decay)·(√s + ε))",
                          lambda i: f"{ctx.o(g[i])} / ({constant(decay)} × "
                                    f"(√{ctx.n(s[i])} + {eps}))")
    else:
        lines += ctx.each("direction", "d", d, f"{gs} / (√s + ε)",
                          lambda i: f"{ctx.o(g[i])} / (√{ctx.n(s[i])} + {eps})")
    return plain_step(ctx, lines, d, "d")


# ------------------------------------------------------------------ generic
def describe_generic(ctx: StepContext, new: FloatArray) -> OptimizerStep:
    """An optimizer the inspector does not know: its state, and d = (old − new)/lr."""
    lines: list[Line] = []
    for name, arr in ctx.optimizer.state_columns(ctx.after).items():
        for i, n in enumerate(ctx.names):
            lines.append(ctx.line(f"state.{name}.{n}", sub(name, n), float(arr[i])))
    d = (ctx.theta - new) / ctx.lr if ctx.lr else np.zeros_like(ctx.theta)
    return plain_step(ctx, lines, d, "d")
