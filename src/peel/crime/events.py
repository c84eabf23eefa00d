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

Per year the test is run for the scope's area and each district (Bonferroni over them).
A festival that recurs raises crime a little every year, too little to clear one year's
threshold in a small district: so the same test is also run on every year's windows pooled,
per area (Bonferroni over the areas again, a family of its own), which finds a rise that
recurs where no single year would; the neighbourhoods where the uplift concentrates are found by pooling every year's windows,
since one neighbourhood's few crimes in one window are too few to judge; each is given an
exact one-sided binomial test and named with a false discovery rate of NEIGHBOURHOOD_FDR.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import numpy as np
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


def _estimate_dispersion(con, first: date, as_of: date, avoid: list[date], levels: list[str], share: float) -> float:
    """How much more crime counts vary between windows than independent crimes would.

    Crimes cluster (a spree, a repeat victim), so the binomial test alone would find rises
    that are only clustering. The same comparison is made around PLACEBO_SPACING_DAYS-spaced
    ordinary days away from every calendar event; the robust dispersion of the z-scores
    there is the dispersion (see stats.robust_dispersion).
    """
    margin = ATTRIBUTION_WINDOW_DAYS + REFERENCE_DAYS
    placebo = []
    day = first + timedelta(days=margin)
    while day + timedelta(days=margin) <= as_of:
        if all(abs((day - e).days) > 2 * margin for e in avoid):
            placebo.append(day)
        day += timedelta(days=PLACEBO_SPACING_DAYS)
    z = []
    for level in levels:
        for a, b in _count_around(con, placebo, level, set()).values():
            n = a + b
            if n >= 20:
                z.append((a - n * share) / math.sqrt(n * share * (1 - share)))
    if len(z) < 10:
        return 1.0
    return stats.robust_dispersion(z)


def _count_around(con, days: list[date], level: str, excluded: set[date]) -> dict:
    """{(occurrence day, area code): (in window, in reference)} for the scoped crimes; the
    reference leaves out the ``excluded`` days (other events' windows)."""
    w, r = ATTRIBUTION_WINDOW_DAYS, ATTRIBUTION_WINDOW_DAYS + REFERENCE_DAYS
    column = LEVEL_COLUMN[level]
    rows = con.execute(
        f"""WITH days AS (SELECT unnest($days::DATE[]) AS day)
            SELECT d.day, {column} AS area,
                   count(*) FILTER (WHERE abs(c.recorded_date - d.day) <= {w}) AS in_window,
                   count(*) FILTER (WHERE abs(c.recorded_date - d.day) > {w}
                                    AND NOT list_contains($excluded::DATE[], c.recorded_date)) AS in_reference
            FROM scoped_crime c JOIN days d ON abs(c.recorded_date - d.day) <= {r}
            WHERE {column} IS NOT NULL
            GROUP BY ALL""",
        {"days": days, "excluded": sorted(excluded)},
    ).fetchall()
    return {(day, area): (a, b) for day, area, a, b in rows}


WINDOW_SHARE = (2 * ATTRIBUTION_WINDOW_DAYS + 1) / (2 * ATTRIBUTION_WINDOW_DAYS + 1 + 2 * REFERENCE_DAYS)


def _days_in_windows(events: list[CalendarEvent]) -> set[date]:
    """Every day within ATTRIBUTION_WINDOW_DAYS of an event."""
    w = ATTRIBUTION_WINDOW_DAYS
    return {e.day + timedelta(days=k) for e in events for k in range(-w, w + 1)}


def _window_share(day: date, excluded: set[date]) -> float:
    """The share of the span around ``day`` that is its window, once the ``excluded`` days are
    taken out of its reference: where a crime falls with no rise, in proportion to days."""
    w, r = ATTRIBUTION_WINDOW_DAYS, ATTRIBUTION_WINDOW_DAYS + REFERENCE_DAYS
    reference = sum(1 for k in range(w + 1, r + 1) for sign in (-1, 1)
                    if day + timedelta(days=sign * k) not in excluded)
    return (2 * w + 1) / (2 * w + 1 + reference)


