"""The AI-oversight board's own decisions, kept in the casebook and shown in the next month's
oversight report: the board meets each month over the report, and what it decided (keep an
algorithm as it is, change it, suspend it, look into it) is reported back the month after.

Each month's meeting is one case in the oversight domain (kind ``board_meeting``, its details
the month it met); each decision a casebook decision on it: its kind the algorithm it is about
(a registered name, or ``all``), its outcome one of OUTCOMES, its reason what the board decided
and why. The board's secretary records them (role ``oversight_board_secretary``). Decisions
about algorithms hold no personal data, so reading them for the report needs no purpose.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from peel.casebook import Action, Domain, Request, authorise, cases, transaction
from peel.casebook.errors import InvalidInput
from peel.casebook.models import Case, Decision, as_utc
from peel.casebook.retention import REVIEW_AFTER_YEARS
from peel.measures.periods import format_month
from peel.oversight.registry import read_registry

KIND = "board_meeting"
EVERY_ALGORITHM = "all"
OUTCOMES = ("continue", "change", "suspend", "investigate")
# The board's minutes are kept for as long as the meeting pack's records they answer to.
KEEP_YEARS = REVIEW_AFTER_YEARS[Domain.PACK]


@dataclass(frozen=True)
class BoardDecision:
    met: str  # the month the board met, YYYY-MM
    algorithm: str
    outcome: str
    decision: str
    recorded_at: datetime

    def to_dict(self) -> dict:
        return asdict(self) | {"recorded_at": self.recorded_at.isoformat(timespec="seconds")}


def record_board_decision(username: str, *, month: date, algorithm: str, outcome: str, decision: str) -> int:
    """Record a decision the board took at its meeting in ``month``; return the decision's id.
    The meeting's case is opened with its first decision."""
    with transaction() as session:  # a role that may not record it is refused (and logged) before any check
        authorise(session, username, Request(Action.DECIDE_CASE, "case", domain=Domain.OVERSIGHT))
    names = [a.name for a in read_registry()]
    if algorithm not in (*names, EVERY_ALGORITHM):
        raise InvalidInput(f"Algorithm {algorithm!r} is not registered; use one of {', '.join(names)} "
                           f"or {EVERY_ALGORITHM!r} (see `peel oversight register`).")
    if outcome not in OUTCOMES:
        raise InvalidInput(f"Outcome {outcome!r}: expected one of {', '.join(OUTCOMES)}.")
    met = format_month_key(month)
    with transaction() as session:
        case_id = _meeting(session, met)
        if case_id is None:
            case_id = cases.open_case(session, username, domain=Domain.OVERSIGHT, kind=KIND, details={"month": met},
                                      purpose=f"AI-oversight board meeting, {format_month(month)}",
                                      review_date=month.replace(year=month.year + KEEP_YEARS))
        return cases.record_decision(session, username, case_id, kind=algorithm, outcome=outcome, reason=decision)


def board_decisions(session: Session, met: date) -> list[BoardDecision]:
    """What the board decided at its meeting in ``met``, oldest first: no personal data, so read
    without a user, for the next month's report and the meeting pack (counts only otherwise)."""
    key = format_month_key(met)
    rows = session.execute(
        select(Decision.kind, Decision.outcome, Decision.reason, Decision.decided_at)
        .join(Case, Case.id == Decision.case_id)
        .where(Case.domain == Domain.OVERSIGHT, Case.kind == KIND, Case.id == _meeting(session, key))
        .order_by(Decision.decided_at, Decision.id)).all()
    return [BoardDecision(key, kind, outcome, reason, as_utc(at)) for kind, outcome, reason, at in rows]


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def format_month_key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def _meeting(session: Session, met: str) -> int | None:
    for case_id, details in session.execute(select(Case.id, Case.details).where(
            Case.domain == Domain.OVERSIGHT, Case.kind == KIND).order_by(Case.id)):
        if details.get("month") == met:
            return case_id
    return None
