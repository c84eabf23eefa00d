"""The crime map's figures against counts made independently in SQL, the demo force's made-up
shapes (every neighbourhood has one, inside the force's outline, containing its own centre),
and the points drawn where the data has no shapes (a month of the real Hertfordshire files)."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from peel.crime.map import get_crime_map, map_table, wind_for_vega
from peel.demo.shapes import X_SCALE
from peel.render import render_chart
from peel.sources.police_uk import ingest_police_uk
from peel.warehouse import connect

MARCH = date(2026, 3, 1)
TOLERANCE = 1e-5  # degrees: coordinates are rounded to 6 decimal places


def ring(geometry: str) -> np.ndarray:
    """A stored polygon's outer ring in the plane the shapes were drawn in, without the
    repeated last corner."""
    corners = np.array(json.loads(geometry)["coordinates"][0][:-1])
    return corners * [X_SCALE, 1]


def is_inside(point: np.ndarray, polygon: np.ndarray) -> bool:
    """Whether ``point`` is in the convex counter-clockwise ``polygon`` (or within TOLERANCE of it)."""
    edges = np.roll(polygon, -1, axis=0) - polygon
    to_point = point - polygon
    cross = edges[:, 0] * to_point[:, 1] - edges[:, 1] * to_point[:, 0]
    return bool((cross / np.hypot(edges[:, 0], edges[:, 1]) >= -TOLERANCE).all())


def test_get_crime_map_counts_each_neighbourhood_as_sql_does(county_demo):
    con = county_demo.con
    crime_map = get_crime_map(con, "burglary", "Brackenholt", MARCH, months=12)
    expected = dict(con.execute(
        """SELECT n.area_code, count(c.crime_key) FROM area n
           JOIN area d ON d.area_code = n.parent_code AND d.area_name = 'Brackenholt'
           LEFT JOIN crime c ON c.lsoa_code = n.area_code AND c.crime_type = 'Burglary'
                AND c.month BETWEEN DATE '2025-04-01' AND DATE '2026-03-01'
           GROUP BY n.area_code""").fetchall())
    assert {c.area_code: c.crimes for c in crime_map.counts} == expected
    assert crime_map.total > 0 and crime_map.kind == "shapes"
    assert [c.crimes for c in crime_map.counts] == sorted(expected.values(), reverse=True)
    assert crime_map.period == "April 2025 to March 2026"


def test_get_crime_map_for_a_neighbourhood_shows_its_district_and_outlines_it(county_demo):
    con = county_demo.con
    code, district = con.execute(
        "SELECT area_code, parent_code FROM area WHERE area_name = 'Corvedon 002B'").fetchone()
    crime_map = get_crime_map(con, "all-crime", code, MARCH)
    siblings = con.execute("SELECT count(*) FROM area WHERE parent_code = ?", [district]).fetchone()[0]
    assert len(crime_map.counts) == siblings
    chosen = [f["properties"]["name"] for f in crime_map.chart_values() if f["properties"]["chosen"]]
    assert chosen == ["Corvedon 002B"]


def test_get_crime_map_refuses_a_period_other_than_1_or_12_months(county_demo):
    with pytest.raises(ValueError, match="expected 1 .* or 12"):
        get_crime_map(county_demo.con, "burglary", None, MARCH, months=3)


def test_map_table_lists_every_neighbourhood_with_its_count(county_demo):
    crime_map = get_crime_map(county_demo.con, "shoplifting", None, MARCH)
    table = map_table(crime_map, "source")
    assert table.name == "shoplifting-chalkshire-constabulary-2026-03-map"
    assert len(table.rows) == len(crime_map.counts) == 600
    assert sum(row[3] for row in table.rows) == crime_map.total


def test_demo_force_has_a_shape_for_every_neighbourhood_and_its_outline(county_demo):
    missing = county_demo.con.execute(
        """SELECT a.area_code FROM area a LEFT JOIN area_shape s USING (area_code)
           WHERE a.level IN ('force', 'neighbourhood') AND s.area_code IS NULL""").fetchall()
    assert missing == []


def test_demo_shapes_lie_in_the_force_outline_and_contain_their_centres(county_demo):
    rows = county_demo.con.execute(
        """SELECT a.level, a.longitude, a.latitude, s.geometry FROM area a JOIN area_shape s USING (area_code)
           ORDER BY a.area_code""").fetchall()
    outline = next(ring(geometry) for level, _, _, geometry in rows if level == "force")
    cells = [(np.array([lon * X_SCALE, lat]), ring(geometry)) for level, lon, lat, geometry in rows
             if level == "neighbourhood"]
    assert len(cells) == 600
    assert all(is_inside(corner, outline) for _, cell in cells for corner in cell)
    assert all(is_inside(centre, cell) for centre, cell in cells)


def test_wind_for_vega_reverses_each_ring():
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    assert wind_for_vega(square)["coordinates"] == [[[0, 0], [1, 1], [1, 0], [0, 0]]]


@pytest.fixture(scope="module")
def hertfordshire_month(tmp_path_factory, police_uk_dir):
    """One month of the real Hertfordshire street files: crimes with coordinates, no shapes."""
    folder = tmp_path_factory.mktemp("herts-month")
    (folder / "2022-01-hertfordshire-street.csv").write_bytes(
        (police_uk_dir / "2022-01-hertfordshire-street.csv").read_bytes())
    con = connect(tmp_path_factory.mktemp("herts-map") / "warehouse.duckdb")
    ingest_police_uk(con, [folder])
    yield con
    con.close()


def test_get_crime_map_draws_points_where_there_are_no_shapes(hertfordshire_month):
    con = hertfordshire_month
    crime_map = get_crime_map(con, "burglary", None, date(2022, 1, 1))
    located = con.execute("SELECT count(*) FROM crime WHERE crime_type = 'Burglary' AND longitude IS NOT NULL "
                          "AND lsoa_code IN (SELECT area_code FROM area)").fetchone()[0]
    assert crime_map.kind == "points" and crime_map.shapes == {}
    assert sum(p.crimes for p in crime_map.points) == located > 0
    assert "map points" in crime_map.describe()
    assert "<svg" in render_chart(crime_map.chart, crime_map.chart_values())
