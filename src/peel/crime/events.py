"""Calendar-event uplift: did crime rise in the weeks around an event, and where?

For each occurrence of a declared calendar event (Diwali, Christmas...), crimes in the
window ATTRIBUTION_WINDOW_DAYS either side of it are compared with crimes in the
REFERENCE_DAYS just before and after the window, area by area, leaving out of the reference
the days inside any other event's window (a rise there belongs to that event, and would make
this one's window look raised against it). With no uplift, a crime in that span falls in the
window with probability window days/span days. Crimes cluster, so the one-sided test is the
exact tail of a binomial whose variance is scaled by the dispersion measured around ordinary
days (a beta-binomial: the quasi-binomial's exact form). This needs the day each
crime was recorded (see has_day_dates); a source with months only (data.police.uk) gets
the monthly analysis in patterns.py instead.

Days do not all carry the same crime: the season moves through a span (burglary rises into
the dark evenings around Diwali and Christmas), and a lasting shift in level (a step) inside
it would make the window look raised against the weeks before it. So each day counts at the
scope's usual level for its month (stats.fit_level: its season and any step the step
detector found), and a step is not read as the event that follows it.

Per year the test is run for the scope's area and each district (a weighted Bonferroni over
them, below). A festival that recurs raises crime a little every year, too little to clear
one year's threshold in a small district: so the same test is also run on every year's
windows pooled, per area (Bonferroni over the areas again, a family of its own), which finds
a rise that recurs where no single year would. The other years also say where to look in
this one: an area whose pooled rise over the event's *other* occurrences is significant gets
PRIOR_BUDGET of the year's false-positive budget (shared among such areas), the rest the
remainder (Genovese, Roeder and Wasserman's weighted Bonferroni). Other years' spans do not
overlap this one's, so with no rise this year the weights are independent of its counts and
the year's family-wise error stays at UPLIFT_ALPHA. The neighbourhoods where the uplift concentrates are found by pooling every year's windows,
since one neighbourhood's few crimes in one window are too few to judge; each is given an
exact one-sided binomial test and named with a false discovery rate of NEIGHBOURHOOD_FDR.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
from scipy import stats as sps

from peel.crime.scope import LEVEL_COLUMN, LEVELS
from peel.measures import stats
from peel.measures.calendar import (
    ATTRIBUTION_WINDOW_DAYS,
    CALENDAR_EVENTS,
    CalendarEvent,
    get_calendar_events,
)
from peel.measures.rounding import format_count, format_percent

PLACEBO_SPACING_DAYS = 28  # ordinary days used to measure how clustered crime is
REFERENCE_DAYS = 56  # eight weeks each side of the window: close enough to share its season
UPLIFT_ALPHA = 0.01  # one-sided, Bonferroni-corrected over the areas tested
NEIGHBOURHOOD_FDR = 0.05  # expected share of wrongly named neighbourhoods (Benjamini-Hochberg)
PRIOR_BUDGET = 0.8  # share of a year's false-positive budget for the areas that rose in the event's other years


@dataclass(frozen=True)
class Uplift:
    area_code: str | None
    area_name: str
    in_window: int
    in_reference: int
    expected_in_window: float
    p_value: float

    @property
    def percent(self) -> float:
        return (self.in_window / self.expected_in_window - 1) * 100 if self.expected_in_window else 0.0


@dataclass
class EventOccurrence:
    event: CalendarEvent
    window: tuple[date, date]
    uplifts: list[Uplift] = field(default_factory=list)  # significant, by area

    def describe(self) -> str:
        if not self.uplifts:
            return f"{self.event.name} {self.event.day:%Y}: no significant rise."
        parts = [f"{u.area_name} {u.in_window} against {format_count(u.expected_in_window)} expected "
                 f"({format_percent(u.percent, signed=True)})" for u in self.uplifts]
        return f"{self.event.name} {self.event.day:%d %B %Y}: crime rose in " + "; ".join(parts) + "."


@dataclass
class EventReport:
    event_name: str
    occurrences: list[EventOccurrence]
    neighbourhoods: list[Uplift]  # pooled over every occurrence
    # Areas (the scope's and its districts) whose rise is significant over every occurrence
    # pooled: a rise that recurs each year.
    recurring: list[Uplift] = field(default_factory=list)

    def describe_recurring(self) -> str:
        years = len(self.occurrences)
        parts = [f"{u.area_name} {u.in_window} against {format_count(u.expected_in_window)} expected "
                 f"({format_percent(u.percent, signed=True)})" for u in self.recurring]
        return f"{self.event_name}, {years} years together: crime rose in " + "; ".join(parts) + "."


def select_by_false_discovery_rate(tests: list[Uplift], rate: float = NEIGHBOURHOOD_FDR) -> list[Uplift]:
    """The tests kept by the Benjamini-Hochberg procedure, most significant first.

    Naming places is discovery among hundreds of neighbourhoods: controlling the share of
    wrongly named ones keeps the list useful where Bonferroni would name almost none.
    """
    ordered = sorted(tests, key=lambda u: u.p_value)
    m = len(ordered)
    keep = 0
    for rank, test in enumerate(ordered, start=1):
        if test.p_value <= rate * rank / m:
            keep = rank
    return ordered[:keep]


def _quasi_binomial_uplift(code, name, in_window: int, in_reference: int, share: float, dispersion: float) -> Uplift:
    """One-sided exact test of the window's share of the span, its variance scaled by ``dispersion``."""
    n = in_window + in_reference
    if not n:
        return Uplift(code, name, 0, 0, 0.0, 1.0)
    p = stats.upper_tail_of_share(in_window, n, share, dispersion)
    return Uplift(code, name, int(in_window), int(in_reference), n * share, p)


