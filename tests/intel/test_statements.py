"""verify_statements re-derives every statement from the warehouse: the adversarial cases of
issue 12 (the warehouse edited after the pack was made, a statement without a source, one of a
kind peel does not make, one whose words were changed) each fail, naming the statement."""

from __future__ import annotations

import copy

import pytest

from peel.intel.assemble import assemble
from peel.intel.statements import verify_statements
from peel.intel.subject import resolve_subject
from peel.warehouse import connect

from .conftest import entity_with


@pytest.fixture
def made(warehouse):
    con = connect(warehouse)
    subject = resolve_subject(con, f"entity:{entity_with(con, events=3)}")
    statements = [s.to_dict() for s in assemble(con, subject)]
    yield con, statements
    con.close()


def test_verify_statements_passes_a_pack_just_made(made):
    con, statements = made
    check = verify_statements(con, statements)
    assert check.passed and check.statements == len(statements) > 5
    assert all(s["citations"] and len(s["citations"]) == len(s["refs"]) for s in statements)


def test_verify_statements_names_the_statement_whose_record_was_edited_after_the_pack(made):
    con, statements = made
    name = next(s for s in statements if s["kind"] == "name")
    _table, key = name["refs"][0]
    con.execute("UPDATE person_record SET surname = 'CHANGED' WHERE record_key = ?", [key])
    check = verify_statements(con, statements)
    failed = {f.statement: f.reason for f in check.failures}
    assert name["id"] in failed
    assert "no longer agree on the name" in failed[name["id"]] or "now gives" in failed[name["id"]]


def test_verify_statements_names_the_statement_whose_event_was_deleted(made):
    con, statements = made
    event = next(s for s in statements if s["kind"] == "event" and s["refs"][-1][0] == "crime")
    con.execute("DELETE FROM crime WHERE crime_key = ?", [event["refs"][-1][1]])
    failed = {f.statement: f.reason for f in verify_statements(con, statements).failures}
    assert "no longer in the warehouse" in failed[event["id"]]


def test_verify_statements_fails_a_changed_date_in_a_citation(made):
    con, statements = made
    event = next(s for s in statements if s["kind"] == "event" and s["refs"][-1][0] == "crime")
    con.execute("UPDATE crime SET recorded_date = recorded_date - 1 WHERE crime_key = ?", [event["refs"][-1][1]])
    failed = {f.statement for f in verify_statements(con, statements).failures}
    assert event["id"] in failed


def test_verify_statements_fails_an_injected_statement_without_a_source(made):
    con, statements = made
    injected = {"id": "S999", "section": "timeline", "kind": "event", "refs": [], "params": {},
                "claim": "14 May 2025: suspect in Chalk Town v Brackenholt Rovers disorder", "citations": []}
    check = verify_statements(con, [*statements, injected])
    assert [(f.statement, f.reason) for f in check.failures] == [("S999", "it cites no source record")]


def test_verify_statements_fails_a_real_source_under_a_made_up_claim(made):
    con, statements = made
    forged = copy.deepcopy(next(s for s in statements if s["kind"] == "event"))
    forged["id"], forged["claim"] = "S998", forged["claim"] + " and was armed"
    [failure] = verify_statements(con, [*statements, forged]).failures
    assert failure.statement == "S998" and "the warehouse now gives" in failure.reason


def test_verify_statements_fails_a_kind_peel_does_not_make(made):
    con, statements = made
    odd = copy.deepcopy(statements[0]) | {"id": "S997", "kind": "summary"}
    [failure] = verify_statements(con, [*statements, odd]).failures
    assert failure.statement == "S997" and "not a kind of statement" in failure.reason


def test_verify_statements_fails_a_citation_to_a_table_peel_cannot_read(made):
    con, statements = made
    odd = copy.deepcopy(statements[0]) | {"id": "S996", "refs": [["football_match", "FX20250514"]]}
    failures = {f.statement: f.reason for f in verify_statements(con, [*statements, odd]).failures}
    assert "is not a table a statement may cite" in failures["S996"]
