"""Every table a page shows downloads as CSV and XLSX (peel.web.downloads) with the page's
content, behind the page's access check: the review queue, the audit log (a disclosure,
logged), linkage review, the meeting actions and the public tables (hidden figures stay
hidden). Crime's tables are tested with crime's pages (tests/crime/test_web.py)."""


from __future__ import annotations

import csv
import io
import json
import re
import shutil

import lxml.html
import pytest
from openpyxl import load_workbook
from tests.casebook.conftest import audit_entries
from tests.linkage.people import build_linked_warehouse

from peel.casebook import db, propose
from peel.warehouse import connect

from .conftest import FORM_TOKEN, get_form_token, sign_in
from .test_public import fill_warehouse

ACTION = {"meeting": "2026-02", "item": "Burglary", "text": "Report on the Diwali patrols",
          "owner": "Head of Neighbourhood Policing", "due": "2026-04-30"}
PURPOSE = "checking whether two custody records are one person for case 881"


def page_table(page: str, number: int = 0) -> list[list[str]]:
    """The page's table ``number``: its heading row, then each body row, as the cells' text."""
    table = lxml.html.fromstring(page).findall(".//table")[number]
    return [[" ".join(cell.text_content().split()) for cell in row.findall("./th") + row.findall("./td")]
            for row in table.iter("tr")]


