"""axe-core finds no WCAG 2.2 AA violation on the page types the police officer's role added:
the start page with the daily dashboard's counts (yesterday's, empty, and a day with crimes),
and the officer's daily dashboard and crime list."""

from __future__ import annotations

from datetime import date

import pytest

from peel.crime import daily as daily_data

from .test_accessibility import AXE, get_violations
from .test_crime_browser import demo_server, demo_tab  # noqa: F401 (fixtures)


@pytest.mark.parametrize("address, heading", [
    ("/", "Police officer"),
    ("/crime/daily?date=2026-03-11", "Daily dashboard"),
    ("/crime/daily/crimes?date=2026-03-11", "Crimes solved on 11 March 2026"),
])
def test_officer_page_has_no_wcag_violation(demo_tab, address, heading):  # noqa: F811 (a fixture)
    tab = demo_tab(init_script=AXE)
    tab.sign_in("police.officer")
    tab.page.goto(address)
    assert tab.page.get_by_role("heading", level=1).inner_text() == heading
    assert get_violations(tab) == []
    assert tab.problems == []


def test_start_page_with_a_days_counts_has_no_wcag_violation(demo_tab, monkeypatch):  # noqa: F811 (a fixture)
    """The panel on a day with crimes solved: its table of counts, each a link. The server runs
    in this process (a thread), so its "yesterday" can be set to a day the demo has."""
    monkeypatch.setattr(daily_data, "get_yesterday", lambda: date(2026, 3, 11))
    tab = demo_tab(init_script=AXE)
    tab.sign_in("police.officer")
    panel = tab.page.locator(".peel-start-panel")
    assert panel.locator("a[href^='/crime/daily/crimes?date=2026-03-11&crime_type=']").count() > 0
    assert get_violations(tab) == []
    assert tab.problems == []
