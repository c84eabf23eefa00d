"""The casebook's pages: the review queue and the audit log, in the browser and as JSON.

Each route passes the signed-in user (and the purpose or reason they typed) to the casebook
function that does the work; that function checks the role, refuses (and logs the refusal)
or does it and logs it. A decision's route names its grant (``requires_grant``) only so that
the refusal comes before its form is read; the function checks it again.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from peel.casebook import (
    PENDING,
    Action,
    Actor,
    AuditFilter,
    InvalidInput,
    Operation,
    decide,
    list_items,
    read_audit_log,
    show_item,
    transaction,
    verify_audit_log,
)
from peel.casebook.audit import parse_instant
from peel.casebook.cli import format_uk, uk_period
from peel.casebook.review import STATUSES, ReviewItemView, ReviewSummary
from peel.web.downloads import DataTable, PersonalData, Recipient, TableFormat, table_response
from peel.web.input_route import InputRoute, requires_grant
from peel.web.layout import render_page
from peel.web.links import Link
from peel.web.visitor import require_actor

router = APIRouter(route_class=InputRoute)  # the role checked before the input is read
AUDIT_PAGE_SIZE = 50
DECISIONS = {"accept": True, "reject": False}


def links(actor: Actor) -> list[Link]:
    found = []
    if actor.role.allows(Action.DECIDE_REVIEW):
        found.append(Link("Review queue", "/review", "Proposals waiting for a person's decision in your domains."))
    if actor.role.allows(Action.READ_AUDIT):
        found.append(Link("Audit log", "/audit", "Who consulted or changed what, when and why; filter and "
                                                 "verify it."))
    return found


def casebook_url(request: Request) -> str:
    return request.app.state.settings.casebook_url


# ---- the review queue --------------------------------------------------------------------


class Decision(BaseModel):
    accept: bool
    reason: str


class Decided(BaseModel):
    id: int
    status: str


def get_status(status: str) -> str | None:
    """The listing's status filter: 'all', or one of the statuses."""
    if status == "all":
        return None
    if status not in STATUSES:
        raise InvalidInput(f"Unknown status {status!r}: use all or one of {', '.join(STATUSES)}.")
    return status


def read_queue(request: Request, actor: Actor, status: str, domain: str | None) -> list:
    with transaction(casebook_url(request)) as session:
        return list_items(session, actor.username, status=get_status(status), domain=domain or None)


def read_item(request: Request, actor: Actor, item_id: int, purpose: str):
    with transaction(casebook_url(request)) as session:
        return show_item(session, actor.username, item_id, purpose=purpose)


def decide_item(request: Request, actor: Actor, item_id: int, accept: bool, reason: str) -> str:
    with transaction(casebook_url(request)) as session:
        decide(session, actor.username, item_id, accept=accept, reason=reason)
    return "accepted" if accept else "rejected"


def queue_table(items: list[ReviewSummary], status: str, domain: str) -> DataTable:
    """The queue as the page lists it (summaries only: an item's personal data is not in it)."""
    rows = [[item.id, item.domain, item.summary, item.proposed_by, format_uk(item.created_at),
             item.status + (f" by {item.decided_by}" if item.decided_by else "")] for item in items]
    name = "-".join(["review-queue", status, *([domain] if domain else [])])
    return DataTable(name, f"{len(items)} item{'' if len(items) == 1 else 's'} ({status})",
                     ["Item", "Domain", "Proposal", "Proposed by", "Proposed (UK time)", "Status"], rows)


@router.get("/review")
def show_review_queue(request: Request, status: str = PENDING, domain: str = "", decided: int | None = None,
                      outcome: str = "", actor: Actor = Depends(require_actor)) -> Response:
    items = read_queue(request, actor, status, domain)
    return render_page(request, "casebook/review_queue.html.j2", title="Review queue",
                       table=queue_table(items, status, domain), status=status, statuses=("all", *STATUSES),
                       domain=domain, decided=decided, outcome=outcome,
                       query=urlencode({"status": status, "domain": domain}))


@router.get("/review.{format}")
def download_review_queue(request: Request, format: TableFormat, status: str = PENDING, domain: str = "",
                          actor: Actor = Depends(require_actor)) -> Response:
    return table_response(queue_table(read_queue(request, actor, status, domain), status, domain), format)


