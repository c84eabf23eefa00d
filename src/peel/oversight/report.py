"""The AI-oversight board's monthly report: for each registered algorithm, what it proposed in
the month, what people decided (accepted, rejected), how long they took, the model's decisions
people overrode, false positives found later and changes to its rules. Counts only: never a
person, a record or a subject."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from peel.casebook import transaction
from peel.casebook.review import DecisionCount, count_decisions, tally_decisions
from peel.measures.periods import format_month
from peel.oversight.registry import Algorithm, read_registry


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
    false_positives_found_later: int | None  # None: not recorded yet
    rule_changes: list[str]


@dataclass(frozen=True)
class OversightReport:
    month: date
    label: str
    algorithms: list[AlgorithmMonth]

    def to_dict(self) -> dict:
        return {"month": self.month.isoformat(), "label": self.label,
                "algorithms": [asdict(a) for a in self.algorithms]}


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def summarise(month: date, counts: list[DecisionCount], algorithms=None) -> OversightReport:
    rows = []
    for algorithm in algorithms or read_registry():
        mine = [c for c in counts if c.domain == algorithm.review_domain and c.kind in algorithm.review_kinds]
        medians = [c.median_hours_to_decision for c in mine if c.median_hours_to_decision is not None]
        rows.append(AlgorithmMonth(
            algorithm.name, algorithm.title, proposed=sum(c.proposed for c in mine),
            accepted=sum(c.accepted for c in mine), rejected=sum(c.rejected for c in mine),
            pending=sum(c.pending for c in mine),
            # the median of medians when proposals came from both an algorithm and people
            median_hours_to_decision=round(sorted(medians)[len(medians) // 2], 2) if medians else None,
            overridden=_overridden(algorithm, mine), false_positives_found_later=None,
            rule_changes=[]))
    return OversightReport(month, format_month(month), rows)


def _overridden(algorithm: Algorithm, counts: list[DecisionCount]) -> int | None:
    """A person overrides an algorithm when they reject what it proposed of its own accord."""
    algorithmic = [c for c in counts if c.proposer == "algorithm"]
    return sum(c.rejected for c in algorithmic) if algorithmic else None


def get_oversight_report(username: str, month: date) -> OversightReport:
    """The month's report for a signed-in user who may read aggregates."""
    since, until = month_bounds(month)
    with transaction(readonly=True) as session:
        counts = count_decisions(session, username, since=since, until=until)
    return summarise(month, counts)


def get_pack_report(month: date, casebook_url: str | None = None) -> OversightReport:
    """The month's report for the meeting pack, which is built without signing in (counts only)."""
    since, until = month_bounds(month)
    with transaction(casebook_url, readonly=True) as session:
        counts = tally_decisions(session, since=since, until=until)
    return summarise(month, counts)
