"""What an optimizer is: a pure ``init``/``update`` rule and its checked hyper-parameters.

Each rule is written once, in the manner of optax, against an array
namespace ``xp`` (`core.xp`), and touches every parameter entry on its own
(no sum or norm over parameters). So the same code steps

* one Python float at a time (``xp = FLOATS``): the trainer calls ``update``
  once per parameter, with that parameter's own state;
* a numpy array of runs (``xp = NUMPY``): the sweep passes parameters of
  shape (p, R) and learning rates of shape (1, R), one per run;
* torch tensors (the torch sweep), the same shapes.

``init(params, hyper, xp) -> state`` and ``update(grad, state, params, hyper,
lr, xp) -> (new_params, new_state)``. The state is a NamedTuple, returned
anew and never changed in place, so a run can be replayed from any saved
state. The arithmetic, and its order, is torch.optim's single-tensor loop
(``foreach=False``), quirks included; each rule's module says which.

The torch backend's single run does not use these rules: it steps the real
``torch.optim`` classes, which is what makes it an independent check of them
(`core.torch_backend.trainer`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from core.errors import ConfigError
from core.xp import NUMPY

if TYPE_CHECKING:
    from core._types import FloatArray


def _never(hyper: Mapping[str, Any]) -> bool:
    return False


class Rule(NamedTuple):
    """One optimizer: its names, defaults and checks, and its pure update."""

    name: str
    torch_class: str  # the torch.optim class it mirrors
    defaults: Mapping[str, Any]  # torch.optim's defaults (without lr)
    check: Callable[[dict[str, Any]], dict[str, Any]]  # validate, normalise; ConfigError
    init: Callable[[Any, Mapping[str, Any], Any], Any]
    update: Callable[..., tuple[Any, Any]]
    # the state named for display, each array shaped like the parameters; the
    # names are torch's ``optimizer.state`` keys where torch has one
    columns: Callable[[Any, Mapping[str, Any]], dict[str, FloatArray]]
    doc: str  # the update rule in words and symbols
    # True when, for these hyper-parameters, the update is θ − lr·g and keeps
    # no state: the trainer then applies it inline instead of calling update
    plain: Callable[[Mapping[str, Any]], bool] = _never
    # `update` in two parts, for the single run's one float per parameter:
    # ``begin(state, hyper, lr)`` works out the numbers every entry shares this
    # step (bias corrections, decays) once, ``apply(grad, state, params,
    # shared, xp)`` updates one entry. ``update`` is written as apply(begin()),
    # so the arithmetic is the same either way. Both read the state by position
    # and ``apply`` returns its fields as a plain tuple, which ``update`` names:
    # building a NamedTuple for every parameter at every step cost as much as
    # the update's arithmetic.
    begin: Callable[..., Any] | None = None
    apply: Callable[..., tuple[Any, Any]] | None = None


class Optimizer:
    """A rule with validated hyper-parameters, stepping numpy arrays."""

    def __init__(self, rule: Rule, **hyper: Any) -> None:
        unknown = sorted(set(hyper) - set(rule.defaults))
        if unknown:
            raise ConfigError(
                f"optimizer {rule.name!r} has no hyper-parameter {unknown[0]!r} "
                f"(its hyper-parameters: {', '.join(rule.defaults)})"
            )
        self.rule = rule
        self.hyper: dict[str, Any] = rule.check({**rule.defaults, **hyper})
        # the rule and its checked hyper-parameters as one key (what traces of the
        # update are kept by), made once: writing it out costs a microsecond or two
        self.settings: tuple[str, str] = (rule.name, repr(sorted(self.hyper.items())))

    def copy(self) -> Optimizer:
        """An independent copy, its hyper-parameters not checked again (that is
        the costly part of building one, more than a short run's steps)."""
        twin = object.__new__(Optimizer)
        twin.rule, twin.hyper, twin.settings = self.rule, dict(self.hyper), self.settings
        return twin

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def torch_class(self) -> str:
        return self.rule.torch_class

    @property
    def plain(self) -> bool:
        """The update is θ − lr·g, with no state."""
        return self.rule.plain(self.hyper)

    def init(self, params: FloatArray) -> Any:
        return self.rule.init(np.asarray(params, dtype=np.float64), self.hyper, NUMPY)

    def step(self, params: FloatArray, grad: FloatArray, state: Any,
             lr: Any) -> tuple[FloatArray, Any]:
        """One update of numpy arrays: ``(new_params, new_state)``."""
        return self.rule.update(grad, state, params, self.hyper, lr, NUMPY)  # type: ignore[no-any-return]

    def state_columns(self, state: Any) -> dict[str, FloatArray]:
        """The state named for display (empty before torch would have made it)."""
        return {} if state is None else self.rule.columns(state, self.hyper)

    def describe(self) -> str:
        """The update rule in words and symbols (for the step inspector)."""
        return self.rule.doc

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyper.items())
        return f"{self.rule.torch_class}({args})"


def stack_states(states: Sequence[Any], kind: type) -> Any:
    """Per-parameter states (each a ``kind`` NamedTuple or a tuple of its fields)
    as one ``kind`` of arrays.

    A field that is None everywhere stays None; an int (a step count, which
    every parameter shares) stays an int; numbers become a float64 array.
    """
    fields = []
    for values in zip(*states, strict=True):
        first = values[0]
        if first is None or isinstance(first, int):
            fields.append(first)
        else:
            fields.append(np.array(values, dtype=np.float64))
    return kind(*fields)


def weight_decays(weight_decay: Any, decoupled: bool, lr: Any) -> tuple[Any, Any]:
    """A step's weight decay as `with_weight_decay` takes it: ``(factor, coupled)``,
    the decoupled θ·(1 − lr·wd) of AdamW and its kin (None without), or the coupled
    wd added to the gradient as wd·θ (0 without). Worked out once a step."""
    if not weight_decay:
        return None, 0.0
    return (1.0 - lr * weight_decay, 0.0) if decoupled else (None, weight_decay)


def with_weight_decay(grad: Any, params: Any, factor: Any, coupled: Any) -> tuple[Any, Any]:
    """``(grad, params)`` with `weight_decays`' decay applied: the parameters shrunk
    (decoupled) or the decay added to the gradient (coupled), as torch does."""
    if factor is not None:
        return grad, params * factor
    if coupled:
        return grad + coupled * params, params
    return grad, params
