"""Crime's pages in the web app: crime performance (any crime type, area and month), the force
overview, the map of crimes by neighbourhood and the daily dashboard, each table downloadable as CSV and XLSX and each chart as
SVG and PNG; the JSON API over the same figures is ``crime.api``.

Over the same functions as ``peel measures`` and ``peel daily``: ``section.get_crime_section``
(what the pack shows), ``overview.get_overview``, ``map.get_crime_map`` and ``daily``; nothing
is computed here.
Figures need the read_aggregates grant; the crimes behind a daily count are personal data,
which ``daily.list_solved_crimes`` checks and logs itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal
from urllib.parse import urlencode

import duckdb
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from peel.casebook import Action, Actor, NotFound
from peel.crime import daily as daily_data
from peel.crime import tables
from peel.crime.map import PERIODS, CrimeMap, get_crime_map, map_table
from peel.crime.overview import COLUMNS, DEFAULT_SORT, get_overview, sort_rows
from peel.crime.scope import list_crime_types, order_by_level
from peel.crime.section import CrimeSection, choose_crime_type, get_crime_section
from peel.measures import get_measures
from peel.measures.periods import add_months, parse_day, parse_month
from peel.render import render_chart
from peel.warehouse import snapshot
from peel.warehouse.database import get_last_day_covered
from peel.warehouse.generations import remember
from peel.web.downloads import ChartFormat, Recipient, TableFormat, chart_response, table_response
from peel.web.input_route import InputRoute
from peel.web.layout import get_web_environment, render_page
from peel.web.links import Link
from peel.web.visitor import require_actor, require_grant
from peel.web.warehouse import get_page_snapshot, open_published

router = APIRouter(route_class=InputRoute)
NO_DATA = "No crimes are loaded yet: 'peel demo-data' or 'peel ingest' loads them."
CHART = "crime/monthly_counts"
# The purpose logged when a user follows a dashboard count to its crimes.
DASHBOARD_PURPOSE = "Daily dashboard: the crimes behind the count of crimes solved on {day}"


def links(actor: Actor) -> list[Link]:
    if not actor.role.allows(Action.READ_AGGREGATES):
        return []
    return [Link("Daily dashboard", "/crime/daily", "Crimes solved yesterday by crime type and area, "
                 "and the week's trend."),
            Link("Crime performance", "/crime", "Every measure for any crime type, area and month: charts, "
                 "patterns and definitions, and the force overview.")]


def require_aggregates(request: Request, actor: Actor = Depends(require_actor)) -> Actor:
    """The signed-in user, if their role may read aggregate figures (a refusal is logged)."""
    return require_grant(request, actor, Action.READ_AGGREGATES)


def open_data(request: Request) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The published warehouse snapshot, the same for the whole request; None when it holds
    no crimes (before any data is loaded: ``open_published``'s 503 page)."""
    with open_published(request) as con:
        yield con if get_last_day_covered(con) else None


def get_section(con: duckdb.DuckDBPyConnection, choice: Choice) -> tuple[CrimeSection, Markup]:
    """The crime section for ``choice`` and its chart as SVG, worked out once per published
    warehouse generation (``remember``), not on every page view and download."""

    def build() -> tuple[CrimeSection, Markup]:
        section = get_crime_section(con, choice.month, choice.crime_type, choice.area or None)
        return section, render_chart(CHART, section.series)

    return remember(con, "crime_section", (choice.crime_type, choice.area, choice.month), build)


def describe_data_source(con: duckdb.DuckDBPyConnection) -> str:
    """What every page and download states: the data's last day and the warehouse load."""

    def describe() -> str:
        loaded = snapshot(con)
        return (f"Data to {get_last_day_covered(con):%d %B %Y}; warehouse batch {loaded['latest_batch']}, "
                f"loaded {loaded['loaded_at']}.")

    return remember(con, "data_source", (), describe)


def no_data(request: Request, title: str) -> Response:
    return render_page(request, "crime/no_data.html.j2", title=title)


# Crime performance ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    """What the performance page shows: a crime type, area and month (the page's form)."""

    crime_type: str
    area: str  # an area code; '' is the force
    month: date

    @property
    def query(self) -> str:
        return urlencode({"crime_type": self.crime_type, "area": self.area, "month": f"{self.month:%Y-%m}"})


def get_choice(con: duckdb.DuckDBPyConnection, crime_type: str | None, area: str | None,
               month: str | None) -> Choice:
    """The reader's choice, with the defaults for what they left out: burglary (residential
    where the data has it), the force, the month of the data's last day."""
    return Choice(crime_type or remember(con, "default_crime_type", (), lambda: choose_crime_type(con)), area or "",
                  parse_month(month, "month") if month else get_last_day_covered(con).replace(day=1))


