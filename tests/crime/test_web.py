"""The crime pages, downloads and API with FastAPI's test client, role by role, on the county
demo force: who may open what, what each shows, and that each download opens."""

from __future__ import annotations

import csv
import html
import io
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from tests.casebook.conftest import audit_entries
from tests.crime.demo_site import copy_demo_site
from tests.web.conftest import (  # noqa: F401 (fixtures)
    FORCE_NAME,
    client,
    get_username,
    sign_in,
    staff_casebook,
    web_settings,
)

from peel.casebook import db
from peel.casebook.roles import load_roles
from peel.crime import daily as daily_data
from peel.settings import get_settings
from peel.web.app import create_app

from .test_daily import DAY, hand_count

FIGURES = ["/crime", "/crime/overview", "/crime/daily?date=2026-03-10", "/api/crime/measures",
           "/api/crime/overview", "/api/crime/daily?date=2026-03-10"]
CRIMES = ["/crime/daily/crimes?date=2026-03-10", "/api/crime/daily/crimes?date=2026-03-10"]
# Read off roles.yaml: every role but the administrator reads aggregates; only a role granted
# personal data in the crime domain (the police officer) or in every domain (the supervisor)
# sees crime records.
NO_FIGURES = {"administrator", "ingest_service", "control_room_service"}  # accounts only; scripted jobs
SEES_CRIMES = {"police_officer", "supervisor"}


@pytest.fixture(scope="module")
def demo_site(county_demo, staff_casebook, tmp_path_factory):  # noqa: F811
    return copy_demo_site(county_demo, staff_casebook, tmp_path_factory.mktemp("crime-web"))


@pytest.fixture
def site(demo_site, monkeypatch):
    """A client of the app over the demo force; PEEL_HOME is the site, so the consultations the
    crime list logs go to the casebook the app signs in with."""
    monkeypatch.setenv("PEEL_HOME", str(demo_site))
    settings = replace(get_settings(), secret_key=None)
    with TestClient(create_app(settings, force_name=FORCE_NAME), base_url="https://testserver",
                    follow_redirects=False) as browser:
        yield browser
    db.dispose_engines()


@pytest.mark.parametrize("role", sorted(load_roles()))
def test_crime_pages_open_for_each_role_that_reads_figures_and_refuse_the_rest(site, role):
    sign_in(site, get_username(role))
    expected = 403 if role in NO_FIGURES else 200
    assert {path: site.get(path).status_code for path in FIGURES} == {path: expected for path in FIGURES}


@pytest.mark.parametrize("role", sorted(load_roles()))
def test_crime_list_opens_only_for_roles_that_see_crime_records(site, role):
    sign_in(site, get_username(role))
    expected = 200 if role in SEES_CRIMES else 403
    assert {path: site.get(path).status_code for path in CRIMES} == {path: expected for path in CRIMES}


def test_crime_pages_send_a_visitor_to_sign_in_and_the_api_answers_401(site):
    assert site.get("/crime").headers["location"] == "/sign-in?next=%2Fcrime"
    assert site.get("/api/crime/daily").status_code == 401


def test_crime_page_refused_is_logged(site, caplog):
    sign_in(site, "administrator")
    with caplog.at_level("WARNING", logger="peel.web.app"):
        assert site.get("/api/crime/overview").status_code == 403
    assert "Refused GET /api/crime/overview to administrator" in caplog.text


def test_show_performance_defaults_to_burglary_for_the_force_in_the_latest_month(site):
    sign_in(site, "performance.analyst")
    page = html.unescape(site.get("/crime").text)
    assert "Residential burglary, " in page and ": March 2026" in page
    assert "Data to 11 March 2026; warehouse batch" in page
    assert '<svg' in page and "Definitions" in page and "Patterns" in page


def test_show_performance_for_another_crime_type_area_and_month(site):
    sign_in(site, "performance.analyst")
    page = site.get("/crime", params={"crime_type": "shoplifting", "area": "X07000001", "month": "2025-11"})
    assert page.status_code == 200
    assert "Shoplifting, Brackenholt: November 2025" in html.unescape(page.text)


def test_show_performance_explains_a_month_that_is_not_a_month(site):
    sign_in(site, "performance.analyst")
    page = site.get("/crime", params={"month": "March"})
    assert page.status_code == 400
    assert "expected YYYY-MM" in page.text


def test_show_overview_sorts_by_any_column_both_ways(site):
    sign_in(site, "pcc.scrutiny.officer")
    ascending = site.get("/api/crime/overview", params={"sort": "recorded"}).json()["rows"]
    descending = site.get("/api/crime/overview", params={"sort": "recorded", "order": "desc"}).json()["rows"]
    assert [r["recorded"] for r in ascending] == sorted(r["recorded"] for r in ascending)
    assert [r["crime_type"] for r in descending] == [r["crime_type"] for r in ascending][::-1]
    page = site.get("/crime/overview", params={"sort": "recorded"}).text
    assert 'aria-sort="ascending"' in page and "order=desc" in page


def test_show_overview_for_a_chosen_month(site):
    sign_in(site, "pcc.scrutiny.officer")
    page = site.get("/crime/overview", params={"month": "2025-06"})
    assert page.status_code == 200
    assert "Every crime type for the whole force, June 2025" in page.text
    assert '<option value="2025-06" selected>' in page.text


