"""Shared fixtures: every test gets its own PEEL_HOME, so its warehouse and casebook are real
files in a temporary folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from peel.demo import DemoSummary, generate_demo_force
from peel.warehouse import connect

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def peel_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "peel-home"
    monkeypatch.setenv("PEEL_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.fail(f"The shared data folder is missing: expected {SHARED_DATA}")
    return SHARED_DATA


# The default demo run (what `peel demo-data` loads), without the persons generator, which has
# its own tests: full volume, 2022-01..2026-03 as known on 2026-03-11. Generated once per session.
COUNTY_RUN = {
    "size": 1.0,
    "start": "2022-01",
    "end": "2026-03",
    "seed": 42,
    "as_of": "2026-03-11",
    "persons": False,
}


@dataclass
class DemoRun:
    home: Path
    con: duckdb.DuckDBPyConnection
    summary: DemoSummary


@pytest.fixture(scope="session")
def county_demo(tmp_path_factory) -> DemoRun:
    home = tmp_path_factory.mktemp("county-demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEEL_HOME", str(home))
        con = connect()
        summary = generate_demo_force(con, **COUNTY_RUN)
    yield DemoRun(home=home, con=con, summary=summary)
    con.close()
