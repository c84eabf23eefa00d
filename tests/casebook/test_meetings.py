"""Meeting actions: the PCC's office records them, the force updates them with evidence,
every change is audited, and the next month's pack reads the open and recently done ones."""

from __future__ import annotations

from datetime import date

import pytest

from peel.casebook import db, meetings
from peel.casebook.errors import AccessRefused, InvalidInput, NotFound

from .conftest import audit_entries, count_rows

PCC, ANALYST = "pcc.scrutiny.officer", "performance.analyst"


def add(url: str, month: date = date(2026, 2, 1), **changes) -> int:
    values = {"meeting_month": month, "agenda_item": "Burglary", "text": "Report on the Diwali patrols' effect",
              "owner": "Head of Neighbourhood Policing", "due_date": date(2026, 4, 30)} | changes
    with db.transaction(url) as s:
        return meetings.record_meeting_action(s, PCC, **values)


def test_record_meeting_action_keeps_it_open_and_audits_it(staff, casebook_url):
    number = add(casebook_url, date(2026, 2, 17))
    with db.transaction(casebook_url, readonly=True) as s:
        [action] = meetings.list_meeting_actions(s, "auditor")
    assert (action.id, action.meeting_month, action.status, action.recorded_by) == (
        number, date(2026, 2, 1), "open", PCC)
    assert action.owner == "Head of Neighbourhood Policing" and action.updated_by is None
    entry = audit_entries(casebook_url)[-1]
    assert (entry.actor, entry.operation, entry.object_type, entry.object_id) == (
        PCC, "collection", "meeting_action", str(number))
    assert '"owner":"Head of Neighbourhood Policing"' in entry.detail


def test_update_meeting_action_records_status_evidence_who_and_when(staff, casebook_url):
    number = add(casebook_url)
    with db.transaction(casebook_url) as s:
        meetings.update_meeting_action(s, ANALYST, number, status="in_progress",
                                       evidence="Patrol logs collected for 3 districts")
    with db.transaction(casebook_url) as s:
        meetings.update_meeting_action(s, "supervisor", number, status="done",
                                       evidence="Report presented to the PCC on 12 April")
    with db.transaction(casebook_url, readonly=True) as s:
        [action] = meetings.list_meeting_actions(s, PCC, status="done")
    assert (action.status, action.evidence, action.updated_by) == (
        "done", "Report presented to the PCC on 12 April", "supervisor")
    assert action.updated_at is not None and action.status_label == "Done"
    changes = [(e.actor, e.operation, e.detail) for e in audit_entries(casebook_url)[-2:]]
    assert changes == [
        (ANALYST, "alteration", '{"status_from":"open","status_to":"in_progress"}'),
        ("supervisor", "alteration", '{"status_from":"in_progress","status_to":"done"}'),
    ]


@pytest.mark.parametrize("username, record", [(ANALYST, True), ("auditor", True), (PCC, False),
                                               ("intelligence.analyst", False)])
def test_meeting_actions_are_recorded_by_the_pccs_office_and_updated_by_the_force(
    staff, casebook_url, username, record
):
    number = add(casebook_url)
    with pytest.raises(AccessRefused), db.transaction(casebook_url) as s:
        if record:
            meetings.record_meeting_action(s, username, meeting_month=date(2026, 3, 1), agenda_item="Burglary",
                                           text="Anything", owner="Head of Crime", due_date=date(2026, 4, 1))
        else:
            meetings.update_meeting_action(s, username, number, status="done", evidence="Done and dusted now")
    assert count_rows(casebook_url, "meeting_action") == 1
    assert audit_entries(casebook_url)[-1].operation == "refusal"


@pytest.mark.parametrize("changes, expected", [
    ({"owner": " "}, "needs its owner"),
    ({"text": ""}, "needs its action"),
    ({"due_date": date(2026, 1, 31)}, "is before the meeting's month"),
    ({"agenda_item": "x" * 201}, "at most 200"),
])
def test_record_meeting_action_refuses_incomplete_actions(staff, casebook_url, changes, expected):
    with pytest.raises(InvalidInput, match=expected):
        add(casebook_url, **changes)
    assert count_rows(casebook_url, "meeting_action") == 0


def test_update_meeting_action_refuses_no_evidence_an_unknown_status_or_action(staff, casebook_url):
    number = add(casebook_url)
    with pytest.raises(InvalidInput, match="Say what was done"), db.transaction(casebook_url) as s:
        meetings.update_meeting_action(s, ANALYST, number, status="done", evidence="done")
    with pytest.raises(InvalidInput, match="an action is open, in_progress, done"), db.transaction(casebook_url) as s:
        meetings.update_meeting_action(s, ANALYST, number, status="closed", evidence="Report presented")
    with pytest.raises(NotFound, match="no meeting action 99"), db.transaction(casebook_url) as s:
        meetings.update_meeting_action(s, ANALYST, 99, status="done", evidence="Report presented")


def test_actions_for_pack_has_earlier_meetings_open_and_recently_done_actions(staff, casebook_url):
    still_open = add(casebook_url, date(2026, 1, 1), text="Open since January")
    done_now = add(casebook_url, date(2026, 2, 1), text="Done this month")
    this_meeting = add(casebook_url, date(2026, 3, 1), text="Agreed at the March meeting")
    with db.transaction(casebook_url) as s:
        meetings.update_meeting_action(s, ANALYST, done_now, status="done", evidence="Report presented")
    with db.transaction(casebook_url, readonly=True) as s:
        in_march = [a.id for a in meetings.actions_for_pack(s, date(2026, 3, 1))]
        in_april = [a.id for a in meetings.actions_for_pack(s, date(2026, 4, 1))]
        # Marked done today: long before the month before a pack for March 2100.
        in_2100 = [a.id for a in meetings.actions_for_pack(s, date(2100, 3, 1))]
    assert in_march == [still_open, done_now]
    assert in_april == [still_open, done_now, this_meeting]
    assert in_2100 == [still_open, this_meeting]