def _estimate_dispersion(con, first: date, as_of: date, avoid: list[date], levels: list[str], level: dict) -> float:
    """How much more crime counts vary between windows than independent crimes would.

    Crimes cluster (a spree, a repeat victim), so the binomial test alone would find rises
    that are only clustering. The same comparison is made around PLACEBO_SPACING_DAYS-spaced
    ordinary days away from every calendar event, each day weighted by its month's usual
    ``level`` as the events' are (_window_share); the robust dispersion of the z-scores there
    is the dispersion (see stats.robust_dispersion).
    """
    margin = ATTRIBUTION_WINDOW_DAYS + REFERENCE_DAYS
    placebo = []
    day = first + timedelta(days=margin)
    while day + timedelta(days=margin) <= as_of:
        if all(abs((day - e).days) > 2 * margin for e in avoid):
            placebo.append(day)
        day += timedelta(days=PLACEBO_SPACING_DAYS)
    shares = {day: _window_share(day, set(), level) for day in placebo}
    z = []
    for area_level in levels:
        for (day, _), (a, before, after) in _count_around(con, placebo, area_level, set()).items():
            n, share = a + before + after, shares[day]
            if n >= 20:
                z.append((a - n * share) / math.sqrt(n * share * (1 - share)))
    if len(z) < 10:
        return 1.0
    return stats.robust_dispersion(z)


def _count_around(con, days: list[date], level: str, excluded: set[date]) -> dict:
    """{(occurrence day, area code): (in window, in the weeks before, in the weeks after)} for
    the scoped crimes; the weeks before and after leave out the ``excluded`` days (other
    events' windows)."""
    w, r = ATTRIBUTION_WINDOW_DAYS, ATTRIBUTION_WINDOW_DAYS + REFERENCE_DAYS
    column = LEVEL_COLUMN[level]
    rows = con.execute(
        f"""WITH days AS (SELECT unnest($days::DATE[]) AS day)
            SELECT d.day, {column} AS area,
                   count(*) FILTER (WHERE abs(c.recorded_date - d.day) <= {w}) AS in_window,
                   count(*) FILTER (WHERE c.recorded_date - d.day < -{w}
                                    AND NOT list_contains($excluded::DATE[], c.recorded_date)) AS before,
                   count(*) FILTER (WHERE c.recorded_date - d.day > {w}
                                    AND NOT list_contains($excluded::DATE[], c.recorded_date)) AS after
            FROM scoped_crime c JOIN days d ON abs(c.recorded_date - d.day) <= {r}
            WHERE {column} IS NOT NULL
            GROUP BY ALL""",
        {"days": days, "excluded": sorted(excluded)},
    ).fetchall()
    return {(day, area): (a, before, after) for day, area, a, before, after in rows}


WINDOW_SHARE = (2 * ATTRIBUTION_WINDOW_DAYS + 1) / (2 * ATTRIBUTION_WINDOW_DAYS + 1 + 2 * REFERENCE_DAYS)


def _days_in_windows(events: list[CalendarEvent]) -> set[date]:
    """Every day within ATTRIBUTION_WINDOW_DAYS of an event."""
    w = ATTRIBUTION_WINDOW_DAYS
    return {e.day + timedelta(days=k) for e in events for k in range(-w, w + 1)}


