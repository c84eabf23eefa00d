"""The daily dashboard's figures on the demo force, against counts written here independently
from the warehouse's outcome table; yesterday in UK time; the command; the crimes behind a
count, refused and logged as personal data."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from peel.casebook import AccessRefused, PurposeRequired, db, users
from peel.casebook.audit import AuditFilter, select_entries
from peel.cli import app
from peel.crime.daily import get_daily, get_yesterday, list_solved_crimes

DAY = date(2026, 3, 10)  # the demo force knows outcomes to 2026-03-11, each with its exact date
HAND_COUNT = """
    SELECT c.crime_type, c.district_code, count(*) FROM crime c
    WHERE c.crime_key IN (SELECT crime_key FROM outcome WHERE is_positive AND outcome_date = ?)
      AND NOT EXISTS (SELECT 1 FROM outcome earlier WHERE earlier.crime_key = c.crime_key
                      AND earlier.is_positive AND earlier.outcome_date < ?)
    GROUP BY 1, 2"""


def hand_count(con, day: date) -> dict[tuple[str, str], int]:
    """Crimes whose earliest positive outcome is on ``day``, by type and district."""
    return {(t, d): n for t, d, n in con.execute(HAND_COUNT, [day, day]).fetchall()}


def test_get_daily_counts_match_a_hand_count(county_demo):
    daily = get_daily(county_demo.con, DAY)
    expected = hand_count(county_demo.con, DAY)
    assert sum(expected.values()) > 0
    assert {(c.crime_type, c.area_code): c.solved for c in daily.counts} == expected
    assert daily.total == sum(expected.values())


def test_get_daily_week_is_the_seven_days_ending_on_the_day(county_demo):
    daily = get_daily(county_demo.con, DAY)
    assert daily.week_days[0] == date(2026, 3, 4) and daily.week_days[-1] == DAY
    for day in daily.week_days:
        by_type = {}
        for (crime_type, _), n in hand_count(county_demo.con, day).items():
            by_type[crime_type] = by_type.get(crime_type, 0) + n
        assert {t.crime_type: t.solved for t in daily.week if t.day == day} == by_type


def test_get_daily_after_the_data_ends_is_empty_and_says_when_it_ends(county_demo):
    daily = get_daily(county_demo.con, date(2026, 4, 1))
    assert daily.counts == [] and daily.last_outcome_day == date(2026, 3, 11)


@pytest.mark.parametrize("now, yesterday", [
    (datetime(2026, 3, 10, 23, 30, tzinfo=UTC), date(2026, 3, 9)),  # GMT: still the 10th
    (datetime(2026, 6, 10, 23, 30, tzinfo=UTC), date(2026, 6, 10)),  # BST: already the 11th
])
def test_get_yesterday_is_in_uk_time(now, yesterday):
    assert get_yesterday(now) == yesterday


@pytest.fixture
def casebook(peel_home):
    """A casebook at PEEL_HOME's default address (where consultations are logged)."""
    peel_home.mkdir(parents=True, exist_ok=True)
    with db.transaction() as session:
        users.add_user(session, "admin", "administrator", acting=None, password="a long password")
        users.add_user(session, "sarge", "supervisor", acting="admin", password="a long password")
        users.add_user(session, "analyst", "performance_analyst", acting="admin", password="a long password")
    yield
    db.dispose_engines()


def test_list_solved_crimes_lists_each_crime_and_logs_it(county_demo, casebook):
    crimes = list_solved_crimes(county_demo.con, DAY, username="sarge", purpose="Checking yesterday's results",
                                crime_type="Drugs")
    expected = sum(n for (t, _), n in hand_count(county_demo.con, DAY).items() if t == "Drugs")
    assert len(crimes) == expected and {c.solved_on for c in crimes} == {DAY}
    with db.transaction() as session:
        logged = [e.subject_ref for e in select_entries(session, AuditFilter(actor="sarge"))
                  if e.operation == "consultation"]
    assert sorted(logged) == sorted(c.reference for c in crimes)


def test_list_solved_crimes_refuses_a_role_without_personal_data_and_logs_it(county_demo, casebook):
    with pytest.raises(AccessRefused):
        list_solved_crimes(county_demo.con, DAY, username="analyst", purpose="Checking yesterday's results")
    with db.transaction() as session:
        [entry] = select_entries(session, AuditFilter(actor="analyst"))
    assert entry.operation == "refusal" and json.loads(entry.detail)["domain"] == "crime"


def test_list_solved_crimes_refuses_without_a_purpose(county_demo, casebook):
    with pytest.raises(PurposeRequired):
        list_solved_crimes(county_demo.con, DAY, username="sarge", purpose="")


def test_daily_command_prints_the_day_and_the_week(county_demo, peel_home):
    peel_home.mkdir(parents=True, exist_ok=True)
    county_demo.con.execute("CHECKPOINT")  # the command opens a copy: this one is open read-write
    shutil.copyfile(county_demo.home / "warehouse.duckdb", peel_home / "warehouse.duckdb")
    result = CliRunner().invoke(app, ["daily", "--date", DAY.isoformat()])
    assert result.exit_code == 0, result.output
    total = sum(hand_count(county_demo.con, DAY).values())
    assert "Crimes solved on Tuesday 10 March 2026" in result.output
    assert re.search(rf"All crime types\s+│\s+All areas\s+│\s+{total}\s", result.output)
    assert "The week to 10 March 2026" in result.output
