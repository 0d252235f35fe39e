"""The one place that turns a user's value into a number, or says why it cannot.

Every knob that takes a number (the learning rate, a hyper-parameter, a
problem or schedule option, a sweep's tolerance, a command-line flag) goes
through `check_number` or `check_whole`, so a bad value is refused the same way
everywhere: a `ConfigError` whose message names the field, says what is
allowed and shows what was given. ``True`` is never taken for 1.

Two message styles exist, because some fields describe their range in words:
without ``rule`` the message says which test failed ("must be a number",
"must be a finite number", "must be a number >= 0", "must be in [0, 1)");
with ``rule`` every failure reads ``"<name> must be <rule>, got <value>"``.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from core.errors import ConfigError
from core.limits import MAX_SHOWN

MAX_POINT_VALUES = 1000  # values of one point: far more than any problem has parameters


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for quoting in a message.

    A refused value may be a 100,000-character string, a million-element list
    or an integer too long for ``repr``; the message quotes its start and
    says how long it was, so it stays one readable line.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of {_digits(value):,} digits"
    try:
        text = repr(value)
    except Exception:  # a value whose repr fails is still named by its type
        return f"a {type(value).__name__}"
    text = " ".join(text.split())  # one line
    if len(text) <= limit:
        return text
    size = ""
    if isinstance(value, str | bytes):
        size = f" ({len(value):,} characters)" if isinstance(value, str) else \
            f" ({len(value):,} bytes)"
    elif hasattr(value, "__len__"):
        with contextlib.suppress(Exception):  # a length is only a courtesy here
            size = f" ({len(value):,} items)"
    return f"{text[: limit - 3]}...{size}"


def shown_path(path: Any) -> str:
    """A file name quoted for a message (as `shown`, with room for a long folder)."""
    return shown(os.fspath(path) if isinstance(path, os.PathLike) else path, 200)


def _digits(value: int) -> int:
    # log10(2) digits per bit, exact enough for a message
    return int(abs(value).bit_length() * 0.30103) + 1


def check_number(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    rule: str | None = None,
) -> float:
    """``value`` as a finite float within ``[low, high]`` (ends open as asked).

    Numbers and numeric text are accepted. Raises `ConfigError` naming ``name``.
    """

    def fail(text: str) -> ConfigError:
        return ConfigError(f"{name} must be {rule}, got {shown(value)}" if rule
                           else f"{name} {text}")

    plain = type(value) is float or type(value) is int  # the usual case, tested first
    if not plain and (isinstance(value, bool | np.bool_) or not _number_like(value)):
        raise fail(f"must be a number, got {shown(value)}")
    v = _as_float(value, fail)
    if not math.isfinite(v):
        raise fail(f"must be a finite number, got {shown(value)}")
    too_low = low is not None and (v <= low if low_open else v < low)
    too_high = high is not None and (v >= high if high_open else v > high)
    if too_low or too_high:
        raise fail(_range_text(v, low, high, low_open, high_open))
    return v


def _as_float(value: Any, fail: Any) -> float:
    try:
        return float(value)
    except OverflowError:  # an integer past float's range (1.8e308)
        raise fail(f"must be a finite number, got {shown(value)}") from None
    except (TypeError, ValueError):
        raise fail(f"must be a number, got {shown(value)}") from None


def _number_like(value: Any) -> bool:
    """Worth a try with ``float``: a number, numeric text or a one-value array.

    Not a list or an array of several values (float() would take a
    one-element one with a warning), not bytes, not a complex number.
    """
    if isinstance(value, str):
        return len(value) <= 1000  # float() of a long text costs; no number is that long
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "iuf"
    return not isinstance(value, bytes | bytearray | complex | np.complexfloating | list
                          | tuple | dict | set | frozenset | Mapping)


def _range_text(v: float, low: float | None, high: float | None, low_open: bool,
                high_open: bool) -> str:
    if high is None:
        return f"must be a number {'>' if low_open else '>='} {low:g}, got {v!r}"
    left = "(" if low_open or low is None else "["
    lo = "-∞" if low is None else f"{low:g}"
    return f"must be in {left}{lo}, {high:g}{')' if high_open else ']'}, got {v!r}"


def check_whole(
    name: str, value: Any, *, low: int = 0, high: int | None = None, rule: str | None = None
) -> int:
    """``value`` as an int in ``[low, high]``: an int, an integral float or integer text.

    With ``rule`` every refusal reads ``"<name> must be <rule>, got <value>"``;
    without it a value above ``high`` reads ``"<name> must be at most <high>"``.
    """
    if type(value) is int and value >= low and (high is None or value <= high):
        return value  # the usual case, without the tests below
    bad = ConfigError(f"{name} must be {rule or f'a whole number >= {low}'}, "
                      f"got {shown(value)}")
    if isinstance(value, bool | np.bool_):  # the message above shows the value as it was given
        raise bad
    if isinstance(value, str):
        if len(value) > 1000:
            raise bad
        try:
            value = int(value.strip())
        except ValueError:
            raise bad from None
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int | np.integer) or value < low:
        raise bad
    if high is not None and value > high:
        if rule is not None:
            raise bad
        got = shown(int(value)) if int(value).bit_length() > 128 else f"{int(value):,}"
        raise ConfigError(f"{name} must be at most {high:,}, got {got}")
    return int(value)


def check_flag(name: str, value: Any) -> bool:
    """``value`` if it is ``True`` or ``False`` (no truthy stand-ins)."""
    if not isinstance(value, bool | np.bool_):
        raise ConfigError(f"{name} must be true or false, got {shown(value)}")
    return bool(value)


def check_choice(name: str, value: Any, allowed: tuple[str, ...] | list[str]) -> str:
    """``value`` if it is one of the names ``allowed`` (text only: no list, no array)."""
    if not isinstance(value, str) or value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {shown(value)}")
    return value


def check_mapping(name: str, value: Any, what: str = "settings") -> dict[str, Any]:
    """``value`` as a dict with text keys (None is an empty one)."""
    if value is None or (type(value) is dict and not value):  # none given: the usual case
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{name} must be a mapping of {what} by name, got {shown(value)}")
    bad = next((k for k in value if not isinstance(k, str)), None)
    if bad is not None:
        raise ConfigError(f"{name} must have names (text) as keys, got the key {shown(bad)}")
    return dict(value)


def check_path(name: str, value: Any) -> str:
    """A file name given by a user: text (or a path object), without NUL characters."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be a file name (text or a path), got {shown(value)}")
    if not value:
        raise ConfigError(f"{name} is empty; give a file name")
    if "\0" in value:
        raise ConfigError(f"{name} contains a NUL character, which no file name can hold")
    if len(value) > 4096:
        raise ConfigError(f"{name} is {len(value):,} characters long; a file name has at "
                          "most 4,096")
    return value


