"""Agenda item 3's figures, each from its one declaration in ``measures.yaml``: leadership
training by rank, sickness absence over time by rank or role (and its change since training
started), wellbeing service use, and assaults on officers and staff with their solve rate and
why cases did not proceed. Aggregates only (the read_aggregates grant, checked by the
caller); a person's own records are ``people.py``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from peel.measures import get_measure
from peel.measures.periods import add_months, get_financial_year
from peel.workforce.extracts import read_reference

GROUPS = ("rank", "role", "all")


@dataclass(frozen=True)
class RankTraining:
    rank: str
    course: str
    in_post: int
    booked: int
    completed: int

    @property
    def booked_percent(self) -> float | None:
        return 100 * self.booked / self.in_post if self.in_post else None

    @property
    def completed_percent(self) -> float | None:
        return 100 * self.completed / self.in_post if self.in_post else None


@dataclass(frozen=True)
class MonthValue:
    month: date
    group: str
    numerator: float
    denominator: float

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class SicknessChange:
    group: str
    before: float | None  # working days lost per FTE, the same months a year earlier
    since: float | None  # from the training start to the last complete month

    @property
    def change_percent(self) -> float | None:
        if not self.before or self.since is None:
            return None
        return 100 * (self.since - self.before) / self.before


@dataclass(frozen=True)
class YearAssaults:
    label: str  # '2025' or '2025-26'
    start: date
    end: date  # exclusive
    assaults: int
    solved: int
    partial: bool  # the year runs past the snapshot

    @property
    def solve_rate(self) -> float | None:
        return 100 * self.solved / self.assaults if self.assaults else None


@dataclass
class Attrition:
    code: str
    reason: str
    crimes: int


@dataclass
class AssaultFigures:
    calendar_years: list[YearAssaults] = field(default_factory=list)
    financial_years: list[YearAssaults] = field(default_factory=list)
    attrition: list[Attrition] = field(default_factory=list)  # for the last complete calendar year


def _run(con: duckdb.DuckDBPyConnection, sql: str, **params) -> list[tuple]:
    return con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).fetchall()


def get_training_by_rank(con: duckdb.DuckDBPyConnection, as_of: date) -> list[RankTraining]:
    """Booked and completed, per rank that has a leadership course, as at ``as_of``."""
    ranks = read_reference("ranks.csv")
    booked = dict(_run(con, get_measure("leadership_booked").numerator_sql, as_of=as_of))
    completed = dict(_run(con, get_measure("leadership_completed").numerator_sql, as_of=as_of))
    in_post = dict(_run(con, get_measure("leadership_booked").sql, as_of=as_of))
    return [RankTraining(r.rank_or_grade, r.course, in_post.get(r.rank_or_grade, 0),
                         booked.get(r.rank_or_grade, 0), completed.get(r.rank_or_grade, 0))
            for r in ranks.itertuples() if r.course]


def get_monthly(con: duckdb.DuckDBPyConnection, measure_id: str, start: date, end: date, as_of: date,
                group: str = "all") -> list[MonthValue]:
    """A rate measure's months ``start``..``end`` (exclusive), per group ('rank', 'role', 'all')."""
    if group not in GROUPS:
        raise ValueError(f"group: expected one of {', '.join(GROUPS)}, not {group!r}.")
    measure = get_measure(measure_id)
    params = {"start": start, "end": end, "as_of": as_of, "group": group}
    top = {(m, g): v for m, g, v in _run(con, measure.numerator_sql, **params)}
    bottom = {(m, g): v for m, g, v in _run(con, measure.sql, **params)}
    return [MonthValue(m, g, float(top.get((m, g), 0)), float(v)) for (m, g), v in sorted(bottom.items())]


def get_training_start(con: duckdb.DuckDBPyConnection) -> date | None:
    """The first leadership course's first day: when training started."""
    return con.execute("SELECT min(course_date) FROM leadership_course").fetchone()[0]


