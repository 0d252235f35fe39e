"""What a session file may hold: its JSON read safely and checked field by field.

`read_document` turns the file's text into plain data without letting it do
harm: the nesting depth is measured on the raw text before ``json`` recurses
into it (100,000 ``[`` would exhaust Python's stack), numbers with absurdly
many digits, numbers past float64 (``1e999``) and NaN / Infinity are kept as
markers instead of becoming an integer of 4,000 digits, ``inf`` or ``nan``,
and the checks refuse them naming their field. `check_document` then holds
every field to its type and size, and names the field of the first refusal
the way a reader finds it in the file: ``pinned[2].lr``,
``problem.options.condition``. Ranges and names (a learning
rate >= 0, a known optimizer) are `RunConfig`'s and the problem's to check.

Fields this version does not know are ignored, so a file from a later minor
version still opens.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from core.errors import ConfigError
from core.limits import MAX_NUMBER_DIGITS, MAX_SESSION_DEPTH

Check = Callable[[str, Any], None]

MAX_TEXT = 10_000  # characters of one text field: a formula has 2,000, a path 4,096
MAX_ITEMS = 1_000  # items of one list (pinned runs, start values, parameter names)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


class Unreadable:
    """A number the file holds but float64 cannot: too many digits, past 1.8e308,
    or one of the constants NaN and ±Infinity (JavaScript's, not JSON's)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        if self.text in ("NaN", "Infinity", "-Infinity"):
            return (f"{self.text} ({self.text} is not allowed in a session: numbers must be "
                    "finite)")
        digits = sum(c.isdigit() for c in self.text)
        if digits > MAX_NUMBER_DIGITS:
            return f"a number of {digits:,} digits"
        return f"{self.text[:30]} (beyond float64's range)"