def _window_share(day: date, excluded: set[date], level: dict) -> float:
    """The share of the span around ``day`` that is its window, once the ``excluded`` days are
    taken out of its reference: where a crime falls with no rise, in proportion to days, each
    weighted by its month's usual ``level`` ({(year, month): level}, 1 where not known)."""
    w, r = ATTRIBUTION_WINDOW_DAYS, ATTRIBUTION_WINDOW_DAYS + REFERENCE_DAYS

    def weight(k: int) -> float:
        d = day + timedelta(days=k)
        return level.get((d.year, d.month), 1.0)

    window = sum(weight(k) for k in range(-w, w + 1))
    reference = sum(weight(sign * k) for k in range(w + 1, r + 1) for sign in (-1, 1)
                    if day + timedelta(days=sign * k) not in excluded)
    return window / (window + reference)


def has_day_dates(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the scoped crimes carry the day they were recorded, as the event tests need."""
    return con.execute("SELECT count(recorded_date) > 0 FROM scoped_crime").fetchone()[0]


def measure_event_uplifts(con: duckdb.DuckDBPyConnection, scope, first: date, as_of: date, names: dict,
                          level: pd.Series | None = None) -> list[EventReport]:
    """Every declared calendar event, each occurrence whose window and reference lie within
    [first, as_of]; ``names`` gives each area code's name; ``level``, the scope's usual level
    per month (stats.fit_level; days count alike without it). The clustering of crime on ordinary days is measured once for
    them all, and crimes around them are counted once per level. Needs day dates (has_day_dates)."""
    events = list(dict.fromkeys(name for name, _, _ in CALENDAR_EVENTS))
    every_event = get_calendar_events(range(first.year, as_of.year + 1))
    margin = timedelta(days=ATTRIBUTION_WINDOW_DAYS + REFERENCE_DAYS)
    usable = [e for e in every_event if e.day - margin >= first and e.day + margin <= as_of]
    levels = [scope.area_level] + (["district"] if scope.area_level == "force" else [])
    by_month = {} if level is None else {(m.year, m.month): float(v) for m, v in level.items()}
    dispersion = _estimate_dispersion(con, first, as_of, [e.day for e in every_event], levels, by_month)
    days = [e.day for e in usable]
    # A day in one event's window is left out of every other event's reference; its own
    # window is never in its reference, so leaving out every window's days is the same.
    excluded = _days_in_windows(every_event)
    shares = {day: _window_share(day, excluded, by_month) for day in days}
    below = LEVELS[LEVELS.index(scope.area_level):]  # the scope's level and those inside it
    # Per level, {(occurrence day, area): (in window, in reference, window share)}.
    around = {level: {(day, area): (a, before + after, shares[day])
                      for (day, area), (a, before, after) in _count_around(con, days, level, excluded).items()}
              for level in below}
    return [
        _measure_event(scope, event, [e for e in usable if e.name == event], around, dispersion, names)
        for event in events
    ]


def _pooled(cells: dict, code) -> tuple[int, int, float]:
    """An area's crimes in the windows and in the references over the occurrences in
    ``cells`` ({(day, area): (in window, in reference, share)}), and the share of them the
    windows would hold with no rise (each occurrence's, weighted by its crimes)."""
    rows = [v for (_, area), v in cells.items() if area == code]
    a, b = sum(r[0] for r in rows), sum(r[1] for r in rows)
    expected = sum(share * (x + y) for x, y, share in rows)
    return a, b, expected / (a + b) if a + b else WINDOW_SHARE


def _pool_areas(scope, own: dict, districts: dict, dispersion: float, names: dict, alpha: float) -> list[Uplift]:
    """The scope's area (``own`` cells) and each district (``districts``) over every
    occurrence pooled, those significant below ``alpha``, most significant first. Per-occurrence windows do not overlap, so their counts add up; the
    dispersion applies to the sum as to each window.

    A district's window is judged against the share of the rest of the force's crimes in the
    same windows, not against the days'
    share: the season itself can peak around an event (burglary in the dark evenings around
    Diwali), and over several years together that alone would be significant; the rest of
    the force carries the season, and any force-wide step, not the district's rise. That share
    is itself counted, not known: its variance adds the district's crimes over the rest's to
    the dispersion (1 + n/rest), or a small force's districts would be flagged by the noise
    in each other's counts.
    """
    whole = _pooled(own, scope.key)
    top = _quasi_binomial_uplift(scope.area_code, scope.area_name, *whole, dispersion)
    each = {code: _pooled(districts, code) for code in sorted({area for _, area in districts})}
    raised: set = set()
    for _ in range(len(each) + 1):  # until the districts with a rise are stable
        tests = [_district_against_rest(code, names.get(code, code), each, whole, raised, dispersion)
                 for code in each]
        significant = [u for u in [top, *tests] if u.in_window and u.p_value < alpha]
        now = {u.area_code for u in significant if u.area_code in each}
        if now == raised:
            break
        raised = now
    return sorted(significant, key=lambda u: u.p_value)


def _district_against_rest(code, name, each: dict, whole: tuple, raised: set, dispersion: float) -> Uplift:
    """One district's pooled windows against the rest of the force's share, the rest leaving
    out the other districts found ``raised``: a rise in one district would otherwise lift the
    share every other one is judged against and hide theirs (Greywick's behind Harrowdene's)."""
    a, b, share = each[code]
    others = [each[c] for c in raised if c != code]
    rest_a = whole[0] - a - sum(x[0] for x in others)
    rest_b = whole[1] - b - sum(x[1] for x in others)
    if rest_a > 0 and rest_b > 0:
        rest_share, noise = rest_a / (rest_a + rest_b), 1 + (a + b) / (rest_a + rest_b)
    else:
        rest_share, noise = share, 1.0
    return _quasi_binomial_uplift(code, name, a, b, rest_share, dispersion * noise)


def _budgets(codes: list, raised_elsewhere: set) -> dict:
    """Each area's share of a year's false-positive budget: PRIOR_BUDGET shared among the areas
    that rose in the event's other years, the rest among the others; equal shares when none
    did (or all did)."""
    prior = [c for c in codes if c in raised_elsewhere]
    if not prior or len(prior) == len(codes):
        return {c: 1 / len(codes) for c in codes}
    others = len(codes) - len(prior)
    return {c: PRIOR_BUDGET / len(prior) if c in raised_elsewhere else (1 - PRIOR_BUDGET) / others for c in codes}


def _measure_event(
    scope, event_name: str, occurrences: list[CalendarEvent], around: dict[str, dict], dispersion: float, names: dict,
) -> EventReport:
    """One event's occurrences: the area and its districts per year; neighbourhoods pooled.
    ``around`` holds, per level, every event's cells (see measure_event_uplifts)."""
    report = EventReport(event_name, [], [])
    if not occurrences:
        return report
    days = {e.day for e in occurrences}

    def cells(level: str | None, keep=lambda day: True) -> dict:
        return {k: v for k, v in around.get(level, {}).items() if k[0] in days and keep(k[0])}

    top, district = scope.area_level, "district" if scope.area_level == "force" else None

    def pool(alpha: float, keep=lambda day: True) -> list[Uplift]:
        return _pool_areas(scope, cells(top, keep), cells(district, keep), dispersion, names, alpha)

    codes = [scope.area_code, *sorted({a for _, a in cells(district)})]
    report.recurring = pool(UPLIFT_ALPHA / len(codes))  # Bonferroni over the areas
    for event in occurrences:
        occurrence = EventOccurrence(
            event, (event.day - timedelta(days=ATTRIBUTION_WINDOW_DAYS), event.day + timedelta(days=ATTRIBUTION_WINDOW_DAYS))
        )
        # Where the other years point (any area below UPLIFT_ALPHA: a weight, not a finding).
        elsewhere = pool(UPLIFT_ALPHA, lambda day, this=event.day: day != this) if len(occurrences) > 1 else []
        budget = _budgets(codes, {u.area_code for u in elsewhere})
        own = around[top].get((event.day, scope.key), (0, 0, WINDOW_SHARE))
        candidates = [_quasi_binomial_uplift(scope.area_code, scope.area_name, *own, dispersion)]
        candidates += [_quasi_binomial_uplift(code, names.get(code, code), *cell, dispersion)
                       for (day, code), cell in cells(district).items() if day == event.day]
        occurrence.uplifts = sorted(
            (u for u in candidates if u.p_value < UPLIFT_ALPHA * budget[u.area_code]), key=lambda u: u.p_value
        )
        report.occurrences.append(occurrence)
    if scope.area_level != "neighbourhood":
        pooled: dict[str, list[float]] = {}
        for (day, code), (a, b, share) in cells("neighbourhood").items():
            total = pooled.setdefault(code, [0, 0, 0.0])
            total[0] += a
            total[1] += b
            total[2] += share * (a + b)  # expected in the windows with no rise
        codes = list(pooled)
        in_window = np.array([pooled[c][0] for c in codes])
        total = in_window + np.array([pooled[c][1] for c in codes])
        expected = np.array([pooled[c][2] for c in codes])
        p_values = sps.binom.sf(in_window - 1, total, expected / np.maximum(total, 1))  # all at once
        tests = [
            Uplift(code, names.get(code, code), int(a), int(n - a), float(e), float(p))
            for code, a, n, e, p in zip(codes, in_window, total, expected, p_values)
        ]
        report.neighbourhoods = select_by_false_discovery_rate(tests)
    return report
