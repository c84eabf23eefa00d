"""Clare's Law pages: public-protection staff see cases and candidates for a stated purpose
(logged); other roles are refused; the figures page is open to aggregate readers."""

from __future__ import annotations

import shutil
from datetime import date

from sqlalchemy import select
from tests.dvds.conftest import queue_candidates
from tests.web.conftest import get_username, sign_in

from peel.casebook import db
from peel.casebook.models import AuditEntry

WHY = "checking the week's Clare's Law cases"


def test_show_cases_asks_the_purpose_then_logs_the_listing(client, web_settings):
    sign_in(client, get_username("public_protection_officer"))
    assert "Why do you need to see this?" in client.get("/dvds/cases").text
    page = client.get("/dvds/cases", params={"purpose": WHY})
    assert page.status_code == 200 and "No cases yet." in page.text
    with db.transaction(web_settings.casebook_url, readonly=True) as s:
        logged = s.execute(select(AuditEntry.purpose).where(AuditEntry.operation == "consultation")).scalars().all()
    assert WHY in logged


def test_show_cases_refuses_roles_outside_public_protection(client):
    for role in ("pcc_scrutiny_officer", "licensing_officer", "police_officer"):
        client.cookies.clear()
        sign_in(client, get_username(role))
        assert client.get("/dvds/cases", params={"purpose": WHY}).status_code == 403, role
        assert client.get("/api/dvds/candidates").status_code == 403, role


def test_show_candidates_lists_the_queue_for_public_protection(client):
    sign_in(client, get_username("public_protection_officer"))
    page = client.get("/dvds/candidates")
    assert page.status_code == 200 and "No candidates waiting." in page.text


def test_show_figures_says_no_data_is_loaded_to_the_pccs_office(client):
    sign_in(client, get_username("pcc_scrutiny_officer"))
    page = client.get("/dvds/figures")
    assert page.status_code == 503 and "No data is loaded yet" in page.text



def test_api_figures_gives_the_candidates_and_the_share_accepted(client, web_settings, small_demo_home):
    shutil.copyfile(small_demo_home / "warehouse.duckdb", web_settings.home / "warehouse.duckdb")
    queue_candidates(web_settings.casebook_url, raised=12, declined=1)
    sign_in(client, get_username("pcc_scrutiny_officer"))
    year = str(date.today().year)
    answer = client.get("/api/dvds/figures", params={"year": year}).json()
    assert answer["candidates"] == {"raised": "12", "accepted": "0", "declined": "fewer than 10",
                                    "share_accepted": "not shown (fewer than 10 candidates decided or accepted)"}
    page = client.get("/dvds/figures", params={"year": year}).text
    assert "Right to Know candidates accepted" in page and "not shown (fewer than 10 candidates decided" in page
