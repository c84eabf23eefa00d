"""The deployment register's workflow: plan, authorise, confirm (publish), cancel, record
results and deletion evidence.

A plan is a casebook case (domain lfr, kind deployment) opened by its planner; authorisation
is a casebook decision (kind "authorisation", a four-eyes decision: never by whoever opened the
case) by a role that may decide lfr cases. Confirmation checks the 7-day rule (``rules``) and
writes the deployment into the warehouse, where the public page reads it from that moment.
A cancellation is a casebook decision too (a supervisor's, with its reason), which closes the
case; a confirmed deployment stays in the warehouse marked cancelled, so the public register
and its feeds say so rather than drop it. Results, alerts and deletion evidence are written
into the warehouse too, each write checked and logged here, in the function that makes it. Every function takes a writable warehouse
connection (``peel.warehouse.open_writer``) and the acting user.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

import duckdb
from sqlalchemy import select

from peel.casebook import (
    PURPOSE,
    Action,
    CaseView,
    InvalidStateChange,
    Operation,
    Request,
    authorise,
    close_case,
    open_case,
    processing,
    read_case,
    record_decision,
    transaction,
    update_case,
)
from peel.casebook.models import Case
from peel.lfr.rules import (
    Plan,
    PlanError,
    as_uk,
    check_choice,
    check_confirmation,
    check_plan,
    get_rules,
    now_utc,
)
from peel.warehouse import open_batch

DOMAIN, KIND = "lfr", "deployment"
REGISTER_SYSTEM = "lfr_register"  # the source system of what people record through peel
AUTHORISED, REFUSED, CANCELLED = "authorised", "refused", "cancelled"


def plan_deployment(username: str, plan: Plan) -> int:
    """Open the plan as a case (checked first: a refused plan writes nothing); its id."""
    check_plan(plan, f"The plan at {plan.location}")
    details = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(plan).items()}
    with transaction() as session:
        return open_case(session, username, domain=DOMAIN, kind=KIND, details=details,
                         purpose=f"Planning a live facial recognition deployment at {plan.location}")


def authorise_deployment(username: str, case_id: int, *, authorised: bool, reason: str) -> int:
    """Record the authorising officer's decision on a plan; the decision's id."""
    with transaction() as session:
        return record_decision(session, username, case_id, kind="authorisation",
                               outcome=AUTHORISED if authorised else REFUSED, reason=reason)


def get_deployment_ref(case_id: int, plan: Plan) -> str:
    return f"LFR-{plan.starts_at:%Y}-C{case_id}"


def read_plan(session, username: str, case_id: int, purpose: str) -> tuple[Plan, object]:
    """The plan of case ``case_id`` (logged as a consultation), and the case."""
    case = read_case(session, username, case_id, purpose=purpose)
    if case.domain != DOMAIN or case.kind != KIND:
        raise PlanError(f"Case {case_id} is not an LFR deployment plan.")
    details = dict(case.details)
    for name in ("starts_at", "ends_at"):
        details[name] = datetime.fromisoformat(details[name])
    known = Plan.__dataclass_fields__
    return Plan(**{k: v for k, v in details.items() if k in known}), case


def confirm_deployment(con: duckdb.DuckDBPyConnection, username: str, case_id: int, *,
                       at: datetime | None = None, urgent_reason: str | None = None,
                       urgent_approver: str | None = None) -> str:
    """Publish an authorised plan: checks the notice period (or the urgent exception), writes
    the deployment into the warehouse and records the confirmation on the case; its reference."""
    at = at or now_utc()
    with transaction() as session:
        plan, case = read_plan(session, username, case_id, "Confirming a deployment for the public notice")
        if get_plan_status(case) == CANCELLED:
            raise InvalidStateChange(f"Case {case_id} was cancelled: plan the deployment again.")
        if case.details.get("confirmed_at"):
            raise InvalidStateChange(f"Case {case_id} was confirmed at {case.details['confirmed_at']}.")
        decisions = [d for d in case.decisions if d.kind == "authorisation"]
        if not decisions or decisions[-1].outcome != AUTHORISED:
            raise InvalidStateChange(f"Case {case_id} has not been authorised: a supervisor authorises it first "
                                     f"(peel lfr authorise {case_id}).")
        ref = get_deployment_ref(case_id, plan)
        urgent = check_confirmation(f"Deployment {ref}", plan.starts_at, at, urgent_reason, urgent_approver)
        update_case(session, username, case_id, purpose="Confirming a deployment for the public notice",
                    changes={"deployment_ref": ref, "confirmed_at": at.isoformat(),
                             "urgent_reason": urgent_reason if urgent else None,
                             "urgent_approver": urgent_approver if urgent else None})
        fields = asdict(plan)
        with open_batch(con, REGISTER_SYSTEM) as batch:
            con.execute("DELETE FROM lfr_deployment WHERE deployment_ref = ?", [ref])
            con.execute(
                f"""INSERT INTO lfr_deployment (deployment_ref, source_system, source_record_id, batch_id,
                        {', '.join(fields)}, confirmed_at, urgent_reason, urgent_approver)
                    VALUES (?, ?, ?, ?, {', '.join('?' for _ in fields)}, ?, ?, ?)""",
                [ref, REGISTER_SYSTEM, str(case_id), batch.batch_id, *fields.values(), at,
                 urgent_reason if urgent else None, urgent_approver if urgent else None])
            batch.rows_read = batch.rows_loaded = 1
            batch.note = f"deployment {ref} confirmed by {username}"
    return ref


def writing(username: str, ref: str, purpose: str):
    """Check the user may update lfr records, run the write, then log it (``access.processing``:
    a refused user writes nothing, a failed write is not logged as done)."""
    return processing(username, Request(Action.UPDATE_CASE, "lfr_deployment", ref, domain=DOMAIN,
                                               purpose=purpose, must_state=PURPOSE), Operation.ALTERATION)


def get_deployment_window(con: duckdb.DuckDBPyConnection, ref: str, record: str) -> tuple[datetime, datetime]:
    row = con.execute("SELECT starts_at, ends_at FROM lfr_deployment WHERE deployment_ref = ?", [ref]).fetchone()
    if row is None:
        raise PlanError(f"{record}: there is no deployment {ref!r} in the register.")
    return row


def record_results(con: duckdb.DuckDBPyConnection, username: str, ref: str, faces_seen: int) -> None:
    """Record the faces the matcher reports it saw during deployment ``ref``."""
    get_deployment_window(con, ref, f"Results for {ref}")
    if faces_seen < 0:
        raise PlanError(f"Results for {ref}: faces seen cannot be negative ({faces_seen}).", "faces_seen")
    with writing(username, ref, f"Recording the results of deployment {ref}") as touched, \
            open_batch(con, REGISTER_SYSTEM) as batch:
        touched.update(deployment_ref=ref, recorded="faces seen")
        con.execute("UPDATE lfr_deployment SET faces_seen = ? WHERE deployment_ref = ?", [faces_seen, ref])
        batch.rows_read = batch.rows_loaded = 1
        batch.note = f"faces seen for {ref}"


def record_deletion(con: duckdb.DuckDBPyConnection, username: str, ref: str, evidence: str,
                    recorded_at: datetime, recorded_by: str) -> None:
    """Record one piece of deletion evidence for deployment ``ref``, with when and who."""
    record = f"Deletion evidence for {ref}"
    check_choice(record, "evidence", evidence, get_rules()["deletion_evidence"], "evidence")
    _, ends = get_deployment_window(con, ref, record)
    if recorded_at < ends:
        raise PlanError(f"{record}: recorded at {as_uk(recorded_at):%d %B %Y %H:%M}, before the deployment ended "
                        f"({as_uk(ends):%d %B %Y %H:%M}).", "recorded_at")
    if not recorded_by.strip():
        raise PlanError(f"{record}: say who recorded it (name and role).", "recorded_by")
    with writing(username, ref, f"Recording deletion evidence for deployment {ref}") as touched, \
            open_batch(con, REGISTER_SYSTEM) as batch:
        touched.update(deployment_ref=ref, recorded=evidence)
        con.execute("DELETE FROM lfr_deletion WHERE deployment_ref = ? AND evidence = ?", [ref, evidence])
        con.execute(
            """INSERT INTO lfr_deletion (deployment_ref, source_system, source_record_id, batch_id, evidence,
                   recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [ref, REGISTER_SYSTEM, f"{ref}:{evidence}", batch.batch_id, evidence, recorded_at, recorded_by.strip()])
        batch.rows_read = batch.rows_loaded = 1
        batch.note = f"{evidence} for {ref}"


