"""The firearms pages and API on the linked demo: aggregates for the PCC's office, the
oldest cases only for licensing staff, with a purpose, logged."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from peel.casebook import db, users
from peel.casebook.models import AuditEntry, User
from peel.settings import get_settings
from peel.web.app import create_app

from .conftest import PURPOSE

PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def browser(linked_demo, monkeypatch):
    monkeypatch.setenv("PEEL_HOME", str(linked_demo))  # no warehouse connection held open
    with db.transaction() as session:
        for name, role in (("web.officer", "licensing_officer"), ("web.pcc", "pcc_scrutiny_officer")):
            if session.execute(select(User).where(User.username == name)).scalar_one_or_none() is None:
                users.add_user(session, name, role, acting="admin", password=PASSWORD)
    with TestClient(create_app(get_settings()), base_url="https://testserver", follow_redirects=False) as client:
        yield client


def sign_in(client: TestClient, username: str) -> None:
    token = TOKEN.search(client.get("/sign-in").text)[1]
    client.post("/sign-in", data={"csrf_token": token, "username": username, "password": PASSWORD, "next": "/"})


def test_backlog_page_shows_the_pccs_office_the_aggregates(browser):
    sign_in(browser, "web.pcc")
    page = browser.get("/firearms", params={"staff": 10})
    assert page.status_code == 200
    assert "renewals outstanding" in page.text and "80% interval" in page.text
    answer = browser.get("/api/firearms/backlog").json()
    assert answer["outstanding"] == sum(answer["outstanding_by_year_due"].values())


def test_oldest_refused_to_the_pccs_office(browser):
    sign_in(browser, "web.pcc")
    assert browser.get("/firearms/oldest", params={"purpose": PURPOSE}).status_code == 403
    assert browser.get("/api/firearms/oldest", params={"purpose": PURPOSE}).status_code == 403


def test_oldest_api_shows_a_licensing_officer_and_logs_it(browser):
    sign_in(browser, "web.officer")
    rows = browser.get("/api/firearms/oldest", params={"purpose": PURPOSE, "limit": 3}).json()
    assert len(rows) == 3
    with db.transaction(readonly=True) as session:
        logged = session.execute(select(AuditEntry.subject_ref).where(
            AuditEntry.actor == "web.officer", AuditEntry.purpose == PURPOSE)).scalars().all()
    assert {r["holder_ref"] for r in rows} <= set(logged)
