"""The licensing team's pages on the linked demo: renewals opened from the register and worked
as cases through the forms, the caseload oldest first, safeguarding alerts decided by a
person, the action plan; the PCC's office sees only the aggregates."""

from datetime import date

from sqlalchemy import select

from peel.casebook import db, review
from peel.casebook.models import AuditEntry
from peel.firearms.safeguarding import ALGORITHM, KIND, SUMMARY

from .conftest import PURPOSE, form_token, sign_in

REASON = "fit to be entrusted: storage checked at the home visit"


def open_oldest(web, count: int) -> list[int]:
    """Open cases for the ``count`` oldest renewals on the register, through the form, as
    the oldest renewals page does; their case numbers, oldest first."""
    token = form_token(web)
    refs = [r["application_ref"] for r in web.get("/api/firearms/oldest", params={"purpose": PURPOSE,
                                                                                    "limit": 50}).json()]
    opened = []
    for ref in refs:
        answer = web.post(f"/firearms/applications/{ref}/case", data={"csrf_token": token, "purpose": PURPOSE})
        if answer.status_code == 303:  # another test may have opened it already
            opened.append(int(answer.headers["location"].split("/")[3].split("?")[0]))
        if len(opened) == count:
            return opened
    raise AssertionError(f"fewer than {count} renewals left to open")


def test_caseload_lists_open_cases_oldest_expiry_first_filtered_and_logged(web):
    sign_in(web, "web.officer")
    opened = open_oldest(web, 2)
    rows = web.get("/api/firearms/cases", params={"purpose": PURPOSE}).json()
    assert [r["expiry"] for r in rows] == sorted(r["expiry"] for r in rows)
    assert set(opened) <= {r["id"] for r in rows}
    year = int(rows[0]["expiry"][:4])
    only = web.get("/api/firearms/cases", params={"purpose": PURPOSE, "year": year, "stage": "received"}).json()
    assert only and all(r["expiry"].startswith(str(year)) and r["stage"] == "received" for r in only)
    page = web.get("/firearms/cases", params={"purpose": PURPOSE})
    assert page.status_code == 200 and f'href="/firearms/cases/{opened[0]}?' in page.text
    with db.transaction(readonly=True) as session:
        audited = session.execute(select(AuditEntry.object_id).where(
            AuditEntry.actor == "web.officer", AuditEntry.object_type == "case",
            AuditEntry.operation == "consultation")).scalars().all()
    assert {str(i) for i in opened} <= set(audited)


def test_case_forms_move_the_stages_and_grant_with_the_reason(web):
    sign_in(web, "web.officer")
    [case_id] = open_oldest(web, 1)
    token = form_token(web)
    early = web.post(f"/firearms/cases/{case_id}/decision", data={
        "csrf_token": token, "decision": "grant", "on": "2026-03-10", "reason": REASON, "purpose": PURPOSE})
    assert early.status_code == 400 and "cannot come before Checks" in early.text
    for stage, on in (("checks", "2026-03-02"), ("medical", "2026-03-03"), ("home_visit", "2026-03-04")):
        moved = web.post(f"/firearms/cases/{case_id}/stage", data={"csrf_token": token, "stage": stage, "on": on,
                                                                    "purpose": PURPOSE})
        assert moved.status_code == 303, moved.text
    granted = web.post(f"/firearms/cases/{case_id}/decision", data={
        "csrf_token": token, "decision": "grant", "on": "2026-03-10", "reason": REASON, "purpose": PURPOSE})
    assert granted.status_code == 303
    case = web.get(f"/api/firearms/cases/{case_id}", params={"purpose": PURPOSE, "on": "2026-03-10"}).json()
    assert [s["stage"] for s in case["stages"]] == ["received", "checks", "medical", "home_visit", "decision"]
    assert case["status"] == "closed"
    assert [(d["kind"], d["reason"], d["by"]) for d in case["decisions"]] == [("grant", REASON, "web.officer")]
    page = web.get(f"/firearms/cases/{case_id}", params={"purpose": PURPOSE})
    assert "s28B extension" in page.text and "Home visit" in page.text