def read_download(response) -> list[list[str]]:
    """A CSV or XLSX download's rows as text (an XLSX's snapshot line, after a blank row, left out)."""
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(response.text)))
    rows = [["" if v is None else str(v) for v in row]
            for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    return rows[:rows.index([""] * len(rows[0]))] if [""] * len(rows[0]) in rows else rows


def downloads(client, address: str, **params) -> dict[str, list[list[str]]]:
    return {format: read_download(client.get(f"{address}.{format}", params=params)) for format in ("csv", "xlsx")}


def file_item(url: str, domain: str = "lfr", summary: str = "Alert at camera 3") -> int:
    with db.transaction(url) as session:
        return propose(session, domain=domain, kind="lfr_alert", summary=summary, payload={"camera": 3},
                       by_algorithm="lfr-matcher", subject_ref="W-17")


# ---- the review queue ----------------------------------------------------------------------

def test_download_review_queue_holds_the_pages_table(client, web_settings):
    for n in range(3):
        file_item(web_settings.casebook_url, summary=f"Alert at camera {n}")
    sign_in(client, "lfr.operator")
    shown = page_table(client.get("/review").text)
    assert len(shown) == 4
    for rows in downloads(client, "/review", status="pending").values():
        assert rows[0] == shown[0]
        assert [[f"Item {row[0]}", *row[1:]] for row in rows[1:]] == shown[1:]


def test_download_review_queue_is_refused_and_logged_for_a_role_without_a_queue(client, web_settings):
    sign_in(client, "pcc.scrutiny.officer")
    before = len(audit_entries(web_settings.casebook_url))
    assert [client.get(f"/review.{f}").status_code for f in ("csv", "xlsx")] == [403, 403]
    assert [e.operation for e in audit_entries(web_settings.casebook_url)[before:]] == ["refusal"] * 2


# ---- the audit log -------------------------------------------------------------------------

def test_download_audit_log_holds_the_filtered_page_and_logs_the_disclosure(client, web_settings):
    url = web_settings.casebook_url
    item = file_item(url)
    sign_in(client, "lfr.operator")
    assert client.get(f"/review/{item}", params={"purpose": "checking the alert before the briefing"}).status_code == 200
    client.cookies.clear()  # another person, in another browser
    sign_in(client, "auditor")
    filters = {"user": "lfr.operator", "operation": "consultation"}
    shown = page_table(client.get("/audit", params=filters).text)
    assert len(shown) == 2 and shown[1][2:5] == ["lfr.operator", "lfr_operator", "consultation"]
    before = len(audit_entries(url))
    assert read_download(client.get("/audit.csv", params=filters)) == shown
    logged = audit_entries(url)[before:]
    # reading the page (a consultation of the log), then taking it away (a disclosure, per subject)
    assert [(e.operation, e.object_type, e.subject_ref) for e in logged] == [
        ("consultation", "audit_log", None), ("disclosure", "audit_log", "W-17")]
    assert json.loads(logged[1].detail) == {"download": f"audit-log-{shown[1][0]}-to-{shown[1][0]}.csv", "rows": 1}
    assert read_download(client.get("/audit.xlsx", params=filters))[1][2:5] == shown[1][2:5]


def test_download_audit_log_is_refused_and_logged_for_a_role_that_may_not_read_it(client, web_settings):
    sign_in(client, "supervisor")
    before = len(audit_entries(web_settings.casebook_url))
    assert client.get("/audit.csv").status_code == 403
    assert [e.operation for e in audit_entries(web_settings.casebook_url)[before:]] == ["refusal"]


# ---- linkage review ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def linked_warehouse(tmp_path_factory):
    return build_linked_warehouse(tmp_path_factory.mktemp("linkage-downloads"), seed=5)


def test_download_pairs_holds_the_pages_table(client, web_settings, linked_warehouse):
    shutil.copy(linked_warehouse[0], web_settings.warehouse_path)
    sign_in(client, "intelligence.analyst")
    token = get_form_token(client, "/linkage/review")
    assert client.post("/linkage/review/queue", data={"csrf_token": token, "purpose": PURPOSE}).status_code == 303
    shown = page_table(client.get("/linkage/review").text)
    assert len(shown) > 1
    for rows in downloads(client, "/linkage/review").values():
        assert [[f"Pair {row[0]}", row[1]] for row in rows[1:]] == shown[1:] and rows[0] == shown[0]


def test_download_pairs_is_refused_to_a_role_that_may_not_review_links(client):
    sign_in(client, "police.officer")
    assert client.get("/linkage/review.xlsx").status_code == 403


# ---- meeting actions -----------------------------------------------------------------------

def test_download_actions_holds_the_pages_table(client):
    sign_in(client, "pcc.scrutiny.officer")
    for n in range(2):
        token = FORM_TOKEN.search(client.get("/actions").text)[1]
        assert client.post("/actions", data={"csrf_token": token, **ACTION, "item": f"Item {n}"}).status_code == 303
    shown = page_table(client.get("/actions").text)
    assert len(shown) == 3 and shown[1][6] == "Open"
    for rows in downloads(client, "/actions").values():
        assert rows == shown


def test_download_actions_is_refused_to_a_role_without_aggregates(client):
    sign_in(client, "administrator")
    assert client.get("/actions.csv").status_code == 403


# ---- the public tables ---------------------------------------------------------------------

@pytest.fixture
def public_warehouse(peel_home):
    con = connect()
    fill_warehouse(con)
    con.close()


def test_download_public_table_holds_the_pages_table_without_a_hidden_figure(client, public_warehouse):
    page = client.get("/public/crime", params={"month": "2026-03"}).text
    for number in (1, 2, 3):
        shown = page_table(page, number - 1)
        for format, rows in downloads(client, f"/public/crime/table-{number}", month="2026-03").items():
            as_shown = [[f"{int(v):,}" if re.fullmatch(r"\d+", v) else v for v in row] for row in rows]
            assert as_shown == shown, (number, format)
    recorded = read_download(client.get("/public/crime/table-1.csv", params={"month": "2026-03"}))
    assert recorded[1][2] == "fewer than 10" and "not shown" in recorded[1]  # 3 burglaries in Bourne


def test_download_public_table_needs_no_sign_in_and_refuses_a_table_that_is_not_there(client, public_warehouse):
    assert client.get("/public/crime/table-1.xlsx").status_code == 200
    assert client.get("/public/crime/table-4.csv").status_code == 404
