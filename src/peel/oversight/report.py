"""The AI-oversight board's monthly report: for each registered algorithm, what it proposed in
the month, what people decided (accepted, rejected), how long they took, the model's decisions
people overrode, false positives found later (``reversals``), changes to its rules (the
register's changelog, ``registry``), and what the board itself decided the month before
(``board``); and the live facial recognition deployments that ended without their deletion
evidence, as ``peel.lfr`` flags them. Counts only: never a person, a record or a subject."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb

from peel.casebook import transaction
from peel.casebook.review import DecisionCount, count_decisions, tally_decisions
from peel.lfr.figures import get_data_to, get_deletion_gaps
from peel.measures.periods import format_month, get_month_end
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
class DeletionGap:
    """A live facial recognition deployment that ended without all its deletion evidence."""

    reference: str  # the deployment's reference (no person)
    missing: list[str]  # the evidence not recorded


@dataclass(frozen=True)
class OversightReport:
    month: date
    label: str
    algorithms: list[AlgorithmMonth]
    board_month: str  # when the board met whose decisions are reported back
    board_decisions: list[BoardDecision]
    deletion_gaps: list[DeletionGap] | None = None  # None: no LFR records to tell

    def to_dict(self) -> dict:
        return {"month": self.month.isoformat(), "label": self.label,
                "algorithms": [asdict(a) for a in self.algorithms], "board_month": self.board_month,
                "board_decisions": [d.to_dict() for d in self.board_decisions],
                "lfr_deletion_gaps": None if self.deletion_gaps is None else [asdict(g) for g in self.deletion_gaps]}


def read_deletion_gaps(con: duckdb.DuckDBPyConnection | None, month: date) -> list[DeletionGap] | None:
    """The LFR deployments flagged for missing deletion evidence (``peel.lfr.figures``) as the
    records stood at the end of ``month``, or on their last day if earlier; None when the
    warehouse (``con``, None if there is none) holds no LFR records."""
    data_to = get_data_to(con) if con is not None else None
    if data_to is None:
        return None
    as_of = min(get_month_end(month) - timedelta(days=1), data_to)
    return [DeletionGap(d.ref, list(d.missing_evidence)) for d in get_deletion_gaps(con, as_of)]


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def summarise(month: date, counts: list[DecisionCount], reversals: Counter | None = None,
              board: list[BoardDecision] = (), algorithms=None,
              deletion_gaps: list[DeletionGap] | None = None) -> OversightReport:
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
    return OversightReport(month, format_month(month), rows, format_month(previous_month(month)), list(board),
                           deletion_gaps)


def _overridden(algorithm: Algorithm, counts: list[DecisionCount]) -> int | None:
    """A person overrides an algorithm when they reject what it proposed of its own accord."""
    algorithmic = [c for c in counts if c.proposer == "algorithm"]
    return sum(c.rejected for c in algorithmic) if algorithmic else None


def _report(session, month: date, counts: list[DecisionCount], con) -> OversightReport:
    since, until = month_bounds(month)
    return summarise(month, counts, count_reversals(session, since, until),
                     board_decisions(session, previous_month(month)), deletion_gaps=read_deletion_gaps(con, month))


def get_oversight_report(username: str, month: date, con: duckdb.DuckDBPyConnection | None = None) -> OversightReport:
    """The month's report for a signed-in user who may read aggregates; with the LFR deletion
    gaps when ``con`` (the warehouse) is given."""
    since, until = month_bounds(month)
    with transaction(readonly=True) as session:
        counts = count_decisions(session, username, since=since, until=until)  # checks the user first
        return _report(session, month, counts, con)


def get_pack_report(month: date, casebook_url: str | None = None,
                    con: duckdb.DuckDBPyConnection | None = None) -> OversightReport:
    """The month's report for the meeting pack, which is built without signing in (counts only)."""
    since, until = month_bounds(month)
    with transaction(casebook_url, readonly=True) as session:
        return _report(session, month, tally_decisions(session, since=since, until=until), con)
