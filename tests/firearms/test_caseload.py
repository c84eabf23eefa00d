"""Renewals opened as cases from the register of the linked demo: an s7 permit the register
shows comes with the case, its last day the one the rules work out."""

from peel.casebook import db
from peel.firearms.caseload import open_from_register, renewal_view
from peel.firearms.rules import permit_expiry
from peel.settings import get_settings
from peel.warehouse import connect

from .conftest import OFFICER, PURPOSE


def test_open_from_register_carries_the_registers_s7_permit(linked_demo, monkeypatch):
    monkeypatch.setenv("PEEL_HOME", str(linked_demo))
    con = connect(read_only=True)
    permits = con.execute("SELECT application_ref, permit_issued, permit_expires FROM firearms_application "
                           "WHERE permit_issued IS NOT NULL AND decided_date IS NULL ORDER BY application_ref DESC"
                          ).fetchall()
    con.close()
    assert permits and all(last == permit_expiry(issued) for _, issued, last in permits)
    ref, issued, last = permits[0]  # the newest reference: not one the oldest-first tests open
    with db.transaction() as session:
        case_id = open_from_register(session, get_settings().warehouse_path, OFFICER, ref, purpose=PURPOSE)
        case = renewal_view(session, OFFICER, case_id, purpose=PURPOSE, on=issued)
    assert case["permit"] == {"issued": issued, "last_day": last}
    assert (case["cover"]["kind"], case["cover"]["until"]) == ("s7 permit", last)
