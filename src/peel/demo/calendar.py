"""Dates the demo force is built on: the months it covers and the Diwali windows it plants on.

Diwali's dates are the shared calendar's (``peel.measures.calendar``, which takes them from the
``holidays`` library's calendar for India), so that the demo plants its uplift on the very days
the measures later name when they explain a spike.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays

from peel.measures.calendar import get_calendar_events
from peel.measures.periods import get_month_end

DIWALI = "Diwali"  # the event's name in peel.measures.calendar.CALENDAR_EVENTS


def get_diwali_dates(years: range | list[int]) -> dict[int, date]:
    """Return Diwali's date for each year, from the shared calendar of events."""
    wanted = sorted(set(years))
    events = get_calendar_events(range(wanted[0], wanted[-1] + 1))
    found = {e.day.year: e.day for e in events if e.name == DIWALI and e.day.year in wanted}
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise ValueError(
            f"The holidays library ({holidays.__version__}) has no {DIWALI} date for "
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


def get_last_day_of_month(month: date) -> date:
    """Return the last day of ``month`` (any day of it): the day before the next one starts."""
    return get_month_end(month) - timedelta(days=1)
