"""An optimizer's update of every parameter on floats, traced into straight-line code.

The float loop (`core.run.steppers.FloatStepper`) updates each parameter with
the rule's ``apply``, written once for floats, arrays and tensors. For two
parameters that is two calls a step, each unpacking the step's shared numbers
and the parameter's state and building a new state tuple: more time than the
update's arithmetic, for Adagrad twice what the seed articles' own loops spend.
So the first step of a run (or a cached trace of an earlier run of the same
rule, hyper-parameters and size) runs ``apply`` once per parameter on symbols
that carry that step's values (`core.tracing`), and the record becomes one
function that updates every parameter with the same float operations in the
same order: the same numbers to the last bit, checked against the written
code on that step before it is used.

The rules decide on a few things: a weight decay or a momentum of zero, a
state field not there yet (SGD's momentum buffer before its first step). A
decision on a value is guarded in the generated code; a field that was
absent is checked to be absent still; either way, where a later step would
go the other way, the step raises `Diverted` and the loop traces again from
that step, or keeps the written code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from core.tracing import Namespace, Record, define, listed
from core.xp import FLOATS

Step = Callable[[Sequence[float], Sequence[Any], Sequence[float], tuple[Any, ...]],
                tuple[tuple[float, ...], Sequence[Any]]]

_KEPT = 128
_traces: dict[tuple[Any, ...], Step] = {}  # by rule, hyper-parameters, size and absences
# tracing the rule's update costs about what 100 of its steps save: it pays once this
# many updates of one rule, hyper-parameters and size were made, in one run or several
TRACE_AFTER_STEPS = 200
_steps_made: dict[tuple[Any, ...], int] = {}  # updates made so far, while under that


def written_step(apply: Callable[..., Any]) -> Step:
    """The per-parameter loop as written: ``apply`` once per parameter."""

    def step(g: Sequence[float], states: Sequence[Any], p: Sequence[float],
             shared: tuple[Any, ...]) -> tuple[tuple[float, ...], list[Any]]:
        new, new_states = [], []  # a loop, not zip(*[...]): 1 µs a step less
        for gi, si, pi in zip(g, states, p, strict=True):
            pi, si = apply(gi, si, pi, shared, FLOATS)
            new.append(pi)
            new_states.append(si)
        return tuple(new), new_states

    return step


def worth_tracing(settings: tuple[Any, ...], size: int, steps: int) -> bool:
    """Whether a run of ``steps`` updates of ``size`` parameters traces the rule: its
    updates and those of earlier runs of the same ``settings`` (rule and
    hyper-parameters, `Optimizer.settings`) and size come to `TRACE_AFTER_STEPS`
    (a window re-running a 20-step run at every move of a knob traces on its
    tenth run, a single 20-step run never)."""
    if steps >= TRACE_AFTER_STEPS:
        return True
    key = (*settings, size)
    made = _steps_made.get(key, 0) + steps
    if len(_steps_made) >= _KEPT:
        _steps_made.clear()
    _steps_made[key] = made
    return made >= TRACE_AFTER_STEPS


def known_trace(settings: tuple[Any, ...], states: Sequence[Any],
                shared: tuple[Any, ...]) -> Step | None:
    """A trace an earlier run made for these settings (rule and hyper-parameters) and
    this size."""
    return _traces.get(_key(settings, states, shared))


def trace_step(rule: Any, settings: tuple[Any, ...], g: Sequence[float],
               states: Sequence[Any], p: Sequence[float],
               shared: tuple[Any, ...]) -> Step | None:
    """The rule's update of every parameter as generated code, traced at this step's
    values, or None where it cannot be traced or does not give the written numbers."""
    rec = Record(concrete=True)
    n = len(p)
    gs = [rec.symbol(f"g{i}", v) for i, v in enumerate(g)]
    ps = [rec.symbol(f"p{i}", v) for i, v in enumerate(p)]
    ss = [tuple(_input(rec, f"s{i}_{j}", v) for j, v in enumerate(state))
          for i, state in enumerate(states)]
    cs = tuple(_input(rec, f"c{j}", v) for j, v in enumerate(shared))
    xp = Namespace(rec)
    try:
        outs = [rule.apply(gs[i], ss[i], ps[i], cs, xp) for i in range(n)]
        new = [rec.operand(o[0]) for o in outs]
        new_states = [f"({listed(rec.operand(f) for f in o[1])})" for o in outs]
    except Exception:  # whatever the symbols cannot follow keeps the written code
        return None
    absent = [f"s{i}_{j}" for i, state in enumerate(states) for j, v in enumerate(state)
              if v is None] + [f"c{j}" for j, v in enumerate(shared) if v is None]
    source = "\n".join([
        "def step(g, states, p, c):",
        f"    {listed(f'g{i}' for i in range(n))}= g",
        f"    {listed(f'p{i}' for i in range(n))}= p",
        f"    {listed(_unpacked(i, state) for i, state in enumerate(states))}= states",
        f"    {listed(f'c{j}' for j in range(len(shared)))}= c",
        # what was absent at the trace is in the code as absent: still so?
        *(f"    if {name} is not None: raise Diverted" for name in absent),
        *(f"    {line}" for line in rec.lines),
        f"    return ({listed(new)}), ({listed(new_states)})",
        "",
    ])
    traced: Step = define(source, rule.name, rec.constants)["step"]
    if not _agrees(traced, written_step(rule.apply), (g, states, p, shared)):
        return None
    if len(_traces) >= _KEPT:
        _traces.clear()
    _traces[_key(settings, states, shared)] = traced
    return traced


def _unpacked(i: int, state: Sequence[Any]) -> str:
    return f"({listed(f's{i}_{j}' for j in range(len(state)))})"


def _input(rec: Record, name: str, value: Any) -> Any:
    # an absent field (None) stays None in the code: the rules test it with `is None`
    return None if value is None else rec.symbol(name, value)


def _key(settings: tuple[Any, ...], states: Sequence[Any],
         shared: tuple[Any, ...]) -> tuple[Any, ...]:
    # list comprehensions: a generator per state cost a microsecond a run
    return (*settings, len(states),
            tuple([tuple([v is None for v in s]) for s in states]),
            tuple([v is None for v in shared]))


def _agrees(traced: Step, written: Step, args: tuple[Any, ...]) -> bool:
    """The same numbers, bit for bit, as the written code at the step traced."""
    try:
        a, b = traced(*args), written(*args)
    except Exception:  # not comparable here: keep the written code
        return False
    return repr((a[0], [tuple(s) for s in a[1]])) == repr((b[0], [tuple(s) for s in b[1]]))
