"""The test-sized demo force with its persons, linked once for the package (the generator and
the linkage run are deterministic, so sharing them loses nothing), and a casebook with the
staff a pack passes through: its author, a second analyst, a supervisor, a police officer."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.casebook.conftest import add_staff

from peel.casebook import db
from peel.warehouse import connect

PURPOSE = "Operation Kestrel: profile of a subject for the tasking meeting"


@dataclass(frozen=True)
class LinkedDemo:
    warehouse: Path
    truth: Path


@pytest.fixture(scope="package")
def linked_demo(linked_small_demo) -> LinkedDemo:
    return LinkedDemo(linked_small_demo / "warehouse.duckdb", linked_small_demo / "demo" / "truth")


@pytest.fixture
def warehouse(linked_demo, peel_home) -> Path:
    """A copy of the linked demo warehouse as this test's PEEL_HOME warehouse, free to edit."""
    peel_home.mkdir(parents=True, exist_ok=True)
    path = peel_home / "warehouse.duckdb"
    shutil.copy(linked_demo.warehouse, path)
    return path


@pytest.fixture
def staff(peel_home, monkeypatch) -> dict[str, str]:
    url = f"sqlite:///{peel_home / 'casebook.sqlite'}"
    monkeypatch.setenv("PEEL_CASEBOOK_URL", url)
    add_staff(url, "admin", "administrator", acting=None)
    names = {"author": "analyst.one", "second_analyst": "analyst.two", "supervisor": "sgt.smith",
             "officer": "pc.jones"}
    for role, username in (("intelligence_analyst", "analyst.one"), ("intelligence_analyst", "analyst.two"),
                           ("supervisor", "sgt.smith"), ("police_officer", "pc.jones")):
        add_staff(url, username, role)
    yield names
    db.dispose_engines()


def entity_with(con, *, events: int = 3, intelligence: bool = False) -> int:
    """An entity of the latest run with at least ``events`` events (and an intelligence report)."""
    return con.execute(
        """SELECT e.entity_id FROM linkage_entity e JOIN person_record p USING (record_key)
           WHERE e.run_id = (SELECT max(run_id) FROM linkage_run)
           GROUP BY e.entity_id
           HAVING count(DISTINCT p.event_key) >= ? AND (NOT ? OR bool_or(p.source_system = 'demo_intelligence'))
           ORDER BY count(*), e.entity_id LIMIT 1""", [events, intelligence]).fetchone()[0]


@pytest.fixture
def subject(warehouse) -> str:
    """A person with a few events in this test's warehouse, as a pack names one."""
    con = connect(warehouse, read_only=True)
    try:
        return f"entity:{entity_with(con, events=3)}"
    finally:
        con.close()
