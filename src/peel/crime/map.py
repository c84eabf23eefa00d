"""Crimes by neighbourhood for a map: a crime type, an area and a month (or the 12 months to it).

The neighbourhoods shown are the area's: every one of the force's, a district's, or, for a
neighbourhood, the ones of its district (the chosen one outlined). Where the warehouse has
their shapes (the demo force's made-up ones, table area_shape) the map is a choropleth of
crimes per neighbourhood; where it has none (police.uk publishes none) the crimes are drawn at
their published points, which police.uk already moves to one of a set of anonymous map
points, as circles sized by how many crimes each point has. Only counts are read: no crime
record leaves this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import duckdb

from peel.crime.scope import resolve_area, resolve_crime_type, slugify
from peel.measures.periods import add_months
from peel.warehouse.generations import remember
from peel.web.downloads import DataTable

# The periods a map can count over, in months: the chosen month alone, or the 12 months to it.
PERIODS = {1: "The month", 12: "The 12 months to the month"}
SHAPES_CHART = "crime/neighbourhood_map"
POINTS_CHART = "crime/crime_points"
HIGHEST = 5  # neighbourhoods the text alternative names


@dataclass(frozen=True)
class NeighbourhoodCount:
    area_code: str
    area_name: str
    district_name: str | None
    crimes: int


@dataclass(frozen=True)
class PointCount:
    longitude: float
    latitude: float
    crimes: int


@dataclass
class CrimeMap:
    crime_type_label: str
    area_name: str
    area_level: str  # the chosen area's: 'force', 'district' or 'neighbourhood'
    chosen_code: str | None  # a chosen neighbourhood, outlined on the map
    first_month: date
    last_month: date
    counts: list[NeighbourhoodCount]  # every neighbourhood shown, the most crimes first
    shapes: dict[str, dict] = field(default_factory=dict)  # area code -> GeoJSON geometry
    points: list[PointCount] = field(default_factory=list)  # where there are no shapes

    @property
    def kind(self) -> Literal["shapes", "points"]:
        return "shapes" if self.shapes else "points"

    @property
    def chart(self) -> str:
        return SHAPES_CHART if self.shapes else POINTS_CHART

    @property
    def period(self) -> str:
        if self.first_month == self.last_month:
            return f"{self.last_month:%B %Y}"
        return f"{self.first_month:%B %Y} to {self.last_month:%B %Y}"

    @property
    def title(self) -> str:
        return f"{self.crime_type_label} by neighbourhood, {self.area_name}: {self.period}"

    @property
    def total(self) -> int:
        return sum(c.crimes for c in self.counts)

    def chart_values(self) -> list[dict]:
        """The chart's data: a GeoJSON feature per neighbourhood, or a row per map point."""
        if not self.shapes:
            return [{"longitude": p.longitude, "latitude": p.latitude, "crimes": p.crimes} for p in self.points]
        return [{"type": "Feature", "geometry": wind_for_vega(self.shapes[c.area_code]),
                 "properties": {"name": c.area_name, "crimes": c.crimes, "chosen": c.area_code == self.chosen_code}}
                for c in self.counts if c.area_code in self.shapes]

    def describe(self) -> str:
        """The chart's text alternative: what it shows, the range and the highest neighbourhoods."""
        if not self.counts:
            return f"{self.title}: no neighbourhoods to show."
        drawn = (f"each of {len(self.counts)} neighbourhoods shaded by its number of crimes"
                 if self.shapes else
                 f"{self.total:,} crimes drawn at {len(self.points):,} map points, each circle sized by its crimes")
        top = [c for c in self.counts[:HIGHEST] if c.crimes > 0]
        highest = "; most: " + ", ".join(f"{c.area_name} ({c.crimes:,})" for c in top) if top else ""
        least = min(c.crimes for c in self.counts)
        return (f"Map of {self.title}: {drawn}. From {least:,} to {self.counts[0].crimes:,} crimes "
                f"per neighbourhood{highest}. The table below gives every neighbourhood's count.")


