"""A staffing proposal goes to the review queue; a control-room manager decides it."""

import json
from datetime import date

import pytest

from peel.casebook import db, transaction, users
from peel.casebook.errors import AccessRefused
from peel.casebook.models import AuditEntry, ReviewItem
from peel.control_room.proposal import ALGORITHM, decide_staffing, plan_week, propose_staffing

WEEK = date(2025, 11, 3)


@pytest.fixture(scope="module")
def plan(control_room_demo):
    return plan_week(control_room_demo.con, WEEK)


def test_plan_week_staffs_168_hours_beside_the_roster_worked(plan):
    assert len(plan.hours) == 168
    assert (plan.hours["handlers_999"] >= 1).all()
    assert (plan.hours["worked_999"] >= 1).all()
    totals = plan.totals()
    assert totals["proposed_999"] == plan.hours["handlers_999"].sum()


def test_plan_week_refuses_a_week_without_history(control_room_demo):
    with pytest.raises(ValueError, match="needs 26 weeks of calls before it"):
        plan_week(control_room_demo.con, date(2025, 2, 3))


@pytest.fixture
def queued(plan, peel_home, monkeypatch):
    monkeypatch.setenv("PEEL_CASEBOOK_URL", f"sqlite:///{peel_home / 'casebook.sqlite'}")
    # Single-sign-on accounts: no password to hash.
    for name, role, acting in (("admin", "administrator", None), ("crm", "control_room_manager", "admin"),
                               ("analyst", "performance_analyst", "admin"),
                               ("planner", "control_room_service", "admin")):
        with transaction() as session:
            users.add_user(session, name, role, acting=acting, identity_provider="https://sso.force.test",
                           external_subject=f"sub-{name}")
    with transaction() as session:
        item = propose_staffing(session, "planner", plan)
    yield item
    db.dispose_engines()


def test_propose_staffing_queues_it_from_the_algorithm(queued, plan):
    with transaction(readonly=True) as session:
        item = session.get(ReviewItem, queued)
        assert (item.domain, item.kind, item.proposed_by_algorithm) == ("control_room", "staffing", ALGORITHM)
        assert item.payload["totals"] == plan.totals()
        assert len(item.payload["hours"]) == 168


def test_propose_staffing_logs_who_filed_it_and_the_algorithm_s_proposal(queued):
    with transaction(readonly=True) as session:
        entries = session.query(AuditEntry).where(AuditEntry.object_type == "review_item",
                                                  AuditEntry.object_id == str(queued)).order_by(AuditEntry.seq).all()
    assert [(e.actor, e.role, e.operation) for e in entries] == [
        (f"algorithm:{ALGORITHM}", "algorithm", "collection"), ("planner", "control_room_service", "collection")]
    assert json.loads(entries[1].detail) == {"domain": "control_room", "kind": "staffing", "filed_for": ALGORITHM}


def test_propose_staffing_refuses_a_role_that_may_not_propose(queued, plan):
    with pytest.raises(AccessRefused), transaction() as session:
        propose_staffing(session, "crm", plan)  # a manager decides proposals; the service files them
    with transaction(readonly=True) as session:
        [refused] = session.query(AuditEntry).where(AuditEntry.actor == "crm",
                                                    AuditEntry.operation == "refusal").all()
        assert refused.object_type == "review_item"


def test_decide_staffing_change_keeps_both_numbers(queued, plan):
    label = plan.hours["label"][8]
    with transaction() as session:
        decide_staffing(session, "crm", queued, "change", "Derby fixture that evening", {label: 9})
    with transaction(readonly=True) as session:
        item = session.get(ReviewItem, queued)
        assert (item.status, item.reason) == ("accepted", "Derby fixture that evening")
        assert item.payload["changed_999_handlers"] == {label: 9}
        assert item.payload["hours"][8]["handlers_999"] == int(plan.hours["handlers_999"][8])


def test_decide_staffing_reject_needs_the_role(queued):
    with pytest.raises(AccessRefused), transaction() as session:
        decide_staffing(session, "analyst", queued, "reject", "not mine to decide")
    with transaction() as session:
        decide_staffing(session, "crm", queued, "reject", "Training day: the room is staffed apart")
    with transaction(readonly=True) as session:
        assert session.get(ReviewItem, queued).status == "rejected"


def test_decide_staffing_refuses_an_hour_not_in_the_proposal(queued):
    with pytest.raises(ValueError, match="No hour '2025-11-03 25:00 GMT'"), transaction() as session:
        decide_staffing(session, "crm", queued, "change", "an hour the week lacks", {"2025-11-03 25:00 GMT": 5})
