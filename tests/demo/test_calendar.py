from datetime import date

import holidays
import pytest

from peel.demo.calendar import get_diwali_dates, get_diwali_windows, get_last_day_of_month
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


def test_get_diwali_dates_are_the_shared_calendars():
    # The demo plants its uplift on the days the measures name when they explain a spike.
    from peel.measures.calendar import get_calendar_events

    shared = {
        e.day.year: e.day for e in get_calendar_events(range(2022, 2027)) if e.name == "Diwali"
    }
    assert get_diwali_dates([2026, 2022, 2024]) == {y: shared[y] for y in (2022, 2024, 2026)}


@pytest.mark.filterwarnings("ignore:Requested Holidays are available only")  # it is the point
def test_get_diwali_dates_name_the_years_the_library_lacks():
    with pytest.raises(ValueError, match=r"no Diwali date for \[1990\]: upgrade it"):
        get_diwali_dates([1990, 2024])


def test_get_last_day_of_month_is_the_months_last_day():
    assert get_last_day_of_month(date(2024, 2, 1)) == date(2024, 2, 29)
    assert get_last_day_of_month(date(2025, 2, 14)) == date(2025, 2, 28)
    assert get_last_day_of_month(date(2025, 12, 1)) == date(2025, 12, 31)


def test_parse_month_names_the_option_when_the_month_is_malformed():
    with pytest.raises(ValueError, match="--start: '2025-13' is not a month: expected YYYY-MM"):
        parse_month("2025-13", "--start")