def check_lr(lr: Any) -> float:
    """The learning rate: a finite number >= 0."""
    return check_number("lr", lr, low=0.0)


def check_point(values: Any, names: Sequence[str] | None, problem: str | None = None,
                what: str = "start") -> tuple[float, ...]:
    """One finite float per parameter ``names`` (of ``problem``), or a ConfigError.

    ``names`` None checks the values alone; their number is checked later,
    against the problem.
    """
    wanted = "a list of numbers" if names is None else \
        f"{len(names)} numbers ({', '.join(names)})"
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise ConfigError(f"{what} must be {wanted}, got {shown(values)}")
    # a point has a few values: a long sequence is refused without reading it all
    point = list(itertools.islice(values, MAX_POINT_VALUES + 1))
    if len(point) > MAX_POINT_VALUES or (names is not None and len(point) != len(names)):
        got = f"more than {MAX_POINT_VALUES:,}" if len(point) > MAX_POINT_VALUES \
            else f"{len(point)}"
        if names is None:
            raise ConfigError(f"{what} must have one value per parameter, got {got}")
        of = f" for problem {problem!r}" if problem is not None else ""
        raise ConfigError(f"{what} must have {len(names)} values ({', '.join(names)}){of}, "
                          f"got {got}")
    # the usual case, a network's hundred weights at every re-run: finite floats already
    # (a sum of finite floats is finite, or inf where it overflows: then each is looked at)
    if all(type(v) is float for v in point) and math.isfinite(sum(point)):
        return tuple(point)
    out = []
    for v in point:
        try:
            out.append(check_number(what, v))
        except ConfigError:
            if not _is_number(v):
                raise ConfigError(f"{what} must be {wanted}, got {shown(values)}") from None
            values_text = ", ".join(shown(x, 24) for x in point[:6])
            more = ", ..." if len(point) > 6 else ""
            raise ConfigError(f"{what} values must be finite numbers, got "
                              f"({values_text}{more})") from None
    return tuple(out)


def _is_number(v: Any) -> bool:
    """A number (finite or not, however large), as opposed to something else."""
    if isinstance(v, bool | np.bool_):
        return False
    if isinstance(v, int | np.integer):
        return True
    try:
        float(v)
    except (TypeError, ValueError, OverflowError):
        return False
    return not isinstance(v, bytes | list | tuple | complex)
