"""What every check shares: quoting numbers the way the lessons print them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal

from core.run.table import format_rounded

Quotes = Mapping[str, str]  # the article's printed numbers, quoted by the lesson file


def cut(value: float, decimals: int = 4) -> str:
    """``value`` cut off (not rounded) after ``decimals`` places."""
    step = Decimal(1).scaleb(-decimals)
    return str(Decimal(repr(value)).quantize(step, rounding=ROUND_DOWN))


def prose(value: float, decimals: int = 4) -> str:
    """Rounded like the step table, with a typeset minus (for prose)."""
    text = format_rounded(value, decimals)
    return "\u2212" + text[1:] if text.startswith("-") else text


def short(value: float) -> str:
    """4 decimals, or 2 significant digits when that would show 0.0000."""
    return f"{value:.2g}" if value and abs(value) < 5e-5 else prose(value)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))