# ------------------------------------------------------------------ reading
def read_document(text: str, where: str) -> Any:
    """The JSON in ``text`` as plain data; ConfigError if it is not JSON or too deep."""
    depth = nesting_depth(text)
    if depth > MAX_SESSION_DEPTH:
        raise ConfigError(f"{where!r} is not a session file: its JSON is nested {depth:,} levels "
                          f"deep (a session has at most {MAX_SESSION_DEPTH})")
    try:
        return json.loads(text, parse_constant=_constant, parse_int=_integer,
                          parse_float=_real)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{where!r} is not a session file: not valid JSON "
            f"(line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except ValueError as exc:
        raise ConfigError(f"{where!r} is not a session file: {exc}") from None


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` outside strings (0 for a bare value)."""
    bare = _STRING.sub('""', text).encode("utf-8", errors="replace")
    codes = np.frombuffer(bare, dtype=np.uint8)
    step = (np.isin(codes, (ord("["), ord("{"))).astype(np.int32)
            - np.isin(codes, (ord("]"), ord("}"))).astype(np.int32))
    return int(np.max(np.cumsum(step), initial=0))


def _constant(name: str) -> Any:
    return Unreadable(name)  # refused, naming its field, by the checks below


def _integer(text: str) -> Any:
    return Unreadable(text) if len(text) > MAX_NUMBER_DIGITS + 1 else int(text)


def _real(text: str) -> Any:
    if len(text) > 4 * MAX_NUMBER_DIGITS:
        return Unreadable(text)
    value = float(text)
    return value if value not in (float("inf"), float("-inf")) else Unreadable(text)


# ------------------------------------------------------------------ checks
def _shown(value: Any) -> str:
    """The value as the file spells it (true, null, "text"), cut short."""
    if isinstance(value, Unreadable):
        return repr(value)
    try:
        text = json.dumps(value, default=repr)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def refuse(path: str, rule: str, value: Any) -> ConfigError:
    return ConfigError(f"session field {path!r} must be {rule}, got {_shown(value)}")


def number(path: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise refuse(path, "a number", value)


def whole(path: str, value: Any) -> None:
    if isinstance(value, bool) or not (isinstance(value, int) or (
            isinstance(value, float) and value.is_integer())):
        raise refuse(path, "a whole number", value)


def integer(path: str, value: Any) -> None:
    """An integer as JSON writes one: not true, not 1.0."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise refuse(path, "a whole number such as 1", value)


def text(path: str, value: Any) -> None:
    if not isinstance(value, str):
        raise refuse(path, "text", value)
    if len(value) > MAX_TEXT:
        raise ConfigError(f"session field {path!r} is {len(value):,} characters long; at most "
                          f"{MAX_TEXT:,} are allowed")


def flag(path: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise refuse(path, "true or false", value)


def optional(check: Check) -> Check:
    def inner(path: str, value: Any) -> None:
        if value is not None:
            check(path, value)
    return inner


def either(rule: str, *checks: Check) -> Check:
    """The first check that accepts; else one refusal that says ``rule``, or the
    refusal of a field inside the value where one alternative looked into it
    (an object of the right kind with one bad field names that field)."""
    def inner(path: str, value: Any) -> None:
        deeper = None
        for check in checks:
            try:
                check(path, value)
            except ConfigError as exc:
                if not str(exc).startswith(f"session field {path!r}"):
                    deeper = deeper or exc
                continue
            return
        raise deeper or refuse(path, rule, value)
    return inner


def list_of(item: Check, rule: str) -> Check:
    def inner(path: str, value: Any) -> None:
        if not isinstance(value, list):
            raise refuse(path, rule, value)
        if len(value) > MAX_ITEMS:
            raise ConfigError(f"session field {path!r} has {len(value):,} items; at most "
                              f"{MAX_ITEMS:,} are allowed")
        for i, v in enumerate(value):
            item(f"{path}[{i}]", v)
    return inner


def mapping_of(item: Check, rule: str) -> Check:
    """An object whose keys are names and whose every value passes ``item``."""
    def inner(path: str, value: Any) -> None:
        if not isinstance(value, Mapping):
            raise refuse(path, rule, value)
        for key, v in value.items():
            item(f"{path}.{key}", v)
    return inner


def fields(spec: dict[str, Check], rule: str) -> Check:
    """An object whose known fields pass their checks (unknown fields are ignored)."""
    def inner(path: str, value: Any) -> None:
        if not isinstance(value, Mapping):
            raise refuse(path, rule, value)
        for name, check in spec.items():
            if name in value:
                check(f"{path}.{name}" if path else name, value[name])
    return inner


# ------------------------------------------------------------------ the schema
SETTING = either("a number, text or true/false", number, text, flag)
NUMBERS = list_of(number, "a list of numbers")
HYPER = mapping_of(either("a number, true/false or a list of numbers", number, flag, NUMBERS),
                   "an object of hyper-parameters by name")
RUN = {
    "optimizer": text,
    "hyper": optional(HYPER),
    "lr": number,
    "steps": whole,
    "start": optional(NUMBERS),
    "batch": either("'full', 'sample' or a whole number", text, whole),
    "seed": whole,
    "noise": number,
    "sharpness_every": whole,
    "backend": text,
    "device": text,
    "dtype": text,
    "schedule": optional(either("a schedule name or an object with its 'name'", text,
                                mapping_of(SETTING, "an object"))),
}
PROBLEM = fields({
    "name": optional(text),
    "options": optional(mapping_of(SETTING, "an object of problem options by name")),
    "formula": optional(text),
    "params": optional(list_of(text, "a list of names")),
    "data": optional(text),
    "model": optional(text),
    "normalize": flag,
    # one input column, or a list of them (several inputs: parameters w1..wk, b)
    "x_column": optional(either("a column number or name, or a list of them", whole, text,
                                list_of(either("a column number or name", whole, text),
                                        "a list of column numbers or names"))),
    "y_column": optional(either("a column number or name", whole, text)),
}, "an object with 'name', 'formula' or 'data'")
PINNED = fields({"label": optional(text), **RUN}, "an object with at least 'lr'")
SESSION = fields({
    "format": text,
    "version": integer,
    "problem": either("a problem name or an object with 'name', 'formula' or 'data'",
                      text, PROBLEM),
    **RUN,
    "pinned": optional(list_of(PINNED, "a list of pinned runs")),
}, "an object")


def check_document(doc: Any, where: str) -> None:
    """Every known field of a session's data to its type and size; ConfigError naming it."""
    if not isinstance(doc, Mapping):
        raise ConfigError(f"{where!r} is not a session file: expected a JSON object")
    try:
        SESSION("", doc)
    except ConfigError as exc:
        raise ConfigError(f"{where!r}: {exc}") from None
