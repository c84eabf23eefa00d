"""In a real browser: a supervisor decides a review item, an auditor filters the audit log and
verifies it, an analyst decides a linkage pair, anyone reads the public figures; axe-core
finds no WCAG 2.2 AA violation on any of these page types (the review queue, a review item
before and after its purpose, the audit log, its verification, linkage review, a linkage
pair before and after its purpose, the public index and a public publication)."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect
from tests.linkage.people import build_linked_warehouse

from peel.casebook import db, propose
from peel.warehouse import connect

from .test_accessibility import AXE, get_violations
from .test_public import fill_warehouse

REASON = "the alert matches the watchlist image on review"
PURPOSE = "checking the alert before the deployment briefing"


@pytest.fixture(scope="module")
def live_home(live_server, tmp_path_factory):
    """The live server's PEEL_HOME (conftest's ``live_server`` makes it as 'web-live'), with
    a warehouse of linked test people and public figures."""
    [home] = [path for path in tmp_path_factory.getbasetemp().glob("web-live[0-9]*") if path.is_dir()]
    linked, _ = build_linked_warehouse(tmp_path_factory.mktemp("browser-linkage"), seed=5)
    shutil.copy(linked, home / "warehouse.duckdb")
    con = connect(home / "warehouse.duckdb")
    fill_warehouse(con)
    con.close()
    return home


def file_item(home) -> int:
    with db.transaction(f"sqlite:///{home / 'casebook.sqlite'}") as session:
        return propose(session, domain="lfr", kind="lfr_alert", summary="Alert at camera 3",
                       payload={"camera": 3}, by_algorithm="lfr-matcher", subject_ref="W-17")


@pytest.fixture
def axe_tab(open_tab):
    return open_tab(init_script=AXE)


def test_supervisor_decides_a_review_item_in_the_browser(axe_tab, live_home):
    item = file_item(live_home)
    page = axe_tab.page
    axe_tab.sign_in("supervisor")
    page.get_by_role("link", name="Review queue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Review queue"
    assert get_violations(axe_tab) == []
    page.get_by_role("link", name=f"Item {item}", exact=True).click()
    assert get_violations(axe_tab) == []
    page.get_by_label("Why do you need to see this item?").fill(PURPOSE)
    page.get_by_role("button", name="Show the item").click()
    expect(page.get_by_text("W-17")).to_be_visible()
    assert get_violations(axe_tab) == []
    page.get_by_label("Accept").check()
    page.get_by_label("Your reason").fill(REASON)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text(f"Review item {item} accepted.")).to_be_visible()
    assert get_violations(axe_tab) == []
    assert axe_tab.problems == []


def test_auditor_filters_the_audit_log_in_the_browser(axe_tab, live_home):
    file_item(live_home)
    page = axe_tab.page
    axe_tab.sign_in("auditor")
    page.get_by_role("link", name="Audit log").click()
    assert get_violations(axe_tab) == []
    page.get_by_label("Operation").select_option("collection")
    page.get_by_label("Subject reference").fill("W-17")
    page.get_by_role("button", name="Filter").click()
    assert "operation=collection" in page.url and "subject_ref=W-17" in page.url
    operations = page.locator("tbody tr td:nth-child(5)").all_inner_texts()
    assert operations and set(operations) == {"collection"}
    assert get_violations(axe_tab) == []
    page.get_by_role("link", name="Verify the chain").click()
    expect(page.get_by_text("The chain is intact")).to_be_visible()
    assert get_violations(axe_tab) == []
    assert axe_tab.problems == []


def test_analyst_decides_a_linkage_pair_in_the_browser(axe_tab, live_home, monkeypatch):
    # The linkage functions find the warehouse and casebook through the environment, as under
    # `peel serve`: point it at the live server's.
    monkeypatch.setenv("PEEL_HOME", str(live_home))
    page = axe_tab.page
    axe_tab.sign_in("intelligence.analyst")
    page.get_by_role("link", name="Linkage review").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Linkage review"
    assert get_violations(axe_tab) == []
    page.get_by_label("Why are you reviewing pairs?").fill(PURPOSE)
    page.get_by_role("button", name="Queue pairs").click()
    expect(page.get_by_text("near the threshold in the queue")).to_be_visible()
    page.locator("tbody a").first.click()
    assert get_violations(axe_tab) == []
    page.get_by_label("Why do you need to see this pair?").fill(PURPOSE)
    page.get_by_role("button", name="Show the evidence").click()
    expect(page.get_by_role("heading", name="The evidence")).to_be_visible()
    assert get_violations(axe_tab) == []
    page.get_by_label("No, different people (reject the link)").check()
    page.get_by_label("Your reason").fill("different dates of birth on the custody photos")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("decided: non-match.")).to_be_visible()
    assert axe_tab.problems == []


def test_public_pages_open_without_sign_in_and_have_no_wcag_violation(axe_tab, live_home):
    page = axe_tab.page
    page.goto("/public")
    assert get_violations(axe_tab) == []
    page.get_by_role("link", name="Crime and outcomes").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Crime and outcomes: March 2026"
    expect(page.get_by_role("table", name="Crimes recorded, March 2026")).to_be_visible()
    assert get_violations(axe_tab) == []
    page.get_by_role("button", name="Show the month").click()
    assert "month=2026-03" in page.url
    assert axe_tab.problems == []
