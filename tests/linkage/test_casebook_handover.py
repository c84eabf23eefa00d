"""Record linkage through the casebook: review pairs go into the casebook queue and are decided
there by a named user with a reason, the warehouse keeps the decision for later runs, and
explain/match are logged consultations with a purpose. Each linkage function checks the user
and the purpose itself, whatever calls it, and logs what it did or refused. On a real linked
warehouse and a real casebook (SQLite, and PostgreSQL under scripts/test.sh)."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from tests.casebook.conftest import (  # noqa: F401 (casebook_url is a fixture)
    add_staff,
    audit_entries,
    casebook_url,
    count_rows,
    refusal,
)
from tests.linkage.people import build_linked_warehouse
from typer.testing import CliRunner

import peel.linkage
from peel.casebook import CasebookError, db, review
from peel.casebook.models import ReviewItem
from peel.cli import app
from peel.linkage.explain import explain_pair, explain_pairs
from peel.linkage.match import match_records
from peel.linkage.review import DOMAIN, KIND, decide_pair, queue_pairs_for_review
from peel.warehouse import connect

runner = CliRunner()
PURPOSE = "checking whether two custody records are one person for case 881"


@pytest.fixture(scope="module")
def linked_warehouse(tmp_path_factory):
    """A warehouse of test people linked once; each test works on its own copy."""
    return build_linked_warehouse(tmp_path_factory.mktemp("handover"), seed=5)


@pytest.fixture
def setup(linked_warehouse, peel_home, casebook_url, log_in):  # noqa: F811 (fixture)
    """This test's warehouse copy and casebook staff, each signed in on the command line: an
    intelligence analyst, a supervisor, a PCC scrutiny officer and an auditor."""
    source, people = linked_warehouse
    peel_home.mkdir(parents=True, exist_ok=True)
    warehouse = peel_home / "warehouse.duckdb"
    shutil.copy(source, warehouse)
    add_staff(casebook_url, "admin", "administrator", acting=None)
    for name, role in [("analyst", "intelligence_analyst"), ("sergeant", "supervisor"),
                       ("pcc", "pcc_scrutiny_officer"), ("auditor", "auditor")]:
        add_staff(casebook_url, name, role)
        log_in(name)
    return warehouse, people, casebook_url


def peel(*args: str):
    # Wide enough that Rich does not fold an audit row over several lines.
    return runner.invoke(app, list(args), env={"COLUMNS": "250"})


def list_pairs(user: str):
    return peel("link", "review", "--as", user, "--purpose", PURPOSE)


def linkage_items(url: str) -> list[ReviewItem]:
    with db.transaction(url) as session:
        return list(session.execute(
            select(ReviewItem).where(ReviewItem.domain == DOMAIN, ReviewItem.kind == KIND)
            .order_by(ReviewItem.id)).scalars())


def warehouse_decisions(warehouse) -> list[tuple]:
    con = connect(warehouse, read_only=True)
    rows = con.execute("SELECT record_key_l, record_key_r, decision, decided_by, reason "
                       "FROM linkage_review_decision ORDER BY 1, 2").fetchall()
    con.close()
    return rows


def entity_of(warehouse, key: str) -> int:
    con = connect(warehouse, read_only=True)
    entity = con.execute(
        "SELECT entity_id FROM linkage_entity WHERE record_key = ? "
        "AND run_id = (SELECT max(run_id) FROM linkage_run)", [key]).fetchall()[0][0]
    con.close()
    return entity


def test_review_files_each_pair_once_without_personal_data(setup):
    _warehouse, people, url = setup
    first = list_pairs("analyst")
    assert first.exit_code == 0, first.output
    items = linkage_items(url)
    assert items, "the test population should have pairs in the review band"
    assert all(i.status == "pending" and i.proposed_by_algorithm for i in items)
    again = list_pairs("sergeant")
    assert again.exit_code == 0, again.output
    assert [i.id for i in linkage_items(url)] == [i.id for i in items]

    payload = items[0].payload
    assert set(payload) >= {"record_key_l", "record_key_r", "match_probability", "evidence"}
    assert {"evidence", "level", "match_weight"} == set(payload["evidence"][0])
    text = (str([i.payload for i in items]) + " ".join(i.summary for i in items)).upper()
    for key in {k for i in items for k in (i.payload["record_key_l"], i.payload["record_key_r"])}:
        person = people[people.record_key == key].iloc[0]
        for value in (person.surname, person.postcode, str(person.date_of_birth)):
            if value is not None and str(value) != "None":
                assert str(value).upper() not in text


def test_accepted_pair_is_respected_by_the_next_run_and_counted(setup):
    warehouse, _, url = setup
    assert list_pairs("analyst").exit_code == 0
    apart = next(i for i in linkage_items(url) if i.payload["same_entity_now"] is False)
    a, b = apart.payload["record_key_l"], apart.payload["record_key_r"]
    assert entity_of(warehouse, a) != entity_of(warehouse, b)

    accepted = peel("link", "review", "accept", b, a, "--as", "analyst",
                    "--reason", "same PNC photograph on both custody records")
    assert accepted.exit_code == 0, accepted.output
    assert warehouse_decisions(warehouse) == [
        (a, b, "match", "analyst", "same PNC photograph on both custody records")]

    rerun = peel("link", "--as", "analyst", "--purpose", PURPOSE)
    assert rerun.exit_code == 0, rerun.output
    assert "1 review decisions applied" in " ".join(rerun.output.split())
    assert entity_of(warehouse, a) == entity_of(warehouse, b)
    # The run is a combination of personal data: who, why and the run, in the log.
    run = audit_entries(url)[-1]
    assert (run.actor, run.operation, run.object_type, run.purpose) == (
        "analyst", "combination", "linkage_run", PURPOSE)
    assert set(json.loads(run.detail)) == {"domain", "run_id", "records", "entities"}
    # A decided pair is not offered again.
    assert list_pairs("analyst").exit_code == 0
    assert [i.id for i in linkage_items(url) if (i.payload["record_key_l"], i.payload["record_key_r"]) == (a, b)] \
        == [apart.id]

    with db.transaction(url) as session:
        counts = review.count_decisions(session, "pcc")
    linkage = next(c for c in counts if (c.domain, c.kind, c.proposer) == (DOMAIN, KIND, "algorithm"))
    assert linkage.accepted == 1 and linkage.rejected == 0
    shown = peel("audit", "show", "--user", "analyst", "--as", "auditor")
    assert shown.exit_code == 0 and "alteration" in shown.output and "review_item" in shown.output
    verified = peel("audit", "verify", "--as", "auditor")
    assert verified.exit_code == 0 and "intact" in verified.output


def test_rejected_pair_is_kept_apart_by_the_next_run(setup):
    warehouse, _, url = setup
    assert list_pairs("sergeant").exit_code == 0
    together = next((i for i in linkage_items(url) if i.payload["same_entity_now"]), None)
    if together is None:
        pytest.skip("no pair in the review band is linked in this population")
    a, b = together.payload["record_key_l"], together.payload["record_key_r"]
    result = peel("link", "review", "reject", a, b, "--as", "sergeant",
                  "--reason", "different dates of birth on the custody photos")
    assert result.exit_code == 0, result.output
    assert peel("link", "--as", "analyst", "--purpose", PURPOSE).exit_code == 0
    assert entity_of(warehouse, a) != entity_of(warehouse, b)


def test_pcc_scrutiny_officer_may_not_review_pairs(setup):
    warehouse, _, url = setup
    before = len(audit_entries(url))
    listed = list_pairs("pcc")
    assert listed.exit_code == 2 and "Refused" in listed.output
    assert linkage_items(url) == []
    assert list_pairs("analyst").exit_code == 0
    item = linkage_items(url)[0]
    decided = peel("link", "review", "accept", item.payload["record_key_l"],
                   item.payload["record_key_r"], "--as", "pcc", "--reason", "looks the same to me")
    assert decided.exit_code == 2 and "may not" in decided.output
    assert linkage_items(url)[0].status == "pending"
    assert warehouse_decisions(warehouse) == []
    no_user = peel("link", "review", "--purpose", PURPOSE)
    assert no_user.exit_code == 2 and "Several users are signed in here" in no_user.output
    # Each refusal is logged; the analyst's listing logged the records it explained (as
    # consultations) and the algorithm's proposals.
    logged = audit_entries(url)[before:]
    assert [(refusal(e)["actor"], refusal(e)["action"]) for e in logged if e.operation == "refusal"] \
        == [("pcc", "decide_review"), ("pcc", "decide_review"), ("(none)", "peel link review")]
    assert {(e.actor, e.operation) for e in logged if e.operation != "refusal"} == {
        ("analyst", "consultation"), ("algorithm:peel-linkage", "collection")}


def test_decision_without_a_reason_is_refused_and_logged_leaving_no_decision(setup):
    warehouse, _, url = setup
    assert list_pairs("analyst").exit_code == 0
    item = linkage_items(url)[0]
    entries = len(audit_entries(url))
    result = peel("link", "review", "reject", item.payload["record_key_l"],
                  item.payload["record_key_r"], "--as", "analyst")
    assert result.exit_code == 2 and "reason" in result.output
    assert linkage_items(url)[0].status == "pending" and warehouse_decisions(warehouse) == []
    [logged] = audit_entries(url)[entries:]
    assert (refusal(logged)["actor"], refusal(logged)["refusal"]) == ("analyst", "PurposeRequired")


def test_failed_warehouse_write_leaves_no_casebook_decision(setup):
    warehouse, _, url = setup
    assert list_pairs("analyst").exit_code == 0
    item = linkage_items(url)[0]
    a, b = item.payload["record_key_l"], item.payload["record_key_r"]
    entries = len(audit_entries(url))
    # Another process (as a running 'peel link' would) holds the warehouse's write lock, so
    # the warehouse write fails for real after the casebook decision was made in its transaction.
    holder = subprocess.Popen(
        [sys.executable, "-c", ("import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
         "print('holding', flush=True); time.sleep(120)"), str(warehouse)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        failed = peel("link", "review", "accept", a, b, "--as", "analyst",
                      "--reason", "same PNC photograph on both custody records")
    finally:
        holder.kill()
        holder.wait()
    assert failed.exit_code == 2 and "not recorded" in failed.output, failed.output
    assert linkage_items(url)[0].status == "pending"
    assert len(audit_entries(url)) == entries
    assert warehouse_decisions(warehouse) == []

    retried = peel("link", "review", "accept", a, b, "--as", "analyst",
                   "--reason", "same PNC photograph on both custody records")
    assert retried.exit_code == 0, retried.output
    assert linkage_items(url)[0].status == "accepted"
    assert [row[:4] for row in warehouse_decisions(warehouse)] == [(a, b, "match", "analyst")]


def test_decision_lost_by_the_warehouse_is_written_by_the_next_listing(setup):
    warehouse, _, url = setup
    assert list_pairs("analyst").exit_code == 0
    item = linkage_items(url)[0]
    a, b = item.payload["record_key_l"], item.payload["record_key_r"]
    assert peel("link", "review", "reject", a, b, "--as", "analyst",
                "--reason", "twins: different forenames, same address").exit_code == 0
    # What a warehouse commit failing after the casebook's would leave.
    con = connect(warehouse)
    con.execute("DELETE FROM linkage_review_decision")
    con.close()
    assert list_pairs("sergeant").exit_code == 0
    assert warehouse_decisions(warehouse) == [
        (a, b, "non_match", "analyst", "twins: different forenames, same address")]


def test_explain_needs_a_permitted_user_and_a_purpose_and_is_logged(setup):
    _, people, url = setup
    a, b = people.record_key.iloc[0], people.record_key.iloc[1]
    entries = len(audit_entries(url))
    for args, why in [([], "Several users are signed in"), (["--as", "pcc", "--purpose", PURPOSE], "may not"),
                      (["--as", "analyst"], "purpose")]:
        refused = peel("link", "explain", a, b, *args)
        assert refused.exit_code == 2 and why in refused.output, refused.output
        assert "date of birth" not in refused.output
    refusals = [refusal(e) for e in audit_entries(url)[entries:]]
    assert [(r["actor"], r["action"], r["purpose"]) for r in refusals] == [
        ("(none)", "peel link explain", None), ("pcc", "read_personal", PURPOSE),
        ("analyst", "read_personal", None)]

    entries = len(audit_entries(url))
    explained = peel("link", "explain", a, b, "--as", "analyst", "--purpose", PURPOSE)
    assert explained.exit_code == 0, explained.output
    assert "date of birth" in explained.output
    logged = audit_entries(url)[entries:]
    assert [(e.actor, e.operation, e.subject_ref, e.purpose) for e in logged] == [
        ("analyst", "consultation", a, PURPOSE), ("analyst", "consultation", b, PURPOSE)]
    assert peel("audit", "verify", "--as", "auditor").exit_code == 0


def test_match_needs_a_permitted_user_and_a_purpose_and_logs_the_entities_shown(setup):
    warehouse, people, url = setup
    person = people.iloc[0]
    details = ["--forename", person.forename, "--surname", person.surname,
               "--dob", str(person.date_of_birth), "--postcode", person.postcode]
    entries = len(audit_entries(url))
    refused = peel("link", "match", *details, "--as", "analyst")
    assert refused.exit_code == 2 and "purpose" in refused.output
    refused = peel("link", "match", *details, "--as", "pcc", "--purpose", PURPOSE)
    assert refused.exit_code == 2 and "may not" in refused.output
    assert [refusal(e)["actor"] for e in audit_entries(url)[entries:]] == ["analyst", "pcc"]

    entries = len(audit_entries(url))
    matched = peel("link", "match", *details, "--as", "sergeant", "--purpose", PURPOSE)
    assert matched.exit_code == 0, matched.output
    logged = audit_entries(url)[entries:]
    expected = f"entity:{entity_of(warehouse, person.record_key)}"
    assert expected in {e.subject_ref for e in logged}
    assert all((e.actor, e.operation, e.purpose) == ("sergeant", "consultation", PURPOSE)
               for e in logged)
    # The searched-for details are not in the log.
    assert person.surname.upper() not in str([(e.subject_ref, e.detail) for e in logged]).upper()


def test_pair_decided_in_the_casebook_queue_counts_in_the_next_run(setup):
    warehouse, _, url = setup
    assert list_pairs("analyst").exit_code == 0
    apart = next(i for i in linkage_items(url) if i.payload["same_entity_now"] is False)
    a, b = apart.payload["record_key_l"], apart.payload["record_key_r"]
    decided = peel("review", "accept", str(apart.id), "--as", "sergeant",
                   "--reason", "same custody photograph on both records")
    assert decided.exit_code == 0, decided.output
    rerun = peel("link", "--as", "analyst", "--purpose", PURPOSE)
    assert rerun.exit_code == 0, rerun.output
    assert warehouse_decisions(warehouse) == [
        (a, b, "match", "sergeant", "same custody photograph on both records")]
    assert entity_of(warehouse, a) == entity_of(warehouse, b)


# ---- each function checks and logs itself, whatever calls it --------------------------------

REASON = "same PNC photograph on both custody records"
# What each function asks the casebook for: who may (the action) and what they must say.
ACTION = {"explain_pair": "read_personal", "explain_pairs": "read_personal",
          "match_records": "read_personal", "queue_pairs_for_review": "decide_review",
          "decide_pair": "decide_review"}


def call_directly(function: str, setup, user: str | None, statement: str | None):
    """Call a linkage function as a web route would, without the command line: as ``user``,
    with ``statement`` as its purpose (its reason, for a decision)."""
    warehouse, people, _ = setup
    a, b = people.record_key.iloc[0], people.record_key.iloc[1]
    person = people.iloc[0]
    match function:
        case "explain_pair":
            return explain_pair(user, a, b, purpose=statement, warehouse=warehouse)
        case "explain_pairs":
            return explain_pairs(user, [(a, b)], purpose=statement, warehouse=warehouse)
        case "match_records":
            new = pd.DataFrame([{"id": "enquiry-1", "forename": person.forename,
                                 "surname": person.surname, "postcode": person.postcode}])
            return match_records(user, new, purpose=statement, warehouse=warehouse)
        case "queue_pairs_for_review":
            return queue_pairs_for_review(user, purpose=statement, warehouse=warehouse)
        case "decide_pair":
            return decide_pair(user, a, b, accept=True, reason=statement, warehouse=warehouse)
    raise AssertionError(f"no call written for {function}")


@pytest.mark.parametrize("function", list(ACTION))
def test_linkage_function_called_directly_refuses_and_logs_each_unchecked_request(function, setup):
    warehouse, _, url = setup
    before = len(audit_entries(url))
    for user, statement in [(None, PURPOSE), ("pcc", PURPOSE), ("analyst", None),
                            ("analyst", "too short")]:
        with pytest.raises(CasebookError):
            call_directly(function, setup, user, statement)
    logged = [refusal(e) for e in audit_entries(url)[before:]]
    action = ACTION[function]
    assert [(r["actor"], r["action"], r["domain"], r["purpose"], r["refusal"]) for r in logged] == [
        ("(none)", action, "linkage", PURPOSE, "UnknownUser"),
        ("pcc", action, "linkage", PURPOSE, "AccessRefused"),
        ("analyst", action, "linkage", None, "PurposeRequired"),
        ("analyst", action, "linkage", "too short", "PurposeRequired")]
    assert linkage_items(url) == [] and warehouse_decisions(warehouse) == []
    assert peel("audit", "verify", "--as", "auditor").exit_code == 0


def test_explain_pairs_logs_a_consultation_of_each_record_explained(setup):
    _, people, url = setup
    a, b, c = people.record_key.iloc[:3]
    before = len(audit_entries(url))
    explanations = explain_pairs("analyst", [(a, b), (a, c)], purpose=PURPOSE, warehouse=setup[0])
    assert [(e.record_a, e.record_b) for e in explanations] == [(a, b), (a, c)]
    assert [(e.actor, e.operation, e.object_type, e.subject_ref, e.purpose)
            for e in audit_entries(url)[before:]] == [
        ("analyst", "consultation", "person_record", key, PURPOSE) for key in (a, b, c)]


def test_match_records_logs_each_entity_returned_or_the_search_that_found_none(setup):
    warehouse, people, url = setup
    person = people.iloc[0]
    before = len(audit_entries(url))
    found = call_directly("match_records", setup, "sergeant", PURPOSE)
    logged = audit_entries(url)[before:]
    assert [e.subject_ref for e in logged] == sorted({f"entity:{e}" for e in found["entity_id"]})
    assert f"entity:{entity_of(warehouse, person.record_key)}" in {e.subject_ref for e in logged}
    assert {(e.actor, e.operation, e.object_type, e.purpose) for e in logged} == {
        ("sergeant", "consultation", "linkage_match", PURPOSE)}

    before = len(audit_entries(url))
    stranger = pd.DataFrame([{"id": "x", "forename": "Zebedee", "surname": "Quackenbush",
                              "date_of_birth": "1931-02-03", "postcode": "ZZ9 9ZZ"}])
    assert match_records("sergeant", stranger, purpose=PURPOSE, warehouse=warehouse).empty
    [searched] = audit_entries(url)[before:]
    assert (searched.operation, searched.subject_ref, searched.purpose) == ("consultation", None, PURPOSE)


def test_queue_pairs_for_review_logs_the_records_it_explains_and_the_pairs_it_files(setup):
    warehouse, _, url = setup
    before = len(audit_entries(url))
    pairs = queue_pairs_for_review("analyst", purpose=PURPOSE, warehouse=warehouse)
    assert not pairs.empty and list(pairs["item_id"]) == [i.id for i in linkage_items(url)]
    logged = audit_entries(url)[before:]
    keys = set(pairs.record_key_l) | set(pairs.record_key_r)
    assert {e.subject_ref for e in logged if e.operation == "consultation"} == keys
    assert {(e.actor, e.purpose) for e in logged if e.operation == "consultation"} == {
        ("analyst", PURPOSE)}
    assert sorted(int(e.object_id) for e in logged if e.operation == "collection") == list(pairs.item_id)

    # Listed again: nothing new is read or filed, so nothing is logged.
    before = len(audit_entries(url))
    again = queue_pairs_for_review("sergeant", purpose=PURPOSE, warehouse=warehouse)
    assert list(again.item_id) == list(pairs.item_id) and len(audit_entries(url)) == before


def test_decide_pair_logs_the_decision_and_keeps_it_in_both_stores(setup):
    warehouse, _, url = setup
    pairs = queue_pairs_for_review("analyst", purpose=PURPOSE, warehouse=warehouse)
    a, b = pairs.record_key_l.iloc[0], pairs.record_key_r.iloc[0]
    before = len(audit_entries(url))
    decided = decide_pair("sergeant", b, a, accept=False, reason=f"  {REASON} ", warehouse=warehouse)
    assert (decided.record_key_l, decided.record_key_r, decided.decision, decided.decided_by) == (
        a, b, "non_match", "sergeant")
    altered, combined = audit_entries(url)[before:]
    assert (altered.actor, altered.operation, altered.object_id) == (
        "sergeant", "alteration", str(decided.item_id))
    # Whether two records' histories are combined is decided here: the entry names both records.
    assert (combined.actor, combined.operation, combined.object_type, combined.purpose) == (
        "sergeant", "combination", "record_pair", REASON)
    assert json.loads(combined.detail)["record_keys"] == [a, b]
    assert json.loads(combined.detail)["decision"] == "non_match"
    assert warehouse_decisions(warehouse) == [(a, b, "non_match", "sergeant", REASON)]


def test_linkage_uses_only_the_casebooks_public_face():
    """Workflows reach the casebook through ``peel.casebook`` and the names in its ``__all__``;
    the modules behind it may move. (The command line also reuses the casebook's command-line
    helpers, ``peel.casebook.cli``.)"""
    import peel.casebook

    folder = Path(peel.linkage.__file__).parent
    behind_the_face = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "peel.casebook":
                behind_the_face += [f"{path.name}: {alias.name}" for alias in node.names
                                    if alias.name not in peel.casebook.__all__]
            modules = ([node.module] if isinstance(node, ast.ImportFrom) and node.module
                       else [alias.name for alias in node.names] if isinstance(node, ast.Import)
                       else [])
            behind_the_face += [f"{path.name}: {module}" for module in modules
                                if module.startswith("peel.casebook.")
                                and (path.name, module) != ("cli.py", "peel.casebook.cli")]
    assert behind_the_face == []