def has_day_dates(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the scoped crimes carry the day they were recorded, as the event tests need."""
    return con.execute("SELECT count(recorded_date) > 0 FROM scoped_crime").fetchone()[0]


def measure_event_uplifts(con: duckdb.DuckDBPyConnection, scope, first: date, as_of: date, names: dict) -> list[EventReport]:
    """Every declared calendar event, each occurrence whose window and reference lie within
    [first, as_of]; ``names`` gives each area code's name. The clustering of crime on ordinary
    days is measured once for them all, and crimes around them are counted once per level.
    Needs day dates (has_day_dates)."""
    events = list(dict.fromkeys(name for name, _, _ in CALENDAR_EVENTS))
    every_event = get_calendar_events(range(first.year, as_of.year + 1))
    margin = timedelta(days=ATTRIBUTION_WINDOW_DAYS + REFERENCE_DAYS)
    usable = [e for e in every_event if e.day - margin >= first and e.day + margin <= as_of]
    levels = [scope.area_level] + (["district"] if scope.area_level == "force" else [])
    dispersion = _estimate_dispersion(con, first, as_of, [e.day for e in every_event], levels, WINDOW_SHARE)
    days = [e.day for e in usable]
    # A day in one event's window is left out of every other event's reference; its own
    # window is never in its reference, so leaving out every window's days is the same.
    excluded = _days_in_windows(every_event)
    shares = {day: _window_share(day, excluded) for day in days}
    below = LEVELS[LEVELS.index(scope.area_level):]  # the scope's level and those inside it
    around = {level: _count_around(con, days, level, excluded) for level in below}
    return [
        _measure_event(scope, event, [e for e in usable if e.name == event], around, shares, dispersion, names)
        for event in events
    ]


def _pooled(counts: dict, code, shares: dict[date, float]) -> tuple[int, int, float]:
    """An area's crimes in the windows and in the references over every occurrence, and the
    share of them the windows would hold with no rise (each occurrence's, weighted by its crimes)."""
    cells = [(shares[day], a, b) for (day, area), (a, b) in counts.items() if area == code]
    a, b = sum(c[1] for c in cells), sum(c[2] for c in cells)
    expected = sum(share * (x + y) for share, x, y in cells)
    return a, b, expected / (a + b) if a + b else WINDOW_SHARE


def _pool_areas(scope, own: dict, districts: dict, shares: dict[date, float], dispersion: float, names: dict,
                areas: int) -> list[Uplift]:
    """The scope's area and each district over every occurrence pooled, significant ones
    (Bonferroni over the ``areas``), most significant first. Per-occurrence windows do not
    overlap, so their counts add up; the dispersion applies to the sum as to each window.

    A district's window is judged against the share of the rest of the force's crimes in the
    same windows, not against the days' share: the season itself can peak around an event
    (burglary in the dark evenings around Diwali), and over several years together that alone
    would be significant; the rest of the force carries the season, not the district's rise.
    That share is itself counted, not known: its variance adds the district's crimes over the
    rest's to the dispersion (1 + n/rest), or a small force's districts would be flagged by
    the noise in each other's counts.
    """
    whole = _pooled(own, scope.key, shares)
    top = _quasi_binomial_uplift(scope.area_code, scope.area_name, *whole, dispersion)
    each = {code: _pooled(districts, code, shares) for code in sorted({area for _, area in districts})}
    raised: set = set()
    for _ in range(len(each) + 1):  # until the districts with a rise are stable
        tests = [_district_against_rest(code, names.get(code, code), each, whole, raised, dispersion)
                 for code in each]
        significant = [u for u in [top, *tests] if u.in_window and u.p_value < UPLIFT_ALPHA / areas]
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


def _measure_event(
    scope, event_name: str, occurrences: list[CalendarEvent], around: dict[str, dict], shares: dict[date, float],
    dispersion: float, names: dict,
) -> EventReport:
    """One event's occurrences: the area and its districts per year; neighbourhoods pooled.
    ``around`` holds _count_around's counts per level, for every event's days; ``shares``
    each day's window share (see _window_share)."""
    report = EventReport(event_name, [], [])
    if not occurrences:
        return report
    days = {e.day for e in occurrences}
    counts = {level: {k: v for k, v in by_area.items() if k[0] in days} for level, by_area in around.items()}
    own = counts[scope.area_level]
    districts = counts["district"] if scope.area_level == "force" else {}
    areas = 1 + len({a for _, a in districts})
    report.recurring = _pool_areas(scope, own, districts, shares, dispersion, names, areas)
    for event in occurrences:
        occurrence = EventOccurrence(
            event, (event.day - timedelta(days=ATTRIBUTION_WINDOW_DAYS), event.day + timedelta(days=ATTRIBUTION_WINDOW_DAYS))
        )
        share = shares[event.day]
        candidates = [_quasi_binomial_uplift(scope.area_code, scope.area_name, *own.get((event.day, scope.key), (0, 0)), share, dispersion)]
        candidates += [
            _quasi_binomial_uplift(code, names.get(code, code), a, b, share, dispersion)
            for (day, code), (a, b) in districts.items() if day == event.day
        ]
        occurrence.uplifts = sorted(
            (u for u in candidates if u.p_value < UPLIFT_ALPHA / areas), key=lambda u: u.p_value
        )
        report.occurrences.append(occurrence)
    if scope.area_level != "neighbourhood":
        pooled: dict[str, list[float]] = {}
        for (day, code), (a, b) in counts["neighbourhood"].items():
            total = pooled.setdefault(code, [0, 0, 0.0])
            total[0] += a
            total[1] += b
            total[2] += shares[day] * (a + b)  # expected in the windows with no rise
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
