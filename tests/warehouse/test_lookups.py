"""The lookup indexes (peel.warehouse.lookups): made at publish, dropped and made again around
a load that replaces much of a table."""

import duckdb
import pytest

from peel.warehouse import open_writer
from peel.warehouse.generations import get_current_file, get_name
from peel.warehouse.lookups import (
    LOOKUP_INDEXES,
    REBUILD_SHARE,
    get_index_name,
    lookups_made_after,
    worth_remaking,
)


def index_names(con) -> set[str]:
    return {name for (name,) in con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()}


@pytest.fixture
def published(tmp_path, monkeypatch):
    monkeypatch.setenv("PEEL_HOME", str(tmp_path))
    with open_writer() as con:
        con.execute("INSERT INTO person_record (record_key, source_system, source_record_id, batch_id) "
                    "SELECT 'a:' || range, 'a', range::VARCHAR, 1 FROM range(1000)")
    return get_current_file(get_name())


def test_every_lookup_index_is_made_when_a_load_publishes(published):
    with duckdb.connect(str(published), read_only=True) as con:
        assert index_names(con) >= {get_index_name(t, c) for t, c in LOOKUP_INDEXES}


def test_a_bulk_write_drops_its_tables_indexes_and_makes_the_same_again(published):
    with open_writer() as con:
        with lookups_made_after(con, "person_record"):
            assert "person_record_record_key" not in index_names(con)
            assert "pole_link_from_key" in index_names(con)  # a table it does not write keeps its
            con.execute("DELETE FROM person_record WHERE source_system = 'a'")
        assert index_names(con) >= {"person_record_record_key", "person_record_event_key"}


def test_a_failed_bulk_write_still_makes_the_indexes_again(published):
    with duckdb.connect(str(published)) as con:
        with pytest.raises(RuntimeError), lookups_made_after(con, "person_record", "pole_link"):
            raise RuntimeError("the load failed")
        assert index_names(con) >= {get_index_name(t, c) for t, c in LOOKUP_INDEXES
                                    if t in ("person_record", "pole_link")}


def test_indexes_are_remade_only_for_a_load_replacing_a_large_share():
    assert not worth_remaking(47_096, 990_442)  # the demo's custody reload: 4.8%
    assert worth_remaking(int(REBUILD_SHARE * 1000), 1000)
    assert not worth_remaking(10, 0)  # an empty table has none to drop
