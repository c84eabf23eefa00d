"""The small demo force, linked once per session (tests/conftest.py's linked_small_demo), and
the casebook users the firearms tests act as."""

import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from peel.casebook import db, users
from peel.casebook.models import User
from peel.settings import get_settings
from peel.warehouse import connect, open_batch
from peel.web.app import create_app

OFFICER, SECOND_OFFICER, PCC_OFFICE = "l.officer", "l.second", "pcc.office"
PURPOSE = "checking renewals and safeguarding for the firearms tests"
PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
WEB_STAFF = (("web.officer", "licensing_officer"), ("web.pcc", "pcc_scrutiny_officer"))


def add_staff(session) -> None:
    users.add_user(session, "admin", "administrator", acting=None, identity_provider="https://sso.test",
                   external_subject="admin")
    for name, role in ((OFFICER, "licensing_officer"), (SECOND_OFFICER, "licensing_officer"),
                       (PCC_OFFICE, "pcc_scrutiny_officer")):
        users.add_user(session, name, role, acting="admin", identity_provider="https://sso.test",
                       external_subject=name)


@pytest.fixture(scope="session")
def linked_demo(linked_small_demo, tmp_path_factory) -> Path:
    """PEEL_HOME of the small demo force whose persons (holders among them) are linked, with
    the firearms tests' users in its casebook: a copy of its own, because these tests write to
    the warehouse while other areas' session fixtures hold the shared one open for reading."""
    home = tmp_path_factory.mktemp("firearms-demo")
    shutil.copytree(linked_small_demo, home, symlinks=True, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("casebook*", "audit*"))  # the warehouse, not others' users
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(home))
        with db.transaction() as session:
            add_staff(session)
    return home


@pytest.fixture
def demo(linked_demo, monkeypatch):
    """A connection to the linked demo's warehouse, with PEEL_HOME pointing at it."""
    monkeypatch.setenv("PEEL_HOME", str(linked_demo))
    con = connect()
    yield con
    con.close()


@pytest.fixture
def staff(peel_home):
    """An empty casebook with the firearms tests' users."""
    with db.transaction() as session:
        add_staff(session)
    return peel_home


def add_web_staff() -> None:
    """A licensing officer and the PCC's office, able to sign in by password, once."""
    with db.transaction() as session:
        for name, role in WEB_STAFF:
            if session.execute(select(User).where(User.username == name)).scalar_one_or_none() is None:
                users.add_user(session, name, role, acting="admin", password=PASSWORD)


@pytest.fixture
def web(linked_demo, monkeypatch):
    """A client of the web app on the linked demo, with a licensing officer and the PCC's
    office able to sign in by password (``sign_in``)."""
    monkeypatch.setenv("PEEL_HOME", str(linked_demo))  # no warehouse connection held open
    add_web_staff()
    with TestClient(create_app(get_settings()), base_url="https://testserver", follow_redirects=False) as client:
        yield client


def sign_in(client: TestClient, username: str) -> None:
    token = TOKEN.search(client.get("/sign-in").text)[1]
    client.post("/sign-in", data={"csrf_token": token, "username": username, "password": PASSWORD, "next": "/"})


def form_token(client: TestClient) -> str:
    return TOKEN.search(client.get("/").text)[1]


@pytest.fixture
def holder_h1(peel_home):
    """A warehouse connection whose register holds one holder, H1 (system 'licensing')."""
    con = connect()
    with open_batch(con, "licensing") as batch:
        con.execute("INSERT INTO firearms_holder VALUES ('H1', 'licensing:H1', DATE '2010-01-01', 'licensing', ?)",
                    [batch.batch_id])
    yield con
    con.close()
