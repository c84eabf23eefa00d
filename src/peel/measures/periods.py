"""Reporting periods: months, month-to-date, rolling 12 months, UK financial years.

Dates are UK local dates. A reporting year is the financial year, April to March, as the
Home Office publishes.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    """A half-open date range [start, end) with a label for people."""

    start: date
    end: date
    label: str


def parse_month(text: str, option: str = "--month") -> date:
    """'2026-03' -> date(2026, 3, 1); a clear error naming the option otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{option}: '{text}' is not a month: expected YYYY-MM, e.g. 2026-03.")
    return date(int(match.group(1)), int(match.group(2)), 1)


def parse_day(text: str, option: str) -> date:
    """'2026-03-11' -> date(2026, 3, 11); a clear error naming the option otherwise."""
    match = re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip())
    try:
        if match:
            return date.fromisoformat(match.group())
    except ValueError:
        pass  # the shape is right but the day is not, e.g. 2026-02-30
    raise ValueError(f"{option}: '{text}' is not a date: expected YYYY-MM-DD, e.g. 2026-03-11.")


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def get_month_end(month: date) -> date:
    """The first day of the next month (periods are half-open)."""
    return add_months(month, 1)


def list_months_back(last: date, first: date) -> list[date]:
    """The months from ``last``'s back to ``first``'s, latest first (first days of months), as
    the public pages offer them."""
    months, month = [], last.replace(day=1)
    while month >= first.replace(day=1):
        months.append(month)
        month = add_months(month, -1)
    return months


def format_month(month: date) -> str:
    return month.strftime("%B %Y")


def get_month(month: date) -> Period:
    return Period(month, get_month_end(month), format_month(month))


def get_month_to_date(month: date, as_of: date) -> Period:
    """The month from its first day to the snapshot date, inclusive."""
    end = min(get_month_end(month), as_of + timedelta(days=1))
    last = end - timedelta(days=1)
    label = f"{format_month(month)} to {last.day} {last.strftime('%B')}"
    return Period(month, end, label if end < get_month_end(month) else format_month(month))


def get_last_complete_month(month: date, as_of: date) -> date:
    """The reporting month if the snapshot covers all of it, else the month before."""
    return month if as_of >= get_month_end(month) - timedelta(days=1) else add_months(month, -1)


def get_rolling_12_months(last_month: date) -> tuple[Period, Period]:
    """The 12 months ending with last_month, and the 12 months before them."""
    end = get_month_end(last_month)
    start = add_months(last_month, -11)
    prev_start = add_months(start, -12)
    current = Period(start, end, f"{format_month(start)} to {format_month(last_month)}")
    previous = Period(
        prev_start, start, f"{format_month(prev_start)} to {format_month(add_months(start, -1))}"
    )
    return current, previous


def get_financial_year(day: date) -> Period:
    """The UK financial year (April to March) containing the day, e.g. '2025-26'."""
    first_year = day.year if day.month >= 4 else day.year - 1
    return Period(
        date(first_year, 4, 1), date(first_year + 1, 4, 1), f"{first_year}-{str(first_year + 1)[2:]}"
    )


def get_days_in_month(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]
