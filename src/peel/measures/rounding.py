"""How every figure is rounded for people: the one rule, in one place.

Halves round away from zero (2.5 -> 3, -2.5 -> -3, 0.25 -> 0.3), as the Home Office and the
ONS round published statistics; Python's own ``round`` and ``format`` round halves to even
(2.5 -> 2), which is why nothing else may format a figure. Counts are whole numbers;
percentages, percentage changes and changes in points show one decimal, so that a change a
whole number would hide (0.4%, or -1.2% shown as -1%) is seen. A sentence and a table that
state the same figure both take its text from here, so they cannot disagree.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# One decimal for rates and changes: a whole number would hide a change under 0.5.
PERCENT_PLACES = 1


def round_half_away(value: float, places: int = 0) -> Decimal:
    """``value`` rounded to ``places`` decimals, halves away from zero.

    The value is read as the shortest decimal that prints it (``str``), so 2.675 is the
    2.675 a reader sees, not the binary 2.67499999... it is stored as.
    """
    # Decimal's ROUND_HALF_UP is "half away from zero" (it rounds -2.5 to -3).
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return rounded + 0  # -0.0 (from -0.04) is shown as 0.0


def format_count(value: float, signed: bool = False) -> str:
    """A count as a whole number with thousands separators: 1,234 (or +1,234)."""
    return f"{round_half_away(value):{'+' if signed else ''},f}"


def format_percent(value: float, signed: bool = False) -> str:
    """A percentage with one decimal: 2.5% (or +2.5%)."""
    return f"{round_half_away(value, PERCENT_PLACES):{'+' if signed else ''},f}%"


def format_points(value: float) -> str:
    """A change between two rates, in percentage points with one decimal: +2.2 points."""
    return f"{round_half_away(value, PERCENT_PLACES):+,f} points"


def format_number(value: float, places: int = 0) -> str:
    """Any other figure (an expected count, a p-value's digits) by the same rule."""
    return f"{round_half_away(value, places):,f}"