def _over_months(measure_id: str, rows: list[MonthValue]) -> float | None:
    """A rate measure over several months: working days lost over the months per mean FTE in
    post; the share absent as people absent each month over people in post each month."""
    if not rows:
        return None
    bottom = sum(r.denominator for r in rows)
    if measure_id == "working_days_lost_per_fte":
        bottom /= len(rows)
    return sum(r.numerator for r in rows) / bottom if bottom else None


def get_sickness_change(con: duckdb.DuckDBPyConnection, month: date, as_of: date, group: str = "rank",
                        measure_id: str = "working_days_lost_per_fte") -> tuple[date | None, date, list[SicknessChange]]:
    """A sickness measure (working days lost per FTE, or the share absent) from training
    start to the month before ``month`` (the last complete one), against the same months a
    year earlier; (start, end exclusive, changes)."""
    started = get_training_start(con)
    if started is None or started >= month:
        return started, month, []
    first = started.replace(day=1)
    since = get_monthly(con, measure_id, first, month, as_of, group)
    before = get_monthly(con, measure_id, add_months(first, -12), add_months(month, -12), as_of, group)
    groups = sorted({r.group for r in since} | {r.group for r in before})
    return started, month, [SicknessChange(g, _over_months(measure_id, [r for r in before if r.group == g]),
                                           _over_months(measure_id, [r for r in since if r.group == g]))
                            for g in groups]


def get_wellbeing(con: duckdb.DuckDBPyConnection, start: date, end: date, as_of: date) -> list[MonthValue]:
    """People using each wellbeing service per month (denominator: 1, a count)."""
    rows = _run(con, get_measure("wellbeing_users").sql, start=start, end=end, as_of=as_of)
    return [MonthValue(m, s, float(n), 1.0) for m, s, n in sorted(rows)]


def _year(con, label: str, start: date, end: date, as_of: date) -> YearAssaults:
    count = _run(con, get_measure("staff_assaults").sql, start=start, end=end, as_of=as_of)[0][0]
    solved = _run(con, get_measure("staff_assault_solve_rate").numerator_sql, start=start, end=end, as_of=as_of)[0][0]
    return YearAssaults(label, start, end, count, solved, end > as_of + timedelta(days=1))


def get_assaults(con: duckdb.DuckDBPyConnection, as_of: date, years: int = 3) -> AssaultFigures:
    """Assaults on officers and staff per calendar and financial year (the last ``years`` of
    each, to the one ``as_of`` falls in), solved, and why the last complete year's did not proceed."""
    figures = AssaultFigures()
    for year in range(as_of.year - years + 1, as_of.year + 1):
        figures.calendar_years.append(_year(con, str(year), date(year, 1, 1), date(year + 1, 1, 1), as_of))
    current = get_financial_year(as_of).start.year
    for year in range(current - years + 1, current + 1):
        period = get_financial_year(date(year, 4, 1))
        figures.financial_years.append(_year(con, period.label, period.start, period.end, as_of))
    last = as_of.year - 1
    figures.attrition = [Attrition(*row) for row in _run(con, get_measure("staff_assault_attrition").sql,
                                                         start=date(last, 1, 1), end=date(last + 1, 1, 1),
                                                         as_of=as_of)]
    return figures


def get_sickness_from(con: duckdb.DuckDBPyConnection) -> date | None:
    """The first month the sickness records cover (None: none loaded): a month before it has
    no figure, not a zero."""
    first = con.execute("SELECT min(start_date) FROM sickness_spell").fetchone()[0]
    return first.replace(day=1) if first else None


def get_data_to(con: duckdb.DuckDBPyConnection) -> date | None:
    """The last day the workforce records cover; None when no people are loaded."""
    if not con.execute("SELECT count(*) FROM staff_member").fetchone()[0]:
        return None
    return con.execute("""SELECT max(d) FROM (SELECT max(start_date) d FROM sickness_spell
                          UNION ALL SELECT max(contact_date) FROM wellbeing_contact
                          UNION ALL SELECT max(booked_date) FROM leadership_course
                          UNION ALL SELECT max(start_date) FROM staff_member)""").fetchone()[0]
