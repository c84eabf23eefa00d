"""The crime map page, its downloads and its API with FastAPI's test client on the county demo
force: what it shows, that each download opens, and who may open it."""

from __future__ import annotations

import csv
import html
import io

from openpyxl import load_workbook
from tests.web.conftest import (  # noqa: F401 (fixtures)
    client,
    get_username,
    sign_in,
    staff_casebook,
    web_settings,
)

from .test_web import demo_site, site  # noqa: F401 (fixtures)

CHOICE = {"crime_type": "burglary", "area": "X07000002", "month": "2025-11", "months": "12"}


def test_show_map_draws_the_demo_neighbourhoods_with_a_text_alternative_and_a_table(site):  # noqa: F811 (a fixture)
    sign_in(site, "performance.analyst")
    page = site.get("/crime/map", params=CHOICE)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Burglary by neighbourhood, Corvedon: December 2024 to November 2025" in text
    assert "<svg" in text and 'role="img" aria-labelledby="map-caption"' in text
    assert "Map of Burglary by neighbourhood, Corvedon" in text and "shaded by its number of crimes" in text
    assert text.count("Corvedon 001A") >= 1 and "made up" in text
    assert "/crime/map/neighbourhoods.xlsx?crime_type=burglary&amp;area=X07000002" in page.text
    assert 'value="12" selected' in page.text


def test_show_map_defaults_to_the_force_in_the_latest_month(site):  # noqa: F811 (a fixture)
    sign_in(site, "performance.analyst")
    text = html.unescape(site.get("/crime/map").text)
    assert "by neighbourhood, Chalkshire Constabulary: March 2026" in text


def test_show_map_explains_a_crime_type_the_data_has_not(site):  # noqa: F811 (a fixture)
    sign_in(site, "performance.analyst")
    page = site.get("/crime/map", params={"crime_type": "piracy"})
    assert page.status_code == 400 and "No crime type" in page.text


def test_performance_page_links_to_the_map_of_its_choice(site):  # noqa: F811 (a fixture)
    sign_in(site, "performance.analyst")
    assert "/crime/map?crime_type=shoplifting" in site.get("/crime", params={"crime_type": "shoplifting"}).text


def test_map_downloads_open_as_their_formats_with_the_page_figures(site):  # noqa: F811 (a fixture)
    sign_in(site, "performance.analyst")
    api = site.get("/api/crime/map", params=CHOICE).json()
    rows = list(csv.reader(io.StringIO(site.get("/crime/map/neighbourhoods.csv", params=CHOICE).text)))
    assert rows[0] == ["Neighbourhood", "Code", "District", "Crimes"]
    assert {r[1]: int(r[3]) for r in rows[1:]} == {n["area_code"]: n["crimes"] for n in api["neighbourhoods"]}
    xlsx = site.get("/crime/map/neighbourhoods.xlsx", params=CHOICE)
    assert load_workbook(io.BytesIO(xlsx.content)).active["D1"].value == "Crimes"
    svg = site.get("/crime/map/chart.svg", params=CHOICE)
    assert svg.headers["content-type"] == "image/svg+xml" and svg.text.startswith("<svg")
    png = site.get("/crime/map/chart.png", params=CHOICE)
    assert png.content.startswith(b"\x89PNG")
    assert 'filename="burglary-corvedon-2025-11-12-months-map.png"' in png.headers["content-disposition"]


def test_map_api_gives_every_neighbourhood_its_shape(site):  # noqa: F811 (a fixture)
    sign_in(site, "pcc.scrutiny.officer")
    answer = site.get("/api/crime/map", params=CHOICE).json()
    assert answer["kind"] == "shapes" and answer["points"] == []
    assert {n["area_code"] for n in answer["neighbourhoods"]} == set(answer["shapes"])
    assert answer["first_month"] == "2024-12-01" and answer["snapshot"].startswith("Data to 11 March 2026")


def test_map_is_refused_to_a_role_without_figures(site):  # noqa: F811 (a fixture)
    sign_in(site, get_username("administrator"))
    assert [site.get(path).status_code for path in ("/crime/map", "/api/crime/map")] == [403, 403]
