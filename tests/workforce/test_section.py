"""Every figure of pack item 3 against an independent count of the generated records: the
extracts the demo wrote (read here with pandas, not through the warehouse's SQL) and the
crime and outcome tables."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from tests.workforce.conftest import AS_OF, MONTH

from peel.workforce.section import (
    describe_training,
    render_workforce_section,
)


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


def test_render_workforce_section_states_the_figures(section):
    html = render_workforce_section(section)
    assert "100% of sergeants booked" in html
    assert f"{section.assaults.calendar_years[1].assaults:,} assaults on officers and staff recorded in 2025" in html


def test_get_workforce_section_daily_agrees_with_the_daily_dashboard(small_demo, section):
    from peel.crime.daily import get_daily

    assert [(d, n) for d, n in section.daily.by_day] == [(d, get_daily(small_demo.con, d).total)
                                                          for d, _ in section.daily.by_day]


def _months(first: date, end: date) -> list[date]:
    months, month = [], first
    while month < end:
        months.append(month)
        month = (pd.Timestamp(month) + pd.offsets.MonthBegin(1)).date()
    return months


@pytest.fixture(scope="module")
def counted(extracts):
    """An independent count of the HR extracts, per month and rank (its name through the
    mapping's codes) or role: working days lost (FTE-weighted), people absent, FTE in post."""
    import yaml

    from peel.workforce.extracts import MAPPINGS

    names = yaml.safe_load((MAPPINGS / "demo_hr_staff.yaml").read_text(encoding="utf-8"))["values"]["rank_or_grade"]
    staff = extracts["staff"].assign(rank=lambda f: f["RankGrade"].map(names), fte=lambda f: f["FTE"].astype(float),
                                     start=lambda f: f["StartDate"].map(_uk), leave=lambda f: f["LeaveDate"].map(_uk))
    people = staff.set_index("StaffNo")
    lost, absent, fte, heads = {}, {}, {}, {}
    for spell in extracts["absence"].itertuples():
        day, last = _uk(spell.FirstDayAbsent), min(_uk(spell.LastDayAbsent) or AS_OF, AS_OF)
        person = people.loc[spell.StaffNo]
        while day <= last:
            if day.weekday() < 5:
                for group in ("rank", "role", "all"):
                    key = (day.replace(day=1), group, {"rank": person["rank"], "role": person["Role"], "all": "All"}[group])
                    lost[key] = lost.get(key, 0) + person["fte"]
                    absent.setdefault(key, set()).add(spell.StaffNo)
            day += timedelta(days=1)
    for month in _months(date(2024, 4, 1), date(2026, 4, 1)):
        end = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
        here = staff[(staff["start"] <= end) & staff["leave"].map(lambda d, m=month: d is None or d >= m)]
        for group, column in (("rank", "rank"), ("role", "Role"), ("all", None)):
            sums = here.groupby(column)["fte"].sum() if column else pd.Series({"All": here["fte"].sum()})
            sizes = here.groupby(column).size() if column else pd.Series({"All": len(here)})
            for name, total in sums.items():
                fte[(month, group, name)], heads[(month, group, name)] = total, sizes[name]
    return {"lost": lost, "absent": {k: len(v) for k, v in absent.items()}, "fte": fte, "heads": heads}


@pytest.mark.parametrize("group", ["rank", "role"])
def test_get_workforce_section_sickness_by_group_matches_an_independent_count(section, counted, group):
    lost = section.by_group[group]["working_days_lost_per_fte"]
    absent = section.by_group[group]["share_absent"]
    assert {m.group for m in lost} >= ({"Sergeant", "Constable"} if group == "rank" else {"Response", "Custody"})
    for m in lost:
        assert m.numerator == pytest.approx(counted["lost"].get((m.month, group, m.group), 0))
        assert m.denominator == pytest.approx(counted["fte"][(m.month, group, m.group)])
    for m in absent:
        assert m.numerator == counted["absent"].get((m.month, group, m.group), 0)
        assert m.denominator == counted["heads"][(m.month, group, m.group)]
    in_post = {(m.month, m.group) for m in lost}
    assert in_post == {(month, name) for month, g, name in counted["fte"] if g == group and month >= lost[0].month}


@pytest.mark.parametrize("group", ["rank", "role", "all"])
def test_get_workforce_section_sickness_change_matches_an_independent_count(section, counted, group):
    since, before = _months(date(2025, 10, 1), MONTH), _months(date(2024, 10, 1), date(2025, 3, 1))

    def per_fte(months: list[date], name: str) -> float | None:
        ftes = [counted["fte"][(m, group, name)] for m in months if (m, group, name) in counted["fte"]]
        days = sum(counted["lost"].get((m, group, name), 0) for m in months)
        return days / (sum(ftes) / len(ftes)) if ftes else None

    def share(months: list[date], name: str) -> float | None:
        heads = sum(counted["heads"].get((m, group, name), 0) for m in months)
        return sum(counted["absent"].get((m, group, name), 0) for m in months) / heads if heads else None

    changes = {"rank": section.change_by_rank, "role": section.change_by_role, "all": [section.change_all]}[group]
    assert changes and section.change_end == MONTH
    for c in changes:
        assert (c.since, c.before) == (pytest.approx(per_fte(since, c.group)), pytest.approx(per_fte(before, c.group)))
    shares = section.absent_change[group]
    assert [c.group for c in shares] == [c.group for c in changes]
    for c in shares:
        assert (c.since, c.before) == (pytest.approx(share(since, c.group)), pytest.approx(share(before, c.group)))


def test_get_workforce_section_force_wide_series_starts_with_the_records(section, counted):
    assert [m.month for m in section.sickness] == _months(date(2024, 4, 1), date(2026, 4, 1))  # the demo's first month
    for rate, share in zip(section.sickness, section.absent, strict=True):
        assert rate.numerator == pytest.approx(counted["lost"].get((rate.month, "all", "All"), 0))
        assert share.numerator == counted["absent"].get((share.month, "all", "All"), 0)
        assert share.denominator == counted["heads"][(share.month, "all", "All")]
        assert rate.denominator == pytest.approx(counted["fte"][(rate.month, "all", "All")])
