"""The crime pages in a real browser (Debian's chromium) over the county demo force: an officer
follows yesterday's solved crimes to the crimes behind a count; an analyst chooses a crime
type, area and month and downloads the figures as XLSX; axe-core finds no WCAG 2.2 AA
violation on any crime page type; the Content-Security-Policy holds on each."""

from __future__ import annotations

from dataclasses import replace

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from tests.crime.demo_site import copy_demo_site

from peel.settings import get_settings
from peel.web.app import create_app

from .conftest import FORCE_NAME, open_tab_on, serve_on_loopback
from .test_accessibility import AXE, get_violations


@pytest.fixture(scope="module")
def demo_server(county_demo, staff_casebook, tmp_path_factory):
    """The app over a copy of the demo force on a loopback port. PEEL_HOME is the site for the
    module, so the consultations the crime list logs go to the casebook it signs in with."""
    home = copy_demo_site(county_demo, staff_casebook, tmp_path_factory.mktemp("crime-browser"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(home))
        with serve_on_loopback(create_app(replace(get_settings(), secret_key=None), force_name=FORCE_NAME)) as address:
            yield address


@pytest.fixture
def demo_tab(browser, demo_server):
    """``demo_tab(init_script=None)``: a new tab on the demo server."""
    contexts = []
    yield lambda init_script=None: open_tab_on(browser, demo_server, contexts, init_script=init_script)
    for context in contexts:
        context.close()


def test_officer_follows_solved_crimes_to_the_crimes_behind_a_count(demo_tab):
    tab = demo_tab()
    tab.sign_in("police.officer")
    # The officer's start page shows yesterday's counts; yesterday is after the demo's data
    # ends (11 March 2026), so it offers that day.
    expect(tab.page.get_by_role("heading", name="Crimes solved on ")).to_be_visible()
    tab.page.get_by_role("link", name="show that day").click()
    assert tab.page.get_by_role("heading", level=1).inner_text() == "Daily dashboard"
    assert "Crimes solved on Wednesday 11 March 2026" in tab.page.get_by_role("heading", level=2).first.inner_text()
    count = tab.page.locator("a[href^='/crime/daily/crimes?date=2026-03-11&crime_type=']").first
    expected = int(count.inner_text().split()[0])
    count.click()
    assert tab.page.get_by_role("heading", level=1).inner_text() == "Crimes solved on 11 March 2026"
    assert tab.page.locator("tbody tr").count() == expected > 0
    assert tab.problems == []


def test_analyst_chooses_crime_type_area_and_month_and_downloads_xlsx(demo_tab, tmp_path):
    tab = demo_tab()
    tab.sign_in("performance.analyst")
    tab.page.get_by_role("link", name="Crime performance").click()
    tab.page.get_by_label("Crime type", exact=True).select_option("shoplifting")
    tab.page.get_by_label("Area", exact=True).select_option(label="Brackenholt")
    tab.page.get_by_label("Month", exact=True).select_option("2025-11")
    tab.page.get_by_role("button", name="Show").click()
    expect(tab.page.get_by_role("heading", name="Shoplifting, Brackenholt: November 2025")).to_be_visible()
    with tab.page.expect_download() as download:
        tab.page.get_by_role("link", name="XLSX spreadsheet of the figures").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "Measure" and sheet.max_row > 3
    assert path.name == "shoplifting-brackenholt-2025-11-figures.xlsx"
    assert tab.problems == []


@pytest.mark.parametrize("role, address, heading", [
    ("performance.analyst", "/crime", "Crime performance"),
    ("performance.analyst", "/crime/overview?sort=change_percent&order=desc", "Force overview"),
    ("performance.analyst", "/crime/daily?date=2026-03-10", "Daily dashboard"),
    ("supervisor", "/crime/daily?date=2026-03-10", "Daily dashboard"),
    ("supervisor", "/crime/daily/crimes?date=2026-03-10&crime_type=Drugs", "Crimes solved on 10 March 2026"),
    ("performance.analyst", "/crime?month=March", "Crime performance"),
])
def test_crime_page_has_no_wcag_violation(demo_tab, role, address, heading):
    tab = demo_tab(init_script=AXE)
    tab.sign_in(role)
    tab.page.goto(address)
    assert tab.page.get_by_role("heading", level=1).inner_text() == heading
    assert get_violations(tab) == []
    # The refused month answers 400, which the browser notes twice; nothing else may go wrong.
    refused = "month=March" in address
    assert [p for p in tab.problems if not (refused and ("400" in p))] == []
