"""The backlog the note's way: outstanding renewals by the year they fell due, the change in
a month, throughput per week by stage, the inbox and the action plan. Aggregates only (the
PCC's office may see them); the oldest cases, which name applications, go through
``oldest_cases``, which checks the user and logs the purpose.

Every figure is a declared measure (``measures.yaml``) run with its parameters; the one
definition of an open renewal is ``OPEN_RENEWAL`` below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
from dateutil.relativedelta import relativedelta

from peel.casebook import access, db
from peel.casebook.access import PURPOSE, Request
from peel.casebook.roles import Action, Domain
from peel.firearms.rules import STAGES
from peel.measures import get_measures

# A renewal open on $as_of: received by then, not decided by then.
OPEN_RENEWAL = """
    CREATE OR REPLACE TEMP VIEW open_renewal AS
    SELECT application_ref, holder_ref, due_date, received_date, year(due_date) AS year_due
    FROM firearms_application
    WHERE kind = 'renewal' AND received_date <= DATE '{as_of}'
      AND (decided_date IS NULL OR decided_date > DATE '{as_of}')"""
THROUGHPUT_WEEKS = 12


@dataclass
class Backlog:
    as_of: date
    by_year: dict[int, int]  # year due -> outstanding renewals
    total: int
    month_before: int  # the same count a month earlier
    throughput: list[dict] = field(default_factory=list)  # week, stage -> count
    inbox: dict = field(default_factory=dict)
    policies: dict = field(default_factory=dict)

    @property
    def change(self) -> int:
        return self.total - self.month_before


def has_register(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse holds a firearms register at all."""
    return con.execute("SELECT count(*) FROM firearms_application").fetchone()[0] > 0


def data_to(con: duckdb.DuckDBPyConnection) -> date | None:
    """The last day the register's records cover (its latest received or decided day)."""
    return con.execute("SELECT max(greatest(received_date, coalesce(decided_date, received_date))) "
                       "FROM firearms_application").fetchone()[0]


def measure(con: duckdb.DuckDBPyConnection, measure_id: str, as_of: date,
            start: date | None = None, end: date | None = None) -> int:
    """A declared measure's value on ``as_of`` (for the period start..end where it has one)."""
    sql = get_measures("firearms")[measure_id].sql
    con.execute(OPEN_RENEWAL.format(as_of=as_of.isoformat()))
    params = {"as_of": as_of, "start": start or as_of, "end": end or as_of}
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    return int(con.execute(sql, used).fetchone()[0])


def outstanding_by_year(con: duckdb.DuckDBPyConnection, as_of: date) -> dict[int, int]:
    """Outstanding renewals by the year due (the measure outstanding_renewals, by year)."""
    con.execute(OPEN_RENEWAL.format(as_of=as_of.isoformat()))
    rows = con.execute("SELECT year_due, count(*) FROM open_renewal GROUP BY 1 ORDER BY 1").fetchall()
    return {int(y): int(n) for y, n in rows}


def throughput(con: duckdb.DuckDBPyConnection, as_of: date, weeks: int = THROUGHPUT_WEEKS) -> list[dict]:
    """Renewal stages completed per week (Monday to Sunday) over the last ``weeks`` full weeks."""
    last_monday = as_of - timedelta(days=as_of.weekday())
    start = last_monday - timedelta(weeks=weeks)
    rows = con.execute(
        """SELECT date_trunc('week', e.event_date)::DATE AS week, e.stage, count(*)
           FROM firearms_stage_event e JOIN firearms_application a USING (application_ref)
           WHERE a.kind = 'renewal' AND e.event_date >= ? AND e.event_date < ?
           GROUP BY ALL ORDER BY 1""", [start, last_monday]).fetchall()
    table: dict[date, dict] = {start + timedelta(weeks=i): {s: 0 for s in STAGES} for i in range(weeks)}
    for week, stage, n in rows:
        table[week][stage] = int(n)
    return [{"week": w, **counts} for w, counts in table.items()]


