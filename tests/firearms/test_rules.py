"""The licensing rules at their edge dates: s28B extensions, s7 permits, leap years, the
clock-change day, and stages in order."""

from datetime import date, timedelta

import pytest

from peel.firearms.rules import (
    check_stage_order,
    cover_on,
    expiry_for,
    extension_end,
    made_in_time,
    permit_expiry,
)

EXPIRY = date(2026, 6, 30)


def test_made_in_time_exactly_eight_weeks_before_expiry():
    assert made_in_time(EXPIRY - timedelta(weeks=8), EXPIRY)
    assert not made_in_time(EXPIRY - timedelta(weeks=8) + timedelta(days=1), EXPIRY)


def test_extension_end_undecided_runs_eight_weeks_after_expiry():
    assert extension_end(date(2026, 4, 1), EXPIRY, None) == date(2026, 8, 25)


def test_extension_end_ends_the_day_before_a_decision():
    assert extension_end(date(2026, 4, 1), EXPIRY, date(2026, 7, 10)) == date(2026, 7, 9)


def test_extension_end_none_when_late_or_decided_before_expiry():
    assert extension_end(date(2026, 6, 1), EXPIRY, None) is None
    assert extension_end(date(2026, 4, 1), EXPIRY, date(2026, 6, 30)) is None


def test_expiry_for_leap_day_issue_falls_on_28_february():
    assert expiry_for(date(2024, 2, 29)) == date(2029, 2, 28)
    assert expiry_for(date(2023, 3, 1)) == date(2028, 3, 1)


def test_extension_end_across_a_leap_february():
    # Expiry 31 Dec 2027: 8 weeks later is 25 Feb 2028, whatever the leap year.
    assert extension_end(date(2027, 10, 1), date(2027, 12, 31), None) == date(2028, 2, 25)
    # Expiry 10 Jan 2028: 56 days on passes 29 Feb 2028 and lands on 6 March.
    assert extension_end(date(2027, 11, 1), date(2028, 1, 10), None) == date(2028, 3, 6)


def test_cover_on_clock_change_day_is_a_whole_day():
    # The clocks go forward on 29 March 2026: a certificate expiring that day covers all of it.
    expiry = date(2026, 3, 29)
    assert cover_on(expiry, expiry).kind == "certificate"
    assert cover_on(expiry + timedelta(days=1), expiry).lapsed
    extended = cover_on(expiry + timedelta(days=1), expiry, received=date(2026, 1, 10))
    assert (extended.kind, extended.until) == ("s28B extension", date(2026, 5, 24))


def test_cover_on_permit_after_extension_runs_on():
    cover = cover_on(date(2026, 8, 1), EXPIRY, received=date(2026, 4, 1),
                     permit=(date(2026, 8, 20), permit_expiry(date(2026, 8, 20))))
    assert (cover.kind, cover.until) == ("s7 permit", date(2026, 10, 14))
    assert not cover.warn


def test_cover_on_warns_before_a_lapse_with_nothing_after():
    cover = cover_on(date(2026, 8, 10), EXPIRY, received=date(2026, 4, 1))
    assert cover.kind == "s28B extension" and cover.warn
    assert not cover_on(date(2026, 5, 1), EXPIRY, received=date(2026, 4, 1)).warn


def test_permit_expiry_refuses_a_period_of_nothing():
    with pytest.raises(ValueError, match="positive"):
        permit_expiry(date(2026, 1, 1), timedelta(0))


def test_check_stage_order_refuses_a_skipped_stage():
    with pytest.raises(ValueError, match="Home visit cannot come before Checks"):
        check_stage_order([("received", date(2026, 1, 5))], "home_visit", date(2026, 2, 1))


def test_check_stage_order_refuses_an_earlier_date_and_a_repeat():
    done = [("received", date(2026, 1, 5)), ("checks", date(2026, 1, 20))]
    with pytest.raises(ValueError, match="before the previous stage"):
        check_stage_order(done, "medical", date(2026, 1, 19))
    with pytest.raises(ValueError, match="already recorded"):
        check_stage_order(done, "checks", date(2026, 1, 21))
    check_stage_order(done, "medical", date(2026, 1, 20))
