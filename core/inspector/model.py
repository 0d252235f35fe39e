"""What the step inspector hands the window: plain, frozen data plus rich text.

Every number appears twice: as the exact float (``Line.value``) and as text
to 4 decimals by default, or in the compact scientific form beyond
``1e-4 <= |x| < 1e6`` (`core.numfmt.format_decimals`: no twenty-digit
fixed-point numbers, no 5e-05 shown as 0.0001). Rich text uses only what a
Qt ``QLabel`` renders without a web engine: ``<b>``, ``<i>``, ``<sub>``,
``<sup>``, ``<br>`` and unicode math.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from core.numfmt import format_decimals
from core.run.table import format_exact

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

MINUS = "\u2212"  # typeset minus: the same glyph for a sign and an operator
PHASES = ("predict", "loss", "gradient", "update")
_TAG = re.compile(r"<[^>]+>")


# ------------------------------------------------------------------ numbers
def rounded(value: float, decimals: int = 4) -> str:
    """``format_decimals`` (ASCII): ``decimals`` places, scientific when huge or tiny."""
    return format_decimals(float(value), decimals)


def shown(value: float, decimals: int = 4) -> str:
    """A number as it appears inside a formula: typeset minus, brackets if negative."""
    text = rounded(value, decimals)
    if text.startswith("-"):
        return f"({MINUS}{text[1:]})"
    return text


def opening(value: float, decimals: int = 4) -> str:
    """A number that opens a bracket or an expression: typeset minus, no brackets."""
    return typeset(rounded(value, decimals))


def typeset(text: str) -> str:
    """Rounded text with a typeset minus (how a result appears after ``=``)."""
    return MINUS + text[1:] if text.startswith("-") else text


def constant(value: float) -> str:
    """A hyper-parameter as typed (``0.9``, ``0.999``, ``1e-08``), typeset minus."""
    v = float(value)
    if math.isnan(v) or math.isinf(v):
        return rounded(v)
    text = f"{v:g}"
    return MINUS + text[1:] if text.startswith("-") else text


def plain(rich: str) -> str:
    """Rich text as plain text: tags dropped, sub/superscripts kept inline."""
    text = rich.replace("<br>", "\n")
    text = re.sub(r"<sub>(.*?)</sub>", r"_\1", text)
    text = re.sub(r"<sup>(.*?)</sup>", r"^\1", text)
    return html.unescape(_TAG.sub("", text))


# ------------------------------------------------------------------ lines
@dataclass(frozen=True)
class Line:
    """One row of a phase: ``label = formula = numbers = value``.

    Attributes
    ----------
    key
        Stable name across steps (``"gradient.a"``, ``"state.exp_avg.w"``);
        the window matches lines of consecutive steps by it.
    label
        Rich text for the left-hand side, e.g. ``"<i>g</i><sub>a</sub> = ∂L/∂<i>a</i>"``.
    formula
        The symbolic right-hand side for this problem (rich text, may be empty).
    numbers
        The formula with this step's numbers filled in (rich text, may be empty).
    value
        The exact result (None for a line of words only).
    value_text
        ``value`` to ``decimals`` places, or scientific when huge or tiny
        (`core.numfmt.format_decimals`, ASCII minus), empty if no value.
    exact_text
        ``value`` written losslessly (``repr``), for a tooltip or a copy.
    note
        Plain words that explain a choice or a trap (may be empty).
    changed
        True when this line's numbers or value text differ from the previous
        step's line with the same key (what the window animates).
    """

    key: str
    label: str
    formula: str = ""
    numbers: str = ""
    value: float | None = None
    value_text: str = ""
    exact_text: str = ""
    note: str = ""
    changed: bool = False

    @property
    def display(self) -> tuple[str, str]:
        """What a reader sees change: the filled-in numbers and the rounded value."""
        return self.numbers, self.value_text

    def html(self) -> str:
        """``label = formula = numbers = <b>value</b>`` (empty parts left out)."""
        parts = [p for p in (self.formula, self.numbers) if p]
        if self.numbers and self.numbers == typeset(self.value_text):
            parts.remove(self.numbers)  # "buf = g = −3.0 = −3.0" says it twice
        if self.value_text:
            parts.append(f"<b>{typeset(self.value_text)}</b>")
        body = " = ".join(parts)
        if self.label and not self.formula and not self.value_text and self.numbers:
            text = f"{self.label}: {self.numbers}"  # words and numbers, nothing equated
        else:
            text = f"{self.label} = {body}" if body and self.label else (body or self.label)
        if self.note:
            text += f"<br><i>{html.escape(self.note, quote=False)}</i>"
        return text

    def text(self) -> str:
        """The same line as plain text."""
        return plain(self.html())


def number_line(key: str, label: str, value: float, *, formula: str = "", numbers: str = "",
                note: str = "", decimals: int = 4, integer: bool = False) -> Line:
    """A `Line` with a value, its rounded text and its exact text filled in.

    ``integer`` writes a whole number without decimals (a step count).
    """
    v = float(value)
    return Line(
        key=key,
        label=label,
        formula=formula,
        numbers=numbers,
        value=v,
        value_text=format_decimals(v, decimals, integer=integer),
        exact_text=format_exact(v, integer=integer),
        note=note,
    )


# ------------------------------------------------------------------ phases
@dataclass(frozen=True)
class Phase:
    """One of the four steps: its number, title, a sentence, and its lines."""

    key: str  # "predict", "loss", "gradient" or "update"
    number: int  # 1..4
    title: str
    summary: str
    lines: tuple[Line, ...]

    def html(self) -> str:
        head = f"<b>{self.number}. {html.escape(self.title, quote=False)}</b>"
        if self.summary:
            head += f" — <i>{html.escape(self.summary, quote=False)}</i>"
        return "<br>".join([head, *(line.html() for line in self.lines)])

    def text(self) -> str:
        return plain(self.html())

    def line(self, key: str) -> Line:
        for line in self.lines:
            if line.key == key:
                return line
        raise KeyError(f"no line {key!r} in phase {self.key!r}")


# ------------------------------------------------------------- structured
@dataclass(frozen=True)
class Example:
    """One example of the batch an update uses, as the predict step shows it.

    ``index`` is the example's row in the data set (0-based; the text says
    "example index + 1"). ``values`` holds every named quantity of the
    problem's step text at this example (``yhat``, ``err``, ``z``, ...).
    """

    index: int
    inputs: tuple[float, ...]
    target: float
    prediction: float | None
    error: float | None  # prediction − target
    loss: float  # this example's own loss term (the batch loss is their mean)
    grad: tuple[float, ...]  # this example's own gradient (the batch's is their mean)
    values: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ParamUpdate:
    """``new = old − lr × direction`` for one parameter.

    ``direction`` is the optimizer's actual step direction (for AdamW it
    includes the decoupled decay ``decay = weight_decay·old``), so the
    arithmetic holds to rounding with ``new`` the value the run records.
    """

    name: str
    old: float
    lr: float
    direction: float
    new: float
    decay: float | None = None


@dataclass(frozen=True)
class StepInspection:
    """The four steps of update ``step``: from row ``step`` to row ``step + 1``.

    Attributes
    ----------
    step, epoch
        The row (= the update) and its epoch.
    problem, optimizer
        Names; ``hyper`` holds the optimizer's hyper-parameters.
    lr
        The learning rate of this update (the row's ``lr`` column).
    params, params_after
        Parameter values before and after the update, by name.
    loss
        The full-data loss at ``params`` (the row's ``loss`` column).
    batch_loss
        The loss on this update's batch (None when the full data is used).
    batch
        Data-set rows this update uses, in order: a ``range`` for the full
        data or one sample, a tuple for a shuffled mini-batch, None for a
        pure function.
    examples
        The first few examples of the batch (at most ``max_examples``).
    grad
        The gradient the update uses (on the batch), by name.
    state_before, state
        The optimizer's state before and after this update, named like
        ``torch.optim``'s ``optimizer.state[p]`` (``momentum_buffer``,
        ``exp_avg``, ``exp_avg_sq``, ``step``, ...): ``{name: {param: value}}``.
        ``state`` is what torch holds after its ``step()`` for this update.
    direction
        The step direction by name: ``new = old − lr × direction``.
    updates
        One `ParamUpdate` per parameter.
    update_taken
        False when the run made no update at this row (it diverged or
        converged there); the numbers then show the update it would make.
    update_recorded
        True when ``params_after`` is the next row of the table; False when
        that row does not exist (the run's last row) and it was computed.
    notes
        Sentences about this step (divergence, the end of the run, ...).
    phases
        The four `Phase` objects: predict, loss, gradient, update.
    changed
        Keys of the lines whose numbers differ from the previous step's
        (empty at step 0: there is nothing before it).
    """

    step: int
    epoch: int
    problem: str
    optimizer: str
    hyper: Mapping[str, object]
    lr: float
    params: Mapping[str, float]
    params_after: Mapping[str, float]
    loss: float
    batch_loss: float | None
    batch: Sequence[int] | None
    examples: tuple[Example, ...]
    grad: Mapping[str, float]
    state_before: Mapping[str, Mapping[str, float]]
    state: Mapping[str, Mapping[str, float]]
    direction: Mapping[str, float]
    updates: tuple[ParamUpdate, ...]
    update_taken: bool
    update_recorded: bool
    notes: tuple[str, ...]
    phases: tuple[Phase, ...]
    changed: frozenset[str] = frozenset()

    def phase(self, key: str) -> Phase:
        for phase in self.phases:
            if phase.key == key:
                return phase
        raise KeyError(f"no phase {key!r}; phases: {', '.join(PHASES)}")

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(line for phase in self.phases for line in phase.lines)

    def line(self, key: str) -> Line:
        for line in self.lines:
            if line.key == key:
                return line
        raise KeyError(f"no line {key!r} at step {self.step}")

    def html(self) -> str:
        head = f"<b>Step {self.step}</b> (epoch {self.epoch}, lr {constant(self.lr)})"
        notes = [f"<i>{html.escape(n, quote=False)}</i>" for n in self.notes]
        return "<br><br>".join(["<br>".join([head, *notes]), *(p.html() for p in self.phases)])

    def text(self) -> str:
        return plain(self.html())


def mark_changed(
    phases: Iterable[Phase], previous: Mapping[str, tuple[str, str]] | None
) -> tuple[tuple[Phase, ...], frozenset[str]]:
    """Flag the lines whose displayed numbers differ from ``previous`` (key -> display)."""
    out: list[Phase] = []
    changed: set[str] = set()
    for phase in phases:
        lines = []
        for line in phase.lines:
            is_new = previous is not None and previous.get(line.key) != line.display
            if is_new:
                changed.add(line.key)
            lines.append(replace(line, changed=is_new))
        out.append(replace(phase, lines=tuple(lines)))
    return tuple(out), frozenset(changed)
