"""Calendar events that can explain a seasonal spike, with their dates from ``holidays``.

Diwali moves every year (it follows the Hindu lunisolar calendar), so its dates come from
the ``holidays`` library's Indian calendar rather than a hand-written table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays

ATTRIBUTION_WINDOW_DAYS = 14  # an event this close to a flagged month may explain it

# (event as peel names it, holidays country code, holiday name in that calendar)
CALENDAR_EVENTS = [
    ("Diwali", "IN", "Diwali"),
    ("Christmas", "GB", "Christmas Day"),
    ("New Year", "GB", "New Year's Day"),
]


@dataclass(frozen=True)
class CalendarEvent:
    name: str
    day: date


@cache
def get_calendar_events(years: range) -> list[CalendarEvent]:
    """Every declared event's dates in the given years."""
    events = []
    for name, country, holiday in CALENDAR_EVENTS:
        for day, label in holidays.country_holidays(country, years=years).items():
            if holiday in label.split("; "):
                events.append(CalendarEvent(name, day))
    return sorted(events, key=lambda e: e.day)


def get_events_near(start: date, end: date) -> list[CalendarEvent]:
    """Events within [start, end) or within ATTRIBUTION_WINDOW_DAYS either side of it."""
    window = timedelta(days=ATTRIBUTION_WINDOW_DAYS)
    years = range(start.year - 1, end.year + 1)
    return [e for e in get_calendar_events(years) if start - window <= e.day < end + window]
