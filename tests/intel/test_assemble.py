"""assemble: what a pack says about a subject, where, and on what grounds - facts apart from
links that rest on record linkage, and intelligence handled as its 3x5x2 grading says."""

from __future__ import annotations

import duckdb
import pytest

from peel.intel.assemble import FACT_PROBABILITY, assemble
from peel.intel.subject import SubjectNotFound, resolve_subject
from peel.warehouse import connect
from peel.warehouse.sql import quote_literal

from .conftest import entity_with


@pytest.fixture(scope="module")
def con(linked_demo):
    con = connect(linked_demo.warehouse, read_only=True)
    yield con
    con.close()


def _probabilities(con, entity: int) -> dict[str, float | None]:
    return dict(con.execute("SELECT record_key, link_probability FROM linkage_entity WHERE entity_id = ? "
                            "AND run_id = (SELECT max(run_id) FROM linkage_run)", [entity]).fetchall())


def test_assemble_states_facts_only_from_records_linked_with_near_certainty(con):
    entity = con.execute(
        "SELECT entity_id FROM linkage_entity WHERE link_probability < ? GROUP BY 1 ORDER BY count(*) LIMIT 1",
        [FACT_PROBABILITY]).fetchone()[0]
    statements = assemble(con, resolve_subject(con, f"entity:{entity}"))
    p = _probabilities(con, entity)
    for s in statements:
        cited = [key for table, key in s.refs if table == "person_record" and key in p]
        uncertain = [key for key in cited if p[key] is not None and p[key] < FACT_PROBABILITY]
        if s.section in ("probabilistic", "possible"):  # the two sections apart from the facts
            assert s.probability is not None and s.probability < FACT_PROBABILITY
        else:
            assert s.probability is None and not uncertain, s.claim
    assert any(s.section == "probabilistic" and "match probability" in s.claim for s in statements)


def test_assemble_gives_every_section_its_kind_of_statement(con):
    statements = assemble(con, resolve_subject(con, f"entity:{entity_with(con, events=4)}"))
    sections = {s.section for s in statements}
    assert {"identity", "timeline"} <= sections
    assert all(s.claim.startswith(("Name recorded as", "Date of birth recorded as", "PNC id", "Email"))
               for s in statements if s.section == "identity")


def test_assemble_withholds_the_text_of_reports_with_handling_conditions(con):
    key = con.execute("SELECT r.event_key FROM intel_report r JOIN person_record p USING (event_key) "
                      "WHERE r.handling_code = 'C' ORDER BY 1 LIMIT 1").fetchone()[0]
    entity = con.execute("SELECT e.entity_id FROM linkage_entity e JOIN person_record p USING (record_key) "
                         "WHERE p.event_key = ? LIMIT 1", [key]).fetchone()[0]
    text = con.execute("SELECT report_text FROM intel_report WHERE event_key = ?", [key]).fetchone()[0]
    statements = assemble(con, resolve_subject(con, f"entity:{entity}"))
    about = [s for s in statements if ["intel_report", key] in s.refs]
    assert about and all(text not in s.claim for s in statements)
    assert any("withheld under handling code C" in s.claim for s in about)
    assert not any(s.kind == "mention" for s in about)


def test_assemble_never_rests_a_marker_on_a_report_suspected_false(con):
    keys = [k for (k,) in con.execute("SELECT event_key FROM intel_report WHERE intelligence_assessment = 'E' "
                                      "AND report_text LIKE '%bladed article%'").fetchall()]
    entities = {e for (e,) in con.execute(
        "SELECT DISTINCT e.entity_id FROM linkage_entity e JOIN person_record p USING (record_key) "
        "WHERE p.event_key IN (SELECT unnest(?))", [keys]).fetchall()}
    assert keys and entities
    for entity in sorted(entities)[:5]:
        for s in assemble(con, resolve_subject(con, f"entity:{entity}")):
            if s.kind == "marker":
                assert not any(ref[0] == "intel_report" and ref[1] in keys for ref in s.refs)
            if s.kind == "intelligence" and any(ref[1] in keys for ref in s.refs):
                assert "suspected to be false" in s.claim


def _people_by_name_and_birth(con, entities: int):
    return con.execute(
        "SELECT any_value(p.forename), p.surname, p.date_of_birth, min(e.entity_id) FROM person_record p "
        "JOIN linkage_entity e USING (record_key) WHERE p.date_of_birth IS NOT NULL GROUP BY upper(p.forename), "
        "p.surname, p.date_of_birth HAVING count(DISTINCT e.entity_id) = ? ORDER BY 2, 3 LIMIT 1",
        [entities]).fetchone()


def test_resolve_subject_finds_a_person_by_name_and_date_of_birth(con):
    forename, surname, born, entity = _people_by_name_and_birth(con, 1)
    subject = resolve_subject(con, f"{forename.title()} {surname}, {born:%Y-%m-%d}")
    assert (subject.kind, subject.entity_id) == ("person", entity)


def test_resolve_subject_names_every_entity_a_name_and_birth_is_in(linked_demo):
    # A namesake born the same day, linked apart: a second record, in an entity of its own.
    twin = duckdb.connect()
    twin.execute(f"ATTACH {quote_literal(str(linked_demo.warehouse))} AS w (READ_ONLY)")
    for table in ("person_record", "linkage_entity", "linkage_run"):
        twin.execute(f"CREATE TABLE {table} AS SELECT * FROM w.{table}")
    forename, surname, born, entity = _people_by_name_and_birth(twin, 1)
    twin.execute("""INSERT INTO person_record (record_key, source_system, source_record_id, batch_id, forename, surname,
                    date_of_birth) VALUES ('test:twin', 'test', 'twin', 0, ?, ?, ?)""", [forename, surname, born])
    twin.execute("""INSERT INTO linkage_entity (run_id, record_key, entity_id) SELECT max(run_id), 'test:twin',
                    (SELECT max(entity_id) + 1 FROM linkage_entity) FROM linkage_run""")
    with pytest.raises(SubjectNotFound, match=f"is in 2 entities \\(entity:{entity}, entity:"):
        resolve_subject(twin, f"{forename} {surname}, {born:%Y-%m-%d}")


def test_resolve_subject_reads_addresses_vehicles_and_phones():
    assert resolve_subject(None, "ck1 5jp / 63").value == "CK1 5JP / 63"
    assert resolve_subject(None, "ab12 cde").value == "AB12CDE"
    assert resolve_subject(None, "+44 7700 900123").value == "07700900123"


def test_resolve_subject_refuses_what_it_cannot_read_saying_what_to_give(con):
    with pytest.raises(SubjectNotFound, match="Give an entity"):
        resolve_subject(con, "the usual suspect")
    with pytest.raises(SubjectNotFound, match="No person record names"):
        resolve_subject(con, "Nobody NOWHERE, 1900-01-01")


def test_assemble_lists_the_persons_recorded_at_an_address(con):
    key = con.execute("SELECT to_key FROM pole_link WHERE link_type = 'resides_at' GROUP BY 1 "
                      "ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
    statements = assemble(con, resolve_subject(con, key))
    assert statements and all(s.section == "linked_persons" and "recorded with this address" in s.claim
                              for s in statements)
