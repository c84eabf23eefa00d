"""The crime map in a real browser (Debian's chromium) over the county demo force: axe-core
finds no WCAG 2.2 AA violation on the map page, with its choropleth or with an error, and an
analyst chooses a district and the 12 months and downloads the map's figures."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from .test_accessibility import AXE, get_violations
from .test_crime_browser import demo_server, demo_tab  # noqa: F401 (fixtures)


@pytest.mark.parametrize("address", [
    "/crime/map",
    "/crime/map?crime_type=shoplifting&area=X01000003&month=2025-11&months=12",
    "/crime/map?crime_type=piracy",
])
def test_map_page_has_no_wcag_violation(demo_tab, address):  # noqa: F811 (a fixture)
    tab = demo_tab(init_script=AXE)
    tab.sign_in("performance.analyst")
    tab.page.goto(address)
    assert tab.page.get_by_role("heading", level=1).inner_text() == "Crime map"
    assert get_violations(tab) == []
    # The refused crime type answers 400, which the browser notes; nothing else may go wrong.
    refused = "piracy" in address
    assert [p for p in tab.problems if not (refused and "400" in p)] == []


def test_analyst_opens_the_map_from_crime_performance_and_downloads_its_figures(demo_tab, tmp_path):  # noqa: F811 (a fixture)
    tab = demo_tab()
    tab.sign_in("performance.analyst")
    tab.page.get_by_role("link", name="Crime performance").click()
    tab.page.get_by_role("link", name="Map of crimes by neighbourhood").click()
    tab.page.get_by_label("Area", exact=True).select_option(label="Dunmere")
    tab.page.get_by_label("Period", exact=True).select_option("12")
    tab.page.get_by_role("button", name="Show").click()
    heading = tab.page.get_by_role("heading", level=2).first.inner_text()
    assert heading.endswith("by neighbourhood, Dunmere: April 2025 to March 2026")
    with tab.page.expect_download() as download:
        tab.page.get_by_role("link", name="XLSX spreadsheet of the figures by neighbourhood").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "Neighbourhood" and sheet.max_row == 66 + 3  # headings, 66, blank, source
    assert tab.problems == []
