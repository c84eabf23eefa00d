"""The shared warehouse the read-only police.uk tests query."""

from __future__ import annotations

import pytest

from peel.sources.police_uk import ingest_police_uk
from peel.warehouse import connect


@pytest.fixture(scope="session")
def loaded(tmp_path_factory, police_uk_dir):
    """One warehouse with all the real Hertfordshire files loaded (shared: a load takes seconds)."""
    con = connect(tmp_path_factory.mktemp("loaded") / "warehouse.duckdb")
    result = ingest_police_uk(con, [police_uk_dir])
    yield con, result
    con.close()
