"""The control-room page and its JSON API, for the roles that read aggregate figures."""

from __future__ import annotations

import shutil

import pytest
from tests.web.conftest import (  # noqa: F401 (fixtures)
    client,
    get_username,
    sign_in,
    staff_casebook,
    web_settings,
)


@pytest.fixture
def site(control_room_demo, peel_home, client):  # noqa: F811 (fixture)
    control_room_demo.con.execute("CHECKPOINT")
    shutil.copy(control_room_demo.home / "warehouse.duckdb", peel_home / "warehouse.duckdb")
    return client


def test_show_control_room_shows_performance_forecast_and_staffing(site):
    sign_in(site, get_username("control_room_manager"))
    page = site.get("/control-room?month=2026-03")
    assert page.status_code == 200, page.text
    assert "999 calls answered within 10 seconds" in page.text
    assert "Demand forecast, next 14 days" in page.text and "Staffing: proposed and worked" in page.text


def test_show_control_room_refuses_a_role_without_aggregates(site):
    sign_in(site, get_username("administrator"))
    assert site.get("/control-room").status_code == 403


def test_get_summary_answers_the_same_figures_as_json(site):
    sign_in(site, get_username("performance_analyst"))
    answer = site.get("/api/control-room/summary?month=2026-03")
    assert answer.status_code == 200
    body = answer.json()
    assert body["month"] == "2026-02" and body["data_to"] == "2026-03-10"
    assert {r["measure"] for r in body["performance"]} == {
        "cr_999_answered_in_10s", "cr_101_mean_answer_seconds", "cr_101_abandoned", "cr_attendance_in_target"}
    assert len(body["forecast"]) == 14 and body["staffing"]["week_start"] == "2026-03-02"