def test_show_overview_explains_a_column_it_cannot_sort_by(site):
    sign_in(site, "pcc.scrutiny.officer")
    page = site.get("/crime/overview", params={"sort": "colour"})
    assert page.status_code == 400 and "No column &#39;colour&#39; to sort by" in page.text


def test_show_daily_shows_the_hand_counted_total_with_links_for_the_supervisor(site, county_demo):
    total = sum(hand_count(county_demo.con, DAY).values())
    sign_in(site, "supervisor")
    page = html.unescape(site.get("/crime/daily", params={"date": DAY.isoformat()}).text)
    assert f"Crimes solved on Tuesday 10 March 2026: {total}" in page
    assert "/crime/daily/crimes?date=2026-03-10&crime_type=Drugs" in page


def test_show_daily_shows_counts_without_links_to_an_analyst(site):
    sign_in(site, "performance.analyst")
    page = site.get("/crime/daily", params={"date": DAY.isoformat()}).text
    assert "/crime/daily/crimes?" not in page


def test_start_panel_shows_yesterdays_counts_with_links_on_the_officers_start_page(site, county_demo,
                                                                                   monkeypatch):
    monkeypatch.setattr(daily_data, "get_yesterday", lambda: DAY)
    total = sum(hand_count(county_demo.con, DAY).values())
    sign_in(site, "police.officer")
    page = html.unescape(site.get("/").text)
    assert f"Crimes solved on Tuesday 10 March 2026: {total}" in page
    assert "/crime/daily/crimes?date=2026-03-10&crime_type=Drugs" in page


def test_start_panel_is_not_on_the_start_page_of_a_role_that_may_not_see_the_crimes(site, monkeypatch):
    monkeypatch.setattr(daily_data, "get_yesterday", lambda: DAY)
    sign_in(site, "performance.analyst")
    page = site.get("/")
    assert page.status_code == 200 and "Crimes solved on" not in page.text


def test_api_daily_crimes_match_the_hand_count(site, county_demo):
    sign_in(site, "supervisor")
    crimes = site.get("/api/crime/daily/crimes", params={"date": DAY.isoformat()}).json()["crimes"]
    assert len(crimes) == sum(hand_count(county_demo.con, DAY).values())
    assert set(crimes[0]) == {"reference", "recorded", "solved_on", "crime_type", "area_name", "neighbourhood",
                              "outcome"}


def test_api_refusal_is_json(site):
    sign_in(site, "performance.analyst")
    refused = site.get("/api/crime/daily/crimes")
    assert refused.status_code == 403 and "may not read personal" in refused.json()["detail"]


def test_openapi_document_describes_the_crime_api(site):
    document = site.get("/api/openapi.json").json()
    for path in ("/api/crime/measures", "/api/crime/overview", "/api/crime/daily", "/api/crime/daily/crimes"):
        assert "$ref" in str(document["paths"][path]["get"]["responses"]["200"]), path
    assert site.get("/docs").status_code == 404


@pytest.mark.parametrize("address", ["/crime/figures", "/crime/monthly", "/crime/overview", "/crime/daily/solved",
                                     "/crime/daily/week", "/crime/daily/crimes"])
def test_table_downloads_open_as_csv_and_xlsx(site, address):
    sign_in(site, "supervisor")
    query = {"date": DAY.isoformat()} if "daily" in address else {}
    as_csv = site.get(f"{address}.csv", params=query)
    assert as_csv.headers["content-disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    as_xlsx = site.get(f"{address}.xlsx", params=query)
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert [c.value for c in sheet[1]] == rows[0]
    assert sheet.max_row >= len(rows) > 1


def test_download_crimes_logs_each_crime_as_a_disclosure_after_its_consultation(site):
    url = get_settings().casebook_url  # the site's, PEEL_HOME being the site
    before = len(audit_entries(url))
    sign_in(site, "police.officer")
    rows = list(csv.reader(io.StringIO(site.get("/crime/daily/crimes.csv", params={"date": DAY.isoformat()}).text)))
    references = [row[0] for row in rows[1:]]
    logged = [(e.operation, e.subject_ref) for e in audit_entries(url)[before:] if e.operation != "authentication"]
    assert references and logged == ([("consultation", r) for r in references]
                                     + [("disclosure", r) for r in references])
    assert all(e.purpose.startswith("Daily dashboard") for e in audit_entries(url)[-len(references):])


def test_chart_downloads_are_svg_and_png(site):
    sign_in(site, "performance.analyst")
    svg = site.get("/crime/chart.svg", params={"crime_type": "burglary"})
    assert svg.headers["content-type"] == "image/svg+xml" and svg.text.startswith("<svg")
    png = site.get("/crime/chart.png", params={"crime_type": "burglary"})
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_crime_pages_before_any_data_say_how_to_load_it(client):  # noqa: F811 (the fixture)
    """The foundation's client: an installation with accounts and no warehouse yet."""
    sign_in(client, "performance.analyst")
    for path in ["/crime", "/crime/overview", "/crime/daily"]:  # peel.web.warehouse.open_published's 503
        page = client.get(path)
        assert page.status_code == 503 and "No data is loaded yet" in page.text and "peel demo-data" in page.text
    missing = client.get("/api/crime/daily")
    assert missing.status_code == 503 and "No data is loaded yet" in missing.json()["detail"]