def cancel_deployment(con: duckdb.DuckDBPyConnection, username: str, case_id: int, reason: str, *,
                      at: datetime | None = None) -> str | None:
    """Cancel a planned or confirmed deployment before it starts: a decision with its reason
    (a role that may decide lfr cases), and the case closed. A confirmed one is marked cancelled
    in the register, with when, why and by whom; its reference (None for a plan never published).

    Refused once the deployment has started: a deployment that ran, even briefly, loaded a
    watchlist and saw faces, so its results and deletion evidence are owed, not a cancellation."""
    at = at or now_utc()
    with transaction() as session:
        # The decision first: the role and the reason are checked before the plan is read.
        record_decision(session, username, case_id, kind="cancellation", outcome=CANCELLED, reason=reason)
        plan, case = read_plan(session, username, case_id, "Cancelling a deployment")
        ref = case.details.get("deployment_ref")
        if at >= plan.starts_at:
            raise PlanError(f"Deployment {ref or f'case {case_id}'}: it started at "
                            f"{as_uk(plan.starts_at):%d %B %Y %H:%M}, so it cannot be cancelled: record its results "
                            "and deletion evidence instead.")
        close_case(session, username, case_id, reason=reason)
        if ref:  # in the same transaction as the decision, which is its audit entry
            with open_batch(con, REGISTER_SYSTEM) as batch:
                con.execute("""UPDATE lfr_deployment SET cancelled_at = ?, cancel_reason = ?, cancelled_by = ?
                               WHERE deployment_ref = ?""", [at, reason.strip(), username, ref])
                batch.rows_read = batch.rows_loaded = 1
                batch.note = f"deployment {ref} cancelled by {username}"
    return ref