def get_options(con: duckdb.DuckDBPyConnection, choice: Choice) -> dict:
    """The form's choices: every crime type, every area, every month the data covers."""
    crime_types, areas = remember(con, "choice_options", (), lambda: list_options(con))
    return {
        "crime_types": select_items((slug, name, choice.crime_type) for slug, name in crime_types),
        "areas": select_items((code, text, choice.area) for code, text in areas),
        "months": get_month_items(con, choice.month),
    }


def render_choice_selects(con: duckdb.DuckDBPyConnection, choice: Choice) -> Markup:
    """The form's selects of crime type, area and month for ``choice``, rendered once per
    published generation: 600-odd areas through GOV.UK's select macro cost more than the
    rest of the page."""
    return remember(con, "choice_selects", choice, lambda: Markup(
        get_web_environment().get_template("crime/choice_selects.html.j2").render(options=get_options(con, choice))))


def list_options(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(value, text) of every crime type and every area (the force first, then districts...)."""
    areas = con.execute(
        f"""SELECT CASE level WHEN 'force' THEN '' ELSE area_code END, area_name, level FROM area
            ORDER BY {order_by_level("level")}, area_name""").fetchall()
    return list_crime_types(con), [(code, name if level != "neighbourhood" else f"{name} (neighbourhood)")
                                   for code, name, level in areas]


def select_items(choices) -> list[dict]:
    """(value, text, chosen value) -> a GOV.UK select's items, the chosen one selected."""
    return [{"value": value, "text": text, "selected": value == chosen} for value, text, chosen in choices]


def get_month_items(con: duckdb.DuckDBPyConnection, chosen: date) -> list[dict]:
    """Every month the data covers, the latest first, as a select's items."""
    months = remember(con, "months", (), lambda: list_months(con))
    return select_items((f"{m:%Y-%m}", f"{m:%B %Y}", f"{chosen:%Y-%m}") for m in months)


def list_months(con: duckdb.DuckDBPyConnection) -> list[date]:
    first, last = con.execute("SELECT min(month), max(month) FROM crime").fetchone()
    months, month = [], last
    while month >= first:
        months.append(month)
        month = add_months(month, -1)
    return months


@router.get("/crime")
def show_performance(request: Request, crime_type: str | None = None, area: str | None = None,
                     month: str | None = None, actor: Actor = Depends(require_aggregates),
                     con=Depends(open_data)) -> Response:
    if con is None:
        return no_data(request, "Crime performance")
    error, section = None, None
    try:
        choice = get_choice(con, crime_type, area, month)
        section, chart_svg = get_section(con, choice)
    except ValueError as problem:
        error, choice = str(problem), get_choice(con, None, None, None)
    source = describe_data_source(con)
    return render_page(request, "crime/performance.html.j2", status_code=400 if error else 200,
                       title="Crime performance", error=error, choice=choice,
                       choice_selects=render_choice_selects(con, choice), source=source,
                       results=render_results(con, choice, section, chart_svg, source) if section else None)


def render_results(con: duckdb.DuckDBPyConnection, choice: Choice, section: CrimeSection,
                   chart_svg: Markup, source: str) -> Markup:
    """The performance page's results for ``choice`` (the figures, chart, patterns, advice
    and definitions), rendered once per published generation like ``get_section``: its
    tables through the GOV.UK macros cost more than the rest of the page. Aggregates only;
    who may see them was checked for this request (``require_aggregates``)."""
    return remember(con, "crime_results", choice, lambda: Markup(
        get_web_environment().get_template("crime/performance_results.html.j2").render(
            section=section, choice=choice, chart_svg=chart_svg,
            figures=tables.figures_table(section.report, source),
            monthly=tables.series_table(section.report, section.series, source),
            measures=list(get_measures("crime").values()))))


def build_section(con, crime_type, area, month):
    if con is None:
        raise NotFound(NO_DATA)
    return get_section(con, get_choice(con, crime_type, area, month))[0]


@router.get("/crime/figures.{format}")
def download_figures(format: TableFormat, crime_type: str | None = None, area: str | None = None,
                     month: str | None = None, _: Actor = Depends(require_aggregates),
                     con=Depends(open_data)) -> Response:
    section = build_section(con, crime_type, area, month)
    return table_response(tables.figures_table(section.report, describe_data_source(con)), format)


@router.get("/crime/monthly.{format}")
def download_monthly(format: TableFormat, crime_type: str | None = None, area: str | None = None,
                     month: str | None = None, _: Actor = Depends(require_aggregates),
                     con=Depends(open_data)) -> Response:
    section = build_section(con, crime_type, area, month)
    return table_response(tables.series_table(section.report, section.series, describe_data_source(con)), format)


@router.get("/crime/chart.{format}")
def download_chart(format: ChartFormat, crime_type: str | None = None, area: str | None = None,
                   month: str | None = None, _: Actor = Depends(require_aggregates),
                   con=Depends(open_data)) -> Response:
    section = build_section(con, crime_type, area, month)
    name = tables.series_table(section.report, section.series, "").name
    return chart_response(CHART, section.series, name, format)


# The force overview --------------------------------------------------------------------------

def get_sorted_overview(con, month: str | None, sort: str, order: str):
    month_start = parse_month(month, "month") if month else get_last_day_covered(con).replace(day=1)
    overview = get_overview(con, month_start)
    return overview, sort_rows(overview.rows, sort, order == "desc")


@router.get("/crime/overview")
def show_overview(request: Request, month: str | None = None, sort: str = DEFAULT_SORT, order: str = "asc",
                  actor: Actor = Depends(require_aggregates), con=Depends(open_data)) -> Response:
    if con is None:
        return no_data(request, "Force overview")
    overview, rows = get_sorted_overview(con, month, sort, order)
    source = describe_data_source(con)
    sort_links = {column: "?" + urlencode({"month": f"{overview.month:%Y-%m}", "sort": column,
                                           "order": "desc" if column == sort and order == "asc" else "asc"})
                  for column in COLUMNS}
    return render_page(request, "crime/overview.html.j2", title="Force overview", overview=overview, rows=rows,
                       table=tables.overview_table(overview, rows, source), sort=sort, order=order,
                       months=get_month_items(con, overview.month),
                       sort_links=sort_links, columns=COLUMNS, source=source,
                       query=urlencode({"month": f"{overview.month:%Y-%m}", "sort": sort, "order": order}))


@router.get("/crime/overview.{format}")
def download_overview(format: TableFormat, month: str | None = None, sort: str = DEFAULT_SORT,
                      order: str = "asc", _: Actor = Depends(require_aggregates),
                      con=Depends(open_data)) -> Response:
    if con is None:
        raise NotFound(NO_DATA)
    overview, rows = get_sorted_overview(con, month, sort, order)
    return table_response(tables.overview_table(overview, rows, describe_data_source(con)), format)


# The map of crimes by neighbourhood -----------------------------------------------------------

def build_map(con, crime_type: str | None, area: str | None, month: str | None,
              months: int) -> tuple[Choice, CrimeMap]:
    if con is None:
        raise NotFound(NO_DATA)
    choice = get_choice(con, crime_type, area, month)
    return choice, get_crime_map(con, choice.crime_type, choice.area or None, choice.month, months)


@router.get("/crime/map")
def show_map(request: Request, crime_type: str | None = None, area: str | None = None, month: str | None = None,
             months: int = 1, actor: Actor = Depends(require_aggregates), con=Depends(open_data)) -> Response:
    if con is None:
        return no_data(request, "Crime map")
    error, crime_map = None, None
    try:
        choice, crime_map = build_map(con, crime_type, area, month, months)
    except ValueError as problem:
        error, choice = str(problem), get_choice(con, None, None, None)
    source = describe_data_source(con)
    context = {}
    if crime_map is not None:
        context = {"table": map_table(crime_map, source),
                   "chart_svg": remember(con, "crime_map_chart", (choice, months),
                                         lambda: render_chart(crime_map.chart, crime_map.chart_values()))}
    return render_page(request, "crime/map.html.j2", status_code=400 if error else 200, title="Crime map",
                       error=error, crime_map=crime_map, choice=choice,
                       choice_selects=render_choice_selects(con, choice),
                       periods=select_items((str(n), text, str(months)) for n, text in PERIODS.items()),
                       query=f"{choice.query}&months={months}", source=source, **context)


@router.get("/crime/map/neighbourhoods.{format}")
def download_map_table(format: TableFormat, crime_type: str | None = None, area: str | None = None,
                       month: str | None = None, months: int = 1, _: Actor = Depends(require_aggregates),
                       con=Depends(open_data)) -> Response:
    _, crime_map = build_map(con, crime_type, area, month, months)
    return table_response(map_table(crime_map, describe_data_source(con)), format)


@router.get("/crime/map/chart.{format}")
def download_map_chart(format: ChartFormat, crime_type: str | None = None, area: str | None = None,
                       month: str | None = None, months: int = 1, _: Actor = Depends(require_aggregates),
                       con=Depends(open_data)) -> Response:
    _, crime_map = build_map(con, crime_type, area, month, months)
    return chart_response(crime_map.chart, crime_map.chart_values(), map_table(crime_map, "").name, format)


# The daily dashboard -------------------------------------------------------------------------

def get_day(day: str | None) -> date:
    return parse_day(day, "date") if day else daily_data.get_yesterday()


def may_list_crimes(actor: Actor) -> bool:
    return actor.role.allows(Action.READ_PERSONAL, daily_data.CRIME_DOMAIN)


@router.get("/crime/daily")
def show_daily(request: Request, day: str | None = Query(None, alias="date"), actor: Actor = Depends(require_aggregates),
               con=Depends(open_data)) -> Response:
    if con is None:
        return no_data(request, "Daily dashboard")
    report = daily_data.get_daily(con, get_day(day))
    source = describe_data_source(con)
    return render_page(request, "crime/daily.html.j2", title="Daily dashboard", daily=report, source=source,
                       solved=tables.daily_table(report, source), week=tables.week_table(report, source),
                       may_list=may_list_crimes(actor), query=urlencode({"date": report.day.isoformat()}),
                       previous_day=report.day - timedelta(days=1), next_day=report.day + timedelta(days=1))


def start_panel(request: Request, actor: Actor) -> Markup | None:
    """The start page's daily dashboard: yesterday's counts, for the roles the meeting note
    names ("officers and supervisors"): those who may follow a count to its crimes."""
    if not may_list_crimes(actor) or get_page_snapshot(request) is None:  # None: no data loaded yet
        return None
    with contextlib.contextmanager(open_data)(request) as con:
        if con is None:
            return None
        report = daily_data.get_daily(con, daily_data.get_yesterday())
        source = describe_data_source(con)
        return Markup(get_web_environment().get_template("crime/daily_panel.html.j2").render(
            daily=report, solved=tables.daily_table(report, source), source=source, may_list=True))


def list_crimes(con, actor: Actor, day_text: str | None, crime_type: str | None, area: str | None):
    """The crimes behind a count, as ``list_solved_crimes`` allows this user (and logs)."""
    if con is None:
        raise NotFound(NO_DATA)
    day = get_day(day_text)
    crimes = daily_data.list_solved_crimes(con, day, username=actor.username,
                                           purpose=DASHBOARD_PURPOSE.format(day=day.isoformat()),
                                           crime_type=crime_type or None, area_code=area)
    return day, crimes


@router.get("/crime/daily/crimes")
def show_crimes(request: Request, day: str | None = Query(None, alias="date"), crime_type: str | None = None,
                area: str | None = None, actor: Actor = Depends(require_aggregates),
                con=Depends(open_data)) -> Response:
    day, crimes = list_crimes(con, actor, day, crime_type, area)
    source = describe_data_source(con)
    query = urlencode({k: v for k, v in {"date": day.isoformat(), "crime_type": crime_type, "area": area}.items()
                       if v is not None})
    return render_page(request, "crime/crimes.html.j2", title=f"Crimes solved on {day:%d %B %Y}",
                       table=tables.crimes_table(day, crimes, source), day=day, crime_type=crime_type,
                       area_name=crimes[0].area_name if crimes and area is not None else None,
                       source=source, query=query)


@router.get("/crime/daily/crimes.{format}")
def download_crimes(request: Request, format: TableFormat, day: str | None = Query(None, alias="date"),
                    crime_type: str | None = None, area: str | None = None, actor: Actor = Depends(require_aggregates),
                    con=Depends(open_data)) -> Response:
    day, crimes = list_crimes(con, actor, day, crime_type, area)
    recipient = Recipient(actor, DASHBOARD_PURPOSE.format(day=day.isoformat()),
                          request.app.state.settings.casebook_url)
    return table_response(tables.crimes_table(day, crimes, describe_data_source(con)), format, recipient)


# The dashboard's two tables, by the name in their download's address.
DAILY_TABLES = {"solved": tables.daily_table, "week": tables.week_table}


@router.get("/crime/daily/{table}.{format}")  # after crimes.{format}: the first route that matches answers
def download_daily(table: Literal["solved", "week"], format: TableFormat,
                   day: str | None = Query(None, alias="date"), _: Actor = Depends(require_aggregates),
                   con=Depends(open_data)) -> Response:
    if con is None:
        raise NotFound(NO_DATA)
    report = daily_data.get_daily(con, get_day(day))
    return table_response(DAILY_TABLES[table](report, describe_data_source(con)), format)


from peel.crime import api

router.include_router(api.router)
