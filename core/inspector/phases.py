"""The four phases of one update as lines of rich text, from the step's numbers."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.inspector.model import MINUS, Example, Line, Phase, number_line, opening, shown
from core.inspector.problem_text import Quantity, StepText, fill

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from core._types import FloatArray
    from core.inspector.optimizer_text import OptimizerStep
    from core.inspector.replay import RunView


@dataclass(frozen=True)
class StepData:
    """What every phase reads: the run, the problem's text and this step's values."""

    view: RunView
    text: StepText
    params: Mapping[str, float]
    batch: Sequence[int] | None  # data rows of the update; None for a function
    examples: tuple[Example, ...]  # the first few of them
    decimals: int

    def values(self) -> dict[str, float]:
        """Every placeholder's value at the current point (function problems)."""
        return {**self.params, **self.text.values(self.params, None, None)}

    def quantity(self, key: str, q: Quantity, values: Mapping[str, float], label: str = "") -> Line:
        return number_line(
            key,
            label or q.label,
            values[q.key],
            formula=self.text.symbolic(q.template),
            numbers=fill(q.template, values, self.decimals),
            decimals=self.decimals,
        )


# ------------------------------------------------------------------ predict
def predict_phase(s: StepData) -> Phase:
    d, text, names = s.decimals, s.text, s.view.names
    if s.batch is None:
        at = ", ".join(opening(s.params[n], d) for n in names)
        symbols = ", ".join(text.symbol(n) for n in names)
        lines = [Line("predict.at", f"evaluate <i>L</i>({symbols}) at", numbers=f"({at})")]
        values = s.values()
        lines += [s.quantity(f"predict.{q.key}", q, values) for q in text.predict]
        summary = "evaluate the loss function at the current point"
        return Phase("predict", 1, "Predict", summary, tuple(lines))
    lines = []
    for j, ex in enumerate(s.examples):
        x = ", ".join(shown(v, d) for v in ex.inputs)
        x = f"({x})" if len(ex.inputs) > 1 else x
        xy = f"<i>x</i> = {x}, <i>y</i> = {shown(ex.target, d)}"
        lines.append(Line(f"predict.{j}.example", f"example {ex.index + 1}", numbers=xy))
        lines += [s.quantity(f"predict.{j}.{q.key}", q, ex.values) for q in text.predict]
        if not text.loss_term:  # no model known: show what each example costs
            lines.append(
                number_line(f"predict.{j}.loss", "its loss ℓ<sub>i</sub>", ex.loss, decimals=d)
            )
    n, total = len(s.batch), s.view.problem.n_samples
    if n > len(s.examples):
        more = f"{n - len(s.examples)} more examples in this batch"
        lines.append(Line("predict.more", "…", numbers=more))
    if total == 1:
        which = "the one example"
    else:
        which = f"all {n} examples" if n == total else f"{n} of the {total} examples"
    return Phase("predict", 1, "Predict", f"the model's prediction for {which}", tuple(lines))


# --------------------------------------------------------------------- loss
def loss_phase(s: StepData, loss: float, batch_loss: float | None) -> Phase:
    d, text = s.decimals, s.text
    if s.batch is None:
        term = text.loss_term
        title = html.escape(s.view.problem.title, quote=False)
        formula = text.symbolic(term) if term else f"<i>{title}</i>"
        numbers = fill(term, s.values(), d) if term else ""
        line = number_line("loss", "<i>L</i>", loss, formula=formula, numbers=numbers, decimals=d)
        return Phase("loss", 2, "Loss", "how wrong the current point is", (line,))
    term = text.loss_term
    formula, numbers = mean_of(
        len(s.batch),
        text.symbolic(term) if term else "ℓ<sub>i</sub>",
        [fill(term, ex.values, d) if term else opening(ex.loss, d) for ex in s.examples],
    )
    title = text.loss_title or "the loss"
    words = f"{title} of this example" if len(s.batch) == 1 else f"{title}, averaged over the batch"
    if batch_loss is None:
        line = number_line("loss", "<i>L</i>", loss, formula=formula, numbers=numbers, decimals=d)
        return Phase("loss", 2, "Loss", words, (line,))
    lines = (
        number_line(
            "loss.batch",
            "<i>L</i><sub>batch</sub>",
            batch_loss,
            formula=formula,
            numbers=numbers,
            decimals=d,
            note="the loss this update descends",
        ),
        number_line(
            "loss",
            "<i>L</i>",
            loss,
            decimals=d,
            formula=f"the same over all {s.view.problem.n_samples} examples",
            note="the table's loss column (full data)",
        ),
    )
    return Phase("loss", 2, "Loss", words, lines)


