"""The deployment rules: UK local time across the clock changes, the 7-day notice and its
urgent exception, and a plan's checks."""

from datetime import UTC, datetime, timedelta

import pytest

from peel.lfr.rules import (
    Plan,
    PlanError,
    check_confirmation,
    check_plan,
    get_notice_deadline,
    to_uk_instant,
)


def test_to_uk_instant_reads_summer_and_winter_wall_clocks():
    assert to_uk_instant(datetime(2026, 1, 10, 10, 0), "start") == datetime(2026, 1, 10, 10, 0, tzinfo=UTC)
    assert to_uk_instant(datetime(2026, 7, 10, 10, 0), "start") == datetime(2026, 7, 10, 9, 0, tzinfo=UTC)


def test_to_uk_instant_refuses_the_hour_the_clocks_skip_and_the_hour_they_repeat():
    with pytest.raises(PlanError, match="does not exist in the UK"):
        to_uk_instant(datetime(2026, 3, 29, 1, 30), "start")
    with pytest.raises(PlanError, match="happens twice in the UK"):
        to_uk_instant(datetime(2026, 10, 25, 1, 30), "start")


def test_get_notice_deadline_keeps_the_uk_clock_time_across_the_spring_change():
    starts = to_uk_instant(datetime(2026, 4, 2, 10, 0), "start")  # BST; 7 days before is GMT
    deadline = get_notice_deadline(starts)
    assert deadline == to_uk_instant(datetime(2026, 3, 26, 10, 0), "deadline")
    assert starts - deadline == timedelta(days=7, hours=-1)  # a 23-hour day in between


def test_get_notice_deadline_keeps_the_uk_clock_time_across_the_autumn_change():
    starts = to_uk_instant(datetime(2026, 10, 29, 10, 0), "start")  # GMT; 7 days before is BST
    deadline = get_notice_deadline(starts)
    assert deadline == to_uk_instant(datetime(2026, 10, 22, 10, 0), "deadline")
    assert starts - deadline == timedelta(days=7, hours=1)  # a 25-hour day in between


def test_check_confirmation_allows_the_deadline_and_refuses_a_minute_later_at_the_clock_change():
    starts = to_uk_instant(datetime(2026, 4, 2, 10, 0), "start")
    deadline = get_notice_deadline(starts)
    assert check_confirmation("LFR-1", starts, deadline) is False
    with pytest.raises(PlanError, match="less than 7 days away.*urgent exception"):
        check_confirmation("LFR-1", starts, deadline + timedelta(minutes=1))


def test_check_confirmation_takes_a_late_one_with_an_urgent_reason_and_approver():
    starts = to_uk_instant(datetime(2026, 10, 29, 10, 0), "start")
    late = starts - timedelta(days=2)
    assert check_confirmation("LFR-2", starts, late, "Wanted man seen at the market", "Ch Supt Moore") is True
    with pytest.raises(PlanError, match="approver"):
        check_confirmation("LFR-2", starts, late, "Wanted man seen at the market", " ")
    with pytest.raises(PlanError, match="cannot be announced after it has started"):
        check_confirmation("LFR-2", starts, starts + timedelta(hours=1), "reason", "approver")


def make_plan(**changes) -> Plan:
    values = {"location": "Chalk Town high street", "location_reason": "footfall",
                  "starts_at": to_uk_instant(datetime(2026, 5, 2, 10, 0), "start"),
                  "ends_at": to_uk_instant(datetime(2026, 5, 2, 16, 0), "end"), "purpose": "Locate wanted people",
                  "authorising_officer": "Supt Reid", "authorising_rank": "Superintendent", "watchlist_size": 2500,
                  "watchlist_categories": ["wanted on warrant"], "threshold": 0.64, "uniformed_officers": 8,
                  "plain_clothes_officers": 2}
    return Plan(**(values | changes))


def test_check_plan_refuses_a_deployment_ending_before_it_starts_naming_it():
    plan = make_plan(ends_at=to_uk_instant(datetime(2026, 5, 2, 9, 0), "end"))
    with pytest.raises(PlanError, match=r"^plan 7: it ends \(02 May 2026 09:00\) before it starts"):
        check_plan(plan, "plan 7")


def test_check_plan_refuses_an_unknown_rank_and_one_too_junior_to_authorise():
    with pytest.raises(PlanError, match="rank 'Captain' is unknown"):
        check_plan(make_plan(authorising_rank="Captain"), "plan 8")
    with pytest.raises(PlanError, match="must be a Superintendent or above, not a Inspector"):
        check_plan(make_plan(authorising_rank="Inspector"), "plan 8")
    check_plan(make_plan(authorising_rank="Chief Superintendent"), "plan 8")
