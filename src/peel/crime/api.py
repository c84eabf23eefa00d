"""The JSON API for crime: every figure and list the crime pages show, under ``/api/crime/``,
behind the same access rules (read_aggregates for figures; the crimes behind a daily count
as ``daily.list_solved_crimes`` allows and logs). Each answer states its data snapshot. The
response models make FastAPI's OpenAPI document (``/api/openapi.json``) describe them.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from peel.casebook import Actor, NotFound
from peel.crime import daily as daily_data
from peel.crime import web
from peel.crime.compute import Figure
from peel.crime.daily import DayTotal, SolvedCount, SolvedCrime
from peel.crime.map import NeighbourhoodCount, PointCount
from peel.crime.overview import DEFAULT_SORT, OverviewRow
from peel.warehouse.generations import remember

router = APIRouter(prefix="/api/crime", tags=["crime"], route_class=web.InputRoute)


class SeriesPoint(BaseModel):
    month: date
    recorded: int
    expected: float | None
    unusual: bool  # unusually high for its season (see patterns)
    partial: bool  # the data covers only part of the month


class Measures(BaseModel):
    """Every declared measure for a crime type, area and month, as the crime performance page
    shows them, with the chart's monthly series."""

    snapshot: str
    crime_type: str
    area: str
    area_level: str
    month: str  # YYYY-MM
    as_of: date
    figures: list[Figure]
    patterns: str | None
    notes: list[str]
    series: list[SeriesPoint]


class Overview(BaseModel):
    """Every crime type's 12-month change, its significance and solve rates (the force overview)."""

    snapshot: str
    month: date
    as_of: date
    twelve_months: str
    rate_period: str
    rows: list[OverviewRow]


class CrimeMap(BaseModel):
    """Crimes per neighbourhood of an area in a month or the 12 months to it, as the crime map
    shows them: with each neighbourhood's shape (GeoJSON) where the warehouse has shapes,
    otherwise the crimes per published map point."""

    snapshot: str
    crime_type: str
    area: str
    area_level: str
    first_month: date
    last_month: date
    kind: str  # 'shapes' or 'points'
    neighbourhoods: list[NeighbourhoodCount]
    shapes: dict[str, dict]  # area code -> GeoJSON geometry (RFC 7946)
    points: list[PointCount]


class Daily(BaseModel):
    """Crimes solved on a day (first positive outcome) by crime type and district, and the week."""

    snapshot: str
    day: date
    total: int
    counts: list[SolvedCount]
    week: list[DayTotal]
    last_outcome_day: date | None


class SolvedCrimes(BaseModel):
    snapshot: str
    day: date
    crimes: list[SolvedCrime]


def require_data(con=Depends(web.open_data)):
    if con is None:
        raise NotFound(web.NO_DATA)
    return con


@router.get("/measures", response_model=Measures)
def get_measures(crime_type: str | None = None, area: str | None = None, month: str | None = None,
                 _: Actor = Depends(web.require_aggregates), con=Depends(require_data)) -> Measures:
    choice = web.get_choice(con, crime_type, area, month)

    def build() -> Measures:
        section = web.get_section(con, choice)[0]
        report = section.report.to_dict()
        return Measures(snapshot=web.describe_data_source(con), crime_type=report["crime_type"], area=report["area"],
                        area_level=report["area_level"], month=report["month"], as_of=section.report.as_of,
                        figures=section.report.figures,
                        patterns=report["patterns"] and report["patterns"]["summary"], notes=report["notes"],
                        series=section.series)

    # Worked out once per published generation and choice, like the page's section: the
    # report's JSON form recomputes the whole monthly series. Aggregates only.
    return remember(con, "api_measures", choice, build)


@router.get("/overview", response_model=Overview)
def get_overview(month: str | None = None, sort: str = DEFAULT_SORT, order: str = "asc",
                 _: Actor = Depends(web.require_aggregates), con=Depends(require_data)) -> Overview:
    overview, rows = web.get_sorted_overview(con, month, sort, order)
    return Overview(snapshot=web.describe_data_source(con), month=overview.month, as_of=overview.as_of,
                    twelve_months=overview.twelve_months, rate_period=overview.rate_period, rows=rows)


@router.get("/map", response_model=CrimeMap)
def get_map(crime_type: str | None = None, area: str | None = None, month: str | None = None, months: int = 1,
            _: Actor = Depends(web.require_aggregates), con=Depends(require_data)) -> CrimeMap:
    _, found = web.build_map(con, crime_type, area, month, months)
    return CrimeMap(snapshot=web.describe_data_source(con), crime_type=found.crime_type_label, area=found.area_name,
                    area_level=found.area_level, first_month=found.first_month, last_month=found.last_month,
                    kind=found.kind, neighbourhoods=found.counts, shapes=found.shapes, points=found.points)


@router.get("/daily", response_model=Daily)
def get_daily(day: str | None = Query(None, alias="date"), _: Actor = Depends(web.require_aggregates),
              con=Depends(require_data)) -> Daily:
    report = daily_data.get_daily(con, web.get_day(day))
    return Daily(snapshot=web.describe_data_source(con), day=report.day, total=report.total, counts=report.counts,
                 week=report.week, last_outcome_day=report.last_outcome_day)


@router.get("/daily/crimes", response_model=SolvedCrimes)
def get_solved_crimes(day: str | None = Query(None, alias="date"), crime_type: str | None = None,
                      area: str | None = None, actor: Actor = Depends(web.require_aggregates),
                      con=Depends(require_data)) -> SolvedCrimes:
    found_day, crimes = web.list_crimes(con, actor, day, crime_type, area)
    return SolvedCrimes(snapshot=web.describe_data_source(con), day=found_day, crimes=crimes)
