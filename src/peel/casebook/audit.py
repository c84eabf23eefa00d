"""The audit log: who did what to which record, when and why (DPA 2018 Part 3, s62).

Append-only and tamper-evident. Each entry's hash is an HMAC-SHA-256, under a key kept
outside the database (``audit_key``), over a canonical JSON serialisation of its fields,
including the previous entry's hash: changing, removing, inserting or reordering any entry
breaks the chain from that point, and whoever lacks the key cannot compute a chain that
holds. ``audit_head`` holds the last number and hash, sealed with the same key, so cutting
entries from the end and fixing the head is caught too. Appending locks the head (``SELECT
... FOR UPDATE`` on PostgreSQL; SQLite writing transactions already start with ``BEGIN
IMMEDIATE``), so concurrent writers queue rather than fork the chain.

Entries written before the key was introduced (casebooks older than migration 0004) keep
their plain SHA-256 hashes; ``audit_head.keyed_from`` is the first keyed entry. They stay
covered: the first keyed entry's HMAC includes the last plain entry's hash.

Entries hold references (case id, subject reference), never the personal data itself: an
erasure is logged without the erased content.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from peel.casebook import audit_key
from peel.casebook.errors import CasebookUnavailable
from peel.casebook.models import AuditEntry, AuditHead, as_utc, now_utc

GENESIS_HASH = "0" * 64
INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
PROGRESS_EVERY = 1000
# Every this many entries, the new head is appended to the anchor file once committed.
ANCHOR_EVERY = 1000
# Where a session keeps the anchor to write once its transaction commits (see ``db.transaction``).
PENDING_ANCHOR = "audit_pending_anchor"
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


def compute_hash(entry: AuditEntry, key: bytes | None) -> str:
    """Hash an entry's fields (which include the previous entry's hash): an HMAC under ``key``,
    or plain SHA-256 for ``key=None`` (entries from before the chain was keyed)."""
    fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if key is None:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def compute_seal(key: bytes, seq: int, last_hash: str, keyed_from: int, key_id: str) -> str:
    """The head's seal: an HMAC over what the head records, so it cannot be moved back (entries
    cut from the end) or forward (entries added without the key) by anyone without the key."""
    payload = f"audit_head|{seq}|{last_hash}|{keyed_from}|{key_id}".encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


@functools.cache
def _key_id(key: bytes) -> str:
    return audit_key.key_id(key)


def check_key(head: AuditHead, key: bytes) -> None:
    """Refuse to extend a log keyed with another key: its entries would never verify."""
    if head.key_id != _key_id(key):
        raise CasebookUnavailable(
            f"The audit key in use (fingerprint {_key_id(key)}) is not the one this casebook's log "
            f"was written with (fingerprint {head.key_id}). Point PEEL_AUDIT_KEY_FILE (or "
            "PEEL_AUDIT_KEY) at the key kept with this casebook.")


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
    key = audit_key.key_for(session)
    check_key(head, key)
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
    entry.hash = compute_hash(entry, key)
    session.add(entry)
    head.seq, head.hash = entry.seq, entry.hash
    head.seal = compute_seal(key, head.seq, head.hash, head.keyed_from, head.key_id)
    session.flush()
    if entry.seq % ANCHOR_EVERY == 0:
        session.info[PENDING_ANCHOR] = (entry.seq, entry.hash)
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

    Each entry's HMAC is checked with the key (``audit_key``), so an entry forged, altered or
    re-chained by someone without the key is named; the head's seal catches entries cut from
    the end. ``anchors`` maps entry numbers to hashes recorded outside the database earlier;
    the anchor file's are added to them: a whole log put back to an older state (a database
    restored from last month's backup, then doctored) disagrees with a later anchor. An intact
    log's head is appended to the anchor file.

    Run it in a read-only snapshot (``db.transaction(snapshot=True, readonly=True)``) so appends
    committed meanwhile cannot make the head and the entries disagree, nor wait for it to end. ``on_progress(n)`` is told every
    ``PROGRESS_EVERY`` entries, for a progress bar.
    """
    key = audit_key.key_for(session)
    anchor_file = audit_key.anchor_path_for(session)
    anchors = {**audit_key.read_anchors(anchor_file), **(anchors or {})}
    expected_seq, expected_prev, count = 1, GENESIS_HASH, 0
    head = session.get(AuditHead, 1)
    if head is None:
        return _broken(head, 0, 0, "the chain head row is missing")
    if head.key_id != _key_id(key):
        return _broken(head, 0, head.keyed_from,
                       f"the log was keyed with another key (fingerprint {head.key_id}; the key in use is "
                       f"{_key_id(key)}): verify with the key kept with this casebook, and if it is the "
                       "right one, the head was altered")
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
        elif compute_hash(entry, key if entry.seq >= head.keyed_from else None) != entry.hash:
            problem = ("its content does not match its keyed hash (the entry was altered, or written "
                       "without the audit key)")
        elif entry.seq in anchors and anchors[entry.seq] != entry.hash:
            problem = "its hash differs from the one recorded for it earlier (history rewritten)"
        if problem:
            return _broken(head, count - 1, entry.seq, problem)
        expected_seq, expected_prev = expected_seq + 1, entry.hash
        if on_progress and count % PROGRESS_EVERY == 0:
            on_progress(PROGRESS_EVERY)
    last = expected_seq - 1
    if head.seq != last or head.hash != expected_prev:
        return _broken(
            head, count, expected_seq,
            f"the log ends at entry {last} but the chain head records entry {head.seq}"
            " (entries removed from the end, or the head altered)",
        )
    if head.seal != compute_seal(key, head.seq, head.hash, head.keyed_from, head.key_id):
        return _broken(head, count, expected_seq,
                       f"the log ends at entry {last}, but the chain head was not sealed there with the "
                       "audit key (entries removed from the end and the head moved back, or the head altered)")
    beyond = [seq for seq in anchors if seq >= expected_seq]
    if beyond:
        return _broken(head, count, expected_seq,
                       f"entry {min(beyond)} was recorded earlier but the log now ends at entry "
                       f"{last} (entries removed)")
    if last and anchors.get(last) != head.hash:
        audit_key.record_anchor(last, head.hash, anchor_file)
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
