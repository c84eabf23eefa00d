"""Cancelling a deployment: a supervisor's decision with its reason, refused once it has
started; the register and its feeds keep it, marked cancelled, and no figure counts it."""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from tests.lfr.test_register import con, planned_and_authorised  # noqa: F401 (fixture)
from tests.lfr.test_rules import make_plan
from typer.testing import CliRunner

from peel.casebook import AccessRefused, InvalidStateChange, PurposeRequired, db, read_case
from peel.casebook.models import AuditEntry
from peel.cli import app
from peel.lfr import figures, public
from peel.lfr.register import cancel_deployment, confirm_deployment, list_plans, plan_deployment
from peel.lfr.rules import PlanError

ANNOUNCED = datetime(2026, 4, 1, tzinfo=UTC)  # a month before make_plan's 2 May 2026
CANCELLED = datetime(2026, 4, 20, 9, 0, tzinfo=UTC)
WHY = "Market cancelled by the council"


def confirmed(con) -> tuple[int, str]:  # noqa: F811
    case_id = planned_and_authorised()
    return case_id, confirm_deployment(con, "planner", case_id, at=ANNOUNCED)


def test_cancel_deployment_marks_it_cancelled_on_every_feed_and_in_no_figure(staff, con):  # noqa: F811
    case_id, ref = confirmed(con)
    assert cancel_deployment(con, "supervisor", case_id, WHY, at=CANCELLED) == ref
    register = public.get_register(con)
    (shown,) = register.upcoming
    assert (shown.ref, shown.cancelled_at, shown.cancel_reason) == (ref, CANCELLED, WHY)
    record = public.to_json(register)["upcoming"][0]
    assert (record["status"], record["cancellation_reason"]) == ("cancelled", WHY)
    (row,) = csv.DictReader(io.StringIO(public.to_csv(register)))
    assert (row["reference"], row["status"]) == (ref, "cancelled")
    (event,) = Calendar.from_ical(public.to_icalendar(register, "Chalkshire")).walk("VEVENT")
    assert (str(event["uid"]), str(event["status"]), int(event["sequence"])) == (
        f"{ref}@lfr.peel", "CANCELLED", 1)
    after = date(2026, 5, 31)
    assert figures.list_deployments(con, after) == [] and figures.get_deletion_gaps(con, after) == []
    assert figures.get_period_figures(con, "May", date(2026, 5, 1), date(2026, 6, 1), after).deployments == 0
    with db.transaction() as session:
        case = read_case(session, "supervisor", case_id, purpose="Checking the cancellation")
    assert (case.status, case.decisions[-1].kind, case.decisions[-1].reason) == ("closed", "cancellation", WHY)


def test_cancel_deployment_shows_as_announced_on_a_day_before_the_cancellation(staff, con):  # noqa: F811
    case_id, ref = confirmed(con)
    cancel_deployment(con, "supervisor", case_id, WHY, at=CANCELLED)
    (before,) = figures.list_deployments(con, date(2026, 4, 10), with_cancelled=True)
    assert (before.ref, before.cancelled_at) == (ref, None)


def test_cancel_deployment_refuses_once_it_has_started_or_ended_and_writes_nothing(staff, con):  # noqa: F811
    case_id, ref = confirmed(con)
    for at in (make_plan().starts_at + timedelta(minutes=5), make_plan().ends_at + timedelta(days=1)):
        with pytest.raises(PlanError, match="it started at 02 May 2026 10:00, so it cannot be cancelled"):
            cancel_deployment(con, "supervisor", case_id, WHY, at=at)
    assert con.execute("SELECT cancelled_at FROM lfr_deployment WHERE deployment_ref = ?", [ref]).fetchone() == (None,)
    with db.transaction() as session:
        assert session.query(AuditEntry).filter(AuditEntry.detail.contains('"cancellation"')).count() == 0


def test_cancel_deployment_refuses_without_a_reason_or_the_role(staff, con):  # noqa: F811
    case_id, _ = confirmed(con)
    with pytest.raises(PurposeRequired):
        cancel_deployment(con, "supervisor", case_id, " ", at=CANCELLED)
    with pytest.raises(AccessRefused):  # an operator may not decide lfr cases
        cancel_deployment(con, "planner", case_id, WHY, at=CANCELLED)
    assert con.execute("SELECT count(*) FROM lfr_deployment WHERE cancelled_at IS NULL").fetchone() == (1,)


def test_cancel_deployment_of_a_plan_never_published_closes_it_and_confirming_is_refused(staff, con):  # noqa: F811
    case_id = planned_and_authorised()
    assert cancel_deployment(con, "supervisor", case_id, WHY, at=CANCELLED) is None
    with pytest.raises(InvalidStateChange, match="was cancelled"):
        confirm_deployment(con, "planner", case_id, at=ANNOUNCED)
    assert [(p.case_id, p.status) for p in list_plans("planner", "Reviewing the deployment plans")] == [
        (case_id, "cancelled")]


def test_list_plans_says_where_each_plan_has_got_to(staff, con):  # noqa: F811
    planned = plan_deployment("planner", make_plan(location="Station forecourt"))
    _, ref = confirmed(con)
    plans = {p.location: (p.status, p.deployment_ref) for p in list_plans("planner", "Reviewing the plans")}
    assert plans == {"Station forecourt": ("planned", None), "Chalk Town high street": ("confirmed", ref)}
    assert planned
    with pytest.raises(AccessRefused):
        list_plans("scrutiny", "Reviewing the deployment plans")


def test_lfr_cancel_command_cancels_and_logs_the_decision_with_its_reason(staff, log_in):
    case_id = plan_deployment("planner", make_plan(starts_at=make_plan().starts_at.replace(year=2030),
                                                   ends_at=make_plan().ends_at.replace(year=2030)))
    log_in("supervisor")
    result = CliRunner().invoke(app, ["lfr", "cancel", str(case_id), "--reason", WHY, "--as", "supervisor"])
    assert result.exit_code == 0, result.output
    assert f"Case {case_id} cancelled (it was never published)." in result.output
    with db.transaction() as session:
        logged = [(e.actor, json.loads(e.detail).get("kind"), e.purpose)
                  for e in session.query(AuditEntry).order_by(AuditEntry.seq) if e.object_type == "case"]
    assert ("supervisor", "cancellation", None) in logged
    assert ("supervisor", None, WHY) in logged  # the case closed, with the reason
