"""The meeting's pages (peel.pack.web): the pack for any month, downloaded as PDF or HTML, and
the meeting actions, recorded by the PCC's office and updated by the force; axe-core finds no
WCAG 2.2 AA violation on them."""

from __future__ import annotations

import html
import shutil

import pytest

from peel.pack.agenda import read_agenda

from .conftest import FORM_TOKEN, sign_in
from .test_accessibility import get_violations

PCC, ANALYST = "pcc.scrutiny.officer", "performance.analyst"
ACTION = {"meeting": "2026-02", "item": "Burglary", "text": "Report on the Diwali patrols",
          "owner": "Head of Neighbourhood Policing", "due": "2026-04-30"}


@pytest.fixture
def demo_warehouse(county_demo, web_settings):
    """The demo force's warehouse, copied into the app's PEEL_HOME."""
    county_demo.con.execute("CHECKPOINT")
    web_settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(county_demo.home / "warehouse.duckdb", web_settings.warehouse_path)
    return web_settings.warehouse_path


def post_form(client, path: str, form_page: str, data: dict):
    token = FORM_TOKEN.search(client.get(form_page).text)[1]
    return client.post(path, data={"csrf_token": token, **data})


def test_download_pack_serves_any_months_pack_as_pdf_and_html(client, demo_warehouse, web_settings, monkeypatch):
    # The meeting's first item only: this is about serving the pack (its items are tested in
    # tests/pack), and the whole agenda takes four times as long to build.
    first_item = read_agenda()[:1]
    monkeypatch.setattr("peel.pack.build.read_agenda", lambda: first_item)
    sign_in(client, PCC)
    page = client.get("/pack")
    assert page.status_code == 200 and '<option value="2026-03">March 2026</option>' in page.text
    assert '<option value="2023-04">April 2023</option>' in page.text  # 36 months back

    pdf = client.get("/pack/download", params={"month": "2025-11", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == 'attachment; filename="pack-2025-11.pdf"'
    page = client.get("/pack/download", params={"month": "2025-11", "format": "html"})
    assert "Performance pack: November 2025" in page.text
    assert len(list((web_settings.outputs_dir / "web-packs").iterdir())) == 1  # built once, served twice


def test_download_pack_refuses_a_bad_month_or_format_and_roles_without_aggregates(client, demo_warehouse):
    sign_in(client, PCC)
    assert client.get("/pack/download", params={"month": "March", "format": "pdf"}).status_code == 400
    assert client.get("/pack/download", params={"month": "2026-03", "format": "docx"}).status_code == 400
    client.cookies.clear()  # another person, in another browser
    sign_in(client, "administrator")
    assert client.get("/pack").status_code == 403
    assert client.get("/pack/download", params={"month": "2026-03"}).status_code == 403


def test_actions_pages_record_as_the_pccs_office_and_update_as_the_force(client):
    sign_in(client, PCC)
    recorded = post_form(client, "/actions", "/actions", ACTION)
    assert recorded.status_code == 303 and recorded.headers["location"] == "/actions?recorded=1"
    page = html.unescape(client.get("/actions?recorded=1").text)
    assert "Action 1 is recorded." in page and "Report on the Diwali patrols" in page
    assert 'href="/actions/1"' not in page  # the PCC's office does not update actions
    assert client.get("/actions/1").status_code == 403

    client.cookies.clear()  # another person, in another browser
    sign_in(client, ANALYST)
    assert "Record an action" not in client.get("/actions").text
    updated = post_form(client, "/actions/1", "/actions/1", {"status": "done", "evidence": "Report presented"})
    assert updated.status_code == 303
    page = html.unescape(client.get("/actions").text)
    assert '<strong class="govuk-tag govuk-tag--green">Done</strong>' in page
    assert "Report presented" in page and f"({ANALYST}, " in page


def test_actions_pages_show_what_is_wrong_with_a_form(client):
    sign_in(client, PCC)
    refused = post_form(client, "/actions", "/actions", ACTION | {"due": "30/04/2026"})
    assert refused.status_code == 400
    page = html.unescape(refused.text)
    assert "<title>Error: Meeting actions" in page and "'30/04/2026' is not a date" in page
    assert 'value="Report on the Diwali patrols"' in page or "Report on the Diwali patrols</textarea>" in page
    client.cookies.clear()  # another person, in another browser
    sign_in(client, ANALYST)
    assert post_form(client, "/actions", "/actions", ACTION).status_code == 403


@pytest.fixture
def axe_tab(open_tab):
    from .test_accessibility import AXE

    return open_tab(init_script=AXE)


def test_meeting_pages_have_no_wcag_violation(axe_tab):
    page = axe_tab.page
    axe_tab.sign_in(PCC)
    for path in ("/pack", "/actions"):
        page.goto(path)
        assert get_violations(axe_tab) == [], path
    page.get_by_label("Meeting's month").fill("2026-02")
    page.get_by_label("Agenda item").fill("Burglary")
    page.get_by_label("Action", exact=True).fill("Report on the Diwali patrols")
    page.get_by_label("Owner").fill("Head of Neighbourhood Policing")
    page.get_by_label("Due date").fill("not a date")
    page.get_by_role("button", name="Record the action").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:") and get_violations(axe_tab) == []
    page.get_by_label("Due date").fill("2026-04-30")
    page.get_by_role("button", name="Record the action").click()
    page.wait_for_url("**/actions?recorded=*")  # the redirect has landed, not just been sent
    page.wait_for_load_state()
    number = page.url.split("recorded=")[1]
    assert get_violations(axe_tab) == []

    page.context.clear_cookies()  # another person, in another browser
    axe_tab.sign_in(ANALYST)
    page.goto(f"/actions/{number}")
    assert get_violations(axe_tab) == []
    page.get_by_label("Done").check()
    page.get_by_role("button", name="Save the update").click()  # no evidence: refused
    page.wait_for_load_state()
    assert page.title().startswith("Error:") and get_violations(axe_tab) == []
    # Only the two refused forms' answers (400), each also reported on the console; no policy violation.
    assert len(axe_tab.problems) == 4 and all("400" in problem for problem in axe_tab.problems), axe_tab.problems
