"""The live facial recognition section of the meeting pack (agenda item 2).

For the month (to the snapshot day): arrests from LFR, deployments, faces seen, alerts, false
alerts with the exact upper bound on their rate, per deployment; the last 12 months month by
month; deletion evidence complete or not (every deployment missing a piece is named); true and
false alerts by demographic category with small numbers hidden; the surveys with their margins
and when the next is due; the scrutiny groups' reviews and their next dates. Aggregates only:
no alert's subject. Reads through ``figures``; renders ``templates/section.html.j2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from peel.disclosure import RULE, CountTable, PublishedTable, publish_counts
from peel.lfr import figures
from peel.lfr.figures import ALERT_COLUMNS, DeploymentSummary, PeriodFigures, Review
from peel.lfr.rules import as_uk
from peel.lfr.stats import Rate, SurveyResult
from peel.measures import get_measures
from peel.measures.periods import add_months, format_month, get_month_end, get_month_to_date
from peel.render import render_template
from peel.section import SectionKind

MONTHS_SHOWN = 12


@dataclass
class LfrSection:
    month: date
    as_of: date
    month_figures: PeriodFigures  # the month to the snapshot day
    year_figures: PeriodFigures  # the 12 months ending with the month (to the snapshot day)
    monthly: list[PeriodFigures]  # each of those 12 months
    deployments: list[DeploymentSummary]  # those starting in the month
    deletion_gaps: list[DeploymentSummary]  # every deployment ended without its evidence
    fairness: list[PublishedTable]  # the 12 months' alerts by category, small numbers hidden
    thresholds: list[float]  # the threshold settings of those alerts
    surveys: list[SurveyResult]  # the latest survey's questions, with the change since the last
    next_survey: date | None
    survey_reminder: bool
    reviews: list[Review]  # the latest review of each group
    next_reviews: dict[str, date]


def describe_rate(rate: Rate, what: str, of: str) -> str:
    """A false-alert count with what it supports: '0 false alerts in 54 alerts: a rate below
    5.4% (95% upper bound)'. Never '0%' alone."""
    if rate.upper is None:
        return f"no {of}, so no rate can be given"
    text = f"{rate.count:,} {what} in {rate.base:,} {of}"
    if rate.count == 0:
        return f"{text}: not a rate of 0%, but a rate below {format_share(rate.upper)} (95% upper bound)"
    return f"{text} ({format_share(rate.rate)}; at most {format_share(rate.upper)} at 95% confidence)"


def format_share(share: float | None) -> str:
    """A share as a percentage, with enough figures to be more than 0 when it is (1 in 300,000)."""
    if share is None:
        return "-"
    if share == 0:
        return "0%"
    percent = 100 * share
    return f"{percent:.1f}%" if percent >= 0.1 else f"{percent:.2g}%" if percent >= 0.0001 else f"1 in {1 / share:,.0f}"


def publish_fairness(tables: list[figures.FairnessTable]) -> list[PublishedTable]:
    """The fairness tables through the small-numbers rule (peel.disclosure)."""
    return [publish_counts(CountTable(f"Alerts by {t.category}", t.category.capitalize(), t.values,
                                      list(ALERT_COLUMNS), t.counts, row_total="All alerts", column_total="All"))
            for t in tables]


def get_lfr_section(con: duckdb.DuckDBPyConnection, month: date, as_of: date | None = None) -> LfrSection:
    """Everything item 2 shows for ``month``, as known on ``as_of`` (default, and at most, the
    last day the LFR records cover)."""
    data_to = figures.get_data_to(con)
    if data_to is None:
        raise ValueError("No live facial recognition records are loaded: 'peel demo-data' or 'peel lfr' makes them.")
    as_of = min(as_of or data_to, data_to)
    in_month = get_month_to_date(month, as_of)
    first = add_months(month, -(MONTHS_SHOWN - 1))
    year_end = min(get_month_end(month), as_of + timedelta(days=1))
    monthly = [figures.get_period_figures(con, format_month(m), m, min(get_month_end(m), year_end), as_of)
               for m in (add_months(first, n) for n in range(MONTHS_SHOWN)) if m < year_end]
    fairness = figures.get_fairness(con, first, year_end, as_of)
    surveys = figures.get_surveys(con, as_of)
    latest = [s for s in surveys if s.survey_ref == surveys[-1].survey_ref] if surveys else []
    next_survey, reminder = figures.get_next_survey_due(con, as_of)
    reviews, seen = [], set()
    for review in figures.get_reviews(con, as_of):
        if review.group not in seen:
            reviews.append(review)
            seen.add(review.group)
    return LfrSection(
        month=month, as_of=as_of,
        month_figures=figures.get_period_figures(con, in_month.label, in_month.start, in_month.end, as_of),
        year_figures=figures.get_period_figures(
            con, f"{format_month(first)} to {format_month(month)}", first, year_end, as_of),
        monthly=monthly,
        deployments=figures.list_deployments(con, as_of, start=month, end=get_month_end(month)),
        deletion_gaps=figures.get_deletion_gaps(con, as_of),
        fairness=publish_fairness(fairness), thresholds=fairness[0].thresholds if fairness else [],
        surveys=latest, next_survey=next_survey, survey_reminder=reminder,
        reviews=reviews, next_reviews=figures.get_next_reviews(con, as_of))


def render_lfr_section(section: LfrSection) -> str:
    """The section as HTML, with the LFR measures' definitions."""
    return render_template("lfr/section.html.j2", section=section, describe_rate=describe_rate,
                           format_share=format_share, uk=as_uk, rule=RULE,
                           measures=list(get_measures("lfr").values()))


KIND = SectionKind(
    name="lfr_governance",
    domain="lfr",
    description="Live facial recognition: arrests, deployments, alerts and false alerts with their bound, "
                "deletion evidence, fairness, surveys and scrutiny.",
    needs="live facial recognition deployments (peel demo-data, or peel lfr plan/confirm and the vendor's export)",
    get_data_to=figures.get_data_to,
    build=get_lfr_section,
    render=render_lfr_section,
)
