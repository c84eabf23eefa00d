"""The review queue: every algorithm's proposal waits for a named person's decision.

A proposal (a record link, a Right to Know candidate, a safeguarding alert, an LFR alert, a
pack) becomes an item; someone whose role may decide in that domain accepts or rejects it
with a reason. Nobody decides their own proposal, and a decided item stays decided. The
decisions and their timing are counted for the AI-oversight report.
"""

from __future__ import annotations

import copy
import statistics
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from peel.casebook import access, audit
from peel.casebook.access import PURPOSE, REASON, Request
from peel.casebook.audit import Operation
from peel.casebook.errors import AccessRefused, InvalidInput, InvalidStateChange
from peel.casebook.models import (
    ACCEPTED,
    MAX_ROW_ID,
    PENDING,
    REJECTED,
    ReviewItem,
    User,
    as_utc,
    now_utc,
)
from peel.casebook.roles import Action, check_domain

STATUSES = (PENDING, ACCEPTED, REJECTED)
ALGORITHM_ROLE = "algorithm"

# A domain's own rule for who may decide a kind of proposal (an event risk assessment's command
# level, say), beyond the role's domain grant: called by ``decide`` with the session, the
# deciding user, the item and whether it is accepted, before anything changes; it raises (a
# refusal made with ``access.refuse``, so it is logged) to stop the decision. Registered by the
# domain (the core never imports one), so every path to ``decide`` - the domain's command, the
# generic `peel review accept`, the web queue - is held to it.
DecisionCheck = Callable[[Session, access.Actor, ReviewItem, bool], None]
_DECISION_CHECKS: dict[tuple[str, str], DecisionCheck] = {}


def register_decision_check(domain: str, kind: str, check: DecisionCheck) -> None:
    """Have ``decide`` call ``check`` before deciding any ``kind`` item of ``domain``."""
    check_domain(domain)
    _DECISION_CHECKS[(str(domain), kind)] = check


@dataclass(frozen=True)
class ReviewSummary:
    id: int
    domain: str
    kind: str
    summary: str
    status: str
    proposed_by: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class ReviewItemView(ReviewSummary):
    payload: Mapping | None
    subject_ref: str | None
    case_id: int | None
    reason: str | None


@dataclass(frozen=True)
class Proposal:
    """An algorithm's proposal as the algorithm sees it: what it filed, and what was decided."""

    id: int
    payload: Mapping | None
    status: str
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None


@dataclass(frozen=True)
class DecisionCount:
    domain: str
    kind: str
    proposer: str  # "algorithm" or "person"
    proposed: int
    accepted: int
    rejected: int
    pending: int
    median_hours_to_decision: float | None


def propose(
    session: Session,
    *,
    domain: str,
    kind: str,
    summary: str,
    payload: dict | None = None,
    by_algorithm: str | None = None,
    by_user: str | None = None,
    subject_ref: str | None = None,
    case_id: int | None = None,
    purpose: str | None = None,
) -> int:
    """Queue a proposal for a person to decide. ``summary`` must carry no personal data. A
    person's proposal is logged with ``purpose``, the use of personal data it was made for."""
    if (by_algorithm is None) == (by_user is None):
        raise InvalidInput("A proposal comes from exactly one of by_algorithm or by_user.")
    check_domain(domain)
    if not kind or not summary or not summary.strip():
        raise InvalidInput("A proposal needs a kind and a one-line summary.")
    actor = access.authorise(session, by_user, Request(
        Action.PROPOSE, "review_item", domain=domain, subject_ref=subject_ref)) if by_user else None
    item = ReviewItem(
        domain=domain, kind=kind, summary=summary.strip(), payload=copy.deepcopy(payload),
        subject_ref=subject_ref, case_id=case_id, proposed_by_algorithm=by_algorithm,
        proposed_by_id=actor.id if actor else None, status=PENDING, created_at=now_utc(),
    )
    session.add(item)
    session.flush()
    detail = {"domain": domain, "kind": kind}
    if actor:
        access.record(session, actor, Operation.COLLECTION, "review_item", item.id,
                      subject_ref=subject_ref, purpose=purpose, detail=detail)
    else:
        audit.append_entry(session, actor=f"algorithm:{by_algorithm}", role=ALGORITHM_ROLE,
                           operation=Operation.COLLECTION, object_type="review_item",
                           object_id=item.id, subject_ref=subject_ref, detail=detail)
    return item.id