# ----------------------------------------------------------------- gradient
def gradient_phase(s: StepData, grad: FloatArray, opt_step: OptimizerStep) -> Phase:
    d, text = s.decimals, s.text
    of = "<i>L</i><sub>batch</sub>" if "batch_loss" in s.view.table else "<i>L</i>"
    lines: list[Line] = []
    if s.batch is not None and len(s.batch) <= len(s.examples):
        for j, ex in enumerate(s.examples):
            lines += [
                s.quantity(
                    f"gradient.{j}.{q.key}",
                    q,
                    ex.values,
                    label=f"{q.label} (example {ex.index + 1})",
                )
                for q in text.grad_steps
            ]
    values = s.values() if s.batch is None else {}
    for i, n in enumerate(s.view.names):
        term = text.grad_terms.get(n, "")
        if s.batch is None:
            formula, numbers = text.symbolic(term), fill(term, values, d) if term else ""
        else:
            formula, numbers = mean_of(
                len(s.batch),
                text.symbolic(term) if term else f"∂ℓ<sub>i</sub>/∂{text.symbol(n)}",
                [fill(term, ex.values, d) if term else opening(ex.grad[i], d) for ex in s.examples],
            )
        label = f"<i>g</i><sub>{html.escape(n, quote=False)}</sub> = ∂{of}/∂{text.symbol(n)}"
        lines.append(
            number_line(
                f"gradient.{n}", label, grad[i], formula=formula, numbers=numbers, decimals=d
            )
        )
    lines.extend(opt_step.lines)
    summary = "which way each parameter should move, and how the optimizer scales it"
    return Phase("gradient", 3, "Gradient", summary, tuple(lines))


# ------------------------------------------------------------------- update
def update_phase(
    names: tuple[str, ...], opt_step: OptimizerStep, new: FloatArray, taken: bool, decimals: int
) -> Phase:
    lines = tuple(
        number_line(
            f"update.{n}",
            f"new <i>{html.escape(n, quote=False)}</i>",
            new[i],
            formula=opt_step.update_formula[i],
            numbers=opt_step.update_numbers[i],
            decimals=decimals,
        )
        for i, n in enumerate(names)
    )
    if taken:
        summary = "old − lr × direction = new"
    else:
        summary = "the run made no update here; this is the one it would make"
    return Phase("update", 4, "Update", summary, lines)


# ------------------------------------------------------------------ helpers
def mean_of(n: int, term: str, filled: list[str]) -> tuple[str, str]:
    """Formula and numbers of a mean over ``n`` examples (written out when all are shown)."""
    if n == 1:
        return term, filled[0] if filled else ""
    formula = f"(1/{n})·Σ {term}"
    if len(filled) < n:
        return formula, ""
    total = filled[0]
    for t in filled[1:]:
        if not t.startswith(MINUS):
            total += f" + {t}"
        elif is_product(t[1:]):
            total += f" {MINUS} {t[1:]}"  # "+ −0.13·1" reads better as "− 0.13·1"
        else:
            total += f" + ({t})"
    return formula, f"({total})/{n}"


def is_product(text: str) -> bool:
    """True when ``text`` has no + or − outside brackets (a product of factors)."""
    depth = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch in ("+", MINUS):
            return False
    return True
