"""The LFR pages in a real browser (Debian's chromium) over the small demo force: the public
register shows nothing personal, and it and the operators' register pass axe-core's WCAG 2.2
AA checks with the Content-Security-Policy holding."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.crime.demo_site import copy_demo_site
from tests.web.conftest import FORCE_NAME, open_tab_on, serve_on_loopback, staff_casebook  # noqa: F401
from tests.web.test_accessibility import AXE, get_violations

from peel.settings import get_settings
from peel.web.app import create_app


@pytest.fixture(scope="module")
def lfr_server(lfr_demo, staff_casebook, tmp_path_factory):  # noqa: F811
    home = copy_demo_site(lfr_demo, staff_casebook, tmp_path_factory.mktemp("lfr-browser"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(home))
        with serve_on_loopback(create_app(replace(get_settings(), secret_key=None), force_name=FORCE_NAME)) as address:
            yield address


@pytest.fixture
def lfr_tab(browser, lfr_server):
    contexts = []
    yield lambda: open_tab_on(browser, lfr_server, contexts, init_script=AXE)
    for context in contexts:
        context.close()


def test_public_register_shows_deployments_and_nothing_personal(lfr_tab, lfr_demo):
    tab = lfr_tab()
    tab.page.goto("/public/lfr/deployments")
    text = tab.page.locator("main").inner_text()
    assert "Upcoming" in text and "Past deployments" in text
    subjects = [r[0] for r in lfr_demo.con.execute("SELECT DISTINCT subject_ref FROM lfr_alert").fetchall()]
    officers = [r[0] for r in lfr_demo.con.execute("SELECT DISTINCT recorded_by FROM lfr_deletion").fetchall()]
    assert subjects and not [s for s in subjects + officers if s in text]
    assert "WL-" not in tab.page.content()
    assert get_violations(tab) == []
    tab.page.goto("/public/lfr-fairness")
    assert "fewer than 10" in tab.page.locator("main").inner_text()
    assert get_violations(tab) == []
    assert tab.problems == []


def test_operator_register_and_deployment_pages_pass_axe(lfr_tab, lfr_demo):
    tab = lfr_tab()
    tab.sign_in("lfr.operator")
    tab.page.goto("/lfr")
    assert get_violations(tab) == []
    ref = next(iter(lfr_demo.truth["deletion_gaps"]))
    tab.page.get_by_role("link", name=ref).first.click()
    assert tab.page.get_by_role("heading", level=1).inner_text() == f"Deployment {ref}"
    assert get_violations(tab) == []
    assert tab.problems == []


def test_plan_form_shows_the_errors_then_plans_the_deployment(lfr_tab):
    tab = lfr_tab()
    tab.sign_in("lfr.operator")
    tab.page.goto("/lfr/plans/new")
    tab.page.get_by_label("Location").fill("Chalk Town bus station")
    tab.page.get_by_role("button", name="Plan the deployment").click()
    summary = tab.page.locator(".govuk-error-summary")
    assert "Choose why this location" in summary.inner_text()
    assert tab.page.get_by_label("Location").input_value() == "Chalk Town bus station"  # kept
    assert get_violations(tab) == []
    tab.page.get_by_label("Footfall").check()
    tab.page.get_by_label("Starts").fill("2030-05-02 10:00")
    tab.page.get_by_label("Ends").fill("2030-05-02 16:00")
    tab.page.get_by_label("Purpose").fill("Locate people wanted on warrant")
    tab.page.get_by_label("Authorising officer", exact=True).fill("Supt Reid")
    tab.page.get_by_label("Superintendent", exact=True).check()
    tab.page.get_by_label("Watchlist size").fill("2500")
    tab.page.get_by_label("Wanted on warrant").check()
    tab.page.get_by_label("Matcher threshold").fill("0.64")
    tab.page.get_by_role("button", name="Plan the deployment").click()
    assert "Planned as case" in tab.page.locator("main").inner_text()
    assert tab.page.get_by_role("row", name="Chalk Town bus station").count() == 1
    # the refused post answers 400 (the browser notes it twice: the response and the console)
    assert len(tab.problems) == 2 and all("400" in p for p in tab.problems), tab.problems