@router.get("/review/{item_id}")
def show_review_item(request: Request, item_id: int, purpose: str = "",
                     actor: Actor = Depends(require_actor)) -> Response:
    """Asks the purpose first; the item's personal data is shown once it is given."""
    item = read_item(request, actor, item_id, purpose) if purpose else None
    return render_page(request, "casebook/review_item.html.j2", title=f"Review item {item_id}", item_id=item_id,
                       item=item, purpose=purpose, format_uk=format_uk, as_json=as_json)


@router.post("/review/{item_id}/decision")
@requires_grant(Action.DECIDE_REVIEW, review_item=True)
def decide_review_item(request: Request, item_id: int, decision: str = Form(""), reason: str = Form(""),
                       actor: Actor = Depends(require_actor)) -> Response:
    if decision not in DECISIONS:
        raise InvalidInput("Choose accept or reject.")
    outcome = decide_item(request, actor, item_id, DECISIONS[decision], reason)
    return RedirectResponse(f"/review?{urlencode({'decided': item_id, 'outcome': outcome})}", status_code=303)


@router.get("/api/review", response_model=list[ReviewSummary])
def api_review_queue(request: Request, status: str = PENDING, domain: str = "",
                     actor: Actor = Depends(require_actor)) -> list:
    return read_queue(request, actor, status, domain)


@router.get("/api/review/{item_id}", response_model=ReviewItemView)
def api_review_item(request: Request, item_id: int, purpose: str = Query(...),
                    actor: Actor = Depends(require_actor)) -> ReviewItemView:
    item = read_item(request, actor, item_id, purpose)
    # The payload is a read-only view; JSON needs a plain copy.
    return replace(item, payload=None if item.payload is None else json.loads(as_json(item.payload)))


@router.post("/api/review/{item_id}/decision", response_model=Decided)
@requires_grant(Action.DECIDE_REVIEW, review_item=True)
def api_decide_review_item(request: Request, item_id: int, decision: Decision,
                           actor: Actor = Depends(require_actor)) -> Decided:
    return Decided(id=item_id, status=decide_item(request, actor, item_id, decision.accept, decision.reason))


def as_json(value) -> str:
    return json.dumps(value, default=lambda v: dict(v) if hasattr(v, "keys") else str(v), indent=2,
                      ensure_ascii=False)


# ---- the audit log -----------------------------------------------------------------------


class AuditEntryModel(BaseModel):
    seq: int
    occurred_at: str
    actor: str
    role: str
    operation: str
    object_type: str
    object_id: str | None
    subject_ref: str | None
    purpose: str | None
    detail: dict
    hash: str


class AuditPage(BaseModel):
    page_size: int
    entries: list[AuditEntryModel]  # newest first
    older: int | None  # a full page: the `before` of the next page back, which may hold more


class ChainCheck(BaseModel):
    intact: bool
    entries: int
    head_seq: int
    head_hash: str
    broken_seq: int | None
    reason: str | None


def audit_filter(user: str = "", operation: str = "", subject_ref: str = "", since: str = "", until: str = "",
                 before: int | None = Query(None, ge=1)) -> AuditFilter:
    """The audit log's filters, from the query string: dates are whole UK days, ``before`` an
    entry number (a page shows the latest entries numbered below it: reading the log adds
    entries, so pages are counted from an entry, not from the end)."""
    if operation and operation not in set(Operation):
        raise InvalidInput(f"Unknown operation {operation!r}: use one of {', '.join(Operation)}.")
    start, end = uk_period(read_day(since, "From"), read_day(until, "To"))
    return AuditFilter(actor=user.strip() or None, subject_ref=subject_ref.strip() or None, since=start,
                       until=end, operation=operation or None, limit=AUDIT_PAGE_SIZE, before_seq=before)


def read_day(text: str, field: str) -> datetime | None:
    """A day typed in a filter (empty: none), as the instant it starts."""
    if not text.strip():
        return None
    try:
        return datetime.combine(date.fromisoformat(text.strip()), datetime.min.time())
    except ValueError:
        raise InvalidInput(f"{field}: {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01.") from None


