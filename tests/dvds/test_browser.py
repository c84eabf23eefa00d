"""The Clare's Law pages in a real browser (Debian's chromium) over the small demo force: a
public-protection officer declines a Right to Know candidate, giving a purpose to see it and a
reason to decide it; the PCC's office reads the figures with the share of candidates accepted;
anyone reads the public Clare's Law figures without signing in.
axe-core finds no WCAG 2.2 AA violation, and the Content-Security-Policy holds."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from playwright.sync_api import expect
from tests.web.conftest import (  # noqa: F401
    FORCE_NAME,
    get_username,
    open_tab_on,
    serve_on_loopback,
    staff_casebook,
)
from tests.web.test_accessibility import AXE, get_violations

from peel.casebook import db, review
from peel.dvds.recognition import ALGORITHM, CANDIDATE_KIND
from peel.settings import get_settings
from peel.web.app import create_app

PAYLOAD = {"key": "7-8", "evidence_ids": ["shared_address:CK4 7QT / 12"], "person": 7, "partner": 8, "score": 0.6,
           "threshold": 0.35, "history": [{"event": "demo_crime_records:C1", "day": "2024-05-01",
                                           "record": "demo_crime_records:V1", "p": 1.0}],
           "evidence": [{"kind": "shared_address", "what": "CK4 7QT / 12", "day": "2025-09-01",
                         "records": ["demo_custody:A1", "demo_incidents:B2"], "p": 1.0}]}


@pytest.fixture(scope="module")
def dvds_server(small_demo_home, staff_casebook, tmp_path_factory):  # noqa: F811
    """The app over a copy of the small demo force, with one Right to Know candidate queued."""
    home = tmp_path_factory.mktemp("dvds-browser")
    shutil.copyfile(small_demo_home / "warehouse.duckdb", home / "warehouse.duckdb")
    shutil.copyfile(staff_casebook, home / "casebook.sqlite")
    shutil.copyfile(staff_casebook.with_name("audit-key"), home / "audit-key")
    with db.transaction(f"sqlite:///{home / 'casebook.sqlite'}") as s:
        item = review.propose(s, domain="dvds", kind=CANDIDATE_KIND, summary="Right to Know candidate: abuse "
                              "history, then a new partner (living at the same address); score 0.60",
                              payload=PAYLOAD, by_algorithm=ALGORITHM, subject_ref="entity:7")
    db.dispose_engines()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(home))
        settings = replace(get_settings(), secret_key=None)
        with serve_on_loopback(create_app(settings, force_name=FORCE_NAME)) as address:
            yield address, item


@pytest.fixture
def tab(browser, dvds_server):
    contexts: list = []
    yield open_tab_on(browser, dvds_server[0], contexts, init_script=AXE)
    for context in contexts:
        context.close()


def test_decide_candidate_in_the_browser_with_a_purpose_and_a_reason(tab, dvds_server):
    item, page = dvds_server[1], tab.page
    tab.sign_in(get_username("public_protection_officer"))
    page.get_by_role("link", name="Right to Know candidates").click()
    page.get_by_role("link", name=f"Candidate {item}", exact=True).click()
    page.get_by_label("Why do you need to see this?").fill("deciding this week's Right to Know candidates")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("CK4 7QT / 12 on 2025-09-01")).to_be_visible()
    assert get_violations(tab) == []
    page.get_by_label("Decline").check()
    page.get_by_label("Reason (logged)").fill("the new partner is a lodger, not a partner")
    page.get_by_role("button", name="Decide").click()
    expect(page.get_by_text(f"Candidate {item}: declined.")).to_be_visible()
    assert get_violations(tab) == []
    assert tab.problems == []


def test_show_figures_in_the_browser_for_the_pccs_office(tab):
    tab.sign_in(get_username("pcc_scrutiny_officer"))
    tab.page.goto("/dvds/figures?year=2025")
    assert tab.page.get_by_role("heading", level=1).inner_text() == "Clare's Law figures"
    expect(tab.page.get_by_text("Right to Know candidates accepted")).to_be_visible()
    assert get_violations(tab) == []
    assert tab.problems == []


def test_public_clares_law_in_the_browser_without_signing_in(tab):
    tab.page.goto("/public/clares-law?month=2026-03")
    assert tab.page.get_by_role("heading", level=1).inner_text() == "Clare's Law: March 2026"
    expect(tab.page.get_by_role("region", name="Clare's Law requests")).to_contain_text("fewer than 10")
    assert get_violations(tab) == []
    assert tab.problems == []
