"""Clare's Law fixtures: the casebook's (each test on SQLite and PostgreSQL, one user per role)."""

from __future__ import annotations

import pytest
from tests.casebook.conftest import casebook_url, staff  # noqa: F401 (fixtures used by name)
from tests.web.conftest import client, staff_casebook, web_settings  # noqa: F401

from peel.demo import generate_small_demo_force
from peel.warehouse import connect

OFFICER = "public.protection.officer"
KNOWN = {"demo_custody:A1", "demo_custody:A2", "entity:7"}


def known_person(ref: str) -> bool:
    return ref in KNOWN


@pytest.fixture(scope="session")
def small_demo_home(tmp_path_factory):
    """A PEEL_HOME holding the small demo force (no linkage), generated once."""
    home = tmp_path_factory.mktemp("dvds-demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(home))
        con = connect()
        generate_small_demo_force(con)
        con.close()
    return home


@pytest.fixture(scope="session")
def warehouse(small_demo_home):
    """The small demo force's warehouse, read only, for the figures and the pack section."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(small_demo_home))
        con = connect(read_only=True)
    yield con
    con.close()