def lock_queue(session: Session) -> None:
    """Wait for any other casebook writer, and hold the next ones off until this transaction
    ends, so that checking the queue and then filing or deciding cannot interleave with another
    process doing the same (two listings at once would file one proposal twice). SQLite's
    BEGIN IMMEDIATE already does this; on PostgreSQL it takes the lock on the audit chain's
    head that every casebook write takes."""
    audit.lock_head(session)


def proposals_by(session: Session, algorithm: str, *, domain: str, kind: str) -> list[Proposal]:
    """Every item ``algorithm`` proposed in ``domain`` of ``kind``, any status, oldest first, with
    the payload it filed and the decision: for the algorithm itself, to file nothing twice and
    to apply the decisions. Not a person's consultation, so not logged: never show it to one
    (people read an item with ``show_item``)."""
    items = session.execute(
        select(ReviewItem).where(ReviewItem.proposed_by_algorithm == algorithm,
                                 ReviewItem.domain == domain, ReviewItem.kind == kind)
        .order_by(ReviewItem.id)
    ).scalars().all()
    names = _usernames(session, items)
    return [Proposal(
        id=item.id,
        payload=MappingProxyType(copy.deepcopy(item.payload)) if item.payload is not None else None,
        status=item.status, decided_by=names.get(item.decided_by_id),
        decided_at=item.decided_at and as_utc(item.decided_at), reason=item.reason,
    ) for item in items]


def list_items(
    session: Session, username: str, *, status: str | None = PENDING, domain: str | None = None
) -> list[ReviewSummary]:
    """Items (without their personal data) in the domains the user proposes or decides in.

    ``status=None`` lists every status; ``domain`` narrows the listing to one domain.
    """
    request = Request(Action.DECIDE_REVIEW, "review_item", domain=domain)
    actor = access.identify(session, username, request)
    if status not in (None, *STATUSES):
        raise InvalidInput(f"Unknown status {status!r}; use one of {', '.join(STATUSES)}.")
    if domain:
        check_domain(domain)
    visible = access.domains_allowed(actor, Action.DECIDE_REVIEW, Action.PROPOSE)
    if domain:
        visible = [d for d in visible if d == domain]
    if not visible:
        raise access.refuse(session, request, AccessRefused(
            f"{actor.username} ({actor.role.title}) has no review queue"
            + (f" in the {domain} domain." if domain else ".")), actor.username, actor.role.name)
    # The payload is personal data: leave it in the database.
    query = select(ReviewItem).options(defer(ReviewItem.payload)).where(ReviewItem.domain.in_(visible))
    if status:
        query = query.where(ReviewItem.status == status)
    items = session.execute(query.order_by(ReviewItem.created_at, ReviewItem.id)).scalars().all()
    names = _usernames(session, items)
    return [_summary(item, names) for item in items]


def show_item(session: Session, username: str, item_id: int, *, purpose: str) -> ReviewItemView:
    """An item with its personal data, for someone who may read it; the consultation is logged."""
    actor, item = access.authorise_on(session, username, ReviewItem, Request(
        Action.READ_PERSONAL, "review_item", item_id, purpose=purpose, must_state=PURPOSE))
    access.record(session, actor, Operation.CONSULTATION, "review_item", item.id,
                  subject_ref=item.subject_ref, purpose=purpose, detail={"domain": item.domain})
    names = _usernames(session, [item])
    summary = _summary(item, names)
    return ReviewItemView(
        **summary.__dict__,
        payload=MappingProxyType(copy.deepcopy(item.payload)) if item.payload is not None else None,
        subject_ref=item.subject_ref, case_id=item.case_id, reason=item.reason,
    )


