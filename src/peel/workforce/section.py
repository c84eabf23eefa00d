"""The leadership and wellbeing section of the meeting pack (agenda item 3): the daily
dashboard's month (crimes solved per day), leadership training by rank, sickness and
wellbeing trends, and assaults on officers and staff with their solve rate and why cases did
not proceed. Reads only; every figure is a declared measure (``figures``). ``KIND`` is what
the pack's agenda registers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from peel.measures import get_measure, get_measures
from peel.measures.periods import add_months, get_month_end
from peel.measures.rounding import format_number, format_percent, format_points
from peel.render import render_template
from peel.section import SectionKind
from peel.workforce import figures
from peel.workforce.figures import AssaultFigures, MonthValue, RankTraining, SicknessChange
from peel.workforce.trends import draw_charts

TREND_MONTHS = 12  # sickness and wellbeing: the last 12 complete months, against the 12 before
# Force-wide sickness: two years, so that the chart shows the months before training started
# and the same months a year earlier, which the change since training compares.
SICKNESS_MONTHS = 24


@dataclass(frozen=True)
class DailySummary:
    """The daily dashboard over the month: crimes solved each day (first positive outcome)."""

    first: date
    last: date  # the last day counted (the month's end, or the snapshot)
    by_day: list[tuple[date, int]]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.by_day)

    @property
    def per_day(self) -> float:
        return self.total / len(self.by_day) if self.by_day else 0.0

    @property
    def busiest(self) -> tuple[date, int] | None:
        return max(self.by_day, key=lambda pair: (pair[1], -pair[0].toordinal())) if self.by_day else None


@dataclass
class WorkforceSection:
    month: date
    as_of: date
    daily: DailySummary
    training: list[RankTraining]
    training_start: date | None
    sickness: list[MonthValue]  # working days lost per FTE, force-wide, month by month (SICKNESS_MONTHS)
    absent: list[MonthValue]  # share of people absent, force-wide, month by month (SICKNESS_MONTHS)
    # Both measures month by month per rank or grade ('rank') and per role ('role').
    by_group: dict[str, dict[str, list[MonthValue]]]
    change_by_rank: list[SicknessChange]
    change_by_role: list[SicknessChange]
    change_all: SicknessChange | None
    # The share of people absent since training started, by 'all', 'rank' and 'role'.
    absent_change: dict[str, list[SicknessChange]]
    change_end: date  # the change runs from the training start to before this month
    wellbeing: list[tuple[str, int, int]]  # service, people in the last 12 months, the 12 before
    wellbeing_months: list[MonthValue]  # people per service (group) and month, the last 12 months and this one
    assaults: AssaultFigures
    notes: list[str] = field(default_factory=list)


def get_daily_summary(con: duckdb.DuckDBPyConnection, month: date, as_of: date) -> DailySummary:
    """Crimes solved each day of the month up to ``as_of`` (the daily dashboard's counts)."""
    last = min(get_month_end(month), as_of)
    counts = dict(con.execute(get_measure("crimes_solved_per_day").sql,
                              {"start": month, "end": last + timedelta(days=1), "as_of": as_of}).fetchall())
    days = [month + timedelta(days=n) for n in range((last - month).days + 1)]
    return DailySummary(month, last, [(day, counts.get(day, 0)) for day in days])


def _wellbeing_totals(con, month: date, as_of: date) -> list[tuple[str, int, int]]:
    """People using each service in the 12 complete months before ``month``, and the 12 before."""
    start = add_months(month, -TREND_MONTHS)
    now = figures.get_wellbeing(con, start, month, as_of)
    before = figures.get_wellbeing(con, add_months(start, -TREND_MONTHS), start, as_of)
    services = sorted({r.group for r in now} | {r.group for r in before})
    return [(s, int(sum(r.numerator for r in now if r.group == s)),
             int(sum(r.numerator for r in before if r.group == s))) for s in services]


def get_workforce_section(con: duckdb.DuckDBPyConnection, month: date, as_of: date | None = None) -> WorkforceSection:
    """Everything item 3 shows for the month, as at ``as_of`` (default: the data's last day)."""
    data_to = figures.get_data_to(con) or get_month_end(month)
    as_of = min(as_of or data_to, data_to, get_month_end(month))
    started, change_end, by_rank = figures.get_sickness_change(con, month, as_of, "rank")
    _, _, by_role = figures.get_sickness_change(con, month, as_of, "role")
    _, _, overall = figures.get_sickness_change(con, month, as_of, "all")
    absent_change = {group: figures.get_sickness_change(con, month, as_of, group, "share_absent")[2]
                     for group in figures.GROUPS}
    first, end = add_months(month, -TREND_MONTHS), add_months(month, 1)
    long_first = max(add_months(month, -SICKNESS_MONTHS), figures.get_sickness_from(con) or month)
    by_group = {group: {measure: figures.get_monthly(con, measure, first, end, as_of, group)
                        for measure in ("working_days_lost_per_fte", "share_absent")} for group in ("rank", "role")}
    return WorkforceSection(
        month=month, as_of=as_of, daily=get_daily_summary(con, month, as_of),
        training=figures.get_training_by_rank(con, as_of), training_start=started,
        sickness=figures.get_monthly(con, "working_days_lost_per_fte", long_first, end, as_of),
        absent=figures.get_monthly(con, "share_absent", long_first, end, as_of), by_group=by_group,
        change_by_rank=by_rank, change_by_role=by_role, change_all=overall[0] if overall else None,
        change_end=change_end, absent_change=absent_change, wellbeing=_wellbeing_totals(con, month, as_of),
        wellbeing_months=figures.get_wellbeing(con, first, end, as_of),
        assaults=figures.get_assaults(con, as_of))


def tabulate_changes(days: list[SicknessChange], absent: list[SicknessChange]) -> list[tuple]:
    """Per group, both measures' change since training: (group, days lost change, share
    absent change or None)."""
    shares = {c.group: c for c in absent}
    return [(c.group, c, shares.get(c.group)) for c in days]


def tabulate_wellbeing(rows: list[MonthValue]) -> tuple[list[str], list[tuple[date, list[int]]]]:
    """Services, and per month the people using each: the trend table."""
    services = sorted({r.group for r in rows})
    counts = {(r.month, r.group): int(r.numerator) for r in rows}
    months = sorted({r.month for r in rows})
    return services, [(m, [counts.get((m, s), 0) for s in services]) for m in months]


def describe_training(row: RankTraining) -> str:
    """The meeting note's way: '100% of sergeants booked, 27% completed (293 in post)'."""
    if not row.in_post:
        return f"No {row.rank.lower()}s in post."
    plural = row.rank.lower() + "s"
    # Whole percentages, as the meeting note gives them.
    return (f"{format_number(row.booked_percent)}% of {plural} booked or attended {row.course.lower()} "
            f"({row.booked:,} of {row.in_post:,}); {format_number(row.completed_percent)}% completed so far "
            f"({row.completed:,}).")


def render_workforce_section(section: WorkforceSection) -> str:
    return render_template("workforce/section.html.j2", section=section, describe_training=describe_training,
                           charts=draw_charts(section), tabulate_changes=tabulate_changes,
                           wellbeing_table=tabulate_wellbeing(section.wellbeing_months),
                           format_number=format_number, format_percent=format_percent, format_points=format_points,
                           measures=list(get_measures("workforce").values()))


KIND = SectionKind(
    name="leadership_wellbeing",
    domain="workforce",
    description="The daily dashboard's month, leadership training by rank, sickness, wellbeing and assaults on staff.",
    needs="the force's workforce extracts (peel demo-data, or peel workforce load) and its crime records",
    get_data_to=figures.get_data_to,
    build=get_workforce_section,
    render=render_workforce_section,
)
