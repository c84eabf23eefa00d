"""LFR's figures, for the pack, the pages and the public: aggregates only, no person.

The counts are the declared measures (``measures.yaml``, run by ``run_measure``); the rest
(per deployment, deletion gaps, fairness, surveys, scrutiny) read the lfr_* tables directly.
Days are UK days; ``as_of`` is the snapshot: nothing after it counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
from dateutil.relativedelta import relativedelta

from peel.lfr.rules import get_rules
from peel.lfr.stats import Rate, SurveyResult, get_rate, get_survey_result
from peel.measures import get_measures
from peel.warehouse.database import get_last_day_covered

Connection = duckdb.DuckDBPyConnection
UK_DAY = "timezone('Europe/London', {})::DATE"


def run_measure(con: Connection, measure_id: str, start: date, end: date, as_of: date,
                sql_key: str = "sql") -> int:
    """One declared measure's count (``sql``) or numerator (``numerator_sql``) for days
    ``start`` to ``end`` (exclusive), nothing after ``as_of``."""
    sql = getattr(get_measures("lfr")[measure_id], sql_key)
    given = {"start": start, "end": end, "as_of": as_of, "evidence": get_rules()["deletion_evidence"]}
    return int(con.execute(sql, {k: v for k, v in given.items() if f"${k}" in sql}).fetchone()[0])


@dataclass(frozen=True)
class PeriodFigures:
    label: str
    start: date
    end: date  # exclusive
    deployments: int
    faces_seen: int
    alerts: int
    false_alerts: Rate  # of alerts, with the upper bound
    false_per_face: Rate  # of faces seen, with the upper bound
    arrests: int
    deletion_complete: Rate  # deployments ended with both pieces of evidence, of those ended


def get_period_figures(con: Connection, label: str, start: date, end: date, as_of: date) -> PeriodFigures:
    """Every declared LFR figure for one period."""
    def count(measure_id: str, key: str = "sql") -> int:
        return run_measure(con, measure_id, start, end, as_of, key)

    alerts, false = count("lfr_false_alert_rate"), count("lfr_false_alert_rate", "numerator_sql")
    faces = count("lfr_faces_seen")
    ended = count("lfr_deletion_complete")
    return PeriodFigures(label, start, end, count("lfr_deployments"), faces, alerts, get_rate(false, alerts),
                         get_rate(false, faces), count("lfr_arrests"),
                         Rate(count("lfr_deletion_complete", "numerator_sql"), ended, None))


@dataclass(frozen=True)
class DeploymentSummary:
    """One deployment as the public may see it: no alert's subject."""

    ref: str
    location: str
    location_reason: str
    starts_at: object
    ends_at: object
    purpose: str
    authorising_officer: str
    authorising_rank: str
    watchlist_size: int
    watchlist_categories: list[str]
    threshold: float
    uniformed_officers: int | None
    plain_clothes_officers: int | None
    confirmed_at: object
    urgent_reason: str | None
    faces_seen: int | None
    alerts: int
    true_alerts: int
    false_alerts: Rate
    arrests: int
    missing_evidence: list[str] = field(default_factory=list)  # after it ended: what is not recorded
    cancelled_at: object = None  # cancelled by the snapshot day: when, and why
    cancel_reason: str | None = None

    @property
    def has_results(self) -> bool:
        return self.faces_seen is not None and self.cancelled_at is None


