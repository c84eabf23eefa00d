"""The audit log: who did what to which record, when and why (DPA 2018 Part 3, s62).

Append-only and tamper-evident. Each entry's hash is SHA-256 over a canonical JSON
serialisation of its fields, including the previous entry's hash, so changing, removing,
inserting or reordering any entry breaks the chain from that point. ``audit_head`` holds the
last number and hash: appending locks it (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
writing transactions already start with ``BEGIN IMMEDIATE``), so concurrent writers queue rather than
fork the chain, and removing entries from the end is detected too.

Entries hold references (case id, subject reference), never the personal data itself: an
erasure is logged without the erased content.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from peel.casebook.models import AuditEntry, AuditHead, as_utc, now_utc

GENESIS_HASH = "0" * 64
INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
PROGRESS_EVERY = 1000
HASHED_FIELDS = (
    "seq", "occurred_at", "actor", "role", "operation", "object_type", "object_id",
    "subject_ref", "purpose", "detail", "prev_hash",
)


class Operation(StrEnum):
    """What was done, in the words of DPA 2018 s62(1), plus account administration and
    refusals (what someone asked for and was not allowed), and signing in and out."""

    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    COMBINATION = "combination"
    ERASURE = "erasure"
    ADMINISTRATION = "administration"
    REFUSAL = "refusal"
    AUTHENTICATION = "authentication"


def format_instant(value: datetime) -> str:
    """Write an instant as fixed-width UTC text, so text order is time order."""
    return as_utc(value).strftime(INSTANT_FORMAT)


def parse_instant(text: str) -> datetime:
    """Read back an instant written by ``format_instant``."""
    return datetime.strptime(text, INSTANT_FORMAT).replace(tzinfo=UTC)


def canonical_detail(detail: dict | None) -> str:
    """Serialise ``detail`` the one way it is stored and hashed."""
    return json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(entry: AuditEntry) -> str:
    """Hash an entry's fields (which include the previous entry's hash)."""
    fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def lock_head(session: Session) -> AuditHead:
    """Return the chain head, locked until the transaction ends, so writers queue on it."""
    return session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def append_entry(
    session: Session,
    *,
    actor: str,
    role: str,
    operation: Operation,
    object_type: str,
    object_id: object = None,
    subject_ref: str | None = None,
    purpose: str | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Chain a new entry onto the log, in the caller's transaction."""
    head = lock_head(session)
    entry = AuditEntry(
        seq=head.seq + 1,
        occurred_at=format_instant(now_utc()),
        actor=actor,
        role=role,
        operation=str(Operation(operation)),
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        subject_ref=subject_ref,
        purpose=purpose,
        detail=canonical_detail(detail),
        prev_hash=head.hash,
    )
    entry.hash = compute_hash(entry)
    session.add(entry)
    head.seq, head.hash = entry.seq, entry.hash
    session.flush()
    return entry


def count_recorded(session: Session) -> int:
    """How many entries the chain head says the log holds."""
    head = session.get(AuditHead, 1)
    return head.seq if head else 0


@dataclass(frozen=True)
class Verification:
    intact: bool
    entries: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    reason: str | None = None


def verify_chain(
    session: Session,
    on_progress: Callable[[int], None] | None = None,
    anchors: dict[int, str] | None = None,
) -> Verification:
    """Walk the whole log in order and report the first entry that breaks the chain.

    ``anchors`` maps entry numbers to hashes recorded outside the database earlier (the head
    that a previous verify printed). Someone able to rewrite the whole table could recompute
    every hash; they cannot change a hash already written in last month's pack.

    Run it in a read-only snapshot (``db.transaction(snapshot=True, readonly=True)``) so appends
    committed meanwhile cannot make the head and the entries disagree, nor wait for it to end. ``on_progress(n)`` is told every
    ``PROGRESS_EVERY`` entries, for a progress bar.
    """
    expected_seq, expected_prev, count = 1, GENESIS_HASH, 0
    head = session.get(AuditHead, 1)
    rows = session.execute(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000)
    ).scalars()
    for entry in rows:
        count += 1
        problem = None
        if entry.seq != expected_seq:
            problem = (
                f"entry {expected_seq} is missing (found {entry.seq} next)"
                if entry.seq > expected_seq
                else f"entry number {entry.seq} appears out of order"
            )
        elif entry.prev_hash != expected_prev:
            problem = "its previous-hash does not match the entry before it (removed, inserted or reordered)"
        elif compute_hash(entry) != entry.hash:
            problem = "its content does not match its hash (the entry was altered)"
        elif anchors and entry.seq in anchors and anchors[entry.seq] != entry.hash:
            problem = "its hash differs from the one recorded for it earlier (history rewritten)"
        if problem:
            return _broken(head, count - 1, entry.seq, problem)
        expected_seq, expected_prev = expected_seq + 1, entry.hash
        if on_progress and count % PROGRESS_EVERY == 0:
            on_progress(PROGRESS_EVERY)
    if head is None:
        return _broken(head, count, 0, "the chain head row is missing")
    if head.seq != expected_seq - 1 or head.hash != expected_prev:
        return _broken(
            head, count, expected_seq,
            f"the log ends at entry {expected_seq - 1} but the chain head records entry {head.seq}"
            " (entries removed from the end, or the head altered)",
        )
    beyond = [seq for seq in (anchors or {}) if seq >= expected_seq]
    if beyond:
        return _broken(head, count, expected_seq,
                       f"entry {min(beyond)} was recorded earlier but the log now ends at entry "
                       f"{expected_seq - 1} (entries removed)")
    return Verification(True, count, head.seq, head.hash)


def _broken(head: AuditHead | None, count: int, seq: int, reason: str) -> Verification:
    return Verification(
        False, count, head.seq if head else 0, head.hash if head else "", broken_seq=seq, reason=reason
    )


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    subject_ref: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 200
    operation: str | None = None  # one of Operation
    before_seq: int | None = None  # only entries numbered below this (the next page back)


def select_entries(session: Session, where: AuditFilter) -> list[AuditEntry]:
    """The latest ``where.limit`` entries matching ``where``, oldest first.

    Access is checked by ``access.read_audit_log``, which is what callers use.
    """
    query = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if where.actor:
        query = query.where(AuditEntry.actor == where.actor)
    if where.subject_ref:
        query = query.where(AuditEntry.subject_ref == where.subject_ref)
    if where.since:
        query = query.where(AuditEntry.occurred_at >= format_instant(where.since))
    if where.until:
        query = query.where(AuditEntry.occurred_at < format_instant(where.until))
    if where.operation:
        query = query.where(AuditEntry.operation == str(Operation(where.operation)))
    if where.before_seq is not None:
        query = query.where(AuditEntry.seq < where.before_seq)
    return list(reversed(session.execute(query.limit(where.limit)).scalars().all()))
