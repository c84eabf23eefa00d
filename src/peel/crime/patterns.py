"""Trend and seasonal pattern detection over the scoped crimes.

Answers the meeting's questions: is this month unusual for its season, and where; which
past months were spikes and what calendar event sat next to them; has the level shifted.
Reads the ``scoped_crime`` table (see scope.py); all thresholds are in stats.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import pandas as pd
from scipy import stats as sps

from peel.crime.events import EventReport, has_day_dates, measure_event_uplifts
from peel.crime.scope import LEVEL_COLUMN, Scope
from peel.measures import stats
from peel.measures.calendar import CalendarEvent, get_events_near
from peel.measures.periods import get_days_in_month, get_month_end
from peel.measures.rounding import format_count, format_percent

MIN_MONTHS_OF_HISTORY = 24  # two of each season, so a spike can be told from the season
MIN_CRIMES_TO_TEST = 24  # an area with fewer crimes in the whole series is not modelled
CHILD_ALPHA = 0.01  # a neighbourhood is named as a place the excess concentrates below this
NO_DAY_DATES = (
    "rises around calendar events need the day each crime was recorded; "
    "this data gives only the month, as data.police.uk does."
)
_CHILD_LEVEL = {"force": "district", "district": "neighbourhood"}


@dataclass(frozen=True)
class Hotspot:
    area_name: str
    observed: int
    expected: float
    p_value: float


@dataclass
class Spike:
    """A month unusually high for its season in one area, with what may explain it."""

    area_code: str | None
    area_name: str
    exceedance: stats.Exceedance
    events: list[CalendarEvent] = field(default_factory=list)
    hotspots: list[Hotspot] = field(default_factory=list)

    def describe(self) -> str:
        e = self.exceedance
        text = (
            f"{e.month:%B %Y} in {self.area_name}: {e.observed} recorded against "
            f"{format_count(e.expected)} expected for the season ({format_percent(e.percent_above, signed=True)}, "
            f"p={e.p_value:.1g})"
        )
        if self.events:
            text += "; near " + ", ".join(f"{ev.name} ({ev.day:%d %B})" for ev in self.events)
        if self.hotspots:
            text += "; concentrated in " + ", ".join(h.area_name for h in self.hotspots[:6])
        return text


@dataclass
class PatternReport:
    month: date
    this_month: list[Spike]
    past_spikes: list[Spike]
    step: stats.StepChange | None
    areas_tested: int
    events: list[EventReport] = field(default_factory=list)  # calendar events with a rise
    not_run: str | None = None  # why detection could not run, if it could not
    events_not_run: str | None = None  # why calendar events could not be measured, if they could not
    # The scope's own monthly series, for charts: counts, the share of each month the data
    # covers, and what the seasonal model expects (None when it could not be fitted).
    recorded: pd.Series | None = None
    exposure: pd.Series | None = None
    expected: pd.Series | None = None

    @property
    def first_month(self) -> date:
        """The first month the detection covered: past spikes are sought from it."""
        return self.exposure.index[0].date()

    @property
    def summary(self) -> str:
        if self.not_run:
            return f"Pattern detection not run: {self.not_run}"
        if not self.this_month and self.step is None:
            return "No specific trends or patterns emerging: no area is unusually high for the season and the level has not shifted."
        parts = [s.describe() for s in self.this_month]
        if self.step:
            step = self.step
            when = f"{step.month:%B %Y}"
            if step.earliest and step.latest and step.earliest != step.latest:
                when += f" (somewhere from {step.earliest:%B %Y} to {step.latest:%B %Y})"
            parts.append(
                f"the level shifted by {format_percent(step.percent, signed=True)} from {when} ({step.describe_p()})"
            )
        return "Unusual: " + "; ".join(parts) + "."


def get_monthly_counts(
    con: duckdb.DuckDBPyConnection, level: str, first: date, last: date, as_of: date
) -> pd.DataFrame:
    """Counts per area (rows) and month (columns, first..last), zeros filled."""
    column = LEVEL_COLUMN[level]
    df = con.execute(
        f"""SELECT {column} AS area, month, count(*) AS n FROM scoped_crime
            WHERE month >= $first AND month <= $last AND recorded <= $as_of AND {column} IS NOT NULL
            GROUP BY ALL""",
        {"first": first, "last": last, "as_of": as_of},
    ).df()
    months = pd.date_range(first, last, freq="MS")
    if df.empty:
        return pd.DataFrame(columns=months, dtype=float)
    table = df.pivot_table(index="area", columns="month", values="n", aggfunc="sum", fill_value=0)
    table.columns = pd.DatetimeIndex(table.columns)
    return table.reindex(columns=months, fill_value=0).astype(float)


def _own_counts(con, scope: Scope, first: date, last: date, as_of: date) -> pd.Series:
    """The scope's own monthly counts, zeros where it has none."""
    own = get_monthly_counts(con, scope.area_level, first, last, as_of)
    return own.loc[scope.key] if scope.key in own.index else pd.Series(0.0, index=own.columns)


def get_exposure(first: date, last: date, as_of: date) -> pd.Series:
    """The share of each month the data covers: 1, except a month the snapshot cuts short."""
    months = pd.date_range(first, last, freq="MS")
    share = []
    for m in months:
        covered = (min(get_month_end(m.date()), as_of + timedelta(days=1)) - m.date()).days
        share.append(max(covered, 1) / get_days_in_month(m.date()))
    return pd.Series(share, index=months)


@dataclass
class _Tested:
    """One area whose monthly series is tested, and its child areas for drilling down."""

    code: str | None
    name: str
    counts: pd.Series
    children: pd.DataFrame | None


