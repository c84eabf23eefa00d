"""The one rounding rule: halves away from zero, as the Home Office and ONS publish."""

from decimal import Decimal

from peel.measures.rounding import format_count, format_percent, format_points, round_half_away


def test_round_half_away_rounds_halves_away_from_zero_not_to_even():
    assert round_half_away(2.5) == Decimal(3)  # Python's round(2.5) is 2
    assert round_half_away(-2.5) == Decimal(-3)
    assert round_half_away(0.125, 2) == Decimal("0.13")
    assert round_half_away(2.675, 2) == Decimal("2.68")  # the decimal a reader sees, not the binary


def test_formats_show_one_decimal_for_rates_and_changes():
    assert format_percent(2.5) == "2.5%"
    assert format_percent(2.95) == "3.0%"
    assert format_percent(-1.25, signed=True) == "-1.3%"
    assert format_percent(-0.04, signed=True) == "+0.0%"  # no "-0.0%"
    assert format_points(2.25) == "+2.3 points"
    assert format_count(12345.5, signed=True) == "+12,346"
