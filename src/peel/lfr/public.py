"""What the public sees of live facial recognition: the register of deployments (upcoming ones
from the moment they are confirmed, past ones with their results) as a page and as JSON, CSV
and iCalendar feeds (a cancelled deployment stays on them, marked cancelled: in a calendar, the
same event with STATUS:CANCELLED and a higher SEQUENCE, so subscribers' calendars drop it);
and the fairness tables, through peel.disclosure, as a publication of
the public pages.

Nothing personal: a deployment's place, times, purpose, authorising rank, watchlist size and
categories, threshold, officers, and its counts (faces seen, alerts true and false, arrests),
as the College of Policing's APP expects forces to publish. No alert's subject, time or
demographic appears here; the demographic counts appear only as suppressed tables.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import duckdb
from icalendar import Calendar, Event

from peel.disclosure import PublishedTable
from peel.lfr import figures
from peel.lfr.figures import DeploymentSummary
from peel.lfr.rules import as_uk
from peel.lfr.section import publish_fairness
from peel.measures.periods import add_months, get_month_end, list_months_back

Connection = duckdb.DuckDBPyConnection
CALENDAR_DOMAIN = "lfr.peel"  # the iCalendar UIDs' domain: '<reference>@lfr.peel'
FIELDS = ("reference", "location", "location_reason", "starts", "ends", "purpose", "authorising_rank",
          "watchlist_size", "watchlist_categories", "threshold", "uniformed_officers", "plain_clothes_officers",
          "announced", "urgent_reason", "faces_seen", "alerts", "true_alerts", "false_alerts",
          "false_alert_rate_upper_bound", "arrests", "status", "cancelled", "cancellation_reason")
CONFIRMED, CANCELLED = "confirmed", "cancelled"


@dataclass(frozen=True)
class Register:
    as_of: date  # the day the register is as known on
    upcoming: list[DeploymentSummary]
    past: list[DeploymentSummary]


def get_register(con: Connection) -> Register | None:
    """The public register as known on the records' last day; None with no records."""
    as_of = figures.get_data_to(con)
    if as_of is None:
        return None
    deployments = figures.list_deployments(con, as_of, with_cancelled=True)
    return Register(as_of, [d for d in deployments if as_uk(d.starts_at).date() > as_of],
                    [d for d in reversed(deployments) if as_uk(d.starts_at).date() <= as_of])


def as_record(d: DeploymentSummary) -> dict:
    """One deployment as the feeds publish it (times in UK local time, with their offset)."""
    return {"reference": d.ref, "location": d.location, "location_reason": d.location_reason,
            "starts": as_uk(d.starts_at).isoformat(), "ends": as_uk(d.ends_at).isoformat(), "purpose": d.purpose,
            "authorising_rank": d.authorising_rank, "watchlist_size": d.watchlist_size,
            "watchlist_categories": list(d.watchlist_categories), "threshold": d.threshold,
            "uniformed_officers": d.uniformed_officers, "plain_clothes_officers": d.plain_clothes_officers,
            "announced": as_uk(d.confirmed_at).isoformat(), "urgent_reason": d.urgent_reason,
            "faces_seen": d.faces_seen, "alerts": d.alerts if d.has_results else None,
            "true_alerts": d.true_alerts if d.has_results else None,
            "false_alerts": d.false_alerts.count if d.has_results else None,
            "false_alert_rate_upper_bound": d.false_alerts.upper if d.has_results else None,
            "arrests": d.arrests if d.has_results else None,
            "status": CANCELLED if d.cancelled_at else CONFIRMED,
            "cancelled": as_uk(d.cancelled_at).isoformat() if d.cancelled_at else None,
            "cancellation_reason": d.cancel_reason}


def to_json(register: Register) -> dict:
    return {"as_of": register.as_of.isoformat(), "upcoming": [as_record(d) for d in register.upcoming],
            "past": [as_record(d) for d in register.past]}


def to_csv(register: Register) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for d in [*register.upcoming, *register.past]:
        writer.writerow(as_record(d) | {"watchlist_categories": "; ".join(d.watchlist_categories)})
    return out.getvalue()


def to_icalendar(register: Register, force_name: str) -> bytes:
    """Every deployment on the register as an event (times in UTC, which every calendar
    shows in its reader's own zone). A cancelled one keeps its UID and comes with SEQUENCE 1
    (the announcement was 0) and STATUS:CANCELLED, which tells a subscribed calendar to drop it."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{force_name}//peel live facial recognition//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{force_name}: live facial recognition deployments")
    for d in [*register.upcoming, *register.past]:
        event = Event()
        event.add("uid", f"{d.ref}@{CALENDAR_DOMAIN}")
        event.add("summary", f"Live facial recognition: {d.location}")
        event.add("location", d.location)
        event.add("dtstart", d.starts_at)
        event.add("dtend", d.ends_at)
        event.add("dtstamp", d.cancelled_at or d.confirmed_at)
        event.add("sequence", 1 if d.cancelled_at else 0)
        event.add("status", "CANCELLED" if d.cancelled_at else "CONFIRMED")
        description = (f"{d.purpose}. Authorised by a {d.authorising_rank}; watchlist of {d.watchlist_size:,} "
                       f"({', '.join(d.watchlist_categories)}); threshold {d.threshold}.")
        if d.cancelled_at:
            description = f"Cancelled: {d.cancel_reason}. {description}"
        event.add("description", description)
        calendar.add_component(event)
    return calendar.to_ical()


def get_fairness_months(con: Connection) -> list[date]:
    """The months with alerts, latest first, for the fairness publication."""
    as_of = figures.get_data_to(con)
    if as_of is None or not con.execute("SELECT count(*) FROM lfr_alert").fetchone()[0]:
        return []
    (first,) = con.execute("SELECT min(timezone('Europe/London', alerted_at))::DATE FROM lfr_alert").fetchone()
    return list_months_back(as_of, first)


def publish_fairness_year(con: Connection, month: date) -> tuple[date, list[PublishedTable]]:
    """True and false alerts by each demographic category over the 12 months ending with
    ``month``, small numbers hidden (the fairness tables of the public pages)."""
    as_of = figures.get_data_to(con)
    return as_of, publish_fairness(figures.get_fairness(con, add_months(month, -11), get_month_end(month), as_of))
