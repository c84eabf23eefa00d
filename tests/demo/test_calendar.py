from datetime import date

import holidays
import pytest

from peel.demo.calendar import get_diwali_dates, get_diwali_windows
from peel.measures.periods import parse_month


def test_get_diwali_dates_come_from_the_holidays_library():
    dates = get_diwali_dates(range(2022, 2027))
    india = holidays.country_holidays("IN", years=range(2022, 2027))
    assert dates == {day.year: day for day, name in india.items() if name == "Diwali"}
    assert len(dates) == 5
    # A published fact to check the library against: Diwali 2022 fell on Monday 24 October.
    assert dates[2022] == date(2022, 10, 24)
    # Diwali moves: not the same day of the year twice.
    assert len({(d.month, d.day) for d in dates.values()}) == 5


def test_get_diwali_windows_span_the_days_around_diwali():
    (window,) = get_diwali_windows([2023], days_before=10, days_after=10)
    assert (window["end"] - window["start"]).days == 20
    assert window["start"] < window["diwali"] < window["end"]


def test_parse_month_names_the_option_when_the_month_is_malformed():
    with pytest.raises(ValueError, match="--start: '2025-13' is not a month: expected YYYY-MM"):
        parse_month("2025-13", "--start")
