"""The casebook's tables, as SQLAlchemy 2 models.

The schema itself is created and changed only by the Alembic migrations in ``migrations/``;
these classes must match them. Personal data lives in two places only, ``case_record.details``
and ``review_item.payload``; every other column is safe to list and count. Workflows do not
use these classes: they go through the package's face (``peel.casebook``), whose functions
check access and write the audit entry in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TypeVar

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from peel.casebook.errors import NotFound

# A case's status.
OPEN, CLOSED = "open", "closed"
# A review item's status.
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
# A meeting action's status, in the order it moves through them.
ACTION_STATUSES = ("open", "in_progress", "done")

Row = TypeVar("Row")
# The largest row id either database can hold (a signed 64-bit integer): a larger number, as
# someone may type into an address, names no row, and SQLite cannot even be asked about it.
MAX_ROW_ID = 2**63 - 1


def now_utc() -> datetime:
    """The current instant, timezone-aware in UTC (the casebook stores UTC; UK time is for display)."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (SQLite hands back naive ones)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def get_or_refuse(session: Session, model: type[Row], row_id: int, noun: str) -> Row:
    """Return the ``model`` row numbered ``row_id``, or refuse saying there is no such ``noun``."""
    row = session.get(model, row_id) if 0 < row_id <= MAX_ROW_ID else None
    if row is None:
        raise NotFound(f"There is no {noun} {row_id}.")
    return row


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "casebook_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(40))
    # "local" (password below), or the name of an OpenID Connect provider configured in
    # PEEL_IDENTITY_PROVIDERS, with the person's subject id there.
    identity_provider: Mapped[str] = mapped_column(String(200), default="local")
    external_subject: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Case(Base):
    __tablename__ = "case_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(60))
    # A reference to the data subject (e.g. a warehouse person id), never the person's details.
    subject_ref: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("casebook_user.id"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_date: Mapped[date] = mapped_column(Date, index=True)

    decisions: Mapped[list[Decision]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Decision.id"
    )


class Decision(Base):
    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("casebook_user.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    case: Mapped[Case] = relationship(back_populates="decisions")


class ReviewItem(Base):
    __tablename__ = "review_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(60))
    # One line a reviewer can triage by, written without personal data; details go in payload.
    summary: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict | None] = mapped_column(JSON)
    subject_ref: Mapped[str | None] = mapped_column(String(100))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id", ondelete="SET NULL"))
    proposed_by_algorithm: Mapped[str | None] = mapped_column(String(100))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("casebook_user.id"))
    status: Mapped[str] = mapped_column(String(20), default=PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("casebook_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)


class MeetingAction(Base):
    """An action agreed at the PCC's Accountability and Performance Meeting. No personal data:
    its owner is a post ("Head of Crime"), not a person, so it is listed and published freely."""

    __tablename__ = "meeting_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_month: Mapped[date] = mapped_column(Date, index=True)  # the pack's month: its first day
    agenda_item: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ACTION_STATUSES[0], index=True)
    evidence: Mapped[str | None] = mapped_column(Text)  # what the force did, as its last update says
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("casebook_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("casebook_user.id"))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Text, not a timestamp type, so the hashed value is byte-identical on every backend.
    occurred_at: Mapped[str] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(120), index=True)
    role: Mapped[str] = mapped_column(String(40))
    operation: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[str | None] = mapped_column(String(64))
    subject_ref: Mapped[str | None] = mapped_column(String(100), index=True)
    purpose: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON, stored exactly as hashed
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class SignInGuard(Base):
    """Failed sign-ins under one name (existing or not, so a lock-out reveals no account)."""

    __tablename__ = "sign_in_guard"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)  # in the window that started below
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A signed-in web session. Only a hash of its token is kept: reading this table does not
    let anyone act as the user."""

    __tablename__ = "web_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("casebook_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AuditHead(Base):
    """One row: the last entry's number and hash. Appends lock it, so the chain never forks."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    keyed_from: Mapped[int] = mapped_column(Integer)  # the first entry hashed with the key
    key_id: Mapped[str] = mapped_column(String(16))  # the key's fingerprint (audit_key.key_id)
    seal: Mapped[str] = mapped_column(String(64))  # audit.compute_seal over the fields above
