"""The access matrix: every role against every action in two domains, through the real API.
Each forbidden combination is refused with nothing written but the refusal's audit entry;
each allowed one is logged."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta

import pytest

from peel.casebook import access, cases, db, meetings, retention, review, users
from peel.casebook.audit import AuditFilter, Operation
from peel.casebook.errors import AccessRefused, InvalidInput, PurposeRequired, UnknownUser
from peel.casebook.models import AuditEntry, MeetingAction
from peel.casebook.roles import Action, Domain, get_role, load_roles

from .conftest import TEST_IDP, audit_entries, count_rows, execute_raw, refusal

PURPOSE = "testing the access matrix for the casebook"
DOMAINS = [Domain.FIREARMS, Domain.DVDS]
# Actions that do not concern one domain's records (meeting actions are all the pack's).
DOMAINLESS = {Action.READ_AGGREGATES, Action.MANAGE_USERS, Action.READ_AUDIT, Action.RECORD_MEETING_ACTIONS,
              Action.UPDATE_MEETING_ACTIONS}
OPENER = {Domain.FIREARMS: "licensing.officer", Domain.DVDS: "public.protection.officer"}
TABLES = ("casebook_user", "case_record", "decision", "review_item", "meeting_action", "audit_entry")
# What each allowed action writes to the audit log (aggregates are not personal data: no entry).
LOGGED_AS = {
    Action.READ_AGGREGATES: None,
    Action.READ_PERSONAL: Operation.CONSULTATION,
    Action.OPEN_CASE: Operation.COLLECTION,
    Action.UPDATE_CASE: Operation.ALTERATION,
    Action.DECIDE_CASE: Operation.ALTERATION,
    Action.DISCLOSE: Operation.DISCLOSURE,
    Action.COLLECT: Operation.COLLECTION,
    Action.COMBINE: Operation.COMBINATION,
    Action.PROPOSE: Operation.COLLECTION,
    Action.DECIDE_REVIEW: Operation.ALTERATION,
    Action.REVIEW_RETENTION: Operation.ALTERATION,
    Action.ERASE: Operation.ERASURE,
    Action.MANAGE_USERS: Operation.ADMINISTRATION,
    Action.READ_AUDIT: Operation.CONSULTATION,
    Action.RECORD_MEETING_ACTIONS: Operation.COLLECTION,
    Action.UPDATE_MEETING_ACTIONS: Operation.ALTERATION,
}


def prepare(url: str, domain: str) -> tuple[int, int]:
    """A due case opened by the domain's own officer, and an algorithm's proposal about it."""
    with db.transaction(url) as s:
        case_id = cases.open_case(s, OPENER[domain], domain=domain, kind="matrix", details={"note": "n"},
                                  purpose=PURPOSE, subject_ref="P-1",
                                  review_date=date.today() - timedelta(days=1))
        item_id = review.propose(s, domain=domain, kind="matrix", summary="a proposal",
                                 by_algorithm="matrix-test", case_id=case_id)
    return case_id, item_id


def attempt(session, user: str, action: Action, domain: str, case_id: int, item_id: int, n: int):
    """Do ``action`` for real as ``user``."""
    match action:
        case Action.READ_AGGREGATES:
            return cases.count_cases(session, user)
        case Action.READ_PERSONAL:
            return cases.read_case(session, user, case_id, purpose=PURPOSE)
        case Action.OPEN_CASE:
            return cases.open_case(session, user, domain=domain, kind="matrix", details={"note": "n"},
                                   purpose=PURPOSE)
        case Action.UPDATE_CASE:
            return cases.update_case(session, user, case_id, changes={"note": "m"}, purpose=PURPOSE)
        case Action.DECIDE_CASE:
            return cases.record_decision(session, user, case_id, kind="assessment", outcome="low risk",
                                         reason="meets the criteria")
        case Action.DISCLOSE:
            return cases.record_disclosure(session, user, case_id, recipient="the applicant", purpose=PURPOSE)
        case Action.COLLECT:  # what access.processing does around a load, in one transaction
            request = access.Request(action, "person_record", domain=domain, purpose=PURPOSE,
                                     must_state=access.PURPOSE)
            actor = access.authorise(session, user, request)
            return access.record(session, actor, Operation.COLLECTION, "person_record", purpose=PURPOSE)
        case Action.COMBINE:
            return access.combine(session, user, domain=domain, subject_refs=["P-1", "P-2"], purpose=PURPOSE)
        case Action.PROPOSE:
            return review.propose(session, domain=domain, kind="matrix", summary="a proposal", by_user=user)
        case Action.DECIDE_REVIEW:
            return review.decide(session, user, item_id, accept=True, reason="checked against the record")
        case Action.REVIEW_RETENTION:
            return retention.keep(session, user, case_id, until=date.today() + timedelta(days=365),
                                  reason=PURPOSE)
        case Action.ERASE:
            return retention.erase(session, user, case_id, reason=PURPOSE)
        case Action.MANAGE_USERS:
            return users.add_user(session, f"new.{n}", "auditor", acting=user,
                                  identity_provider=TEST_IDP, external_subject=f"new-{n}")
        case Action.READ_AUDIT:
            return access.read_audit_log(session, user, AuditFilter())
        case Action.RECORD_MEETING_ACTIONS:
            return meetings.record_meeting_action(session, user, meeting_month=date(2026, 3, 1),
                                                  agenda_item="Burglary", text="Report back", owner="Head of Crime",
                                                  due_date=date(2026, 5, 1))
        case Action.UPDATE_MEETING_ACTIONS:
            action = MeetingAction(meeting_month=date(2026, 3, 1), agenda_item="Burglary", text="Report back",
                                   owner="Head of Crime", due_date=date(2026, 5, 1), recorded_by_id=1)
            session.add(action)  # as if recorded earlier: this attempt's one audit entry is the update's
            session.flush()
            return meetings.update_meeting_action(session, user, action.id, status="done",
                                                  evidence="Reported at the May meeting")
    raise AssertionError(f"no attempt written for {action}")


def snapshot(url: str) -> dict[str, int]:
    return {table: count_rows(url, table) for table in TABLES}


def last_entry(url: str) -> AuditEntry:
    return audit_entries(url)[-1]


@pytest.mark.parametrize("role", list(load_roles()))
def test_every_role_is_refused_what_it_is_not_granted_and_logged_for_what_it_is(role, staff, casebook_url):
    user = staff[role]
    combinations = [(a, None) for a in Action if a in DOMAINLESS] + [
        (a, d) for a, d in itertools.product(Action, DOMAINS) if a not in DOMAINLESS
    ]
    for n, (action, domain) in enumerate(combinations):
        case_id, item_id = prepare(casebook_url, domain or Domain.FIREARMS)
        before = snapshot(casebook_url)
        allowed = get_role(role).allows(action, domain)
        if allowed:
            with db.transaction(casebook_url) as s:
                attempt(s, user, action, domain or Domain.FIREARMS, case_id, item_id, n)
            expected = LOGGED_AS[action]
            after = snapshot(casebook_url)
            if expected is None:
                assert after["audit_entry"] == before["audit_entry"], (role, action)
            else:
                assert after["audit_entry"] == before["audit_entry"] + 1, (role, action, domain)
                entry = last_entry(casebook_url)
                assert (entry.actor, entry.operation) == (user, expected), (role, action, domain)
        else:
            with pytest.raises(AccessRefused, match=user), db.transaction(casebook_url) as s:
                attempt(s, user, action, domain or Domain.FIREARMS, case_id, item_id, n)
            after = snapshot(casebook_url)
            assert after == {**before, "audit_entry": before["audit_entry"] + 1}, (role, action, domain)
            logged = refusal(last_entry(casebook_url))
            assert (logged["actor"], logged["role"], logged["action"], logged["refusal"]) == (
                user, role, action, "AccessRefused"), (role, action, domain)


def test_roles_give_personal_data_only_to_the_jobs_that_need_it():
    no_personal_data = ["pcc_scrutiny_officer", "performance_analyst", "administrator", "auditor",
                        "information_manager"]
    for role, domain in itertools.product(no_personal_data, Domain):
        assert not get_role(role).allows(Action.READ_PERSONAL, domain), role
    assert get_role("licensing_officer").allows(Action.READ_PERSONAL, Domain.FIREARMS)
    assert not get_role("licensing_officer").allows(Action.READ_PERSONAL, Domain.DVDS)
    assert not get_role("public_protection_officer").allows(Action.READ_PERSONAL, Domain.FIREARMS)
    pcc = get_role("pcc_scrutiny_officer")
    assert [a for a in Action if pcc.allows(a)] == [Action.READ_AGGREGATES, Action.RECORD_MEETING_ACTIONS]


def test_authorise_refuses_an_unknown_user_and_logs_the_attempt(staff, casebook_url):
    case_id, _ = prepare(casebook_url, Domain.FIREARMS)
    before = snapshot(casebook_url)
    with pytest.raises(UnknownUser, match="no casebook user 'nobody'"), db.transaction(casebook_url) as s:
        cases.read_case(s, "nobody", case_id, purpose=PURPOSE)
    assert snapshot(casebook_url) == {**before, "audit_entry": before["audit_entry"] + 1}
    assert refusal(last_entry(casebook_url)) == {
        "actor": "nobody", "role": "(none)", "action": "read_personal", "domain": None,
        "object_type": "case", "object_id": str(case_id), "purpose": PURPOSE, "refusal": "UnknownUser"}


def test_authorise_refuses_no_user_and_logs_the_attempt(staff, casebook_url):
    case_id, _ = prepare(casebook_url, Domain.FIREARMS)
    with pytest.raises(UnknownUser, match="No acting user"), db.transaction(casebook_url) as s:
        cases.update_case(s, None, case_id, changes={"note": "m"}, purpose=PURPOSE)
    logged = refusal(last_entry(casebook_url))
    assert (logged["actor"], logged["action"], logged["object_id"]) == ("(none)", "update_case", str(case_id))


def test_authorise_refuses_a_disabled_user(staff, casebook_url):
    case_id, _ = prepare(casebook_url, Domain.FIREARMS)
    with db.transaction(casebook_url) as s:
        users.disable_user(s, "licensing.officer", acting="admin")
    with pytest.raises(UnknownUser, match="disabled"), db.transaction(casebook_url) as s:
        cases.read_case(s, "licensing.officer", case_id, purpose=PURPOSE)
    logged = refusal(last_entry(casebook_url))
    assert (logged["actor"], logged["role"]) == ("licensing.officer", "licensing_officer")


def test_authorise_refuses_a_user_whose_role_is_no_longer_in_roles_yaml(staff, casebook_url):
    execute_raw(casebook_url, "UPDATE casebook_user SET role = 'retired_role' WHERE username = 'auditor'")
    before = snapshot(casebook_url)
    with pytest.raises(InvalidInput, match="Unknown role 'retired_role'.*roles.yaml"), \
            db.transaction(casebook_url) as s:
        access.read_audit_log(s, "auditor", AuditFilter())
    assert snapshot(casebook_url) == before


@pytest.mark.parametrize("purpose", [None, "", "   ", "check"])
def test_read_case_without_a_real_purpose_is_refused_and_logged(purpose, staff, casebook_url):
    case_id, _ = prepare(casebook_url, Domain.FIREARMS)
    before = snapshot(casebook_url)
    with pytest.raises(PurposeRequired, match="stated purpose"), db.transaction(casebook_url) as s:
        cases.read_case(s, "licensing.officer", case_id, purpose=purpose)
    assert snapshot(casebook_url) == {**before, "audit_entry": before["audit_entry"] + 1}
    assert refusal(last_entry(casebook_url)) == {
        "actor": "licensing.officer", "role": "licensing_officer", "action": "read_personal",
        "domain": "firearms", "object_type": "case", "object_id": str(case_id),
        "purpose": "check" if purpose == "check" else None, "refusal": "PurposeRequired"}


def test_a_refusal_in_a_read_only_transaction_is_logged_and_keeps_the_chain_intact(staff, casebook_url):
    with pytest.raises(AccessRefused), db.transaction(casebook_url, snapshot=True, readonly=True) as s:
        access.verify_audit_log(s, "licensing.officer")
    assert refusal(last_entry(casebook_url))["action"] == "read_audit"
    with db.transaction(casebook_url, snapshot=True, readonly=True) as s:
        assert access.verify_audit_log(s, "auditor").intact


def test_a_refusal_caught_inside_a_transaction_is_logged_after_it_commits(staff, casebook_url):
    case_id, _ = prepare(casebook_url, Domain.FIREARMS)
    with db.transaction(casebook_url) as s:
        with pytest.raises(AccessRefused):
            cases.read_case(s, "public.protection.officer", case_id, purpose=PURPOSE)
        cases.read_case(s, "licensing.officer", case_id, purpose=PURPOSE)
    read, refused = audit_entries(casebook_url)[-2:]
    assert (read.actor, read.operation) == ("licensing.officer", "consultation")
    assert refusal(refused)["actor"] == "public.protection.officer"


def test_consult_logs_a_warehouse_read_by_reference_with_its_purpose(staff, casebook_url):
    with db.transaction(casebook_url) as s:
        access.consult(s, "intelligence.analyst", domain=Domain.INTELLIGENCE, object_type="person",
                       object_id="demo:person:42", subject_ref="P-42", purpose="intelligence pack on P-42")
    entry = last_entry(casebook_url)
    assert (entry.operation, entry.object_type, entry.object_id, entry.subject_ref, entry.purpose) == (
        "consultation", "person", "demo:person:42", "P-42", "intelligence pack on P-42")


def collecting(purpose: str | None) -> access.Request:
    return access.Request(Action.COLLECT, "person_record", domain=Domain.LINKAGE, purpose=purpose,
                          must_state=access.PURPOSE)


def test_processing_logs_the_operation_once_done_with_what_it_touched(staff, casebook_url):
    before = audit_entries(casebook_url)[-1].seq
    with access.processing("ingest.service", collecting("nightly load of the custody extract"),
                           Operation.COLLECTION) as touched:
        touched.update(batch_id=7, rows_loaded=120)
    [entry] = audit_entries(casebook_url, before)
    assert (entry.actor, entry.role, entry.operation, entry.object_type, entry.purpose) == (
        "ingest.service", "ingest_service", "collection", "person_record", "nightly load of the custody extract")
    assert json.loads(entry.detail) == {"domain": "linkage", "batch_id": 7, "rows_loaded": 120}


@pytest.mark.parametrize("user, purpose, refused", [
    ("supervisor", "nightly load of the custody extract", "AccessRefused"),  # may not collect
    ("ingest.service", "load", "PurposeRequired"),
])
def test_processing_refuses_before_the_work_and_logs_the_refusal(user, purpose, refused, staff, casebook_url):
    before = audit_entries(casebook_url)[-1].seq
    ran = []
    with pytest.raises((AccessRefused, PurposeRequired)), \
            access.processing(user, collecting(purpose), Operation.COLLECTION):
        ran.append(True)
    assert ran == []
    [entry] = [refusal(e) for e in audit_entries(casebook_url, before)]
    assert (entry["actor"], entry["action"], entry["refusal"]) == (user, "collect", refused)


def test_processing_that_fails_is_not_logged_as_done(staff, casebook_url):
    before = audit_entries(casebook_url)[-1].seq
    with pytest.raises(RuntimeError), access.processing(
            "ingest.service", collecting("nightly load of the custody extract"), Operation.COLLECTION):
        raise RuntimeError("disk full")
    assert audit_entries(casebook_url, before) == []
