"""Item 3's charts: working days lost per FTE and the share of people absent month by month
(with the months since training started and the same months a year earlier marked),
wellbeing service use by service, and leadership training by rank. Each chart is drawn by the
one chart renderer (``peel.render.render_chart``, specs in ``charts/``) as SVG, and each has a
sentence saying what it shows: the SVG's title (a screen reader's and the tagged PDF's
alternative text) and a paragraph under it. Their data are the section's figures, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup

from peel.measures.periods import add_months
from peel.measures.rounding import format_number, format_percent
from peel.render import render_chart
from peel.workforce.figures import MonthValue, RankTraining

SINCE, BEFORE = "since training started", "a year earlier"


@dataclass(frozen=True)
class Chart:
    svg: Markup
    description: str


def _month(day: date) -> str:
    return day.strftime("%B %Y")


def complete_months(rows: list[MonthValue], as_of: date) -> list[MonthValue]:
    """The rows of months that ended by ``as_of``: a month still running is not drawn (its
    days lost are counted to the snapshot against the whole month's people, so it would dip)."""
    return [r for r in rows if add_months(r.month, 1) <= as_of + timedelta(days=1)]


def rate_chart_rows(rows: list[MonthValue], started: date | None, change_end: date) -> list[dict]:
    """A force-wide rate's months for the chart, each marked if it is one of the months the
    change since training started compares (since training, or the same months a year earlier)."""
    first = started.replace(day=1) if started else None
    values = []
    for r in rows:
        compared = None
        if first and first <= r.month < change_end:
            compared = SINCE
        elif first and add_months(first, -12) <= r.month < add_months(change_end, -12):
            compared = BEFORE
        values.append({"month": r.month.isoformat(), "value": r.value, "compared": compared,
                       "training_started": r.month == first})
    return values


def describe_rate_chart(rows: list[MonthValue], name: str, show, started: date | None, change_end: date,
                        as_of: date) -> str:
    """The chart in a sentence or two: its span, its lowest and highest month, when training
    started and the months the change compares. ``show`` formats a value."""
    drawn = [r for r in rows if r.value is not None]
    if not drawn:
        return f"No complete month of {name} to chart yet."
    low = min(drawn, key=lambda r: (r.value, r.month))
    high = max(drawn, key=lambda r: (r.value, -r.month.toordinal()))
    text = (f"Chart of {name} each month, force-wide, from {_month(drawn[0].month)} to {_month(drawn[-1].month)}: "
            f"lowest {show(low.value)} ({_month(low.month)}), highest {show(high.value)} ({_month(high.month)}); "
            f"{_month(drawn[-1].month)}: {show(drawn[-1].value)}.")
    if started and started.replace(day=1) < change_end:
        first, last = started.replace(day=1), add_months(change_end, -1)
        text += (f" A dashed line marks the start of leadership training ({_month(first)}); squares mark the months "
                 f"since ({_month(first)} to {_month(last)}), circles the same months a year earlier.")
    if as_of.replace(day=1) == add_months(drawn[-1].month, 1):
        text += f" {_month(as_of)} is not drawn: it runs only to {as_of.strftime('%d %B')}."
    return text


def wellbeing_chart_rows(rows: list[MonthValue]) -> list[dict]:
    """Every service's count every month: a month nobody used a service is a 0 on its line."""
    counts = {(r.month, r.group): int(r.numerator) for r in rows}
    return [{"month": m.isoformat(), "service": s, "people": counts.get((m, s), 0)}
            for m in sorted({r.month for r in rows}) for s in sorted({r.group for r in rows})]


def describe_wellbeing_chart(rows: list[MonthValue]) -> str:
    """Per service: its first and last month's users, its lowest and highest."""
    if not rows:
        return "No wellbeing service contacts to chart."
    months = sorted({r.month for r in rows})
    parts = []
    for service in sorted({r.group for r in rows}):
        counts = {r.month: int(r.numerator) for r in rows if r.group == service}
        series = [counts.get(m, 0) for m in months]
        parts.append(f"{service} {series[0]:,} in {_month(months[0])}, {series[-1]:,} in {_month(months[-1])} "
                     f"(between {min(series):,} and {max(series):,})")
    return (f"Chart of the people using each wellbeing service each month, from {_month(months[0])} to "
            f"{_month(months[-1])}: " + "; ".join(parts) + ".")


def training_chart_rows(training: list[RankTraining]) -> list[dict]:
    rows = []
    for t in training:
        for stage, count, percent in (("booked or attended", t.booked, t.booked_percent),
                                      ("completed", t.completed, t.completed_percent)):
            if percent is not None:
                rows.append({"rank": t.rank, "stage": stage, "percent": percent,
                             "label": f"{format_number(percent)}% ({count:,} of {t.in_post:,})"})
    return rows


def describe_training_chart(training: list[RankTraining]) -> str:
    parts = [f"{t.rank.lower()}s {format_number(t.booked_percent)}% booked or attended and "
             f"{format_number(t.completed_percent)}% completed ({t.in_post:,} in post)"
             for t in training if t.in_post]
    if not parts:
        return "No one in post at a rank with a leadership course."
    return "Bar chart of leadership training by rank, as a share of those in post: " + "; ".join(parts) + "."


def draw_charts(section) -> dict[str, Chart]:
    """Item 3's four charts for a ``WorkforceSection``: name -> SVG and its description."""
    started, end, as_of = section.training_start, section.change_end, section.as_of
    charts = {}
    for name, rows, label, show in (
            ("days_lost_per_fte", section.sickness, "working days lost per FTE", lambda v: format_number(v, 2)),
            ("share_absent", section.absent, "the share of people absent through sickness",
             lambda v: format_percent(100 * v))):
        rows = complete_months(rows, as_of)
        description = describe_rate_chart(rows, label, show, started, end, as_of)
        charts[name] = Chart(render_chart(f"workforce/{name}", rate_chart_rows(rows, started, end), description),
                             description)
    wellbeing = complete_months(section.wellbeing_months, as_of)
    description = describe_wellbeing_chart(wellbeing)
    charts["wellbeing"] = Chart(render_chart("workforce/wellbeing_by_service", wellbeing_chart_rows(wellbeing),
                                             description), description)
    description = describe_training_chart(section.training)
    charts["training"] = Chart(render_chart("workforce/training_by_rank", training_chart_rows(section.training),
                                            description), description)
    return charts
