"""Demo-force fixtures: generated once per test session into their own PEEL_HOME, read by many
tests (the generator is deterministic, so sharing a run loses nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from peel.demo import DemoSummary, generate_demo_force
from peel.warehouse import connect

# The default demo run (what `peel demo-data` loads), without the persons generator, which has
# its own tests: full volume, 2022-01..2026-03 as known on 2026-03-11.
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
