"""The review queue and the audit log as pages and JSON: each role opens what its grants allow,
every refusal is a page (or a 403) and an entry in the audit log, a review item is decided end
to end, and the audit log filters and pages."""
# ruff: noqa: F811 (the web app's fixtures, imported from tests/web/conftest.py, are parameters)

from __future__ import annotations

import json

import pytest
from tests.casebook.conftest import audit_entries, drop_append_only_triggers, execute_raw, refusal
from tests.web.conftest import (  # noqa: F401 (fixtures)
    client,
    get_form_token,
    get_username,
    sign_in,
    staff_casebook,
    web_settings,
)

from peel.casebook import Action, db, propose
from peel.casebook.roles import load_roles
from peel.casebook.web import AUDIT_PAGE_SIZE

PURPOSE = "checking the alert before the deployment briefing"
REASON = "the alert matches the watchlist image on review"
ROLES = sorted(load_roles())


def has_queue(role: str) -> bool:
    """list_items lists the domains a role decides or proposes in."""
    grants = load_roles()[role]
    return grants.allows(Action.DECIDE_REVIEW) or grants.allows(Action.PROPOSE)


@pytest.fixture
def url(web_settings) -> str:
    return web_settings.casebook_url


def file_item(url: str, domain: str = "lfr") -> int:
    with db.transaction(url) as session:
        return propose(session, domain=domain, kind="lfr_alert", summary="Alert at camera 3",
                       payload={"camera": 3, "score": 0.91}, by_algorithm="lfr-matcher", subject_ref="W-17")


def last_seq(url: str) -> int:
    entries = audit_entries(url)
    return entries[-1].seq if entries else 0


@pytest.mark.parametrize("role", ROLES)
def test_show_review_queue_opens_for_roles_with_a_queue_and_logs_each_refusal(client, url, role):
    sign_in(client, get_username(role))
    before = last_seq(url)
    page = client.get("/review")
    api = client.get("/api/review")
    assert (page.status_code, api.status_code) == ((200, 200) if has_queue(role) else (403, 403))
    refusals = [refusal(e) for e in audit_entries(url, before) if e.operation == "refusal"]
    assert refusals == ([] if has_queue(role) else [
        {"actor": get_username(role), "role": role, "action": "decide_review", "domain": None,
         "object_type": "review_item", "object_id": None, "purpose": None, "refusal": "AccessRefused"}] * 2)


def test_show_review_queue_lists_pending_items_without_their_details(client, url):
    item = file_item(url)
    sign_in(client, "lfr.operator")
    page = client.get("/review")
    assert f'href="/review/{item}"' in page.text and "Alert at camera 3" in page.text
    assert "0.91" not in page.text
    [listed] = client.get("/api/review").json()
    assert (listed["id"], listed["status"], listed["proposed_by"]) == (item, "pending", "algorithm:lfr-matcher")
    assert "payload" not in listed
    assert client.get("/api/review", params={"status": "accepted"}).json() == []
    assert client.get("/review", params={"status": "nonsense"}).status_code == 400


def test_show_review_item_asks_the_purpose_then_shows_and_logs_the_consultation(client, url):
    item = file_item(url)
    sign_in(client, "lfr.operator")
    asked = client.get(f"/review/{item}")
    assert asked.status_code == 200 and 'name="purpose"' in asked.text and "0.91" not in asked.text
    before = last_seq(url)
    shown = client.get(f"/review/{item}", params={"purpose": PURPOSE})
    assert shown.status_code == 200 and "0.91" in shown.text and "W-17" in shown.text
    [entry] = audit_entries(url, before)
    assert (entry.operation, entry.object_id, entry.purpose) == ("consultation", str(item), PURPOSE)
    assert client.get(f"/api/review/{item}", params={"purpose": PURPOSE}).json()["payload"] == {
        "camera": 3, "score": 0.91}


def test_show_review_item_refuses_a_short_purpose_and_another_domain(client, url):
    item = file_item(url, domain="firearms")
    sign_in(client, "lfr.operator")
    before = last_seq(url)
    assert client.get(f"/review/{item}", params={"purpose": "check"}).status_code == 403
    assert client.get(f"/api/review/{item}", params={"purpose": PURPOSE}).status_code == 403
    assert [refusal(e)["refusal"] for e in audit_entries(url, before)] == ["AccessRefused", "AccessRefused"]


def test_decide_review_item_end_to_end(client, url):
    item = file_item(url)
    sign_in(client, "supervisor")
    form = client.get(f"/review/{item}", params={"purpose": PURPOSE})
    token = get_form_token(client, f"/review/{item}?purpose={PURPOSE}")
    assert f'action="/review/{item}/decision"' in form.text
    before = last_seq(url)
    done = client.post(f"/review/{item}/decision", data={"csrf_token": token, "decision": "accept",
                                                         "reason": REASON})
    assert done.status_code == 303 and done.headers["location"] == f"/review?decided={item}&outcome=accepted"
    assert f"Review item {item} accepted." in client.get(done.headers["location"]).text
    [decided] = client.get("/api/review", params={"status": "accepted"}).json()
    assert (decided["id"], decided["decided_by"]) == (item, "supervisor")
    changes = [e for e in audit_entries(url, before) if e.operation == "alteration"]
    assert [(e.actor, e.object_id, json.loads(e.detail)["decision"]) for e in changes] == [
        ("supervisor", str(item), "accepted")]
    again = client.post(f"/review/{item}/decision", data={"csrf_token": token, "decision": "reject",
                                                          "reason": REASON})
    assert again.status_code == 400 and "a decision stands" in again.text


