"""Loading the demo force: deterministic, replacing not duplicating, all or nothing."""

from __future__ import annotations

import pandas as pd
import pytest

import peel.demo.load as demo_load
from peel.demo import generate_demo_force
from peel.demo.domains import GENERATORS
from peel.warehouse import connect
from peel.warehouse.sql import quote_identifier

TABLES = {
    "area": ["area_code"],
    "crime": ["crime_key"],
    "outcome": ["crime_key", "outcome_date", "outcome_type"],
    "arrest": ["arrest_key"],
}
# Small and quick: a tenth of the volume over nine months.
TINY = {"size": 0.1, "start": "2025-07", "end": "2026-03", "as_of": "2026-03-11", "persons": False}


def _read_tables(con) -> dict[str, pd.DataFrame]:
    # batch_id is provenance (which load), not content.
    tables = {}
    for table, order in TABLES.items():
        by = ", ".join(quote_identifier(c) for c in order)
        sql = f"SELECT * EXCLUDE (batch_id) FROM {quote_identifier(table)} ORDER BY {by}"
        tables[table] = con.execute(sql).df()
    return tables


def _generate_into(home, monkeypatch, seed):
    monkeypatch.setenv("PEEL_HOME", str(home))
    con = connect()
    generate_demo_force(con, seed=seed, **TINY)
    return con


def test_generate_demo_force_same_seed_gives_identical_tables(tmp_path, monkeypatch):
    first = _read_tables(_generate_into(tmp_path / "a", monkeypatch, seed=3))
    again = _read_tables(_generate_into(tmp_path / "b", monkeypatch, seed=3))
    for table in TABLES:
        assert len(first[table]) > 0
        pd.testing.assert_frame_equal(first[table], again[table])


def test_generate_demo_force_different_seed_gives_different_tables(tmp_path, monkeypatch):
    first = _read_tables(_generate_into(tmp_path / "a", monkeypatch, seed=3))
    other = _read_tables(_generate_into(tmp_path / "b", monkeypatch, seed=4))
    for table in TABLES:
        assert not first[table].equals(other[table]), table


def test_generate_demo_force_rerun_replaces_rather_than_duplicates(peel_home):
    con = connect()
    generate_demo_force(con, seed=5, **TINY)
    generate_demo_force(con, seed=6, **TINY)
    summary = generate_demo_force(con, seed=5, **TINY)
    for table, key in [("area", "area_code"), ("crime", "crime_key"), ("arrest", "arrest_key")]:
        sql = f"SELECT count(*), count(DISTINCT {quote_identifier(key)}) FROM {quote_identifier(table)}"
        rows, keys = con.execute(sql).fetchone()
        assert rows == keys == summary.counts[table]
    assert con.execute("SELECT count(*) FROM outcome").fetchone()[0] == summary.counts["outcome"]
    # Every committed row belongs to the last run's batches.
    batches = con.execute(
        "SELECT source_system, max(batch_id) FROM ingest_batch GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert {"demo_crime_records", "demo_custody"} <= {b[0] for b in batches}  # and one per domain generator
    latest = {source: batch for source, batch in batches}
    stale = con.execute(
        "SELECT count(*) FROM crime WHERE batch_id <> ?", [latest["demo_crime_records"]]
    ).fetchone()[0]
    assert stale == 0


def test_load_crime_records_failure_leaves_the_previous_load_whole(peel_home, monkeypatch):
    con = connect()
    summary = generate_demo_force(con, seed=5, **TINY)
    before = _read_tables(con)
    real_insert = demo_load._insert

    def failing_insert(con, table, frame, batch_id):
        if table == "outcome":  # after areas and crimes were deleted and rewritten
            raise RuntimeError("disk full")
        return real_insert(con, table, frame, batch_id)

    monkeypatch.setattr(demo_load, "_insert", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        generate_demo_force(con, seed=9, **TINY)
    after = _read_tables(con)
    for table in TABLES:
        pd.testing.assert_frame_equal(before[table], after[table])
    assert con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0] == 2 + len(GENERATORS)  # one each
    assert summary.counts["crime"] == len(after["crime"])


def test_generate_demo_force_keeps_other_sources_rows(peel_home):
    con = connect()
    con.execute(
        """INSERT INTO crime (crime_key, source_system, source_record_id, batch_id, month, crime_type)
           VALUES ('police_uk:abc', 'police_uk', 'abc', 0, DATE '2025-01-01', 'Burglary')"""
    )
    generate_demo_force(con, seed=5, **TINY)
    generate_demo_force(con, seed=5, **TINY)
    assert (
        con.execute("SELECT count(*) FROM crime WHERE source_system = 'police_uk'").fetchone()[0]
        == 1
    )


def test_generate_demo_force_rejects_bad_options_with_what_to_give(peel_home):
    con = connect()
    with pytest.raises(ValueError, match="--end .* is before --start"):
        generate_demo_force(con, start="2025-06", end="2025-01", persons=False)
    with pytest.raises(ValueError, match="--size: expected a positive scale"):
        generate_demo_force(con, size=0, persons=False)
    with pytest.raises(ValueError, match="--as-of: .* is not a date: expected YYYY-MM-DD"):
        generate_demo_force(con, as_of="11/03/2026", persons=False)
    assert con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0] == 0
