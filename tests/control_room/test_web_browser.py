"""The staffing proposals page in a real browser (Debian's chromium): a control-room manager
changes the algorithm's proposal hour by hour, with a reason, through the page's own form."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect
from tests.web.conftest import (  # noqa: F401 (fixtures)
    FORCE_NAME,
    get_username,
    open_tab_on,
    serve_on_loopback,
    staff_casebook,
    web_settings,
)

from peel.casebook import transaction
from peel.control_room.proposal import plan_week, propose_staffing
from peel.web.app import create_app


def test_decide_proposal_in_a_browser_records_the_manager_s_change(browser, control_room_demo,
                                                                   web_settings):  # noqa: F811 (fixture)
    plan = plan_week(control_room_demo.con, date(2025, 11, 3))
    with transaction(web_settings.casebook_url) as session:
        item = propose_staffing(session, get_username("control_room_service"), plan)
    label = plan.hours["label"][8]
    contexts = []
    # Its own server over this test's casebook: the session's live server is shared, and a
    # proposal filed there would show in other tests' queues.
    with serve_on_loopback(create_app(web_settings, force_name=FORCE_NAME)) as address:
        try:
            tab = open_tab_on(browser, address, contexts)
            tab.sign_in(get_username("control_room_manager"))
            page = tab.page
            page.goto("/control-room/proposals")
            page.get_by_label("change", exact=True).check()
            page.get_by_label("For a change").fill(f"{label}=9")
            page.get_by_label("Reason").fill("Derby fixture that evening")
            page.get_by_role("button", name="Decide").click()
            page.wait_for_url(f"**/control-room/proposals?decided={item}")
            expect(page.get_by_text(f"Proposal {item} decided.")).to_be_visible()
            expect(page.get_by_text(f"Decided by {get_username('control_room_manager')}: Derby fixture that "
                                    f"evening (changed: {label} to 9)")).to_be_visible()
            assert page.get_by_role("button", name="Decide").count() == 0  # decided once, no form left
            assert tab.problems == []
        finally:
            for context in contexts:
                context.close()
