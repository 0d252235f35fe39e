"""Numbers as short text for people: the step table on screen, the step inspector, plot labels.

One rule, in one place, so the same number reads the same everywhere:

- moderate magnitudes, ``1e-4 <= |x| < 1e6``, are plain decimals;
- anything larger or smaller is scientific, ``4.21059e+08``, ``7e-07``
  (``0.000001`` for 7e-7 would be wrong, and ``421058894.5…`` elided);
- ``inf``, ``-inf`` and ``nan`` are spelled so; a whole number in an integer
  column (step, epoch) has no decimals.

`format_compact` keeps ``digits`` significant figures (trailing zeros
dropped), which is what a table of changing numbers needs: with the default
6 no text is longer than 12 characters. `format_decimals` keeps a fixed
number of decimals for moderate magnitudes (the inspector's worked sums,
whose columns of 4-decimal numbers line up) and switches to the same
scientific form outside them.

Lossless text (CSV, TSV, JSON) and the Markdown export's 4 decimals are
`core.table.format_exact` and `core.table.format_rounded`; they do not
change with this module.
"""

from __future__ import annotations

import math

__all__ = ["SCI_ABOVE", "SCI_BELOW", "format_compact", "format_decimals"]

# plain decimals inside [SCI_BELOW, SCI_ABOVE); scientific outside (and never for 0)
SCI_ABOVE = 1e6
SCI_BELOW = 1e-4
# whole numbers in integer columns are written out up to this size
_INTEGER_LIMIT = 1e12


def _special(value: float) -> str | None:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return None


def _scientific(value: float, digits: int) -> str:
    """``4.21059e+08``: ``digits`` significant figures, trailing zeros dropped.

    A three-digit exponent (``e+220``) costs the mantissa one figure, so the
    text is never longer than ``digits + 6`` characters.
    """
    digits = max(digits, 1)
    for figures in (digits, digits - 1):
        text = f"{value:.{max(figures, 1) - 1}e}"
        mantissa, exponent = text.split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}e{exponent}"
        if len(text) <= digits + 6:
            break
    return text


def _outside(value: float, digits: int) -> bool:
    """Whether ``value``, rounded to ``digits`` significant figures, needs the scientific form.

    Large is ``>= 1e6``, or ``>= 10**digits`` when fewer figures are kept
    (``3e+05`` to 3 figures, not ``300000``, which would invent digits).
    """
    if value == 0:
        return False
    # the magnitude after rounding: 999999.7 to 6 figures is 1e+06
    rounded = abs(float(f"{value:.{max(digits, 1) - 1}e}"))
    return rounded >= min(SCI_ABOVE, 10.0 ** max(digits, 1)) or rounded < SCI_BELOW


def _settled(value: float, integer: bool, digits: int) -> str | None:
    """The text of a value that needs no fixed-point layout (inf, nan, a whole
    number asked for as one, a magnitude outside fixed point); None: it does."""
    special = _special(value)
    if special is not None:
        return special
    whole = _integer(value, integer)
    if whole is not None:
        return whole
    if _outside(value, digits):
        return _scientific(value, digits)
    return None


def _integer(value: float, integer: bool) -> str | None:
    if integer and value == int(value) and abs(value) < _INTEGER_LIMIT:
        return str(int(value))
    return None


def format_compact(value: float, digits: int = 6, *, integer: bool = False) -> str:
    """``value`` to ``digits`` significant figures, plain or scientific (see the module).

    Examples: ``0.6`` -> ``"0.6"``, ``-3.1415926`` -> ``"-3.14159"``,
    ``421058894.5`` -> ``"4.21059e+08"``, ``7e-7`` -> ``"7e-07"``,
    ``float("inf")`` -> ``"inf"``; with ``integer=True``, ``12.0`` -> ``"12"``.
    """
    value = float(value)
    if value == 0 and not integer:
        return "0"
    settled = _settled(value, integer, digits)
    if settled is not None:
        return settled
    # fixed point with enough decimals for ``digits`` significant figures
    exponent = math.floor(math.log10(abs(float(f"{value:.{max(digits, 1) - 1}e}"))))
    decimals = max(digits - 1 - exponent, 0)
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_decimals(value: float, decimals: int = 4, *, integer: bool = False,
                    digits: int = 6) -> str:
    """``decimals`` fixed decimals for moderate magnitudes, scientific outside them.

    ``1.23456789`` -> ``"1.2346"``; ``1123272389280041728.0`` -> ``"1.12327e+18"``
    (not twenty digits); ``5e-05`` -> ``"5e-05"`` (not ``"0.0001"``). A tiny
    negative number that rounds to zero is ``"0.0000"``, never ``"-0.0000"``.
    """
    value = float(value)
    settled = _settled(value, integer, digits)
    if settled is not None:
        return settled
    text = f"{value:.{decimals}f}"
    # "-0.0000" reads as a sign error; a tiny negative rounds to plain zero
    return text[1:] if text.startswith("-") and float(text) == 0.0 else text