def find_item_domain(session: Session, item_id: int) -> str | None:
    """The domain of review item ``item_id`` (None: there is none), for a web route to refuse a
    user with no grant there before it reads their form; ``decide`` and ``show_item`` still
    check the user themselves."""
    if not 0 < item_id <= MAX_ROW_ID:
        return None
    return session.execute(select(ReviewItem.domain).where(ReviewItem.id == item_id)).scalar_one_or_none()


def decide(session: Session, username: str, item_id: int, *, accept: bool, reason: str) -> None:
    """Accept or reject a pending item, with the reason; the decision and its time are kept."""
    actor, item = access.authorise_on(session, username, ReviewItem, Request(
        Action.DECIDE_REVIEW, "review_item", item_id, purpose=reason, must_state=REASON))
    if item.status != PENDING:
        raise InvalidStateChange(f"Review item {item.id} was already {item.status}; a decision stands.")
    if item.proposed_by_id == actor.id:
        raise InvalidStateChange(
            f"Review item {item.id} is your own proposal; someone else must decide it."
        )
    check = _DECISION_CHECKS.get((item.domain, item.kind))
    if check:
        check(session, actor, item, accept)
    item.status = ACCEPTED if accept else REJECTED
    item.decided_by_id, item.decided_at, item.reason = actor.id, now_utc(), reason.strip()
    # The reason is the decision's "why" (DPA 2018 s62), kept with the entry like a purpose.
    access.record(session, actor, Operation.ALTERATION, "review_item", item.id,
                  subject_ref=item.subject_ref, purpose=item.reason,
                  detail={"decision": item.status, "domain": item.domain, "kind": item.kind})


def count_decisions(
    session: Session, username: str, *, since: datetime | None = None, until: datetime | None = None
) -> list[DecisionCount]:
    """Proposals by domain, kind and proposer, with outcomes and median time to decision."""
    access.authorise(session, username, Request(Action.READ_AGGREGATES, "review_item"))
    return tally_decisions(session, since=since, until=until)


def tally_decisions(session: Session, *, since: datetime | None = None,
                    until: datetime | None = None) -> list[DecisionCount]:
    """``count_decisions`` without a user: counts only, for the meeting pack, which is built
    without signing in (aggregates, as ``actions_for_pack``)."""
    query = select(ReviewItem.domain, ReviewItem.kind, ReviewItem.proposed_by_algorithm, ReviewItem.status,
                   ReviewItem.created_at, ReviewItem.decided_at)
    if since:
        query = query.where(ReviewItem.created_at >= as_utc(since))
    if until:
        query = query.where(ReviewItem.created_at < as_utc(until))
    groups: dict[tuple[str, str, str], list] = defaultdict(list)
    for item in session.execute(query):
        proposer = "algorithm" if item.proposed_by_algorithm else "person"
        groups[(item.domain, item.kind, proposer)].append(item)
    counts = []
    for (domain, kind, proposer), items in sorted(groups.items()):
        hours = [
            (as_utc(i.decided_at) - as_utc(i.created_at)).total_seconds() / 3600
            for i in items if i.decided_at is not None
        ]
        counts.append(DecisionCount(
            domain, kind, proposer, proposed=len(items),
            accepted=sum(i.status == ACCEPTED for i in items),
            rejected=sum(i.status == REJECTED for i in items),
            pending=sum(i.status == PENDING for i in items),
            median_hours_to_decision=statistics.median(hours) if hours else None,
        ))
    return counts


def _usernames(session: Session, items) -> dict[int, str]:
    ids = {i.proposed_by_id for i in items} | {i.decided_by_id for i in items}
    ids.discard(None)
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def _summary(item: ReviewItem, names: dict[int, str]) -> ReviewSummary:
    return ReviewSummary(
        id=item.id, domain=item.domain, kind=item.kind, summary=item.summary, status=item.status,
        proposed_by=f"algorithm:{item.proposed_by_algorithm}" if item.proposed_by_algorithm
        else names[item.proposed_by_id],
        created_at=as_utc(item.created_at), decided_by=names.get(item.decided_by_id),
        decided_at=item.decided_at and as_utc(item.decided_at),
    )
