"""A licensing officer works a renewal case through a stage in a real browser (Debian's
chromium, the session's one ``browser``) on the linked demo: the case page's form records
the next stage, and the page shows it with its date and who did it."""

from dataclasses import replace

import pytest
from tests.web.conftest import open_tab_on, serve_on_loopback

from peel.casebook import InvalidInput, db
from peel.firearms.backlog import oldest_cases
from peel.firearms.caseload import open_from_register
from peel.settings import get_settings
from peel.warehouse import connect
from peel.web.app import create_app

from .conftest import PURPOSE, add_web_staff

OFFICER = "web.officer"


@pytest.fixture
def officer_tab(browser, linked_demo, monkeypatch):
    """A tab on the app over the linked demo, signed in as a licensing officer."""
    monkeypatch.setenv("PEEL_HOME", str(linked_demo))
    add_web_staff()
    contexts = []
    with serve_on_loopback(create_app(replace(get_settings(), secret_key=None))) as address:
        tab = open_tab_on(browser, address, contexts)
        tab.sign_in(OFFICER)
        yield tab
        for context in contexts:
            context.close()


def open_a_renewal() -> int:
    """A case for an outstanding renewal no other test has opened yet."""
    con = connect(read_only=True)
    refs = [r["application_ref"] for r in oldest_cases(con, OFFICER, purpose=PURPOSE, limit=200)]
    con.close()
    settings = get_settings()
    for ref in reversed(refs):  # the other tests open the oldest first
        try:
            with db.transaction() as session:
                return open_from_register(session, settings.warehouse_path, OFFICER, ref, purpose=PURPOSE)
        except InvalidInput:  # already a case: try the next
            continue
    raise AssertionError("no outstanding renewal left to open")


def test_officer_records_the_checks_stage_on_the_case_page(officer_tab):
    case_id = open_a_renewal()
    page = officer_tab.page
    page.goto(f"/firearms/cases/{case_id}?purpose={PURPOSE}")
    assert page.get_by_role("heading", name="Record the next stage: Checks").is_visible()
    page.get_by_label("Done on (YYYY-MM-DD)").fill("2026-03-11")
    page.get_by_role("button", name="Record checks").click()
    row = page.locator("tbody tr", has_text="Checks")
    assert row.locator("td").all_inner_texts() == ["Checks", "2026-03-11", OFFICER]
    assert page.get_by_role("heading", name="Record the next stage: Medical information").is_visible()
    assert officer_tab.problems == []