def _get_tested_areas(
    con, scope: Scope, first: date, last: date, as_of: date, names: dict, parents: dict
) -> list[_Tested]:
    """The scope's own area and, for a force, each of its districts (``names`` and ``parents``
    by area code)."""
    tables: dict[str, pd.DataFrame] = {}  # counts per level, read once

    def children_of(code: str | None, level: str) -> pd.DataFrame | None:
        child_level = _CHILD_LEVEL.get(level)
        if child_level is None:
            return None
        if child_level not in tables:
            tables[child_level] = get_monthly_counts(con, child_level, first, last, as_of)
        table = tables[child_level]
        if code is not None:
            table = table.loc[[c for c in table.index if parents.get(c) == code]]
        return table

    counts = _own_counts(con, scope, first, last, as_of)
    tested = [_Tested(scope.area_code, scope.area_name, counts, children_of(scope.area_code, scope.area_level))]
    if scope.area_level == "force":
        districts = tested[0].children
        for code in districts.index:
            tested.append(_Tested(code, names.get(code, code), districts.loc[code], children_of(code, "district")))
    for t in tested:
        if t.children is not None:
            t.children = t.children.rename(index=lambda c: names.get(c, c))
    return tested


def _find_hotspots(children: pd.DataFrame, month: pd.Timestamp, fit: stats.SeasonalFit) -> list[Hotspot]:
    """Child areas whose count in the month is far above their usual share of the parent's."""
    usual = children.loc[:, fit.baseline[fit.baseline].index].sum(axis=1)
    share = usual / usual.sum() if usual.sum() else usual
    parent_expected = float(fit.expected[month])
    found = []
    for name, observed in children[month].items():
        expected = float(share[name] * parent_expected)
        p = float(sps.poisson.sf(observed - 1, max(expected, 1e-6)))
        if observed > expected and p < CHILD_ALPHA:
            found.append(Hotspot(str(name), int(observed), expected, p))
    return sorted(found, key=lambda h: h.expected - h.observed)


def _spike(area: _Tested, exc: stats.Exceedance, fit: stats.SeasonalFit) -> Spike:
    """A flagged month in an area, with the calendar events near it and the child areas where
    its excess concentrates."""
    month = exc.month
    hotspots = []
    if area.children is not None and not area.children.empty:
        hotspots = _find_hotspots(area.children, pd.Timestamp(month), fit)
    return Spike(area.code, area.name, exc, get_events_near(month, get_month_end(month)), hotspots)


def _fit_area(area: _Tested, top: _Tested, exposure: pd.Series, exclude: set | None = None) -> stats.SeasonalFit:
    """The scope's own area is judged against its own seasonal curve; a district against its
    usual share of the rest of the force, which carries the season."""
    if area is top:
        return stats.fit_seasonal(area.counts, exposure, exclude)
    return stats.fit_share(area.counts, top.counts - area.counts, exclude)


def detect_patterns(
    con: duckdb.DuckDBPyConnection, scope: Scope, month: date, as_of: date, first: date
) -> PatternReport:
    """Is ``month`` unusual for its season, which past months (since ``first``) were, and
    has the level shifted? Needs the scoped_* tables of ``scope`` on ``con``."""
    exposure = get_exposure(first, month, as_of)
    events_not_run = None if has_day_dates(con) else NO_DAY_DATES
    if len(exposure) < MIN_MONTHS_OF_HISTORY:
        reason = f"the data has {len(exposure)} months up to {month:%B %Y}; {MIN_MONTHS_OF_HISTORY} are needed to tell a spike from the season."
        recorded = _own_counts(con, scope, first, month, as_of)
        return PatternReport(
            month, [], [], None, 0, not_run=reason, events_not_run=events_not_run, recorded=recorded, exposure=exposure
        )
    areas = con.execute("SELECT area_code, area_name, parent_code FROM area").fetchall()
    names = {code: name for code, name, _ in areas}
    parents = {code: parent for code, _, parent in areas}
    top, *districts = _get_tested_areas(con, scope, first, month, as_of, names, parents)
    tested = [a for a in [top, *districts] if a.counts.sum() >= MIN_CRIMES_TO_TEST]
    past_months = [m for m in exposure.index[:-1] if exposure[m] == 1.0]
    n_areas = max(len(tested), 1)
    this_month, past = [], []
    top_fit = None
    for area in tested:
        # This month is left out of its own baseline; past months are judged by a fit that
        # leaves out months far above it.
        history = _fit_area(area, top, exposure, exclude={month})
        if area is top:
            top_fit = history
        for exc in stats.find_unusual_months(history, area.counts, [month], n_areas):
            this_month.append(_spike(area, exc, history))
        for exc in stats.find_unusual_months(history, area.counts, past_months, n_areas * len(past_months)):
            past.append(_spike(area, exc, history))
    step = None
    if top_fit is not None:
        # The step is sought before this month, in the months the seasonal fit kept.
        step = stats.find_step_change(top.counts.iloc[:-1], exposure.iloc[:-1], top_fit.baseline.iloc[:-1])
    past.sort(key=lambda s: (s.exceedance.month, s.area_name))
    # The usual level of each month (season and step) that calendar-event tests weight days by.
    level = stats.fit_level(top.counts, exposure, top_fit.baseline, step) if top_fit is not None else None
    events = []
    if events_not_run is None:
        events = [
            e for e in measure_event_uplifts(con, scope, first, as_of, names, level)
            if e.recurring or any(o.uplifts for o in e.occurrences)
        ]
    return PatternReport(
        month, this_month, past, step, n_areas, events, events_not_run=events_not_run,
        recorded=top.counts, exposure=exposure, expected=top_fit.expected if top_fit is not None else None,
    )
