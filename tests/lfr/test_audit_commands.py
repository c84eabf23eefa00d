"""`peel lfr authorise`, run for real by a signed-in supervisor: the audit log says who decided
on which plan, what, and why (issue 9). (`peel lfr alerts` is checked in test_alerts.py.)"""

from tests.casebook.audit_checks import audited_run
from tests.lfr.test_rules import make_plan

from peel.lfr.register import plan_deployment

WHY = "Necessary and proportionate: footfall, and warrants outstanding in the town"


def test_lfr_authorise_logs_the_decision_on_the_plan_with_its_reason(staff, log_in):
    case_id = plan_deployment("planner", make_plan())
    log_in("supervisor")
    [decided] = audited_run("supervisor", "lfr", "authorise", str(case_id), "--reason", WHY)
    assert decided == {"actor": "supervisor", "role": "supervisor", "operation": "alteration",
                       "object_type": "case", "object_id": str(case_id), "subject_ref": None, "purpose": WHY,
                       "detail": {"decision_id": 1, "kind": "authorisation", "outcome": "authorised"}}
