"""Every figure of pack item 3 against an independent count of the generated records: the
extracts the demo wrote (read here with pandas, not through the warehouse's SQL) and the
crime and outcome tables."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from peel.workforce.section import (
    describe_training,
    get_workforce_section,
    render_workforce_section,
)

MONTH, AS_OF = date(2026, 3, 1), date(2026, 3, 11)


@pytest.fixture(scope="module")
def section(small_demo):
    con = small_demo.con
    return get_workforce_section(con, MONTH)


@pytest.fixture(scope="module")
def extracts(small_demo):
    folder = small_demo.home / "demo" / "workforce"
    read = lambda name: pd.read_csv(folder / name, dtype=str, keep_default_na=False)
    return {"staff": read("hr_staff.csv"), "courses": read("learning_bookings.csv"),
            "absence": read("hr_absence.csv"), "wellbeing": read("wellbeing_contacts.csv")}


def _uk(text: str) -> date | None:
    return pd.to_datetime(text, format="%d/%m/%Y").date() if text else None


def _in_post(staff: pd.DataFrame, day: date) -> pd.DataFrame:
    start = staff["StartDate"].map(_uk)
    leave = staff["LeaveDate"].map(_uk)
    return staff[(start <= day) & leave.map(lambda d: d is None or d >= day)]


def test_get_workforce_section_training_matches_the_learning_extract(section, extracts):
    staff = _in_post(extracts["staff"], AS_OF)
    courses = extracts["courses"]
    codes = {"Sergeant": "PS", "Inspector": "INSP", "Chief Inspector": "CI"}
    for row in section.training:
        people = set(staff.loc[staff["RankGrade"] == codes[row.rank], "StaffNo"])
        booked = set(courses.loc[courses["Booked"] <= AS_OF.isoformat(), "StaffNumber"]) & people
        done = set(courses.loc[(courses["Completed"] != "") & (courses["Completed"] <= AS_OF.isoformat()),
                               "StaffNumber"]) & people
        assert (row.in_post, row.booked, row.completed) == (len(people), len(booked), len(done))
    sergeants = section.training[0]
    assert sergeants.rank == "Sergeant" and sergeants.booked == sergeants.in_post > 0  # every sergeant booked
    assert 0 < sergeants.completed < sergeants.in_post
    assert describe_training(sergeants).startswith("100% of sergeants booked")


def test_get_workforce_section_daily_matches_a_count_of_first_positive_outcomes(small_demo, section):
    con = small_demo.con
    outcomes = con.execute("SELECT crime_key, outcome_date FROM outcome WHERE is_positive").df()
    first = outcomes.groupby("crime_key")["outcome_date"].min().map(lambda t: pd.Timestamp(t).date())
    expected = first[(first >= MONTH) & (first <= AS_OF)].value_counts()
    assert section.daily.last == AS_OF and len(section.daily.by_day) == 11
    assert {d: n for d, n in section.daily.by_day if n} == expected.to_dict()


def test_get_workforce_section_sickness_matches_a_count_of_absence_days(section, extracts):
    staff = extracts["staff"].set_index("StaffNo")
    fte = staff["FTE"].astype(float)
    lost = {}
    for spell in extracts["absence"].itertuples():
        first, last = _uk(spell.FirstDayAbsent), _uk(spell.LastDayAbsent) or AS_OF
        day = first
        while day <= min(last, AS_OF):
            if day.weekday() < 5:
                month = day.replace(day=1)
                lost[month] = lost.get(month, 0) + fte[spell.StaffNo]
            day += timedelta(days=1)
    for m in section.sickness:
        end = (pd.Timestamp(m.month) + pd.offsets.MonthEnd(0)).date()
        start = extracts["staff"]["StartDate"].map(_uk)
        leave = extracts["staff"]["LeaveDate"].map(_uk)
        stays = leave.map(lambda d, first=m.month: d is None or d >= first)
        in_post = extracts["staff"][(start <= end) & stays]
        assert m.numerator == pytest.approx(lost.get(m.month, 0))
        assert m.denominator == pytest.approx(in_post["FTE"].astype(float).sum())


def test_get_workforce_section_wellbeing_matches_the_wellbeing_extract(section, extracts):
    contacts = extracts["wellbeing"].assign(day=lambda f: f["ContactDate"].map(_uk))
    contacts["month"] = contacts["day"].map(lambda d: d.replace(day=1))
    people = contacts.drop_duplicates(["Service", "StaffNo", "month"])

    def count(first: date, end: date) -> dict:
        return people[(people["day"] >= first) & (people["day"] < end)].groupby("Service").size().to_dict()

    assert {s: now for s, now, _ in section.wellbeing if now} == count(date(2025, 3, 1), MONTH)
    assert {s: before for s, _, before in section.wellbeing if before} == count(date(2024, 3, 1), date(2025, 3, 1))
    by_month = people[people["day"] >= date(2025, 3, 1)].groupby(["month", "Service"]).size().to_dict()
    assert {(m.month, m.group): m.numerator for m in section.wellbeing_months} == by_month


def test_get_workforce_section_assaults_match_the_crime_and_outcome_records(small_demo, section):
    con = small_demo.con
    rows = con.execute("""SELECT a.crime_key, c.recorded_date, a.ho_outcome_code, a.attrition_reason
                          FROM staff_assault a JOIN crime c USING (crime_key)""").df()
    outcomes = con.execute("SELECT crime_key, outcome_group, is_positive FROM outcome").df()
    solved = set(outcomes.loc[outcomes["is_positive"], "crime_key"])
    hard = set(outcomes.loc[outcomes["outcome_group"] == "Evidential difficulties", "crime_key"]) - solved
    year = rows["recorded_date"].map(lambda d: pd.Timestamp(d).year)
    for y in section.assaults.calendar_years:
        mine = rows[year == int(y.label)]
        assert (y.assaults, y.solved) == (len(mine), mine["crime_key"].isin(solved).sum())
    fy = rows["recorded_date"].map(lambda d: d.year if d.month >= 4 else d.year - 1)
    for y in section.assaults.financial_years:
        mine = rows[fy == int(y.label[:4])]
        assert (y.assaults, y.solved) == (len(mine), mine["crime_key"].isin(solved).sum())
    assert [y.label for y in section.assaults.financial_years] == ["2023-24", "2024-25", "2025-26"]
    assert [y.label for y in section.assaults.calendar_years] == ["2024", "2025", "2026"]
    assert [y.partial for y in section.assaults.calendar_years] == [False, False, True]
    y2025 = rows[(year == 2025) & rows["crime_key"].isin(hard)]
    expected = y2025.groupby(["ho_outcome_code", "attrition_reason"]).size().to_dict()
    assert {(a.code, a.reason): a.crimes for a in section.assaults.attrition} == expected
    assert any("mental-health crisis" in a.reason for a in section.assaults.attrition)


def test_get_workforce_section_sickness_change_is_days_lost_over_mean_fte_of_the_same_months(small_demo, section):
    from peel.workforce.figures import get_monthly

    con = small_demo.con
    since = get_monthly(con, "working_days_lost_per_fte", date(2025, 10, 1), MONTH, AS_OF)
    before = get_monthly(con, "working_days_lost_per_fte", date(2024, 10, 1), date(2025, 3, 1), AS_OF)
    assert section.training_start.replace(day=1) == date(2025, 10, 1) and len(since) == len(before) == 5
    c = section.change_all
    assert c.since == pytest.approx(sum(m.numerator for m in since) / (sum(m.denominator for m in since) / 5))
    assert c.before == pytest.approx(sum(m.numerator for m in before) / (sum(m.denominator for m in before) / 5))


def test_render_workforce_section_states_the_figures(section):
    html = render_workforce_section(section)
    assert "100% of sergeants booked" in html
    assert f"{section.assaults.calendar_years[1].assaults:,} assaults on officers and staff recorded in 2025" in html


def test_get_workforce_section_daily_agrees_with_the_daily_dashboard(small_demo, section):
    from peel.crime.daily import get_daily

    assert [(d, n) for d, n in section.daily.by_day] == [(d, get_daily(small_demo.con, d).total)
                                                          for d, _ in section.daily.by_day]


def test_get_workforce_section_share_absent_and_groups_match_a_count_of_absence_days(section, extracts):
    staff = extracts["staff"].set_index("StaffNo")
    absent: dict[tuple, set] = {}
    for spell in extracts["absence"].itertuples():
        day, last = _uk(spell.FirstDayAbsent), min(_uk(spell.LastDayAbsent) or AS_OF, AS_OF)
        while day <= last:
            if day.weekday() < 5:
                absent.setdefault((day.replace(day=1), staff.at[spell.StaffNo, "Role"]), set()).add(spell.StaffNo)
            day += timedelta(days=1)
    by_role = section.by_group["role"]["share_absent"]
    assert by_role and {(m.month, m.group): m.numerator for m in by_role if m.numerator} == {
        key: len(people) for key, people in absent.items() if key[0] >= section.absent[0].month}
    for m in section.absent:
        assert m.numerator == sum(n.numerator for n in by_role if n.month == m.month)
        assert m.denominator == sum(n.denominator for n in by_role if n.month == m.month)
