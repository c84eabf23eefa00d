"""`peel control-room decide`, run for real by a signed-in control-room manager: the audit log
says who decided which week's staffing proposal, how, and why (issue 9)."""

from datetime import date

import pandas as pd
from tests.casebook.audit_checks import audited_run
from tests.casebook.conftest import casebook_url, staff  # noqa: F401 (fixtures used by name)

from peel.casebook import db
from peel.control_room.proposal import DOMAIN, KIND, WeekPlan, propose_staffing

WHY = "Derby fixture that evening: more 999 calls expected"
HOUR = "2026-03-02 08:00 GMT"


def test_control_room_decide_logs_the_decision_on_the_week_with_its_reason(staff, log_in):  # noqa: F811
    manager = staff["control_room_manager"]
    hours = pd.DataFrame({"ds": [pd.Timestamp("2026-03-02 08:00")], "label": [HOUR],
                          "calls_999": [40.0], "handlers_999": [7], "worked_999": [6],
                          "calls_101": [30.0], "handlers_101": [5], "worked_101": [5]})
    with db.transaction() as session:
        item = propose_staffing(session, staff["control_room_service"], WeekPlan(date(2026, 3, 2), hours))
    log_in(manager)
    [decided] = audited_run(manager, "control-room", "decide", str(item), "--decision", "change",
                            "--set", f"{HOUR}=9", "--reason", WHY)
    assert decided == {"actor": manager, "role": "control_room_manager", "operation": "alteration",
                       "object_type": "review_item", "object_id": str(item), "subject_ref": "week:2026-03-02",
                       "purpose": WHY, "detail": {"decision": "accepted", "domain": DOMAIN, "kind": KIND}}
