"""The control-room page and its JSON API, for the roles that read aggregate figures."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from tests.web.conftest import (  # noqa: F401 (fixtures)
    FORM_TOKEN,
    client,
    get_username,
    sign_in,
    staff_casebook,
    web_settings,
)

from peel.casebook import transaction
from peel.control_room.proposal import plan_week, propose_staffing


@pytest.fixture
def site(control_room_demo, peel_home, client):  # noqa: F811 (fixture)
    control_room_demo.con.execute("CHECKPOINT")
    shutil.copy(control_room_demo.home / "warehouse.duckdb", peel_home / "warehouse.duckdb")
    return client


def test_control_room_pages_show_the_week_s_figures_staffing_and_roster(site):
    # One app, so the section (forecast, plan, roster, officers) is built once for all its pages.
    sign_in(site, get_username("control_room_manager"))
    page = site.get("/control-room?month=2026-03")
    assert page.status_code == 200, page.text
    assert "999 calls answered within 10 seconds" in page.text
    assert "Demand forecast, next 14 days" in page.text and "Staffing: proposed and worked" in page.text
    body = site.get("/api/control-room/summary?month=2026-03").json()
    assert body["month"] == "2026-02" and body["data_to"] == "2026-03-10"
    assert {r["measure"] for r in body["performance"]} == {
        "cr_999_answered_in_10s", "cr_101_mean_answer_seconds", "cr_101_abandoned", "cr_attendance_in_target"}
    assert len(body["forecast"]) == 14 and body["staffing"]["week_start"] == "2026-03-02"
    staffing = site.get("/control-room/staffing")
    assert staffing.status_code == 200 and staffing.text.count("<tr class=\"govuk-table__row\">") == 169
    assert site.get("/api/control-room/staffing").json()["week_start"] == "2026-03-02"
    roster = site.get("/control-room/roster")
    assert "11 hours' rest" in roster.text and "Three ten-hour shifts" in roster.text
    body = site.get("/api/control-room/roster").json()
    assert body["handlers"]["people"] > 0 and {r["pattern"] for r in body["officers"]} == {"eights", "tens"}


def test_show_control_room_refuses_a_role_without_aggregates(site):
    sign_in(site, get_username("administrator"))
    assert site.get("/control-room").status_code == 403


def test_show_forecast_gives_each_series_a_range_by_district_and_grade(site):
    sign_in(site, get_username("performance_analyst"))
    page = site.get("/control-room/forecast?by=district")
    assert page.status_code == 200, page.text
    assert "emergency|X07000001" in page.text and " to " in page.text
    assert site.get("/control-room/forecast?by=shift").status_code == 400
    days = site.get("/api/control-room/forecast?by=grade").json()["days"]
    assert len(days) == 14 * 4 and all(d["low"] <= d["mean"] <= d["high"] for d in days)


def test_decide_proposal_lets_a_manager_change_it_with_a_reason(site, control_room_demo, web_settings):  # noqa: F811
    plan = plan_week(control_room_demo.con, date(2025, 11, 3))
    with transaction(web_settings.casebook_url) as session:
        item = propose_staffing(session, get_username("control_room_service"), plan)
    sign_in(site, get_username("control_room_manager"))
    page = site.get("/control-room/proposals")
    label = plan.hours["label"][8]
    answer = site.post(f"/control-room/proposals/{item}/decision", data={
        "csrf_token": FORM_TOKEN.search(page.text)[1], "decision": "change", "reason": "Derby fixture that evening",
        "changes": f"{label}=9"})
    assert answer.status_code == 303, answer.text
    [decided] = site.get("/api/control-room/proposals").json()
    assert (decided["status"], decided["reason"], decided["changed_999_handlers"]) == (
        "accepted", "Derby fixture that evening", {label: 9})


def test_show_proposals_refuses_a_role_without_the_control_room_queue(site):
    sign_in(site, get_username("performance_analyst"))
    assert site.get("/control-room/proposals").status_code == 403
