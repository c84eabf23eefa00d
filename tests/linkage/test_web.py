"""Linkage review in the browser and as JSON: the pairs near the threshold, the evidence behind
one (asked with a purpose), and a decision with a reason kept in the casebook and the
warehouse; refused to roles that may not review links, each refusal in the audit log."""
# ruff: noqa: F811 (the web app's fixtures, imported from tests/web/conftest.py, are parameters)

from __future__ import annotations

import re
import shutil

import pytest
from tests.casebook.conftest import audit_entries, refusal
from tests.linkage.people import build_linked_warehouse
from tests.web.conftest import (  # noqa: F401 (fixtures)
    client,
    get_form_token,
    get_username,
    sign_in,
    staff_casebook,
    web_settings,
)

from peel.casebook import Action
from peel.casebook.roles import load_roles
from peel.warehouse import connect

PURPOSE = "checking whether two custody records are one person for case 881"
REASON = "same PNC photograph on both custody records"
PAIR_LINK = re.compile(r'href="/linkage/review/(\d+)"')


@pytest.fixture(scope="module")
def linked_warehouse(tmp_path_factory):
    return build_linked_warehouse(tmp_path_factory.mktemp("linkage-web"), seed=5)


@pytest.fixture
def warehouse(linked_warehouse, web_settings):
    """This test's copy of the linked warehouse, where the app and the linkage look for it."""
    shutil.copy(linked_warehouse[0], web_settings.warehouse_path)
    return web_settings.warehouse_path


def queue_pairs(client) -> list[int]:
    token = get_form_token(client, "/linkage/review")
    queued = client.post("/linkage/review/queue", data={"csrf_token": token, "purpose": PURPOSE})
    assert queued.status_code == 303, queued.text
    return [int(i) for i in PAIR_LINK.findall(client.get(queued.headers["location"]).text)]


def decisions(warehouse) -> list[tuple]:
    con = connect(warehouse, read_only=True)
    try:
        return con.execute("SELECT record_key_l, record_key_r, decision, decided_by, reason "
                           "FROM linkage_review_decision").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("role", sorted(load_roles()))
def test_show_pairs_opens_for_linkage_reviewers_and_logs_each_refusal(client, web_settings, role):
    sign_in(client, get_username(role))
    before = len(audit_entries(web_settings.casebook_url))
    allowed = load_roles()[role].allows(Action.DECIDE_REVIEW, "linkage")
    answers = [client.get(p).status_code for p in ("/linkage/review", "/api/linkage/review")]
    assert answers == ([200, 200] if allowed else [403, 403])
    logged = audit_entries(web_settings.casebook_url)[before:]
    assert [refusal(e)["action"] for e in logged if e.operation == "refusal"] == \
        ([] if allowed else ["decide_review"] * 2)


def test_queue_pairs_says_to_run_the_linkage_first_when_there_is_none(client, web_settings):
    web_settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    connect(web_settings.warehouse_path).close()  # a warehouse with no linkage run
    sign_in(client, get_username("supervisor"))
    token = get_form_token(client, "/linkage/review")
    refused = client.post("/linkage/review/queue", data={"csrf_token": token, "purpose": PURPOSE})
    assert refused.status_code == 400
    assert "No linkage run in the warehouse yet: run &#39;peel link&#39; first." in refused.text


def test_decide_pair_end_to_end(client, web_settings, warehouse):
    url = web_settings.casebook_url
    sign_in(client, "intelligence.analyst")
    items = queue_pairs(client)
    assert items, "the test population should have pairs in the review band"
    asked = client.get(f"/linkage/review/{items[0]}")
    assert 'name="purpose"' in asked.text and "Weight (bits)" not in asked.text
    before = len(audit_entries(url))
    shown = client.get(f"/linkage/review/{items[0]}", params={"purpose": PURPOSE})
    assert shown.status_code == 200 and "Weight (bits)" in shown.text and "date of birth" in shown.text
    consulted = [e for e in audit_entries(url)[before:] if e.operation == "consultation"]
    assert {e.object_type for e in consulted} == {"review_item", "person_record"}
    assert {e.purpose for e in consulted} == {PURPOSE}
    record_a, record_b = re.findall(r'name="record_[ab]" value="([^"]+)"', shown.text)
    token = get_form_token(client, "/linkage/review")
    done = client.post(f"/linkage/review/{items[0]}/decision", data={
        "csrf_token": token, "record_a": record_a, "record_b": record_b, "decision": "match", "reason": REASON})
    assert done.status_code == 303 and done.headers["location"] == f"/linkage/review?decided={items[0]}&outcome=match"
    assert f"Pair {items[0]} decided: match." in client.get(done.headers["location"]).text
    assert decisions(warehouse) == [(record_a, record_b, "match", "intelligence.analyst", REASON)]
    assert f'href="/linkage/review/{items[0]}"' not in client.get("/linkage/review").text


def test_api_decide_pair_keeps_the_decision(client, warehouse):
    sign_in(client, "supervisor")
    items = queue_pairs(client)
    assert [p["item_id"] for p in client.get("/api/linkage/review").json()] == items
    pair = client.get(f"/api/linkage/review/{items[0]}", params={"purpose": PURPOSE}).json()
    assert pair["evidence"] and pair["sentences"][0].startswith("Match probability")
    token = get_form_token(client, "/linkage/review")
    decided = client.post("/api/linkage/decisions", headers={"X-CSRF-Token": token}, json={
        "record_a": pair["record_b"], "record_b": pair["record_a"], "decision": "non_match", "reason": REASON})
    assert decided.json() == {"item_id": items[0], "record_a": pair["record_a"], "record_b": pair["record_b"],
                              "decision": "non_match", "decided_by": "supervisor"}
    assert decisions(warehouse) == [(pair["record_a"], pair["record_b"], "non_match", "supervisor", REASON)]


def test_show_pair_and_decide_refused_to_roles_without_the_grant(client, web_settings, warehouse):
    url = web_settings.casebook_url
    sign_in(client, "intelligence.analyst")
    item = queue_pairs(client)[0]
    pair = client.get(f"/api/linkage/review/{item}", params={"purpose": PURPOSE}).json()
    token = get_form_token(client, "/")
    client.post("/sign-out", data={"csrf_token": token})
    sign_in(client, "licensing.officer")
    token = get_form_token(client, "/")
    before = len(audit_entries(url))
    assert client.get(f"/linkage/review/{item}", params={"purpose": PURPOSE}).status_code == 403
    refused = client.post(f"/linkage/review/{item}/decision", data={
        "csrf_token": token, "record_a": pair["record_a"], "record_b": pair["record_b"], "decision": "match",
        "reason": REASON})
    # The form is refused before it is read, naming the grant its form needs (InputRoute).
    assert refused.status_code == 403 and "may not decide review in the linkage domain" in refused.text
    assert [refusal(e)["action"] for e in audit_entries(url)[before:]] == ["read_personal", "decide_review"]
    assert decisions(warehouse) == []