def test_case_page_shows_the_extension_and_revokes_at_any_stage(web):
    sign_in(web, "web.officer")
    [case_id] = open_oldest(web, 1)
    case = web.get(f"/api/firearms/cases/{case_id}", params={"purpose": PURPOSE}).json()
    expiry, received = date.fromisoformat(case["expiry"]), date.fromisoformat(case["stages"][0]["on"])
    # The oldest renewals were applied for in time and are still open: extended 8 weeks past expiry.
    assert case["made_in_time"] == ((expiry - received).days >= 56)
    assert case["extension_until"] == (str(date.fromordinal(expiry.toordinal() + 56)) if case["made_in_time"] else None)
    revoked = web.post(f"/firearms/cases/{case_id}/decision", data={
        "csrf_token": form_token(web), "decision": "revoke_shotgun", "on": "2026-03-10",
        "reason": "domestic incident: unfitted to be entrusted", "purpose": PURPOSE})
    assert revoked.status_code == 303
    after = web.get(f"/api/firearms/cases/{case_id}", params={"purpose": PURPOSE}).json()
    assert (after["status"], after["decisions"][0]["kind"]) == ("closed", "revoke_shotgun")


def test_alert_page_shows_the_evidence_and_an_officer_decides(web):
    # One alert filed as the scan files them, under another algorithm's name: test_safeguarding.py
    # runs the scan itself on the same casebook, and counts and decides what the scan raised.
    evidence = {"record": "demo_incidents:CC1/1", "relation": "the holder", "why": "domestic incident",
                "event": "demo_incidents:CC1", "date": "2026-02-01", "link_probability": 0.97}
    with db.transaction() as session:
        item_id = review.propose(
            session, domain="firearms", kind=KIND, summary=SUMMARY, by_algorithm=f"{ALGORITHM}-test",
            subject_ref="FH000001", payload={"holder_ref": "FH000001", "records": [evidence["record"]],
                                             "link_probability": 0.97, "evidence": [evidence]})
    sign_in(web, "web.officer")
    assert item_id in {i["id"] for i in web.get("/api/firearms/safeguarding").json()}
    page = web.get(f"/firearms/safeguarding/{item_id}", params={"purpose": PURPOSE})
    assert page.status_code == 200 and "demo_incidents:CC1/1" in page.text and "0.97" in page.text
    decided = web.post(f"/firearms/safeguarding/{item_id}/decision", data={
        "csrf_token": form_token(web), "outcome": "review", "reason": "domestic incident last month: visit"})
    assert decided.status_code == 303
    assert item_id not in {i["id"] for i in web.get("/api/firearms/safeguarding").json()}


def test_pccs_office_sees_the_action_plan_and_no_case_or_alert(web):
    sign_in(web, "web.pcc")
    plan = web.get("/api/firearms/action-plan").json()
    assert plan and {"policy_ref", "recommendation", "status", "owner", "evidence"} <= set(plan[0])
    page = web.get("/firearms/action-plan")
    assert f"of {len(plan)} policies assessed" in page.text
    for address in ("/firearms/cases", "/firearms/cases/1", "/firearms/safeguarding", "/firearms/safeguarding/1"):
        assert web.get(address, params={"purpose": PURPOSE}).status_code == 403, address
    assert web.get("/api/firearms/cases", params={"purpose": PURPOSE}).status_code == 403
    assert web.get("/api/firearms/safeguarding").status_code == 403


def test_permit_form_and_api_issue_an_s7_permit_with_its_last_day(web):
    sign_in(web, "web.officer")
    [case_id] = open_oldest(web, 1)
    token = form_token(web)
    issued = web.post(f"/firearms/cases/{case_id}/permit", data={
        "csrf_token": token, "on": "2026-03-10", "weeks": "8", "reason": "decision due after the extension ends",
        "purpose": PURPOSE})
    assert issued.status_code == 303, issued.text
    case = web.get(f"/api/firearms/cases/{case_id}", params={"purpose": PURPOSE, "on": "2026-03-10"}).json()
    assert case["permit"] == {"issued": "2026-03-10", "last_day": "2026-05-04"}
    assert ("s7_permit", "decision due after the extension ends") in {(d["kind"], d["reason"]) for d in case["decisions"]}
    again = web.post(f"/api/firearms/cases/{case_id}/permit",
                     json={"on": "2026-05-05", "weeks": 4, "reason": "the GP's reply is still awaited"},
                     headers={"X-CSRF-Token": token})
    assert again.json() == {"case_id": case_id, "issued": "2026-05-05", "last_day": "2026-06-01"}


def test_permit_refused_for_the_pccs_office(web):
    sign_in(web, "web.pcc")
    answer = web.post("/api/firearms/cases/1/permit", json={"on": "2026-03-10", "reason": "the PCC's office asks"},
                      headers={"X-CSRF-Token": form_token(web)})
    assert answer.status_code == 403
    with db.transaction(readonly=True) as session:
        refused = session.execute(select(AuditEntry.detail).where(
            AuditEntry.actor == "web.pcc", AuditEntry.operation == "refusal")).scalars().all()
    # Refused before its input is read: the PCC's office may change nothing in firearms (InputRoute).
    assert any("update_case" in detail for detail in refused)