def list_deployments(con: Connection, as_of: date, confirmed_only: bool = True,
                     start: date | None = None, end: date | None = None,
                     with_cancelled: bool = False) -> list[DeploymentSummary]:
    """Deployments in start order (those starting in [start, end) when given) with their
    results and the deletion evidence each lacks once ended; only those announced by ``as_of``
    unless ``confirmed_only`` is false. Those cancelled by ``as_of`` only ``with_cancelled``
    (the register, which says so), and then marked; one cancelled later is listed as it was."""
    evidence = get_rules()["deletion_evidence"]
    rows = con.execute(
        f"""SELECT d.deployment_ref, location, location_reason, starts_at, ends_at, purpose, authorising_officer,
                   authorising_rank, watchlist_size, watchlist_categories, threshold, uniformed_officers,
                   plain_clothes_officers, confirmed_at, urgent_reason, faces_seen,
                   (SELECT count(*) FROM lfr_alert a WHERE a.deployment_ref = d.deployment_ref
                        AND {UK_DAY.format('a.alerted_at')} <= $as_of),
                   (SELECT count(*) FILTER (WHERE adjudication = 'false') FROM lfr_alert a
                        WHERE a.deployment_ref = d.deployment_ref AND {UK_DAY.format('a.alerted_at')} <= $as_of),
                   (SELECT count(*) FILTER (WHERE outcome = 'arrest') FROM lfr_alert a
                        WHERE a.deployment_ref = d.deployment_ref AND {UK_DAY.format('a.alerted_at')} <= $as_of),
                   {UK_DAY.format('ends_at')} <= $as_of,
                   (SELECT list(evidence) FROM lfr_deletion e WHERE e.deployment_ref = d.deployment_ref
                        AND {UK_DAY.format('e.recorded_at')} <= $as_of),
                   {UK_DAY.format('cancelled_at')} <= $as_of, cancelled_at, cancel_reason
            FROM lfr_deployment d
            WHERE ($with_cancelled OR cancelled_at IS NULL OR {UK_DAY.format('cancelled_at')} > $as_of)
              AND (NOT $confirmed_only OR {UK_DAY.format('confirmed_at')} <= $as_of)
              AND ($start IS NULL OR {UK_DAY.format('starts_at')} >= $start)
              AND ($end IS NULL OR {UK_DAY.format('starts_at')} < $end)
            ORDER BY starts_at, d.deployment_ref""",
        {"as_of": as_of, "confirmed_only": confirmed_only, "start": start, "end": end,
         "with_cancelled": with_cancelled},
    ).fetchall()
    summaries = []
    for row in rows:
        *fields, alerts, false, arrests, ended, recorded, cancelled, cancelled_at, cancel_reason = row
        missing = [e for e in evidence if e not in (recorded or [])] if ended and not cancelled else []
        summaries.append(DeploymentSummary(*fields, alerts=alerts, true_alerts=alerts - false,
                                           false_alerts=get_rate(false, alerts), arrests=arrests,
                                           missing_evidence=missing, cancelled_at=cancelled_at if cancelled else None,
                                           cancel_reason=cancel_reason if cancelled else None))
    return summaries


def get_deletion_gaps(con: Connection, as_of: date) -> list[DeploymentSummary]:
    """Deployments that have ended without both pieces of deletion evidence: each is flagged."""
    return [d for d in list_deployments(con, as_of) if d.missing_evidence]


@dataclass(frozen=True)
class FairnessTable:
    """True and false alerts by one demographic category, with the threshold settings used."""

    category: str
    values: list[str]
    counts: dict[tuple[str, str], int]  # (value, 'True alerts' | 'False alerts') -> count
    thresholds: list[float]


ALERT_COLUMNS = ("True alerts", "False alerts")


