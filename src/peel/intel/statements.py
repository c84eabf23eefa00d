"""A pack's statements: each a claim with the records it rests on, made only by a claim
function (``peel.intel.claims``) from warehouse rows, and checked by making it again.

``state`` is the only way a statement is made; ``verify_statements`` re-fetches every cited row
and re-derives every claim and citation, and reports each statement that lacks a source, cites
a row that is gone, or no longer says what its rows give.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import duckdb

from peel.intel.claims import CLAIMS, ClaimMismatch
from peel.intel.records import Ref, UnknownRefTable, cite, fetch

# The sections of a pack, in the order it shows them. Probabilistic links stand apart.
SECTIONS = {
    "identity": "Identity",
    "addresses": "Addresses",
    "vehicles": "Vehicles",
    "phones": "Phones and other identifiers",
    "timeline": "Timeline of events",
    "intelligence": "Intelligence reports and what they mention",
    "associates": "Associates",
    "markers": "Warning markers",
    "probabilistic": "Probabilistic links (record linkage: not established facts)",
    "possible": "Possible links: scored against the subject's records, not linked (not the subject's facts)",
    "linked_persons": "Persons linked to the subject",
}


@dataclass(frozen=True)
class Statement:
    id: str
    section: str
    kind: str
    refs: list[list[str]]  # [[table, key], ...]: what it rests on
    params: dict
    claim: str
    citations: list[dict]  # [{system, record_id, date}, ...], one per ref, in order
    probability: float | None = None  # set for links that rest on record linkage

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Failure:
    statement: str  # its id
    claim: str
    reason: str


@dataclass
class Verification:
    statements: int
    failures: list[Failure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def state(rows: dict, sid: str, section: str, kind: str, refs: list[Ref], params: dict | None = None,
          probability: float | None = None) -> Statement:
    """Make a statement from fetched ``rows``: its claim and citations come from the rows alone."""
    params = params or {}
    cited = [(table, rows[(table, key)]) for table, key in refs]
    claim = CLAIMS[kind](cited, params)
    return Statement(sid, section, kind, [list(r) for r in refs], params, claim,
                     [cite(ref, rows[ref]) for ref in refs], probability)


class Builder:
    """Collects statements, numbering them S1, S2, ... in the order made; rows that support no
    statement of the kind asked for make none (nothing is said)."""

    def __init__(self, rows: dict):
        self.rows = rows
        self.statements: list[Statement] = []

    def add(self, section: str, kind: str, refs, params=None, probability=None) -> None:
        sid = f"S{len(self.statements) + 1}"
        try:
            self.statements.append(state(self.rows, sid, section, kind, refs, params, probability))
        except ClaimMismatch:
            pass


def verify_statements(con: duckdb.DuckDBPyConnection, statements: list[dict]) -> Verification:
    """Re-derive every statement (as stored: a dict) from the warehouse as it is now."""
    result = Verification(len(statements))
    refs = {tuple(ref) for s in statements for ref in s.get("refs") or [] if len(ref) == 2}
    try:
        rows = fetch(con, refs)
    except UnknownRefTable as error:
        rows, unknown = {}, str(error)
    else:
        unknown = None
    for s in statements:
        reason = _check(s, rows, unknown)
        if reason:
            result.failures.append(Failure(str(s.get("id")), str(s.get("claim")), reason))
    return result


def _check(s: dict, rows: dict, unknown: str | None) -> str | None:
    refs = [tuple(r) for r in s.get("refs") or []]
    if not refs or not s.get("citations"):
        return "it cites no source record"
    if s.get("kind") not in CLAIMS:
        return f"{s.get('kind')!r} is not a kind of statement peel makes"
    if unknown or any(len(r) != 2 for r in refs):
        return unknown or "a reference is not (table, key)"
    missing = [f"{t} {k}" for t, k in refs if (t, k) not in rows]
    if missing:
        return f"its source record is no longer in the warehouse: {', '.join(missing)}"
    try:
        again = state(rows, s["id"], s["section"], s["kind"], refs, s.get("params"), s.get("probability"))
    except ClaimMismatch as error:
        return f"its source records no longer support it: {error}"
    if again.claim != s.get("claim"):
        return f"the warehouse now gives: {again.claim!r}"
    if again.citations != s.get("citations"):
        return "its citations no longer match the records (system, record id or date changed)"
    return None
