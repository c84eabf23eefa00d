"""The AI-oversight board's monthly report: for each registered algorithm, what it proposed in
the month, what people decided (accepted, rejected), how long they took, the model's decisions
people overrode, false positives found later (``reversals``), changes to its rules (the
register's changelog, ``registry``), and what the board itself decided the month before
(``board``). Counts only: never a person, a record or a subject."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from peel.casebook import transaction
from peel.casebook.review import DecisionCount, count_decisions, tally_decisions
from peel.measures.periods import format_month
from peel.oversight.board import BoardDecision, board_decisions, previous_month
from peel.oversight.registry import Algorithm, read_registry
from peel.oversight.reversals import count_reversals


@dataclass(frozen=True)
class AlgorithmMonth:
    name: str
    title: str
    proposed: int
    accepted: int
    rejected: int
    pending: int
    median_hours_to_decision: float | None
    overridden: int | None  # decisions against the model's own verdict; None: not recorded
    false_positives_found_later: int  # acceptances reversed by a later rejection (reversals.py)
    rule_changes: list[str]  # the register's changelog entries dated in the month


@dataclass(frozen=True)
class OversightReport:
    month: date
    label: str
    algorithms: list[AlgorithmMonth]
    board_month: str  # when the board met whose decisions are reported back
    board_decisions: list[BoardDecision]

    def to_dict(self) -> dict:
        return {"month": self.month.isoformat(), "label": self.label,
                "algorithms": [asdict(a) for a in self.algorithms], "board_month": self.board_month,
                "board_decisions": [d.to_dict() for d in self.board_decisions]}


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def summarise(month: date, counts: list[DecisionCount], reversals: Counter | None = None,
              board: list[BoardDecision] = (), algorithms=None) -> OversightReport:
    rows = []
    reversals = reversals or Counter()
    for algorithm in algorithms or read_registry():
        mine = [c for c in counts if c.domain == algorithm.review_domain and c.kind in algorithm.review_kinds]
        medians = [c.median_hours_to_decision for c in mine if c.median_hours_to_decision is not None]
        rows.append(AlgorithmMonth(
            algorithm.name, algorithm.title, proposed=sum(c.proposed for c in mine),
            accepted=sum(c.accepted for c in mine), rejected=sum(c.rejected for c in mine),
            pending=sum(c.pending for c in mine),
            # the median of medians when proposals came from both an algorithm and people
            median_hours_to_decision=round(sorted(medians)[len(medians) // 2], 2) if medians else None,
            overridden=_overridden(algorithm, mine),
            false_positives_found_later=sum(reversals[(algorithm.review_domain, k)] for k in algorithm.review_kinds),
            rule_changes=[c.change for c in algorithm.changes_in(month)]))
    return OversightReport(month, format_month(month), rows, format_month(previous_month(month)), list(board))


def _overridden(algorithm: Algorithm, counts: list[DecisionCount]) -> int | None:
    """A person overrides an algorithm when they reject what it proposed of its own accord."""
    algorithmic = [c for c in counts if c.proposer == "algorithm"]
    return sum(c.rejected for c in algorithmic) if algorithmic else None


def _report(session, month: date, counts: list[DecisionCount]) -> OversightReport:
    since, until = month_bounds(month)
    return summarise(month, counts, count_reversals(session, since, until),
                     board_decisions(session, previous_month(month)))


def get_oversight_report(username: str, month: date) -> OversightReport:
    """The month's report for a signed-in user who may read aggregates."""
    since, until = month_bounds(month)
    with transaction(readonly=True) as session:
        return _report(session, month, count_decisions(session, username, since=since, until=until))


def get_pack_report(month: date, casebook_url: str | None = None) -> OversightReport:
    """The month's report for the meeting pack, which is built without signing in (counts only)."""
    since, until = month_bounds(month)
    with transaction(casebook_url, readonly=True) as session:
        return _report(session, month, tally_decisions(session, since=since, until=until))
