"""Plan, authorise (four eyes, the required role), confirm into the register; results and
deletion evidence; each write checked and logged."""

from datetime import UTC, datetime, timedelta

import pytest
from tests.lfr.test_rules import make_plan

from peel.casebook import AccessRefused, InvalidStateChange, db
from peel.casebook.models import AuditEntry
from peel.lfr import figures
from peel.lfr.register import (
    authorise_deployment,
    confirm_deployment,
    plan_deployment,
    record_deletion,
    record_results,
)
from peel.lfr.rules import PlanError, get_notice_deadline
from peel.warehouse import connect


@pytest.fixture
def con(peel_home):
    con = connect()
    yield con
    con.close()


def planned_and_authorised() -> int:
    case_id = plan_deployment("planner", make_plan())
    authorise_deployment("supervisor", case_id, authorised=True, reason="Proportionate: footfall and warrants")
    return case_id


def test_authorise_deployment_refuses_the_planner_and_an_operator_without_the_role(staff):
    case_id = plan_deployment("planner", make_plan())
    with pytest.raises(AccessRefused):  # an operator may not decide lfr cases
        authorise_deployment("second.operator", case_id, authorised=True, reason="Looks proportionate to me")
    with pytest.raises(AccessRefused):
        authorise_deployment("planner", case_id, authorised=True, reason="Authorising my own plan")


def test_plan_deployment_refuses_a_bad_plan_and_writes_nothing(staff):
    bad = make_plan(ends_at=make_plan().starts_at - timedelta(hours=1))
    with pytest.raises(PlanError, match="before it starts"):
        plan_deployment("planner", bad)
    with db.transaction() as session:
        assert session.query(AuditEntry).filter(AuditEntry.object_type == "case").count() == 0


def test_confirm_deployment_refuses_an_unauthorised_plan(staff, con):
    case_id = plan_deployment("planner", make_plan())
    with pytest.raises(InvalidStateChange, match="has not been authorised"):
        confirm_deployment(con, "planner", case_id, at=datetime(2026, 4, 1, tzinfo=UTC))
    authorise_deployment("supervisor", case_id, authorised=False, reason="Not proportionate at this site")
    with pytest.raises(InvalidStateChange, match="has not been authorised"):
        confirm_deployment(con, "planner", case_id, at=datetime(2026, 4, 1, tzinfo=UTC))
    assert con.execute("SELECT count(*) FROM lfr_deployment").fetchone()[0] == 0


def test_confirm_deployment_publishes_in_time_and_refuses_late_without_an_exception(staff, con):
    case_id = planned_and_authorised()
    deadline = get_notice_deadline(make_plan().starts_at)
    with pytest.raises(PlanError, match="urgent exception"):
        confirm_deployment(con, "planner", case_id, at=deadline + timedelta(minutes=1))
    assert figures.list_deployments(con, deadline.date() + timedelta(days=1)) == []
    ref = confirm_deployment(con, "planner", case_id, at=deadline)
    (published,) = figures.list_deployments(con, deadline.date())
    assert (published.ref, published.location, published.urgent_reason) == (ref, "Chalk Town high street", None)
    with pytest.raises(InvalidStateChange, match="was confirmed"):
        confirm_deployment(con, "planner", case_id, at=deadline)


def test_confirm_deployment_late_with_an_urgent_exception_keeps_its_reason_and_approver(staff, con):
    case_id = planned_and_authorised()
    late = make_plan().starts_at - timedelta(days=2)
    ref = confirm_deployment(con, "planner", case_id, at=late, urgent_reason="Wanted man expected at market",
                             urgent_approver="Ch Supt Moore")
    row = con.execute("SELECT urgent_reason, urgent_approver FROM lfr_deployment WHERE deployment_ref = ?",
                      [ref]).fetchone()
    assert row == ("Wanted man expected at market", "Ch Supt Moore")


def test_record_deletion_flags_a_deployment_until_both_pieces_of_evidence_are_recorded(staff, con):
    case_id = planned_and_authorised()
    ref = confirm_deployment(con, "planner", case_id, at=datetime(2026, 4, 1, tzinfo=UTC))
    ends = make_plan().ends_at
    after = ends.date() + timedelta(days=1)
    record_results(con, "planner", ref, 6120)
    assert [d.missing_evidence for d in figures.get_deletion_gaps(con, after)] == [
        ["watchlist destroyed", "non-matched data deleted"]]
    record_deletion(con, "planner", ref, "watchlist destroyed", ends + timedelta(minutes=20), "PC Lane")
    assert [d.missing_evidence for d in figures.get_deletion_gaps(con, after)] == [["non-matched data deleted"]]
    record_deletion(con, "planner", ref, "non-matched data deleted", ends + timedelta(minutes=25), "PC Lane")
    assert figures.get_deletion_gaps(con, after) == []
    with pytest.raises(PlanError, match="before the deployment ended"):
        record_deletion(con, "planner", ref, "watchlist destroyed", ends - timedelta(hours=1), "PC Lane")


def test_record_results_refuses_a_role_that_may_not_update_lfr_records(staff, con):
    case_id = planned_and_authorised()
    ref = confirm_deployment(con, "planner", case_id, at=datetime(2026, 4, 1, tzinfo=UTC))
    with pytest.raises(AccessRefused):
        record_results(con, "scrutiny", ref, 100)
    assert con.execute("SELECT faces_seen FROM lfr_deployment").fetchone()[0] is None
