"""Meeting actions: what the PCC's Accountability and Performance Meeting agreed, who (which
post) owns each, by when, and the force's progress on it.

The PCC's office records them (``record_meeting_actions``); the force updates their status
with evidence of what was done (``update_meeting_actions``); anyone who reads aggregates may
list them. Each change is checked and written to the audit log in the same transaction.
Actions hold no personal data: an owner is a post or a team ("Head of Crime"), never a named
person, so the meeting pack publishes them (``actions_for_pack``) without an acting user.

    with transaction() as s:
        number = record_meeting_action(s, "pcc.officer", meeting_month=date(2026, 3, 1),
                                       agenda_item="Burglary", text="Report on the Diwali patrols",
                                       owner="Head of Neighbourhood Policing", due_date=date(2026, 5, 1))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from peel.casebook import access
from peel.casebook.access import Request
from peel.casebook.audit import Operation
from peel.casebook.errors import InvalidInput
from peel.casebook.models import (
    ACTION_STATUSES,
    MeetingAction,
    User,
    as_utc,
    get_or_refuse,
    now_utc,
)
from peel.casebook.roles import Action, Domain

OPEN, IN_PROGRESS, DONE = ACTION_STATUSES
STATUS_LABELS = {OPEN: "Open", IN_PROGRESS: "In progress", DONE: "Done"}
# Evidence is a sentence someone at the next meeting can check, not "done".
MIN_EVIDENCE_LENGTH = 10
OBJECT_TYPE = "meeting_action"


@dataclass(frozen=True)
class MeetingActionView:
    id: int
    meeting_month: date
    agenda_item: str
    text: str
    owner: str
    due_date: date
    status: str
    evidence: str | None
    recorded_by: str
    recorded_at: datetime
    updated_by: str | None
    updated_at: datetime | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def record_meeting_action(
    session: Session, username: str | None, *, meeting_month: date, agenda_item: str, text: str, owner: str,
    due_date: date,
) -> int:
    """Record an action the meeting of ``meeting_month`` agreed; return its number."""
    actor = access.authorise(session, username, Request(Action.RECORD_MEETING_ACTIONS, OBJECT_TYPE,
                                                        domain=Domain.PACK))
    values = {"agenda_item": _text("agenda item", agenda_item, 200), "text": _text("action", text),
              "owner": _text("owner (a post, such as Head of Crime)", owner, 120)}
    meeting_month = meeting_month.replace(day=1)
    if due_date < meeting_month:
        raise InvalidInput(f"The due date {due_date:%d %B %Y} is before the meeting's month "
                           f"({meeting_month:%B %Y}).")
    action = MeetingAction(meeting_month=meeting_month, due_date=due_date, status=OPEN,
                           recorded_by_id=actor.id, recorded_at=now_utc(), **values)
    session.add(action)
    session.flush()
    access.record(session, actor, Operation.COLLECTION, OBJECT_TYPE, action.id, detail={
        "meeting_month": meeting_month.isoformat(), "agenda_item": values["agenda_item"],
        "owner": values["owner"], "due_date": due_date.isoformat()})
    return action.id


def update_meeting_action(session: Session, username: str | None, action_id: int, *, status: str,
                          evidence: str) -> None:
    """Set an action's status, with evidence of what was done; who and when are kept with it."""
    actor = access.authorise(session, username, Request(Action.UPDATE_MEETING_ACTIONS, OBJECT_TYPE, action_id,
                                                        domain=Domain.PACK))
    action = get_or_refuse(session, MeetingAction, action_id, "meeting action")
    if status not in ACTION_STATUSES:
        raise InvalidInput(f"Unknown status {status!r}; an action is {', '.join(ACTION_STATUSES)}.")
    evidence = (evidence or "").strip()
    if len(evidence) < MIN_EVIDENCE_LENGTH:
        raise InvalidInput(f"Say what was done, as evidence the meeting can check, in at least "
                           f"{MIN_EVIDENCE_LENGTH} characters.")
    previous = action.status
    action.status, action.evidence, action.updated_by_id, action.updated_at = status, evidence, actor.id, now_utc()
    access.record(session, actor, Operation.ALTERATION, OBJECT_TYPE, action.id,
                  detail={"status_from": previous, "status_to": status})


