"""The small demo force, linked once per session (tests/conftest.py's linked_small_demo), and
the casebook users the firearms tests act as."""

from pathlib import Path

import pytest

from peel.casebook import db, users
from peel.warehouse import connect

OFFICER, SECOND_OFFICER, PCC_OFFICE = "l.officer", "l.second", "pcc.office"
PURPOSE = "checking renewals and safeguarding for the firearms tests"


def add_staff(session) -> None:
    users.add_user(session, "admin", "administrator", acting=None, identity_provider="https://sso.test",
                   external_subject="admin")
    for name, role in ((OFFICER, "licensing_officer"), (SECOND_OFFICER, "licensing_officer"),
                       (PCC_OFFICE, "pcc_scrutiny_officer")):
        users.add_user(session, name, role, acting="admin", identity_provider="https://sso.test",
                       external_subject=name)


@pytest.fixture(scope="session")
def linked_demo(linked_small_demo) -> Path:
    """PEEL_HOME of the small demo force whose persons (holders among them) are linked, with
    the firearms tests' users in its casebook."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(linked_small_demo))
        with db.transaction() as session:
            add_staff(session)
    return linked_small_demo


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
