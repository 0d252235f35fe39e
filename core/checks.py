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

import math
from typing import Any

import numpy as np

from core.errors import ConfigError


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
        return ConfigError(f"{name} must be {rule}, got {value!r}" if rule else f"{name} {text}")

    if isinstance(value, bool):
        raise fail(f"must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise fail(f"must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise fail(f"must be a finite number, got {value!r}")
    too_low = low is not None and (v <= low if low_open else v < low)
    too_high = high is not None and (v >= high if high_open else v > high)
    if too_low or too_high:
        raise fail(_range_text(v, low, high, low_open, high_open))
    return v


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
    """``value`` as an int in ``[low, high]``: an int, an integral float or integer text."""
    bad = ConfigError(f"{name} must be {rule or f'a whole number >= {low}'}, got {value!r}")
    if isinstance(value, bool):  # the message above shows the value as it was given
        raise bad
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise bad from None
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int | np.integer) or value < low:
        raise bad
    if high is not None and value > high:
        raise ConfigError(f"{name} must be at most {high:,}, got {value:,}")
    return int(value)


def check_flag(name: str, value: Any) -> bool:
    """``value`` if it is ``True`` or ``False`` (no truthy stand-ins)."""
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be true or false, got {value!r}")
    return value


def check_lr(lr: Any) -> float:
    """The learning rate: a finite number >= 0."""
    return check_number("lr", lr, low=0.0)