def inbox(con: duckdb.DuckDBPyConnection, as_of: date) -> dict:
    """The inbox: waiting now, the most waiting at a week's end in the last year, the oldest."""
    waiting = measure(con, "inbox_waiting", as_of)
    peak, peak_week = con.execute(
        """SELECT count(*) AS n, w FROM range(CAST(? AS DATE) - INTERVAL 52 WEEK, CAST(? AS DATE) + INTERVAL 1 DAY, INTERVAL 7 DAY) t(w)
           JOIN firearms_mail m ON m.received_date <= w AND (m.cleared_date IS NULL OR m.cleared_date > w)
           GROUP BY w ORDER BY n DESC, w LIMIT 1""", [as_of, as_of]).fetchone() or (0, None)
    oldest = con.execute("SELECT min(received_date) FROM firearms_mail WHERE received_date <= ? AND "
                         "(cleared_date IS NULL OR cleared_date > ?)", [as_of, as_of]).fetchone()[0]
    received_year = con.execute("SELECT count(*) FROM firearms_mail WHERE received_date > CAST(? AS DATE) - INTERVAL 1 YEAR "
                                "AND received_date <= ?", [as_of, as_of]).fetchone()[0]
    return {"waiting": waiting, "peak": int(peak), "peak_week": peak_week.date() if peak_week else None,
            "oldest_waiting": oldest, "received_last_year": int(received_year)}


def policies(con: duckdb.DuckDBPyConnection, as_of: date) -> dict:
    """The action plan: policies by status and the number assessed (a declared measure)."""
    rows = con.execute("SELECT status, count(*) FROM firearms_policy GROUP BY 1 ORDER BY 1").fetchall()
    return {"by_status": {s: int(n) for s, n in rows}, "assessed": measure(con, "policies_assessed", as_of),
            "total": sum(int(n) for _, n in rows)}


def action_plan(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every action-plan policy: the recommendation it answers, its status, its owner (a post,
    never a person), the evidence and the day it was assessed (no personal data)."""
    names = ("policy_ref", "title", "recommendation", "status", "owner", "evidence", "assessed_date")
    rows = con.execute(f"SELECT {', '.join(names)} FROM firearms_policy ORDER BY policy_ref").fetchall()
    return [dict(zip(names, r)) for r in rows]


def build_backlog(con: duckdb.DuckDBPyConnection, as_of: date) -> Backlog:
    """Every aggregate figure of the backlog on ``as_of``."""
    return Backlog(
        as_of=as_of, by_year=outstanding_by_year(con, as_of), total=measure(con, "outstanding_renewals", as_of),
        month_before=measure(con, "outstanding_renewals", as_of - relativedelta(months=1)),
        throughput=throughput(con, as_of), inbox=inbox(con, as_of), policies=policies(con, as_of))


def authorise_reading(username: str | None, purpose: str | None) -> None:
    """Refuse (and log) a user who may not read firearms applications, or states no purpose."""
    with db.transaction() as session:
        access.authorise(session, username, Request(Action.READ_PERSONAL, "firearms_application",
                                                    domain=Domain.FIREARMS, purpose=purpose, must_state=PURPOSE))


def oldest_cases(con: duckdb.DuckDBPyConnection, username: str | None, *, purpose: str | None,
                 as_of: date | None = None, limit: int = 20) -> list[dict]:
    """The oldest outstanding renewals (on ``as_of``, default the register's last day), with
    their stage now: personal data (who holds which certificate), so only for a role that may
    read firearms cases, for a stated purpose; each holder shown is logged."""
    authorise_reading(username, purpose)  # checked before anything is read
    as_of = as_of or data_to(con) or date.today()
    con.execute(OPEN_RENEWAL.format(as_of=as_of.isoformat()))
    rows = con.execute(
        """SELECT o.application_ref, o.holder_ref, o.due_date, o.received_date,
                  (SELECT e.stage FROM firearms_stage_event e WHERE e.application_ref = o.application_ref
                   AND e.event_date <= ? ORDER BY e.event_date DESC, e.stage DESC LIMIT 1) AS stage
           FROM open_renewal o ORDER BY o.due_date, o.application_ref LIMIT ?""", [as_of, limit]).fetchall()
    with db.transaction() as session:
        for ref, holder, *_ in rows or [(None, None)]:
            access.consult(session, username, domain=Domain.FIREARMS, object_type="firearms_application",
                           object_id=ref, purpose=purpose, subject_ref=holder)
    names = ("application_ref", "holder_ref", "due_date", "received_date", "stage")
    return [dict(zip(names, r)) for r in rows]
