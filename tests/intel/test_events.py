"""Event risk assessments: the cited history of a planned event, a past event the warehouse does
not hold refused, the risk level a person's, and a high-risk event signed off only at the
command level the force declares."""

from __future__ import annotations

from datetime import date

import pytest
from tests.casebook.conftest import add_staff

from peel.casebook.errors import AccessRefused
from peel.intel.events import (
    PlannedEvent,
    UnknownPastEvent,
    assemble_event,
    draft_assessment,
    read_command_levels,
    sign_off_assessment,
)
from peel.intel.statements import verify_statements
from peel.warehouse import connect

from .conftest import PURPOSE

DERBY = PlannedEvent("Chalk Town v Brackenholt Rovers", "Chalk Park", date(2026, 4, 11), 12000,
                     ("Chalk Town", "Brackenholt Rovers"))


@pytest.fixture(scope="module")
def con(linked_demo):
    con = connect(linked_demo.warehouse, read_only=True)
    yield con
    con.close()


def test_assemble_event_cites_past_matches_at_the_venue_and_what_happened_that_day(con):
    statements = assemble_event(con, DERBY)
    history = [s for s in statements if s["kind"] == "past_event"]
    assert history and all("at Chalk Park" in s["claim"] for s in history)
    assert all(s["citations"][0]["system"] == "demo_events" for s in history)
    assert len([s for s in statements if s["kind"] == "around_event"]) == len(history)
    assert verify_statements(con, statements).passed


def test_assemble_event_refuses_a_match_that_never_took_place(con):
    with pytest.raises(UnknownPastEvent, match="holds no past event 'Chalk Town v Brackenholt Rovers, 2025-05-14'"):
        assemble_event(con, DERBY, ["Chalk Town v Brackenholt Rovers, 2025-05-14"])


def test_assemble_event_cites_a_named_match_the_warehouse_holds(con):
    name, day = con.execute("SELECT name, event_date FROM public_event WHERE name LIKE '%Rovers' "
                            "ORDER BY event_date LIMIT 1").fetchall()[0]
    planned = PlannedEvent("Summer concert", "Fallowmere Showground", date(2026, 7, 1), 5000)
    statements = assemble_event(con, planned, [f"{name}, {day}"])
    assert statements[0]["kind"] == "past_event" and name in statements[0]["claim"]


def test_read_command_levels_declares_high_risk_for_command_roles_only():
    levels = read_command_levels()
    assert levels["high"]["roles"] == ["event_commander"]
    assert "supervisor" in levels["low"]["roles"]


def test_sign_off_assessment_of_a_high_risk_event_needs_the_command_level(staff, warehouse, peel_home):
    import os

    add_staff(os.environ["PEEL_CASEBOOK_URL"], "supt.gold", "event_commander")
    item, assessment = draft_assessment(staff["author"], DERBY, risk="high", purpose=PURPOSE)
    assert (assessment["risk"], assessment["risk_set_by"]) == ("high", staff["author"])
    with pytest.raises(AccessRefused, match="high-risk event is signed off at Silver or Gold command"):
        sign_off_assessment(staff["supervisor"], item, approve=True, reason="looks proportionate to me")
    sign_off_assessment("supt.gold", item, approve=True, reason="commander's review of the history")


def test_sign_off_assessment_of_a_low_risk_event_takes_a_supervisor(staff, warehouse):
    item, _ = draft_assessment(staff["author"], DERBY, risk="low", purpose=PURPOSE)
    sign_off_assessment(staff["supervisor"], item, approve=True, reason="routine fixture, history checked")
