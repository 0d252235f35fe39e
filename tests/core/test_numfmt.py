"""`core.numfmt`: short text for numbers on screen, plain or scientific."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.numfmt import format_compact, format_decimals


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (0.6, "0.6"),
        (1.0, "1"),
        (-3.14159265, "-3.14159"),
        (123456.7, "123457"),
        (999999.4, "999999"),
        (999999.7, "1e+06"),  # rounds up into the scientific range
        (1e6, "1e+06"),
        (421058894.5, "4.21059e+08"),
        (-1123272389280041728.0, "-1.12327e+18"),
        (7e-7, "7e-07"),
        (1e-4, "0.0001"),
        (0.000123456789, "0.000123457"),
        (9.99e-5, "9.99e-05"),
        (1e-300, "1e-300"),
        (5e-324, "4.94066e-324"),  # the smallest subnormal
        (1.7976931348623157e308, "1.79769e+308"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (math.nan, "nan"),
    ],
)
def test_format_compact(value, text):
    assert format_compact(value) == text


def test_integer_columns_have_no_decimals():
    assert format_compact(12.0, integer=True) == "12"
    assert format_compact(1_000_000.0, integer=True) == "1000000"
    assert format_compact(2.5, integer=True) == "2.5"  # not whole: as any number
    assert format_compact(math.inf, integer=True) == "inf"
    assert format_decimals(7.0, integer=True) == "7"


def test_fewer_digits():
    assert format_compact(421058894.5, 3) == "4.21e+08"
    assert format_compact(3e5, 3) == "3e+05"
    assert format_compact(-2.71828, 3) == "-2.72"
    assert format_compact(1234.5, 3) == "1.23e+03"
    assert format_compact(-4.508605e220) == "-4.5086e+220"  # 12 characters at most


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.23456789, "1.2346"),
        (-300.0, "-300.0000"),
        (835283548.3774, "8.35284e+08"),
        (1123272389280041728.0, "1.12327e+18"),
        (5e-05, "5e-05"),
        (0.0, "0.0000"),
        (-1e-20, "-1e-20"),  # small, not zero: scientific keeps its sign
        (-0.00004, "-4e-05"),
        (0.00012, "0.0001"),
        (math.inf, "inf"),
        (math.nan, "nan"),
    ],
)
def test_format_decimals(value, text):
    assert format_decimals(value) == text


finite = st.floats(allow_nan=False, allow_infinity=False)


def close(text: str, x: float, rel: float) -> bool:
    """``text`` is ``x`` to ``rel`` (in decimal: 1.7977e+308 is beyond a float)."""
    exact = Decimal(x)
    return abs(Decimal(text) - exact) <= Decimal(rel) * abs(exact)


@given(finite)
def test_compact_round_trips_to_six_significant_figures_in_twelve_characters(x):
    text = format_compact(x)
    assert len(text) <= 12
    back = float(text)
    # a three-digit exponent leaves room for five figures only
    rel = 5e-5 if abs(math.log10(abs(x) or 1.0)) >= 99 else 5e-6
    assert close(text, x, rel)
    if x != 0 and (abs(back) >= 1e6 or abs(back) < 1e-4):
        assert "e" in text
    elif "e" in text:
        pytest.fail(f"{x!r} is moderate but came out as {text!r}")


@given(finite)
def test_decimals_never_print_long_fixed_point_numbers(x):
    text = format_decimals(x)
    assert len(text) <= 13  # "-999999.9999" at most, else scientific
    back = float(text)
    if "e" in text:
        assert close(text, x, 5e-5)
    else:
        assert abs(back - x) <= 0.5e-4 + 1e-12 * abs(x)
