"""Calendar-event tests on a small made-up force, built in memory: a step is not read as the
event after it, a rise that recurs every year is found pooled across years, the other years
point the year's test where to look, and areas with nothing planted are not flagged."""

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from peel.crime import events
from peel.crime.scope import Scope
from peel.measures import stats
from peel.measures.calendar import get_calendar_events

FIRST, AS_OF = date(2022, 1, 1), date(2026, 2, 28)
DISTRICTS = [f"D{i}" for i in range(1, 7)]
PER_DAY = 1.6  # crimes a day in each district
FORCE = Scope("Burglary", "true", {}, None, "Testshire", "force")
NAMES = {code: f"District {code}" for code in DISTRICTS}


def _diwali_days() -> pd.DatetimeIndex:
    days = pd.date_range(FIRST, AS_OF, freq="D")
    diwalis = [pd.Timestamp(e.day) for e in get_calendar_events(range(2022, 2027)) if e.name == "Diwali"]
    near = np.zeros(len(days), dtype=bool)
    for day in diwalis:
        near |= np.abs((days - day).days) <= 10
    return near


def _force(seed: int, step_from: str | None = None, step: float = 1.0, rise: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A scoped_crime table of Poisson crimes per day and district, with a season like
    burglary's, optionally a force-wide step and a rise around every Diwali in some districts."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(FIRST, AS_OF, freq="D")
    rate = PER_DAY * (1 + 0.12 * np.cos(2 * np.pi * (days.dayofyear - 350) / 365.25))  # dark months higher
    if step_from:
        rate = rate * np.where(days >= pd.Timestamp(step_from), step, 1.0)
    near = _diwali_days()
    parts = []
    for code in DISTRICTS:
        counts = rng.poisson(rate * np.where(near, (rise or {}).get(code, 1.0), 1.0))
        recorded = np.repeat(days.values, counts)
        parts.append(pd.DataFrame({"recorded_date": recorded, "district_code": code,
                                   "lsoa_code": [f"{code}-{k % 2}" for k in range(len(recorded))]}))
    frame = pd.concat(parts)
    frame["recorded_date"] = frame["recorded_date"].dt.date
    con = duckdb.connect()
    con.register("crimes", frame)
    con.execute("CREATE TABLE scoped_crime AS SELECT * FROM crimes")
    return con


def _level(con, find_step: bool = True) -> tuple[pd.Series, stats.StepChange | None]:
    """The force's usual level per month, as detect_patterns passes it, and the step found."""
    counts = con.execute(
        "SELECT date_trunc('month', recorded_date) AS month, count(*) AS n FROM scoped_crime GROUP BY 1 ORDER BY 1"
    ).df().set_index("month")["n"].astype(float)
    counts.index = pd.DatetimeIndex(counts.index)
    exposure = pd.Series(1.0, index=counts.index)
    fit = stats.fit_seasonal(counts, exposure)
    step = stats.find_step_change(counts, exposure, fit.baseline) if find_step else None
    return stats.fit_level(counts, exposure, fit.baseline, step), step


def _diwali(con, level) -> events.EventReport:
    reports = events.measure_event_uplifts(con, FORCE, FIRST, AS_OF, NAMES, level)
    return next(r for r in reports if r.event_name == "Diwali")


@pytest.fixture(scope="module")
def stepped():
    return _force(seed=3, step_from="2024-10-01", step=1.4)


def test_measure_event_uplifts_does_not_read_a_step_as_the_event_after_it(stepped):
    level, step = _level(stepped)
    assert step is not None and step.month.year == 2024 and 9 <= step.month.month <= 11
    diwali_2024 = next(o for o in _diwali(stepped, level).occurrences if o.event.day.year == 2024)
    assert diwali_2024.uplifts == []


def test_measure_event_uplifts_reads_the_step_as_the_event_without_the_level(stepped):
    """The control for the test above: days counted alike, the step raises Diwali 2024's window."""
    diwali_2024 = next(o for o in _diwali(stepped, None).occurrences if o.event.day.year == 2024)
    assert None in {u.area_code for u in diwali_2024.uplifts}


@pytest.fixture(scope="module")
def recurring():
    return _force(seed=5, rise={"D2": 1.45})


def test_measure_event_uplifts_finds_a_rise_that_recurs_pooled_across_years(recurring):
    level, _ = _level(recurring, find_step=False)
    diwali = _diwali(recurring, level)
    assert {u.area_code for u in diwali.recurring if u.area_code} == {"D2"}
    # No district is flagged in a year but the one that rises; the others are controls.
    assert {u.area_code for o in diwali.occurrences for u in o.uplifts if u.area_code} <= {"D2"}


def test_measure_event_uplifts_flags_nothing_where_nothing_is_planted():
    con = _force(seed=11)
    level, step = _level(con)
    assert step is None
    reports = events.measure_event_uplifts(con, FORCE, FIRST, AS_OF, NAMES, level)
    assert [u for r in reports for o in r.occurrences for u in o.uplifts] == []
    assert [u for r in reports for u in r.recurring] == []


def test_budgets_give_the_areas_that_rose_in_other_years_most_of_the_year_budget():
    codes = [None, "D1", "D2", "D3", "D4"]
    budget = events._budgets(codes, {"D2"})
    assert budget["D2"] == pytest.approx(events.PRIOR_BUDGET)
    assert budget["D1"] == pytest.approx((1 - events.PRIOR_BUDGET) / 4)
    assert sum(budget.values()) == pytest.approx(1.0)  # the year's error rate is unchanged
    assert events._budgets(codes, set()) == {c: 0.2 for c in codes}


def test_window_share_counts_each_day_at_its_month_level():
    day = date(2024, 10, 31)
    even = events._window_share(day, set(), {})
    # Every day from October 2024 at 1.4: the window (all after) takes a larger share.
    stepped = {(y, m): 1.4 if (y, m) >= (2024, 10) else 1.0 for y in range(2024, 2026) for m in range(1, 13)}
    assert even == pytest.approx(events.WINDOW_SHARE)
    assert events._window_share(day, set(), stepped) > even
