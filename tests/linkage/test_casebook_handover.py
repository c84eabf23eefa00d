"""Record linkage through the casebook: review pairs go into the casebook queue and are decided
there by a named user with a reason, the warehouse keeps the decision for later runs, and
explain/match are logged consultations with a purpose. On a real linked warehouse and a real
casebook (SQLite here; also PostgreSQL under scripts/test.sh)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from sqlalchemy import select
from tests.casebook.conftest import add_staff, casebook_url, count_rows  # noqa: F401 (fixture)
from tests.linkage.people import build_linked_warehouse
from typer.testing import CliRunner

from peel.casebook import db, review
from peel.casebook.models import AuditEntry, ReviewItem
from peel.cli import app
from peel.linkage.review import DOMAIN, KIND
from peel.warehouse import connect

runner = CliRunner()
PURPOSE = "checking whether two custody records are one person for case 881"


@pytest.fixture(scope="module")
def linked_warehouse(tmp_path_factory):
    """A warehouse of test people linked once; each test works on its own copy."""
    return build_linked_warehouse(tmp_path_factory.mktemp("handover"), seed=5)


@pytest.fixture
def setup(linked_warehouse, peel_home, casebook_url):  # noqa: F811 (fixture)
    """This test's warehouse copy and casebook staff: an intelligence analyst, a supervisor,
    a PCC scrutiny officer and an auditor."""
    source, people = linked_warehouse
    peel_home.mkdir(parents=True, exist_ok=True)
    warehouse = peel_home / "warehouse.duckdb"
    shutil.copy(source, warehouse)
    add_staff(casebook_url, "admin", "administrator", acting=None)
    for name, role in [("analyst", "intelligence_analyst"), ("sergeant", "supervisor"),
                       ("pcc", "pcc_scrutiny_officer"), ("auditor", "auditor")]:
        add_staff(casebook_url, name, role)
    return warehouse, people, casebook_url


def peel(*args: str):
    # Wide enough that Rich does not fold an audit row over several lines.
    return runner.invoke(app, list(args), env={"COLUMNS": "250"})


def linkage_items(url: str) -> list[ReviewItem]:
    with db.transaction(url) as session:
        return list(session.execute(
            select(ReviewItem).where(ReviewItem.domain == DOMAIN, ReviewItem.kind == KIND)
            .order_by(ReviewItem.id)).scalars())


def audit_entries(url: str) -> list[AuditEntry]:
    with db.transaction(url) as session:
        return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())


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
    first = peel("link", "review", "--as", "analyst")
    assert first.exit_code == 0, first.output
    items = linkage_items(url)
    assert items, "the test population should have pairs in the review band"
    assert all(i.status == "pending" and i.proposed_by_algorithm for i in items)
    again = peel("link", "review", "--as", "sergeant")
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
    assert peel("link", "review", "--as", "analyst").exit_code == 0
    apart = next(i for i in linkage_items(url) if i.payload["same_entity_now"] is False)
    a, b = apart.payload["record_key_l"], apart.payload["record_key_r"]
    assert entity_of(warehouse, a) != entity_of(warehouse, b)

    accepted = peel("link", "review", "accept", b, a, "--as", "analyst",
                    "--reason", "same PNC photograph on both custody records")
    assert accepted.exit_code == 0, accepted.output
    assert warehouse_decisions(warehouse) == [
        (a, b, "match", "analyst", "same PNC photograph on both custody records")]

    rerun = peel("link")
    assert rerun.exit_code == 0, rerun.output
    assert "1 review decisions applied" in " ".join(rerun.output.split())
    assert entity_of(warehouse, a) == entity_of(warehouse, b)
    # A decided pair is not offered again.
    assert peel("link", "review", "--as", "analyst").exit_code == 0
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
    assert peel("link", "review", "--as", "sergeant").exit_code == 0
    together = next((i for i in linkage_items(url) if i.payload["same_entity_now"]), None)
    if together is None:
        pytest.skip("no pair in the review band is linked in this population")
    a, b = together.payload["record_key_l"], together.payload["record_key_r"]
    result = peel("link", "review", "reject", a, b, "--as", "sergeant",
                  "--reason", "different dates of birth on the custody photos")
    assert result.exit_code == 0, result.output
    assert peel("link").exit_code == 0
    assert entity_of(warehouse, a) != entity_of(warehouse, b)


def test_pcc_scrutiny_officer_may_not_review_pairs(setup):
    warehouse, _, url = setup
    listed = peel("link", "review", "--as", "pcc")
    assert listed.exit_code == 2 and "Refused" in listed.output
    assert linkage_items(url) == []
    before = len(audit_entries(url))
    assert peel("link", "review", "--as", "analyst").exit_code == 0
    item = linkage_items(url)[0]
    decided = peel("link", "review", "accept", item.payload["record_key_l"],
                   item.payload["record_key_r"], "--as", "pcc", "--reason", "looks the same to me")
    assert decided.exit_code == 2 and "may not" in decided.output
    assert linkage_items(url)[0].status == "pending"
    assert warehouse_decisions(warehouse) == []
    no_user = peel("link", "review")
    assert no_user.exit_code == 2 and "acting user" in no_user.output
    # Only the analyst's listing (the algorithm's proposals) was logged.
    assert all(e.actor.startswith("algorithm:") for e in audit_entries(url)[before:])


def test_decision_without_a_reason_leaves_nothing(setup):
    warehouse, _, url = setup
    assert peel("link", "review", "--as", "analyst").exit_code == 0
    item = linkage_items(url)[0]
    entries = len(audit_entries(url))
    result = peel("link", "review", "reject", item.payload["record_key_l"],
                  item.payload["record_key_r"], "--as", "analyst")
    assert result.exit_code == 2 and "reason" in result.output
    assert linkage_items(url)[0].status == "pending"
    assert len(audit_entries(url)) == entries and warehouse_decisions(warehouse) == []


def test_failed_warehouse_write_leaves_no_casebook_decision(setup):
    warehouse, _, url = setup
    assert peel("link", "review", "--as", "analyst").exit_code == 0
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
    assert peel("link", "review", "--as", "analyst").exit_code == 0
    item = linkage_items(url)[0]
    a, b = item.payload["record_key_l"], item.payload["record_key_r"]
    assert peel("link", "review", "reject", a, b, "--as", "analyst",
                "--reason", "twins: different forenames, same address").exit_code == 0
    # What a warehouse commit failing after the casebook's would leave.
    con = connect(warehouse)
    con.execute("DELETE FROM linkage_review_decision")
    con.close()
    assert peel("link", "review", "--as", "sergeant").exit_code == 0
    assert warehouse_decisions(warehouse) == [
        (a, b, "non_match", "analyst", "twins: different forenames, same address")]


def test_explain_needs_a_permitted_user_and_a_purpose_and_is_logged(setup):
    _, people, url = setup
    a, b = people.record_key.iloc[0], people.record_key.iloc[1]
    entries = len(audit_entries(url))
    for args, why in [([], "acting user"), (["--as", "pcc", "--purpose", PURPOSE], "may not"),
                      (["--as", "analyst"], "purpose")]:
        refused = peel("link", "explain", a, b, *args)
        assert refused.exit_code == 2 and why in refused.output, refused.output
        assert "date of birth" not in refused.output
    assert len(audit_entries(url)) == entries

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
    assert len(audit_entries(url)) == entries

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
    assert peel("link", "review", "--as", "analyst").exit_code == 0
    apart = next(i for i in linkage_items(url) if i.payload["same_entity_now"] is False)
    a, b = apart.payload["record_key_l"], apart.payload["record_key_r"]
    decided = peel("review", "accept", str(apart.id), "--as", "sergeant",
                   "--reason", "same custody photograph on both records")
    assert decided.exit_code == 0, decided.output
    rerun = peel("link")
    assert rerun.exit_code == 0, rerun.output
    assert warehouse_decisions(warehouse) == [
        (a, b, "match", "sergeant", "same custody photograph on both records")]
    assert entity_of(warehouse, a) == entity_of(warehouse, b)
