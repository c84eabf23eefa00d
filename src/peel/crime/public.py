"""Crime and outcome counts for the public pages: crimes recorded in a month, and how many of
them are solved so far, by crime type and district.

Counted as the solve rate (cohort) measure counts (measures.yaml): all crime excludes
anti-social behaviour; a crime is solved if any of its outcomes assigned by the snapshot date
is positive, or its published last outcome is. These are raw counts, small ones included:
the public pages suppress small numbers (``peel.disclosure``) before anything is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from peel.crime.compute import get_data_as_of, get_data_first_month
from peel.crime.scope import ALL_CRIME, apply_scope, resolve_crime_type, resolve_scope
from peel.disclosure import CountTable, PublishedTable, publish_counts, publish_rates
from peel.measures.periods import get_last_complete_month, get_month_end, list_months_back
from peel.warehouse.database import get_force_name

NOT_RECORDED = "Area not recorded"  # the column of crimes with no known district


@dataclass(frozen=True)
class MonthCounts:
    """One month's counts; ``recorded`` and ``solved`` map (crime type, district name) to a count."""

    month: date
    as_of: date  # the snapshot: the last day the data covers
    crime_types: list[str]
    districts: list[str]  # names, in code order; NOT_RECORDED last when any crime has none
    recorded: dict[tuple[str, str], int]
    solved: dict[tuple[str, str], int]


def get_public_months(con: duckdb.DuckDBPyConnection) -> list[date]:
    """The complete months the data covers, latest first; none without data."""
    if con.execute("SELECT count(*) FROM crime").fetchone()[0] == 0:
        return []
    first = get_data_first_month(con)
    as_of = get_data_as_of(con)
    return list_months_back(get_last_complete_month(as_of.replace(day=1), as_of), first)


def count_month(con: duckdb.DuckDBPyConnection, month: date) -> MonthCounts:
    """Crimes recorded in ``month`` and solved so far, by crime type and district."""
    as_of = get_data_as_of(con)
    apply_scope(con, resolve_scope(con, ALL_CRIME))
    districts = [name for (name,) in con.execute(
        "SELECT area_name FROM area WHERE level = 'district' ORDER BY area_code").fetchall()]
    rows = con.execute(
        """SELECT c.crime_type, coalesce(a.area_name, $not_recorded) AS district, count(*) AS recorded,
                   count(*) FILTER (WHERE c.last_outcome_positive OR EXISTS (
                       SELECT 1 FROM scoped_outcome o
                       WHERE o.crime_key = c.crime_key AND o.is_positive AND o.assigned <= $as_of)) AS solved
            FROM scoped_crime c
            LEFT JOIN area a ON a.area_code = c.district_code AND a.level = 'district'
            WHERE c.recorded >= $start AND c.recorded < $end AND c.recorded <= $as_of
            GROUP BY ALL""",
        {"not_recorded": NOT_RECORDED, "as_of": as_of, "start": month, "end": get_month_end(month)},
    ).fetchall()
    if any(district == NOT_RECORDED for _, district, _, _ in rows):
        districts.append(NOT_RECORDED)
    return MonthCounts(
        month=month, as_of=as_of, crime_types=sorted({crime_type for crime_type, *_ in rows}), districts=districts,
        recorded={(t, d): n for t, d, n, _ in rows}, solved={(t, d): n for t, d, _, n in rows},
    )


def publish_month(con: duckdb.DuckDBPyConnection, month: date) -> tuple[date, list[PublishedTable]]:
    """The snapshot date, and ``month``'s tables as the public may see them: crimes recorded,
    solved so far, and the solve rate, by crime type and district, small numbers hidden."""
    counts = count_month(con, month)
    all_crime, _, _ = resolve_crime_type(con, ALL_CRIME)
    force = get_force_name(con) or "All areas"

    def table(title: str, figures: dict) -> PublishedTable:
        return publish_counts(CountTable(title, "Crime type", counts.crime_types, counts.districts, figures,
                                         row_total=all_crime, column_total=force))

    recorded = table("Crimes recorded", counts.recorded)
    solved = table("Of which solved so far", counts.solved)
    return counts.as_of, [recorded, solved, publish_rates("Solve rate so far", solved, recorded)]
