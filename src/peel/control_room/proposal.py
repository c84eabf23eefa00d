"""A week's staffing proposal: forecast the 999 and 101 calls hour by hour from the history
before the week, staff each hour for its answer standard (Erlang C), set it beside the roster
worked, and queue it for a control-room manager, who accepts, changes or rejects it with a
reason (the review queue: peel.casebook.review). The algorithm proposes; a person decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd
from sqlalchemy.orm import Session

from peel.casebook import REASON, Request, access, review
from peel.casebook.audit import Operation
from peel.casebook.models import ReviewItem
from peel.casebook.roles import Action
from peel.control_room.demand import hourly_demand, local_hours
from peel.control_room.forecast import forecast_demand
from peel.control_room.performance import local_instant
from peel.control_room.staffing import mean_handling_seconds, plan_handlers

ALGORITHM = "control_room_staffing"  # its name in the review queue and the oversight pages
DOMAIN, KIND = "control_room", "staffing"
# What the forecast learns from: the 4 weeks averaged, and the conformal windows before them
# (10 windows of a 14-day horizon for the pack's forecast).
HISTORY_WEEKS = 26
CHANNELS = ("999", "101")
DECISIONS = ("accept", "change", "reject")


@dataclass
class WeekPlan:
    week_start: date
    hours: pd.DataFrame  # label, and per channel: calls_<c>, handlers_<c>, worked_<c>

    def totals(self) -> dict[str, int]:
        """Handler-hours proposed and worked, per channel."""
        out = {}
        for c in CHANNELS:
            out[f"proposed_{c}"] = int(self.hours[f"handlers_{c}"].sum())
            out[f"worked_{c}"] = int(self.hours[f"worked_{c}"].sum())
        return out


def plan_week(con: duckdb.DuckDBPyConnection, week_start: date) -> WeekPlan:
    """Call handlers per hour for the week from ``week_start`` (local days), forecast from
    the HISTORY_WEEKS before it, beside the roster worked (0 where none is recorded)."""
    since = week_start - timedelta(weeks=HISTORY_WEEKS)
    first = con.execute("SELECT min(received_at) FROM cr_call").fetchall()[0][0]
    if first is None or first > local_instant(since) + timedelta(days=1):
        raise ValueError(f"Planning the week of {week_start} needs {HISTORY_WEEKS} weeks of calls before it; "
                         "load the control room's calls for that time first.")
    history = hourly_demand(con, since, week_start)
    history = history[history["unique_id"].isin(CHANNELS)]
    hours = local_hours(week_start, week_start + timedelta(days=7))
    forecast = forecast_demand(history, horizon_hours=len(hours))
    out = hours[["ds", "label"]].copy()
    for channel in CHANNELS:
        mine = forecast[forecast["unique_id"] == channel].reset_index(drop=True)
        plan = plan_handlers(mine, channel, mean_handling_seconds(con, channel))
        out[f"calls_{channel}"] = plan["calls"].round(1).to_numpy()
        out[f"handlers_{channel}"] = plan["handlers"].to_numpy()
        out[f"worked_{channel}"] = roster_worked(con, channel, week_start, out["ds"])
    return WeekPlan(week_start, out)


def roster_worked(con: duckdb.DuckDBPyConnection, channel: str, week_start: date, ds: pd.Series) -> list[int]:
    """Call handlers on duty in each hour (UTC starts ``ds``) by the roster worked."""
    shifts = con.execute(
        "SELECT starts_at, ends_at, staff FROM cr_shift WHERE role = ? AND ends_at > ? AND starts_at < ?",
        [f"call_handler_{channel}", local_instant(week_start), local_instant(week_start + timedelta(days=7))],
    ).df()
    if shifts.empty:
        return [0] * len(ds)
    starts = pd.to_datetime(shifts["starts_at"], utc=True).dt.tz_localize(None)
    ends = pd.to_datetime(shifts["ends_at"], utc=True).dt.tz_localize(None)
    return [int(shifts["staff"][(starts <= h) & (ends > h)].sum()) for h in ds]


def propose_staffing(session: Session, username: str | None, plan: WeekPlan) -> int:
    """Queue the week's plan for a control-room manager; return the review item's id. Filed by
    the algorithm, run by ``username``: a signed-in user or service account that may propose
    in the control room (refused, and the refusal logged, otherwise); both are in the log."""
    request = Request(Action.PROPOSE, "review_item", domain=DOMAIN, subject_ref=f"week:{plan.week_start.isoformat()}")
    actor = access.authorise(session, username, request)
    totals = plan.totals()
    summary = (f"Call handlers for the week from {plan.week_start:%d %B %Y}: "
               f"{totals['proposed_999']} 999 handler-hours (roster worked {totals['worked_999']}), "
               f"{totals['proposed_101']} 101 handler-hours (worked {totals['worked_101']}).")
    hours = plan.hours.drop(columns=["ds"]).to_dict(orient="records")
    item = review.propose(session, domain=DOMAIN, kind=KIND, summary=summary, by_algorithm=ALGORITHM,
                          subject_ref=request.subject_ref,
                          payload={"week_start": plan.week_start.isoformat(), "totals": totals, "hours": hours})
    access.record(session, actor, Operation.COLLECTION, "review_item", item, subject_ref=request.subject_ref,
                  detail={"domain": DOMAIN, "kind": KIND, "filed_for": ALGORITHM})
    return item


def decide_staffing(session: Session, username: str, item_id: int, decision: str, reason: str,
                    changes: dict[str, int] | None = None) -> None:
    """Accept, change or reject a staffing proposal, with the reason. ``changes`` (for a
    change) maps an hour's local label ('2026-03-02 08:00 GMT') to the 999 handlers the manager
    sets instead; the algorithm's numbers stay in the proposal beside them."""
    # Who decides, and why, is checked (and a refusal logged) before anything else is.
    access.authorise_on(session, username, ReviewItem, Request(
        Action.DECIDE_REVIEW, "review_item", item_id, purpose=reason, must_state=REASON))
    if decision not in DECISIONS:
        raise ValueError(f"Decision '{decision}': choose one of {', '.join(DECISIONS)}.")
    if (decision == "change") != bool(changes):
        raise ValueError("A change gives the hours it changes (label=handlers); accept and reject give none.")
    item = session.get(ReviewItem, item_id)
    if item is None or item.domain != DOMAIN or item.kind != KIND:
        raise ValueError(f"Review item {item_id} is not a control-room staffing proposal.")
    if changes:
        labels = {h["label"] for h in item.payload["hours"]}
        unknown = sorted(set(changes) - labels)
        if unknown:
            raise ValueError(f"No hour {unknown[0]!r} in the proposal: give hours as its labels say, "
                             f"e.g. {item.payload['hours'][0]['label']!r}.")
        if any(int(v) < 1 for v in changes.values()):
            raise ValueError("Every hour needs at least one call handler on duty.")
    review.decide(session, username, item_id, accept=decision != "reject", reason=reason)
    if changes:
        item.payload = {**item.payload, "decision": "changed",
                        "changed_999_handlers": {k: int(v) for k, v in changes.items()}}


def list_staffing_proposals(session: Session, username: str) -> list[dict]:
    """The staffing proposals, newest first, with their totals and decisions, for a user whose
    review queue holds the control room (refused, and logged, otherwise). Proposals hold staff
    numbers per hour, no personal data."""
    listed = review.list_items(session, username, status=None, domain=DOMAIN)
    mine = {item.id: item for item in listed if item.kind == KIND}
    rows = {row.id: row for row in session.query(ReviewItem).where(ReviewItem.id.in_(mine))}
    return [{"id": i, "summary": item.summary, "status": item.status, "created_at": item.created_at,
             "decided_by": item.decided_by, "reason": rows[i].reason, "week_start": rows[i].payload["week_start"],
             "totals": rows[i].payload["totals"], "changed_999_handlers": rows[i].payload.get("changed_999_handlers")}
            for i, item in sorted(mine.items(), reverse=True)]
