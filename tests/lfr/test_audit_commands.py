"""`peel lfr authorise`, run for real by a signed-in supervisor: the audit log says who decided
on which plan and what, and points to the decision that keeps the reason (issue 9). (`peel lfr
alerts` is checked in test_alerts.py.)"""

from tests.casebook.audit_checks import audited_run
from tests.lfr.test_rules import make_plan

from peel.casebook import db, read_case
from peel.lfr.register import plan_deployment

WHY = "Necessary and proportionate: footfall, and warrants outstanding in the town"


def test_lfr_authorise_logs_the_decision_on_the_plan_pointing_to_its_reason(staff, log_in):
    case_id = plan_deployment("planner", make_plan())
    log_in("supervisor")
    [decided] = audited_run("supervisor", "lfr", "authorise", str(case_id), "--reason", WHY)
    decision_id = decided["detail"]["decision_id"]
    # A decision's reason may name people, so it stays with the decision, erased with the case
    # (test_retention.py), and the entry points to it rather than copying it into the log.
    assert decided == {"actor": "supervisor", "role": "supervisor", "operation": "alteration",
                       "object_type": "case", "object_id": str(case_id), "subject_ref": None, "purpose": None,
                       "detail": {"decision_id": decision_id, "kind": "authorisation", "outcome": "authorised"}}
    with db.transaction() as session:
        plan = read_case(session, "supervisor", case_id, purpose="checking the authorisation's audit entry")
    assert [(d.id, d.decided_by, d.reason) for d in plan.decisions] == [(decision_id, "supervisor", WHY)]
