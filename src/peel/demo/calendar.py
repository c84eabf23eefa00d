"""Dates the demo force is built on: the months it covers and the Diwali dates it plants on.

Diwali moves every year (it follows the Hindu lunisolar calendar), so its dates come from the
``holidays`` library's calendar for India, never from a hand-written table.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pandas as pd

# The holidays calendar that names Diwali, and the name it uses.
DIWALI_CALENDAR = "IN"
DIWALI_NAME = "Diwali"


def get_diwali_dates(years: range | list[int]) -> dict[int, date]:
    """Return Diwali's date for each year, from the ``holidays`` India calendar."""
    calendar = holidays.country_holidays(DIWALI_CALENDAR, years=list(years))
    found = {day.year: day for day, name in calendar.items() if name == DIWALI_NAME}
    missing = sorted(set(years) - set(found))
    if missing:
        raise ValueError(
            f"The holidays library ({holidays.__version__}) has no {DIWALI_NAME} date for "
            f"{missing}: upgrade it (pip install -U holidays) or choose other years."
        )
    return dict(sorted(found.items()))


def get_diwali_windows(years: range | list[int], days_before: int, days_after: int) -> list[dict]:
    """Return, per year, Diwali and the window of days around it (both ends included)."""
    return [
        {
            "year": year,
            "diwali": day,
            "start": day - timedelta(days=days_before),
            "end": day + timedelta(days=days_after),
        }
        for year, day in get_diwali_dates(years).items()
    ]


def get_month_end(first_day: date) -> date:
    """Return the last day of the month that starts on ``first_day``."""
    return (pd.Timestamp(first_day) + pd.offsets.MonthEnd(0)).date()
