"""What the public sees of Clare's Law: requests, cases, disclosures and the 28-day target by
route and calendar year, as a publication of the public pages (``/public/clares-law``, its
JSON at ``/api/public/clares-law``). Each count is a declared measure (``measures.yaml``,
through ``peel.dvds.figures``), and every table goes through ``peel.disclosure``, the one
small-numbers rule the pack and the PCC's figures page use: counts from 1 to 9 hidden, and
whatever could give a hidden one away through a total. Aggregates only: no application, case,
person or candidate is read here.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from peel.disclosure import CountTable, PublishedTable, publish_counts, publish_rates
from peel.dvds.cases import ROUTES
from peel.dvds.figures import figures
from peel.dvds.section import get_data_to
from peel.measures.periods import get_month_end, list_months_back
from peel.measures.registry import get_measure

Connection = duckdb.DuckDBPyConnection
YEAR, BOTH_ROUTES, ALL_YEARS = "Year", "Both routes", "All years"
COUNTED = ("dvds_requests", "dvds_cases", "dvds_disclosures")  # counts, each a table
ON_TIME = "dvds_within_28_days"  # a rate: its denominator and the share are tables
NOTE = ("Each table counts the calendar years up to the month chosen; the last year only to that month. "
        "A case is counted as completed in the year it was closed.")


def get_months(con: Connection) -> list[date]:
    """The months the applications cover, latest first (the latest may be part of a month);
    none before any is loaded."""
    data_to = get_data_to(con)
    if data_to is None:
        return []
    (first,) = con.execute("SELECT min(first_contact) FROM dvds_application").fetchone()
    return list_months_back(data_to, first)


def year_periods(con: Connection, month: date) -> dict[str, tuple[date, date]]:
    """Each calendar year from the first application to ``month``, as label -> [start, end):
    the last one ends with ``month`` (or the last day of data), and its label says so."""
    data_to = get_data_to(con)
    end = min(get_month_end(month), data_to + timedelta(days=1))
    (first,) = con.execute("SELECT min(first_contact) FROM dvds_application").fetchone()
    periods = {}
    for year in range(first.year, (end - timedelta(days=1)).year + 1):
        start, stop = date(year, 1, 1), min(date(year + 1, 1, 1), end)
        label = str(year) if stop == date(year + 1, 1, 1) else f"{year} (to {stop - timedelta(days=1):%-d %B})"
        periods[label] = (start, stop)
    return periods


def count_table(title: str, counts: dict[str, dict], take) -> CountTable:
    """A table of years by route, ``take`` giving the count from a route's figures."""
    return CountTable(title, YEAR, list(counts), list(ROUTES.values()),
                      {(label, ROUTES[r]): take(by_route[r]) for label, by_route in counts.items() for r in ROUTES},
                      row_total=ALL_YEARS, column_total=BOTH_ROUTES)


def publish_years(con: Connection, month: date) -> tuple[date, list[PublishedTable]]:
    """The last day of data, and the tables the public may see for the years to ``month``:
    requests, cases and disclosures by route, cases completed and the share within 28 days."""
    counts = {label: figures(con, start, end) for label, (start, end) in year_periods(con, month).items()}
    tables = [publish_counts(count_table(get_measure(m).name, counts, lambda f, m=m: f[m]["value"]))
              for m in COUNTED]
    on_time = get_measure(ON_TIME)
    completed = publish_counts(count_table("Cases completed", counts, lambda f: f[ON_TIME]["denominator"]))
    within = publish_counts(count_table(on_time.name, counts, lambda f: f[ON_TIME]["numerator"]))
    share = publish_rates(f"{on_time.name}: the share of cases completed", within, completed)
    return get_data_to(con), [*tables, completed, share]
