"""Alerts: recorded by hand or loaded from the vendor's export (``exports``, through the
``alert`` fields below), and read back with their subject only for a role that may read lfr
personal data, for a stated purpose, each read logged.

Every alert is checked the same way, by hand or from a file: its deployment is in the
register, it was raised while the deployment ran, its adjudication, outcome and categories are
ones ``rules.yaml`` knows. One bad row refuses the whole export, naming its file, line and
record, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from peel.casebook import consultation
from peel.lfr.register import DOMAIN, REGISTER_SYSTEM, writing
from peel.lfr.rules import PlanError, as_uk, check_choice, get_rules, parse_uk_time
from peel.sources.mapped import FieldSet
from peel.warehouse import open_batch

ALERT = FieldSet(
    section="alert",
    names=("deployment_ref", "alerted_at", "adjudication", "engaged", "outcome", "offence",
           "watchlist_category", "ethnicity", "sex", "age_band", "subject_ref"),
    needs_one_of=("deployment_ref",),
    needs_what="deployment_ref, the deployment each alert belongs to",
)
REQUIRED = ("deployment_ref", "alerted_at", "adjudication", "outcome")
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}


def check_alert(record: str, fields: dict, windows: dict[str, tuple[datetime, datetime]]) -> dict:
    """One alert checked and made ready to write; refuses, naming ``record``, what is wrong."""
    rules = get_rules()
    missing = [name for name in REQUIRED if not str(fields.get(name) or "").strip()]
    if missing:
        raise PlanError(f"{record}: {', '.join(missing)} missing.", missing[0])
    ref = fields["deployment_ref"].strip()
    if ref not in windows:
        raise PlanError(f"{record}: alert for an unknown deployment {ref!r}: it is not in the register.",
                        "deployment_ref")
    alerted_at = fields["alerted_at"] if isinstance(fields["alerted_at"], datetime) \
        else parse_uk_time(str(fields["alerted_at"]), record)
    starts, ends = windows[ref]
    if not starts <= alerted_at <= ends:
        raise PlanError(f"{record}: raised at {as_uk(alerted_at):%d %B %Y %H:%M}, outside deployment {ref} "
                        f"({as_uk(starts):%d %B %Y %H:%M} to {as_uk(ends):%H:%M}).", "alerted_at")
    engaged = str(fields.get("engaged") or "").strip().lower()
    if engaged not in YES | NO:
        raise PlanError(f"{record}: engaged {fields.get('engaged')!r} should be yes or no.", "engaged")
    row = {"deployment_ref": ref, "alerted_at": alerted_at,
           "adjudication": check_choice(record, "adjudication", str(fields["adjudication"]).strip().lower(),
                                        rules["adjudications"], "adjudication"),
           "engaged": engaged in YES,
           "outcome": check_choice(record, "outcome", str(fields["outcome"]).strip().lower(), rules["outcomes"],
                                   "outcome"),
           "offence": (fields.get("offence") or "").strip() or None,
           "subject_ref": (fields.get("subject_ref") or "").strip() or None}
    category = (fields.get("watchlist_category") or "").strip() or None
    row["watchlist_category"] = category and check_choice(record, "watchlist category", category,
                                                          rules["watchlist_categories"], "watchlist_category")
    for name, values in rules["demographics"].items():
        value = (fields.get(name) or "").strip() or "Not stated"
        row[name] = check_choice(record, name.replace("_", " "), value, values, name)
    if row["outcome"] == "arrest" and row["adjudication"] == "false":
        raise PlanError(f"{record}: a false alert cannot end in an arrest from the alert; record the "
                        "adjudication or the outcome as it was.", "outcome")
    return row


def get_windows(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[datetime, datetime]]:
    return {ref: (s, e) for ref, s, e in con.execute(
        "SELECT deployment_ref, starts_at, ends_at FROM lfr_deployment WHERE cancelled_at IS NULL").fetchall()}


def write_alerts(con: duckdb.DuckDBPyConnection, rows: list[dict], source_system: str, ids: list[str],
                 note: str, files: list[str] | None = None) -> int:
    """Write checked alerts as one batch, replacing earlier rows with the same record ids."""
    frame = pd.DataFrame([{"alert_ref": f"{source_system}:{i}", "source_system": source_system,
                           "source_record_id": i, **row} for i, row in zip(ids, rows, strict=True)])
    with open_batch(con, source_system, files) as batch:
        con.execute("DELETE FROM lfr_alert WHERE source_system = ? AND list_contains(?, source_record_id)",
                    [source_system, ids])
        con.register("_peel_lfr_alerts", frame)
        try:
            con.execute(f"INSERT INTO lfr_alert ({', '.join(frame.columns)}, batch_id) "
                        f"SELECT {', '.join(frame.columns)}, ? FROM _peel_lfr_alerts", [batch.batch_id])
        finally:
            con.unregister("_peel_lfr_alerts")
        batch.rows_read = batch.rows_loaded = len(rows)
        batch.note = note
    return len(rows)


def record_alert(con: duckdb.DuckDBPyConnection, username: str, alert_id: str, fields: dict) -> str:
    """Record one alert by hand, checked as an export's are; its reference."""
    row = check_alert(f"Alert {alert_id}", fields, get_windows(con))
    with writing(username, row["deployment_ref"], f"Recording alert {alert_id} and its adjudication") as touched:
        write_alerts(con, [row], REGISTER_SYSTEM, [alert_id], f"alert {alert_id} recorded by {username}")
        touched.update(alert=alert_id)
    return f"{REGISTER_SYSTEM}:{alert_id}"


@dataclass(frozen=True)
class AlertSubject:
    alert_ref: str
    alerted_at: datetime
    adjudication: str
    outcome: str
    offence: str | None
    subject_ref: str | None
    ethnicity: str
    sex: str
    age_band: str


def read_alert_subjects(open_con: Callable[[], duckdb.DuckDBPyConnection], username: str, deployment_ref: str,
                        purpose: str) -> list[AlertSubject]:
    """A deployment's alerts with their subjects: personal data, for a role that may read lfr
    personal data and a stated purpose; each subject shown is logged as consulted. The
    warehouse is opened (``open_con``) only once the user and purpose have been accepted."""
    with consultation(username, domain=DOMAIN, object_type="lfr_alert", purpose=purpose) as shown:
        alerts = [AlertSubject(*row) for row in open_con().execute(
            """SELECT alert_ref, alerted_at, adjudication, outcome, offence, subject_ref, ethnicity, sex, age_band
               FROM lfr_alert WHERE deployment_ref = ? ORDER BY alerted_at""", [deployment_ref]).fetchall()]
        shown.extend(a.subject_ref or a.alert_ref for a in alerts)
    return alerts