def test_decide_review_item_refuses_without_token_reason_or_grant(client, url):
    item = file_item(url)
    sign_in(client, "supervisor")
    token = get_form_token(client, "/review")
    assert client.post(f"/review/{item}/decision", data={"decision": "accept", "reason": REASON}).status_code == 403
    before = last_seq(url)
    short = client.post(f"/review/{item}/decision", data={"csrf_token": token, "decision": "reject", "reason": "no"})
    assert short.status_code == 400 and "say why in at least 10 characters" in short.text
    assert [refusal(e)["refusal"] for e in audit_entries(url, before)] == ["PurposeRequired"]
    api = client.post(f"/api/review/{item}/decision", json={"accept": False, "reason": REASON},
                      headers={"X-CSRF-Token": token})
    assert api.json() == {"id": item, "status": "rejected"}
    client.post("/sign-out", data={"csrf_token": token})
    sign_in(client, "licensing.officer")
    token = get_form_token(client, "/")
    before = last_seq(url)
    refused = client.post(f"/review/{item}/decision", data={"csrf_token": token, "decision": "accept",
                                                            "reason": REASON})
    assert refused.status_code == 403
    assert [refusal(e)["action"] for e in audit_entries(url, before)] == ["decide_review"]


@pytest.mark.parametrize("role", ROLES)
def test_show_audit_log_opens_for_auditors_only_and_logs_each_refusal(client, url, role):
    sign_in(client, get_username(role))
    before = last_seq(url)
    answers = [client.get(path).status_code for path in ("/audit", "/api/audit", "/audit/verify", "/api/audit/verify")]
    allowed = load_roles()[role].allows(Action.READ_AUDIT)
    assert answers == [200 if allowed else 403] * 4
    refusals = [refusal(e)["action"] for e in audit_entries(url, before) if e.operation == "refusal"]
    assert refusals == ([] if allowed else ["read_audit"] * 4)


def test_show_audit_log_filters_by_user_operation_subject_and_date(client, url):
    file_item(url)
    sign_in(client, "auditor")
    mine = client.get("/api/audit", params={"user": "auditor"}).json()["entries"]
    assert {e["actor"] for e in mine} == {"auditor"} and mine  # signing in, and this reading
    sign_ins = client.get("/api/audit", params={"operation": "authentication"}).json()["entries"]
    assert sign_ins and {e["operation"] for e in sign_ins} == {"authentication"}
    [filed] = client.get("/api/audit", params={"subject_ref": "W-17"}).json()["entries"]
    assert (filed["operation"], filed["actor"]) == ("collection", "algorithm:lfr-matcher")
    assert client.get("/api/audit", params={"since": "2000-01-01", "until": "2000-01-31"}).json()["entries"] == []
    page = client.get("/audit", params={"subject_ref": "W-17"})
    assert page.status_code == 200 and "algorithm:lfr-matcher" in page.text
    assert client.get("/audit", params={"operation": "reading"}).status_code == 400
    assert client.get("/api/audit", params={"since": "", "until": ""}).status_code == 200  # an empty form
    wrong = client.get("/audit", params={"since": "1 March"})
    assert wrong.status_code == 400 and "write it as YYYY-MM-DD" in wrong.text


def test_show_audit_log_pages_newest_first(client, url):
    for _ in range(AUDIT_PAGE_SIZE):
        file_item(url)
    sign_in(client, "auditor")
    first = client.get("/api/audit").json()
    second = client.get("/api/audit", params={"before": first["older"]}).json()
    assert len(first["entries"]) == AUDIT_PAGE_SIZE and first["older"] == first["entries"][-1]["seq"]
    seqs = [e["seq"] for e in first["entries"] + second["entries"]]
    assert seqs == list(range(seqs[0], 0, -1))  # every entry once, newest first, down to the first
    assert second["older"] is None
    page = client.get("/audit")
    assert 'href="/audit?before=' in page.text and "Latest entries" not in page.text
    back = client.get("/audit", params={"operation": "collection", "before": 20}).text
    assert 'href="/audit?operation=collection"' in back and "Latest entries" in back


def test_show_chain_check_says_the_chain_is_intact_then_broken(client, url):
    file_item(url)
    sign_in(client, "auditor")
    assert "The chain is intact" in client.get("/audit/verify").text
    drop_append_only_triggers(url)
    execute_raw(url, "UPDATE audit_entry SET purpose = 'rewritten' WHERE seq = 2")
    check = client.get("/api/audit/verify").json()
    assert (check["intact"], check["broken_seq"]) == (False, 2)
    assert "The chain is broken at entry 2" in client.get("/audit/verify").text
