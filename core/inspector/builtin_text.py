"""The formulas of the built-in problems, one `StepText` factory per problem class.

Each function writes one problem class's step as a `StepText`: the model's
prediction, one example's loss and gradient for data problems, or the loss
and gradient of a surface. Placeholders are filled with the same values the
problem computes, in the same order of operations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from core.inspector.problem_text import PLACEHOLDER, Quantity, StepText, italic
from core.problems.classic import Beale, Himmelblau, Quadratic, Rastrigin, Rosenbrock, Saddle
from core.problems.logistic import LogisticRegression
from core.problems.regression import LinearRegression
from core.problems.seeds import ClippedLinearNeuron, OneWeight, SigmoidNeuron
from core.xp import NUMPY

if TYPE_CHECKING:
    from core.problems.base import Problem


# ------------------------------------------------------------ data problems
def _line_text(problem: Problem) -> StepText:
    """Squared error of a line through the data: ŷ = a·x + b, or w·x without an intercept
    (several inputs: ŷ = w1·x1 + .. + wk·xk + b)."""
    names = problem.param_names
    if isinstance(problem, LinearRegression) and len(names) > 2:
        return _inputs_text(problem, logistic=False)
    slope, intercept = names if len(names) == 2 else (names[0], None)

    def values(p: Mapping[str, float], x: Any, y: Any) -> dict[str, float]:
        # same operation order as the problem's extras (y_pred = a·x + b)
        yhat = p[slope] * x[0] + p[intercept] if intercept else p[slope] * x[0]
        return {"x": x[0], "y": y, "yhat": yhat, "err": yhat - y}

    line = f"{{{slope}}}·{{x}}" + (f" + {{{intercept}}}" if intercept else "")
    grads = {slope: "2·{err}·{x}"} | ({intercept: "2·{err}"} if intercept else {})
    return StepText(
        kind="data",
        values=values,
        predict=(
            Quantity("yhat", f"{'prediction' if intercept else 'output'} <i>ŷ</i>", line),
            Quantity("err", "error <i>e</i>", "{yhat} − {y}"),
        ),
        loss_term="({yhat} − {y})²",
        grad_terms=grads,
        symbols={**italic(names), "yhat": "<i>ŷ</i>", "err": "<i>e</i>"},
        loss_title="squared error",
    )


def _neuron_values(names: tuple[str, ...],
                   sigmoid: bool) -> Callable[[Mapping[str, float], Any, Any], dict[str, float]]:
    w1, w2, b = names

    def values(p: Mapping[str, float], x: Any, y: Any) -> dict[str, float]:
        # same summation order as the problem: (w1·x1 + w2·x2) + b
        z = p[w1] * x[0] + p[w2] * x[1] + p[b]
        if sigmoid:
            yhat = float(NUMPY.sigmoid(z))
            slope = yhat * (1.0 - yhat)
        else:
            yhat = min(max(z, 0.0), 1.0)
            slope = 1.0 if 0.0 <= z <= 1.0 else 0.0
        err = yhat - y
        return {"x1": x[0], "x2": x[1], "y": y, "z": z, "yhat": yhat, "err": err,
                "slope": slope, "delta": err * slope}

    return values


def _neuron_text(problem: Problem) -> StepText:
    w1, w2, b = problem.param_names
    sigmoid = isinstance(problem, SigmoidNeuron)
    if sigmoid:
        activation = Quantity("yhat", "prediction <i>ŷ</i>", "σ({z})")
        slope = Quantity("slope", "σ′(<i>z</i>)", "{yhat}·(1 − {yhat})")
    else:
        activation = Quantity("yhat", "prediction <i>ŷ</i>", "clip({z}, 0, 1)")
        # torch.clamp passes the gradient on the closed interval
        slope = Quantity("slope", "clip′(<i>z</i>)", "[0 ≤ {z} ≤ 1]")
    return StepText(
        kind="data",
        values=_neuron_values(problem.param_names, sigmoid),
        predict=(
            Quantity("z", "<i>z</i>", f"{{{w1}}}·{{x1}} + {{{w2}}}·{{x2}} + {{{b}}}"),
            activation,
            Quantity("err", "error <i>e</i>", "{yhat} − {y}"),
        ),
        loss_term="½·({yhat} − {y})²",
        grad_steps=(slope, Quantity("delta", "<i>δ</i>", "{err}·{slope}")),
        grad_terms={w1: "{delta}·{x1}", w2: "{delta}·{x2}", b: "{delta}"},
        symbols={
            **italic((w1, w2, b)), "x1": "<i>x</i><sub>1</sub>", "x2": "<i>x</i><sub>2</sub>",
            "yhat": "<i>ŷ</i>", "err": "<i>e</i>", "delta": "<i>δ</i>",
            "slope": "σ′(<i>z</i>)" if sigmoid else "clip′(<i>z</i>)",
        },
        loss_title="half the squared error",
    )


def _inputs_text(problem: Problem, logistic: bool) -> StepText:
    """A regression on k input columns, every term written out: z = w1·x1 + .. + wk·xk + b,
    then ŷ = z (squared error) or ŷ = σ(z) (cross-entropy)."""
    names = problem.param_names
    weights, intercept = names[:-1], names[-1]
    xs = tuple(f"x{j + 1}" for j in range(len(weights)))

    def values(p: Mapping[str, float], x: Any, y: Any) -> dict[str, float]:
        # same summation order as the problem: ((w1·x1 + w2·x2) + ...) + b
        z = p[weights[0]] * x[0]
        for j in range(1, len(weights)):
            z = z + p[weights[j]] * x[j]
        z = z + p[intercept]
        yhat = float(NUMPY.sigmoid(z)) if logistic else z
        return {**dict(zip(xs, x, strict=True)), "y": y, "z": z, "yhat": yhat,
                "err": yhat - y}

    form = " + ".join(f"{{{w}}}·{{{x}}}" for w, x in zip(weights, xs, strict=True))
    form += f" + {{{intercept}}}"
    if logistic:
        predict = (Quantity("z", "<i>z</i>", form),
                   Quantity("yhat", "probability <i>ŷ</i>", "σ({z})"))
        loss, title, factor = ("−({y}·log {yhat} + (1 − {y})·log(1 − {yhat}))",
                               "cross-entropy", "")
    else:
        predict = (Quantity("yhat", "prediction <i>ŷ</i>", form),)
        loss, title, factor = "({yhat} − {y})²", "squared error", "2·"
    grads = {w: f"{factor}{{err}}·{{{x}}}" for w, x in zip(weights, xs, strict=True)}
    return StepText(
        kind="data",
        values=values,
        predict=(*predict, Quantity("err", "error <i>e</i>", "{yhat} − {y}")),
        loss_term=loss,
        # the derivative of either loss in the prediction's linear part is a multiple of e
        grad_terms={**grads, intercept: f"{factor}{{err}}"},
        symbols={**italic(names), "yhat": "<i>ŷ</i>", "err": "<i>e</i>",
                 **{x: f"<i>x</i><sub>{x[1:]}</sub>" for x in xs}},
        loss_title=title,
    )


def _logistic_text(problem: Problem) -> StepText:
    if len(problem.param_names) > 2:
        return _inputs_text(problem, logistic=True)
    a, b = problem.param_names

    def values(p: Mapping[str, float], x: Any, y: Any) -> dict[str, float]:
        z = p[a] * x[0] + p[b]
        yhat = float(NUMPY.sigmoid(z))
        return {"x": x[0], "y": y, "z": z, "yhat": yhat, "err": yhat - y}

    return StepText(
        kind="data",
        values=values,
        predict=(
            Quantity("z", "<i>z</i>", f"{{{a}}}·{{x}} + {{{b}}}"),
            Quantity("yhat", "probability <i>ŷ</i>", "σ({z})"),
            Quantity("err", "error <i>e</i>", "{yhat} − {y}"),
        ),
        loss_term="−({y}·log {yhat} + (1 − {y})·log(1 − {yhat}))",
        # the derivative of the cross-entropy in z is just ŷ − y
        grad_terms={a: "{err}·{x}", b: "{err}"},
        symbols={**italic((a, b)), "yhat": "<i>ŷ</i>", "err": "<i>e</i>"},
        loss_title="cross-entropy",
    )


# -------------------------------------------------------- function problems
def _function_text(
    problem: Problem,
    loss: str,
    grads: tuple[str, ...],
    *,
    predict: tuple[Quantity, ...] = (),
    constants: Callable[[Problem], dict[str, float]] | None = None,
    intermediates: Callable[[Mapping[str, float]], dict[str, float]] | None = None,
    symbols: Mapping[str, str] | None = None,
) -> StepText:
    """A two-parameter surface written with placeholders ``{a}`` and ``{b}``."""
    names = problem.param_names
    rename = dict(zip(("a", "b"), names, strict=True))

    def renamed(t: str) -> str:
        return PLACEHOLDER.sub(lambda m: "{" + rename.get(m.group(1), m.group(1)) + "}", t)

    fixed = constants(problem) if constants else {}

    def values(p: Mapping[str, float], x: Any, y: Any) -> dict[str, float]:
        out = dict(fixed)
        if intermediates:
            out.update(intermediates({"a": p[names[0]], "b": p[names[1]]}))
        return out

    return StepText(
        kind="function",
        values=values,
        predict=tuple(Quantity(q.key, q.label, renamed(q.template)) for q in predict),
        loss_term=renamed(loss),
        grad_terms={n: renamed(g) for n, g in zip(names, grads, strict=True)},
        symbols={**italic(names), **(symbols or {})},
    )


def _rosenbrock_text(problem: Problem) -> StepText:
    return _function_text(
        problem,
        "(1 − {a})² + 100·({b} − {a}²)²",
        ("−2·(1 − {a}) − 400·{a}·({b} − {a}²)", "200·({b} − {a}²)"),
    )


def _quadratic_text(problem: Problem) -> StepText:
    def constants(p: Problem) -> dict[str, float]:
        # the Hessian of ½·θᵀAθ is A itself
        (a11, a12), (_, a22) = p.hessian_c(NUMPY, (0.0, 0.0), None)  # type: ignore[misc]
        return {"A11": float(a11), "A12": float(a12), "A22": float(a22)}

    return _function_text(
        problem,
        "½·({A11}·{a}² + 2·{A12}·{a}·{b} + {A22}·{b}²)",
        ("{A11}·{a} + {A12}·{b}", "{A12}·{a} + {A22}·{b}"),
        constants=constants,
        symbols={
            "A11": "<i>A</i><sub>11</sub>",
            "A12": "<i>A</i><sub>12</sub>",
            "A22": "<i>A</i><sub>22</sub>",
        },
    )


def _himmelblau_text(problem: Problem) -> StepText:
    return _function_text(
        problem,
        "({a}² + {b} − 11)² + ({a} + {b}² − 7)²",
        (
            "4·{a}·({a}² + {b} − 11) + 2·({a} + {b}² − 7)",
            "2·({a}² + {b} − 11) + 4·{b}·({a} + {b}² − 7)",
        ),
    )


def _beale_text(problem: Problem) -> StepText:
    def parts(p: Mapping[str, float]) -> dict[str, float]:
        a, b = p["a"], p["b"]
        return {"t1": 1.5 - a + a * b, "t2": 2.25 - a + a * b * b, "t3": 2.625 - a + a * b * b * b}

    return _function_text(
        problem,
        "{t1}² + {t2}² + {t3}²",
        (
            "2·({t1}·({b} − 1) + {t2}·({b}² − 1) + {t3}·({b}³ − 1))",
            "2·{a}·({t1} + 2·{t2}·{b} + 3·{t3}·{b}²)",
        ),
        predict=(
            Quantity("t1", "<i>t</i><sub>1</sub>", "1.5 − {a} + {a}·{b}"),
            Quantity("t2", "<i>t</i><sub>2</sub>", "2.25 − {a} + {a}·{b}²"),
            Quantity("t3", "<i>t</i><sub>3</sub>", "2.625 − {a} + {a}·{b}³"),
        ),
        intermediates=parts,
        symbols={f"t{i}": f"<i>t</i><sub>{i}</sub>" for i in (1, 2, 3)},
    )


def _saddle_text(problem: Problem) -> StepText:
    return _function_text(problem, "{a}² − {b}²", ("2·{a}", "−2·{b}"))


def _rastrigin_text(problem: Problem) -> StepText:
    return _function_text(
        problem,
        "20 + {a}² − 10·cos(2π·{a}) + {b}² − 10·cos(2π·{b})",
        ("2·{a} + 20π·sin(2π·{a})", "2·{b} + 20π·sin(2π·{b})"),
    )


BUILTIN_TEXTS: dict[type, Callable[[Problem], StepText]] = {
    LinearRegression: _line_text,
    LogisticRegression: _logistic_text,
    OneWeight: _line_text,
    SigmoidNeuron: _neuron_text,
    ClippedLinearNeuron: _neuron_text,
    Rosenbrock: _rosenbrock_text,
    Quadratic: _quadratic_text,
    Himmelblau: _himmelblau_text,
    Beale: _beale_text,
    Saddle: _saddle_text,
    Rastrigin: _rastrigin_text,
}
