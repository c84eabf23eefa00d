"""The small demo force with its persons and firearms register, linked once per session
(about a minute), and the casebook users the firearms tests act as."""

from pathlib import Path

import pytest

from peel.casebook import db, users
from peel.demo import generate_small_demo_force
from peel.linkage.warehouse_run import combine_warehouse
from peel.warehouse import connect

SERVICE_JOB = "nightly.ingest"  # as tests/conftest.py's service_job
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
def linked_demo(tmp_path_factory) -> Path:
    """PEEL_HOME of a small demo force whose persons (holders among them) are linked."""
    home = tmp_path_factory.mktemp("firearms-demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(home))
        con = connect()
        generate_small_demo_force(con)
        con.close()
        with db.transaction() as session:
            add_staff(session)
            users.add_user(session, SERVICE_JOB, "ingest_service", acting="admin", password=users.new_service_key(),
                           identity_provider=users.SERVICE_PROVIDER)
        combine_warehouse(SERVICE_JOB, purpose="nightly load and linkage of the force's extracts")
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
