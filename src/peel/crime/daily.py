"""The daily dashboard: crimes solved on one day, by crime type and area, and the week's trend.

A crime is "solved on" the day of its first positive outcome (``outcome.is_positive``), as
the solve rates count it (each crime's first positive outcome counts once, on the day it
was assigned). Only outcomes with an exact date count: data.police.uk gives outcome months
only, so the dashboard needs a force's own records (the demo force has them). Days are UK
calendar days; "yesterday" is the day before today in Europe/London.

Counts are aggregates (the read_aggregates grant, checked by the caller's route). The list
of the crimes behind a count is record-level: ``list_solved_crimes`` checks the acting user
and purpose and logs each crime shown through the casebook, as for any personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb

from peel.casebook import consultation
from peel.warehouse.generations import remember

UK = ZoneInfo("Europe/London")
TREND_DAYS = 7  # the week's trend: the day and the six before it
# The casebook domain a crime record belongs to: only a role granted read_personal in it (or
# in every domain, "*") sees the crimes behind a count.
CRIME_DOMAIN = "crime"
CRIME_RECORD = "crime_record"
UNKNOWN_AREA = "Area not known"

# Each crime's first positive outcome with an exact date, with the crime's type and district.
SOLVED_SQL = f"""
    WITH first_positive AS (
        SELECT crime_key, min(outcome_date) AS solved_on FROM outcome
        WHERE is_positive AND outcome_date IS NOT NULL GROUP BY crime_key)
    SELECT f.solved_on, c.crime_key, c.source_record_id AS reference, c.recorded_date,
           coalesce(c.recorded_date, c.month) AS recorded, c.crime_type,
           coalesce(c.district_code, '') AS area_code, coalesce(d.area_name, '{UNKNOWN_AREA}') AS area_name,
           c.lsoa_name AS neighbourhood
    FROM first_positive f JOIN crime c USING (crime_key)
    LEFT JOIN area d ON d.area_code = c.district_code
    WHERE f.solved_on BETWEEN $first AND $last"""


@dataclass(frozen=True)
class SolvedCount:
    crime_type: str
    area_code: str  # the district's code; '' when the crime has none
    area_name: str
    solved: int


@dataclass(frozen=True)
class DayTotal:
    day: date
    crime_type: str
    solved: int


@dataclass(frozen=True)
class SolvedCrime:
    reference: str  # the crime's reference in the force's records
    recorded: date
    solved_on: date
    crime_type: str
    area_name: str
    neighbourhood: str | None
    outcome: str  # the positive outcome assigned that day


@dataclass
class Daily:
    day: date
    counts: list[SolvedCount]  # by crime type and district, on the day
    week: list[DayTotal]  # by day and crime type, the TREND_DAYS ending on the day
    last_outcome_day: date | None  # the last day any outcome has an exact date; None: no exact dates

    @property
    def week_days(self) -> list[date]:
        return [self.day - timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]

    @property
    def total(self) -> int:
        return sum(c.solved for c in self.counts)


def get_yesterday(now: datetime | None = None) -> date:
    """The day before today in the UK (whatever the server's time zone)."""
    return (now or datetime.now(UK)).astimezone(UK).date() - timedelta(days=1)


def get_last_outcome_day(con: duckdb.DuckDBPyConnection) -> date | None:
    return con.execute("SELECT max(outcome_date) FROM outcome").fetchone()[0]


def get_daily(con: duckdb.DuckDBPyConnection, day: date) -> Daily:
    """The crimes solved on ``day`` by crime type and district, and by day over the week;
    worked out once per published warehouse generation (``remember``)."""
    return remember(con, "daily", day, lambda: count_solved(con, day))


def count_solved(con: duckdb.DuckDBPyConnection, day: date) -> Daily:
    params = {"first": day, "last": day}
    counts = [SolvedCount(*row) for row in con.execute(
        f"""SELECT crime_type, area_code, area_name, count(*) FROM ({SOLVED_SQL})
            GROUP BY ALL ORDER BY crime_type, area_name""", params).fetchall()]
    params = {"first": day - timedelta(days=TREND_DAYS - 1), "last": day}
    week = [DayTotal(*row) for row in con.execute(
        f"""SELECT solved_on, crime_type, count(*) FROM ({SOLVED_SQL})
            GROUP BY ALL ORDER BY crime_type, solved_on""", params).fetchall()]
    return Daily(day, counts, week, get_last_outcome_day(con))


def list_solved_crimes(
    con: duckdb.DuckDBPyConnection,
    day: date,
    *,
    username: str | None,
    purpose: str | None,
    crime_type: str | None = None,
    area_code: str | None = None,
) -> list[SolvedCrime]:
    """The crimes behind a count of the dashboard (one crime type and/or district, or all),
    for a user granted read_personal in the crime domain, who states why; each crime shown
    is logged as a consultation. A refusal (``AccessRefused``, ``PurposeRequired``) is logged
    and raised before the warehouse is read."""
    with consultation(username, domain=CRIME_DOMAIN, object_type=CRIME_RECORD, purpose=purpose) as shown:
        rows = con.execute(
            f"""SELECT s.reference, s.recorded, s.solved_on, s.crime_type, s.area_name, s.neighbourhood,
                       min(o.outcome_type) AS outcome
                FROM ({SOLVED_SQL}) s
                JOIN outcome o ON o.crime_key = s.crime_key AND o.is_positive AND o.outcome_date = s.solved_on
                WHERE ($crime_type IS NULL OR s.crime_type = $crime_type)
                  AND ($area_code IS NULL OR s.area_code = $area_code)
                GROUP BY ALL ORDER BY s.crime_type, s.area_name, s.reference""",
            {"first": day, "last": day, "crime_type": crime_type, "area_code": area_code},
        ).fetchall()
        crimes = [SolvedCrime(*row) for row in rows]
        shown.extend(c.reference for c in crimes)
    return crimes