def wind_for_vega(geometry: dict) -> dict:
    """A polygon with its rings reversed: d3-geo, which Vega draws with, takes a ring's inside
    to be on its right, the opposite of GeoJSON's (RFC 7946) rule the warehouse keeps."""
    return {"type": geometry["type"], "coordinates": [ring[::-1] for ring in geometry["coordinates"]]}


def get_crime_map(con: duckdb.DuckDBPyConnection, crime_type: str, area: str | None, month: date,
                  months: int = 1) -> CrimeMap:
    """Crimes of ``crime_type`` per neighbourhood of ``area`` (None: the force) recorded in
    ``month``, or in the 12 months to it; with the neighbourhoods' shapes, or map points.
    Worked out once per published warehouse generation (``remember``)."""
    if months not in PERIODS:
        raise ValueError(f"months: expected 1 (the month) or 12 (the 12 months to it), got {months}.")
    return remember(con, "crime_map", (crime_type, area, month, months),
                    lambda: count_crimes(con, crime_type, area, month, months))


def count_crimes(con: duckdb.DuckDBPyConnection, crime_type: str, area: str | None, month: date,
                 months: int) -> CrimeMap:
    label, crime_filter, params = resolve_crime_type(con, crime_type)
    code, name, level = resolve_area(con, area)
    shown_sql = {"force": "TRUE", "district": "n.parent_code = $area_code",
                 "neighbourhood": "n.parent_code = (SELECT parent_code FROM area WHERE area_code = $area_code)"}[level]
    first = add_months(month, 1 - months)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE map_shown AS
            SELECT n.area_code, n.area_name, d.area_name AS district_name FROM area n
            LEFT JOIN area d ON d.area_code = n.parent_code
            WHERE n.level = 'neighbourhood' AND ({shown_sql})""", {} if level == "force" else {"area_code": code})
    in_scope = (f"({crime_filter}) AND month BETWEEN $first AND $last "
                "AND lsoa_code IN (SELECT area_code FROM map_shown)")
    crime_params = params | {"first": first, "last": month}
    counts = [NeighbourhoodCount(*row) for row in con.execute(
        f"""SELECT s.area_code, s.area_name, s.district_name, coalesce(c.crimes, 0) AS crimes
            FROM map_shown s LEFT JOIN (SELECT lsoa_code, count(*) AS crimes FROM crime
                                        WHERE {in_scope} GROUP BY lsoa_code) c ON c.lsoa_code = s.area_code
            ORDER BY crimes DESC, s.area_name, s.area_code""", crime_params).fetchall()]
    shapes = {shape_code: json.loads(geometry) for shape_code, geometry in con.execute(
        "SELECT area_code, geometry FROM area_shape WHERE area_code IN (SELECT area_code FROM map_shown)").fetchall()}
    points = []
    if not shapes:
        points = [PointCount(*row) for row in con.execute(
            f"""SELECT longitude, latitude, count(*) AS crimes FROM crime
                WHERE {in_scope} AND longitude IS NOT NULL AND latitude IS NOT NULL
                GROUP BY longitude, latitude ORDER BY crimes DESC, longitude, latitude""", crime_params).fetchall()]
    return CrimeMap(label, name, level, code if level == "neighbourhood" else None, first, month,
                    counts, shapes, points)


def map_table(crime_map: CrimeMap, source: str) -> DataTable:
    """The map's figures as a table: every neighbourhood shown and its crimes."""
    return DataTable(name=table_name(crime_map), title=f"Crimes by neighbourhood: {crime_map.title}",
                     columns=["Neighbourhood", "Code", "District", "Crimes"],
                     rows=[[c.area_name, c.area_code, c.district_name, c.crimes] for c in crime_map.counts],
                     source=source)


def table_name(crime_map: CrimeMap) -> str:
    """A download's file name: crime type, area and period, e.g. 'burglary-chalkshire-2026-03-map'."""
    period = f"{crime_map.last_month:%Y-%m}" + ("" if crime_map.first_month == crime_map.last_month else "-12-months")
    return f"{slugify(crime_map.crime_type_label)}-{slugify(crime_map.area_name)}-{period}-map"