def read_audit_page(request: Request, actor: Actor, where: AuditFilter) -> list:
    """The page of entries, newest first (the log reads them oldest first)."""
    with transaction(casebook_url(request)) as session:
        entries = read_audit_log(session, actor.username, where)
        return [as_audit_entry(entry) for entry in reversed(entries)]


def as_audit_entry(entry) -> AuditEntryModel:
    return AuditEntryModel(seq=entry.seq, occurred_at=entry.occurred_at, actor=entry.actor, role=entry.role,
                           operation=entry.operation, object_type=entry.object_type, object_id=entry.object_id,
                           subject_ref=entry.subject_ref, purpose=entry.purpose, detail=json.loads(entry.detail),
                           hash=entry.hash)


def check_chain(request: Request, actor: Actor) -> ChainCheck:
    with transaction(casebook_url(request), snapshot=True, readonly=True) as session:
        return ChainCheck(**verify_audit_log(session, actor.username).__dict__)


def audit_table(entries: list[AuditEntryModel]) -> DataTable:
    """A page of the log as shown: the entries name people (users, subjects), so the table is
    personal data and its download a logged disclosure."""
    rows = [[e.seq, shown_time(e.occurred_at), e.actor, e.role, e.operation,
             e.object_type + (f" {e.object_id}" if e.object_id else ""), e.subject_ref or "", e.purpose or "",
             "; ".join(f"{k}: {v}" for k, v in e.detail.items() if v is not None)] for e in entries]
    span = f"{entries[-1].seq}-to-{entries[0].seq}" if entries else "none"
    title = f"Entries {entries[-1].seq} to {entries[0].seq}, newest first" if entries else "No entries"
    return DataTable(f"audit-log-{span}", title, ["Entry", "When (UK time)", "User", "Role", "Operation",
                                                  "Record", "Subject", "Purpose or reason", "Detail"], rows,
                     personal=PersonalData("audit_log", [e.subject_ref for e in entries if e.subject_ref]))


@router.get("/audit")
def show_audit_log(request: Request, where: AuditFilter = Depends(audit_filter),
                   actor: Actor = Depends(require_actor)) -> Response:
    entries = read_audit_page(request, actor, where)
    query = {k: v for k, v in request.query_params.items() if k != "before" and v}
    older = next_page(entries)
    return render_page(request, "casebook/audit_log.html.j2", title="Audit log", table=audit_table(entries),
                       older=None if older is None else "/audit?" + urlencode({**query, "before": older}),
                       latest="/audit?" + urlencode(query) if where.before_seq else None,
                       filters=request.query_params, operations=list(Operation),
                       query=urlencode({k: v for k, v in request.query_params.items() if v}))


@router.get("/audit.{format}")
def download_audit_log(request: Request, format: TableFormat, where: AuditFilter = Depends(audit_filter),
                       actor: Actor = Depends(require_actor)) -> Response:
    """The page of the log the same filters show, as a file; a logged disclosure."""
    table = audit_table(read_audit_page(request, actor, where))
    return table_response(table, format, Recipient(actor, casebook_url=casebook_url(request)))


@router.get("/audit/verify")
def show_chain_check(request: Request, actor: Actor = Depends(require_actor)) -> Response:
    return render_page(request, "casebook/audit_verify.html.j2", title="Verify the audit log",
                       check=check_chain(request, actor))


@router.get("/api/audit", response_model=AuditPage)
def api_audit_log(request: Request, where: AuditFilter = Depends(audit_filter),
                  actor: Actor = Depends(require_actor)) -> AuditPage:
    entries = read_audit_page(request, actor, where)
    return AuditPage(page_size=AUDIT_PAGE_SIZE, entries=entries, older=next_page(entries))


def next_page(entries: list[AuditEntryModel]) -> int | None:
    """The ``before`` of the page after a full one (newest first), or None after the last."""
    return entries[-1].seq if len(entries) == AUDIT_PAGE_SIZE else None


@router.get("/api/audit/verify", response_model=ChainCheck)
def api_chain_check(request: Request, actor: Actor = Depends(require_actor)) -> ChainCheck:
    return check_chain(request, actor)


def shown_time(occurred_at: str) -> str:
    """An entry's instant in UK time, as the log's readers read it."""
    return format_uk(parse_instant(occurred_at))
