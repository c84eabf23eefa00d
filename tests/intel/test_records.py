"""records: what a pack reads from the warehouse, by key, and how DuckDB answers it."""

from __future__ import annotations

import pytest

from peel.intel import records
from peel.intel.assemble import assemble
from peel.intel.statements import verify_statements
from peel.intel.subject import resolve_subject
from peel.warehouse import connect

from .conftest import entity_with


class Explained:
    """A connection that also runs each statement as EXPLAIN ANALYZE, keeping the plans."""

    def __init__(self, con):
        self.con = con
        self.plans: list[tuple[str, str]] = []

    def execute(self, sql, params=None):
        self.plans.append((sql, self.con.execute(f"EXPLAIN ANALYZE {sql}", params).fetchall()[0][1]))
        return self.con.execute(sql, params)


@pytest.fixture(scope="module")
def con(linked_demo):
    con = connect(linked_demo.warehouse, read_only=True)
    yield con
    con.close()


def test_select_by_keys_is_answered_from_an_index_for_every_lookup_a_pack_makes(con, monkeypatch):
    explained = Explained(con)
    lookups = []

    def select_by_keys(_, table, column, keys, columns="*"):
        lookups.append((table, column))
        return select(explained, table, column, keys, columns)

    select = records.select_by_keys
    monkeypatch.setattr(records, "select_by_keys", select_by_keys)
    monkeypatch.setattr("peel.intel.assemble.select_by_keys", select_by_keys)
    statements = assemble(con, resolve_subject(con, f"entity:{entity_with(con, events=3)}"))
    assert verify_statements(con, [s.to_dict() for s in statements]).passed
    # A person's records, links, events, associates, entities and scored pairs: each by key.
    assert {("person_record", "record_key"), ("person_record", "event_key"), ("pole_link", "from_key"),
            ("pole_link", "to_key"), ("linkage_entity", "record_key"), ("linkage_pair", "record_key_l"),
            ("linkage_pair", "record_key_r"), ("event", "event_key")} <= set(lookups)
    # None reads its table through: each is an index scan, or answered from the column's
    # statistics alone (keys outside its range).
    indexed = {"person_record", "pole_link", "event", "intel_report", "linkage_entity", "linkage_pair"}
    scans = [sql for sql, plan in explained.plans if sql.split(" FROM ")[1].split()[0].strip('"') in indexed
             and "Sequential Scan" in plan]
    assert scans == []
    assert any("Index Scan" in plan for _, plan in explained.plans)