def list_meeting_actions(session: Session, username: str | None, *, meeting_month: date | None = None,
                         status: str | None = None) -> list[MeetingActionView]:
    """Actions, oldest meeting first, for anyone who reads aggregates (they hold no personal data)."""
    access.authorise(session, username, Request(Action.READ_AGGREGATES, OBJECT_TYPE, domain=Domain.PACK))
    if status is not None and status not in ACTION_STATUSES:
        raise InvalidInput(f"Unknown status {status!r}; an action is {', '.join(ACTION_STATUSES)}.")
    where = []
    if meeting_month is not None:
        where.append(MeetingAction.meeting_month == meeting_month.replace(day=1))
    if status is not None:
        where.append(MeetingAction.status == status)
    return _select(session, *where)


def actions_for_pack(session: Session, month: date) -> list[MeetingActionView]:
    """What the pack for ``month`` opens with: the earlier meetings' actions still open or in
    progress, and those done since the previous meeting's month began. Published in the pack,
    so read without an acting user: they hold no personal data."""
    month = month.replace(day=1)
    previous = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    since = datetime(previous.year, previous.month, 1, tzinfo=UTC)
    return _select(session, MeetingAction.meeting_month < month,
                   or_(MeetingAction.status != DONE, MeetingAction.updated_at >= since))


PACK_OBJECT_TYPE = "meeting_pack"


def record_pack_publication(session: Session, username: str | None, *, month: date, as_of: date | None,
                            figures_checksum: str, files: dict[str, str], snapshot: dict) -> None:
    """Write to the audit log that ``username`` published the pack for ``month``: the
    checksum of its figures, its files' checksums and the data snapshot it was built from,
    so that a later rebuild (``peel pack --as-of``) can be shown to match. A pack holds
    aggregates only: anyone who reads them may publish one."""
    actor = access.authorise(session, username, Request(Action.READ_AGGREGATES, PACK_OBJECT_TYPE,
                                                        domain=Domain.PACK))
    access.record(session, actor, Operation.DISCLOSURE, PACK_OBJECT_TYPE, f"{month:%Y-%m}", detail={
        "month": f"{month:%Y-%m}", "as_of": as_of.isoformat() if as_of else None,
        "figures_sha256": figures_checksum, "files_sha256": files, "snapshot": snapshot})


def _select(session: Session, *where) -> list[MeetingActionView]:
    recorder, updater = aliased(User), aliased(User)
    rows = session.execute(
        select(MeetingAction, recorder.username, updater.username)
        .join(recorder, MeetingAction.recorded_by_id == recorder.id)
        .outerjoin(updater, MeetingAction.updated_by_id == updater.id)
        .where(*where).order_by(MeetingAction.meeting_month, MeetingAction.id)
    ).all()
    return [MeetingActionView(
        id=a.id, meeting_month=a.meeting_month, agenda_item=a.agenda_item, text=a.text, owner=a.owner,
        due_date=a.due_date, status=a.status, evidence=a.evidence, recorded_by=recorded_by,
        recorded_at=as_utc(a.recorded_at), updated_by=updated_by,
        updated_at=a.updated_at and as_utc(a.updated_at),
    ) for a, recorded_by, updated_by in rows]


def _text(name: str, value: str | None, limit: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"A meeting action needs its {name}.")
    if limit and len(value) > limit:
        raise InvalidInput(f"The {name} is {len(value)} characters; at most {limit}.")
    return value


def read_month(text: str) -> date:
    """A meeting's month as typed (YYYY-MM) -> its first day; refused saying the form."""
    try:
        return date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        raise InvalidInput(f"{text!r} is not a month: enter it as YYYY-MM, for example 2026-03.") from None


def read_day(text: str) -> date:
    """A due date as typed (YYYY-MM-DD); refused saying the form."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date: enter it as YYYY-MM-DD, for example 2026-05-31.") from None