@dataclass(frozen=True)
class PlanStatus:
    """A plan as the operators' register lists it: where it has got to."""

    case_id: int
    location: str
    starts_at: datetime
    ends_at: datetime
    planned_by: str
    status: str  # planned, authorised, refused, confirmed, cancelled
    deployment_ref: str | None


def get_plan_status(case: CaseView) -> str:
    decisions = [d.outcome for d in case.decisions if d.kind in ("authorisation", "cancellation")]
    if CANCELLED in decisions:
        return CANCELLED
    if case.details.get("confirmed_at"):
        return "confirmed"
    return decisions[-1] if decisions else "planned"


def list_plans(username: str, purpose: str) -> list[PlanStatus]:
    """Every deployment plan, latest start first, with where it has got to; each plan read is
    logged as a consultation of its case (``read_case``), so the role and purpose are checked there."""
    with transaction() as session:
        authorise(session, username, Request(Action.READ_PERSONAL, "case", domain=DOMAIN, purpose=purpose,
                                             must_state=PURPOSE))
        ids = session.execute(select(Case.id).where(Case.domain == DOMAIN, Case.kind == KIND)).scalars().all()
        plans = []
        for case_id in ids:
            plan, case = read_plan(session, username, case_id, purpose)
            plans.append(PlanStatus(case_id, plan.location, plan.starts_at, plan.ends_at, case.opened_by,
                                    get_plan_status(case), case.details.get("deployment_ref")))
    return sorted(plans, key=lambda p: p.starts_at, reverse=True)