def get_fairness(con: Connection, start: date, end: date, as_of: date) -> list[FairnessTable]:
    """Alerts raised in [start, end) by each recorded demographic category and adjudication.
    Raw counts: anything public goes through peel.disclosure first (``public``)."""
    tables = []
    thresholds = [t for (t,) in con.execute(
        f"""SELECT DISTINCT d.threshold FROM lfr_alert a JOIN lfr_deployment d USING (deployment_ref)
            WHERE {UK_DAY.format('a.alerted_at')} >= $start AND {UK_DAY.format('a.alerted_at')} < $end
              AND {UK_DAY.format('a.alerted_at')} <= $as_of ORDER BY 1""",
        {"start": start, "end": end, "as_of": as_of}).fetchall()]
    for category, values in get_rules()["demographics"].items():
        rows = con.execute(
            f"""SELECT coalesce({category}, 'Not stated'), adjudication, count(*) FROM lfr_alert
                WHERE {UK_DAY.format('alerted_at')} >= $start AND {UK_DAY.format('alerted_at')} < $end
                  AND {UK_DAY.format('alerted_at')} <= $as_of GROUP BY ALL""",
            {"start": start, "end": end, "as_of": as_of}).fetchall()
        counts = {(value, ALERT_COLUMNS[0] if adjudication == "true" else ALERT_COLUMNS[1]): n
                  for value, adjudication, n in rows}
        tables.append(FairnessTable(category.replace("_", " "), list(values), counts, thresholds))
    return tables


def get_surveys(con: Connection, as_of: date) -> list[SurveyResult]:
    """Every survey question's result by fieldwork end, each with its change since the last."""
    rows = con.execute(
        """SELECT survey_ref, fieldwork_end, question, respondents, agreeing FROM lfr_survey
           WHERE fieldwork_end <= ? ORDER BY fieldwork_end, question""", [as_of]).fetchall()
    results, last = [], {}
    for ref, end, question, respondents, agreeing in rows:
        result = get_survey_result(ref, end, question, respondents, agreeing, last.get(question))
        results.append(result)
        last[question] = result
    return results


def get_next_survey_due(con: Connection, as_of: date) -> tuple[date | None, bool]:
    """When the next survey is due (6 months after the last fieldwork ended), and whether a
    reminder shows (due within the reminder period, or overdue). None: no survey yet."""
    rules = get_rules()
    (last,) = con.execute("SELECT max(fieldwork_end) FROM lfr_survey WHERE fieldwork_end <= ?", [as_of]).fetchone()
    if last is None:
        return None, False
    due = last + relativedelta(months=rules["survey_interval_months"])
    return due, due - timedelta(days=rules["survey_reminder_days"]) <= as_of


@dataclass(frozen=True)
class Review:
    ref: str
    group: str
    day: date
    findings: str
    response: str | None
    next_review: date | None


def get_reviews(con: Connection, as_of: date) -> list[Review]:
    """The advisory and scrutiny groups' reviews to ``as_of``, latest first."""
    return [Review(*row) for row in con.execute(
        """SELECT review_ref, group_name, review_date, findings, force_response, next_review FROM lfr_scrutiny
           WHERE review_date <= ? ORDER BY review_date DESC, group_name""", [as_of]).fetchall()]


def get_next_reviews(con: Connection, as_of: date) -> dict[str, date]:
    """Each group's next review date, from its latest review."""
    next_dates: dict[str, date] = {}
    for review in get_reviews(con, as_of):
        if review.group not in next_dates and review.next_review:
            next_dates[review.group] = review.next_review
    return next_dates


def get_data_to(con: Connection) -> date | None:
    """The last UK day the LFR records cover: the latest alert, result, deletion,
    announcement or cancellation, or the warehouse's snapshot day when later (a day without any LFR event is
    still a day known); None when there are no LFR records."""
    (day,) = con.execute(
        f"""SELECT greatest(
                (SELECT max({UK_DAY.format('alerted_at')}) FROM lfr_alert),
                (SELECT max({UK_DAY.format('recorded_at')}) FROM lfr_deletion),
                (SELECT max({UK_DAY.format('confirmed_at')}) FROM lfr_deployment),
                (SELECT max({UK_DAY.format('cancelled_at')}) FROM lfr_deployment),
                (SELECT max({UK_DAY.format('ends_at')}) FROM lfr_deployment WHERE faces_seen IS NOT NULL))""").fetchone()
    snapshot_day = get_last_day_covered(con)
    return None if day is None else max(day, snapshot_day) if snapshot_day else day
