"""``peel link review``: the pairs near the threshold, for a named person to accept or reject,
through the casebook's review queue.

Listing puts each undecided pair of the review band into the casebook queue once, as the
linkage algorithm's proposal: the record keys, the match probability and the explanation's
evidence lines (kinds of agreement and their weights), never the personal data itself.
Accepting or rejecting goes through the casebook's ``decide`` (role checked, reason kept,
audit entry written) and then into ``linkage_review_decision``, which every later linkage
run reads: a 'match' joins the pair's entities, a 'non_match' keeps them apart even through
chains of other links.

The two writes are kept together (see ``decide_pair``): the warehouse row is written in an
open DuckDB transaction, the casebook transaction commits, then the warehouse commits. Any
failure before the casebook commit leaves neither. The one remaining window, the warehouse
commit failing after the casebook's, is repaired by ``sync_decisions`` on the next listing
or decision and at the start of every 'peel link': a decided casebook item always ends up in
the warehouse (also one decided with the casebook's generic 'peel review accept ID').
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
from sqlalchemy.orm import Session

from peel.casebook import (
    ACCEPTED,
    PENDING,
    PURPOSE,
    REASON,
    Action,
    Domain,
    InvalidInput,
    Operation,
    Proposal,
    Request,
    authorise,
    decide,
    lock_queue,
    proposals_by,
    propose,
    record,
    transaction,
)
from peel.linkage import model as S
from peel.linkage.explain import explain_pairs
from peel.linkage.warehouse_run import require_latest_run
from peel.warehouse import connect, open_writer

DECISIONS = ("match", "non_match")
# How linkage proposals are filed in the casebook's review queue.
DOMAIN = Domain.LINKAGE
KIND = "person_record_pair"
ALGORITHM = "peel-linkage"
# The casebook's subject_ref column holds at most this many characters.
SUBJECT_REF_MAX = 100


@dataclass(frozen=True)
class Decided:
    """A decision as both stores keep it."""

    item_id: int
    record_key_l: str
    record_key_r: str
    decision: str
    decided_by: str


def queue_pairs_for_review(username: str | None, limit: int = 20, *, purpose: str | None,
                           warehouse: Path | None = None) -> pd.DataFrame:
    """The undecided pairs of the latest run in the review band, closest to the threshold
    first, with their casebook review item ids, after filing each one not yet in the queue as
    the algorithm's proposal.

    Needs a casebook user whose role may decide linkage reviews, and a purpose; a refusal is
    raised (and logged) before anything is read. The pairs filed now are explained first, which
    reads their records: ``explain_pairs`` checks and logs that as consultations by the user.
    """
    request = Request(Action.DECIDE_REVIEW, "review_item", domain=DOMAIN, purpose=purpose,
                      must_state=PURPOSE)
    with transaction() as session:
        authorise(session, username, request)
        sync_decisions(session, warehouse)
        queued = set(linkage_proposals(session))
    pairs = _pairs_to_review(limit, warehouse)
    new = [(r.record_key_l, r.record_key_r) for r in pairs.itertuples()
           if (r.record_key_l, r.record_key_r) not in queued]
    # Scoring is slow next to a casebook write, so it happens outside the casebook's lock.
    explanations = {(e.record_a, e.record_b): e
                    for e in explain_pairs(username, new, purpose=purpose, warehouse=warehouse)}
    with transaction() as session:
        authorise(session, username, request)
        lock_queue(session)
        filed = {pair: proposal.id for pair, proposal in linkage_proposals(session).items()}
        for row in pairs.itertuples():
            pair = (row.record_key_l, row.record_key_r)
            if pair in filed:  # filed by another listing meanwhile, or earlier
                continue
            filed[pair] = propose(
                session, domain=DOMAIN, kind=KIND, by_algorithm=ALGORITHM,
                summary=f"Same person? {pair[0]} and {pair[1]} "
                        f"(match probability {row.match_probability:.4f})",
                payload=proposal_payload(row, explanations[pair]),
                subject_ref=pair_subject_ref(*pair),
            )
    pairs["item_id"] = [filed[(r.record_key_l, r.record_key_r)] for r in pairs.itertuples()]
    return pairs


def _pairs_to_review(limit: int, warehouse: Path | None) -> pd.DataFrame:
    """Undecided pairs of the latest run in the review band, closest to the threshold first."""
    wcon = connect(warehouse, read_only=True)
    try:
        run = require_latest_run(wcon)
        frame = wcon.execute(
            """SELECT p.record_key_l, p.record_key_r, p.match_probability, p.run_id,
                      el.entity_id = er.entity_id AS same_entity
               FROM linkage_pair p
               LEFT JOIN linkage_review_decision d
                      ON d.record_key_l = p.record_key_l AND d.record_key_r = p.record_key_r
               LEFT JOIN linkage_entity el ON el.run_id = p.run_id AND el.record_key = p.record_key_l
               LEFT JOIN linkage_entity er ON er.run_id = p.run_id AND er.record_key = p.record_key_r
               WHERE p.run_id = ? AND d.decision IS NULL
                 AND p.match_probability >= ? AND p.match_probability < ?
               ORDER BY abs(p.match_probability - ?), p.record_key_l, p.record_key_r
               LIMIT ?""",
            [run, S.REVIEW_LOW, S.REVIEW_HIGH, S.MATCH_THRESHOLD, limit],
        ).df()
    finally:
        wcon.close()
    return frame


def proposal_payload(row, explanation) -> dict:
    """What a review item keeps: record keys, probability and evidence, no personal data."""
    return {
        "record_key_l": row.record_key_l, "record_key_r": row.record_key_r,
        "match_probability": float(row.match_probability), "run_id": int(row.run_id),
        "threshold": S.MATCH_THRESHOLD,
        "same_entity_now": None if pd.isna(row.same_entity) else bool(row.same_entity),
        "evidence": [{"evidence": e.evidence, "level": e.level,
                      "match_weight": round(e.match_weight, 4)} for e in explanation.evidence],
    }


def pair_subject_ref(lo: str, hi: str) -> str | None:
    """The pair as a subject reference, when it fits the casebook's column."""
    ref = f"{lo} + {hi}"
    return ref if len(ref) <= SUBJECT_REF_MAX else None


def linkage_proposals(session: Session) -> dict[tuple[str, str], Proposal]:
    """Every pair the linkage filed in the casebook queue (any status), by its record keys."""
    found: dict[tuple[str, str], Proposal] = {}
    for proposal in proposals_by(session, ALGORITHM, domain=DOMAIN, kind=KIND):
        found.setdefault((proposal.payload["record_key_l"], proposal.payload["record_key_r"]), proposal)
    return found


def decide_pair(username: str | None, record_a: str, record_b: str, *, accept: bool,
                reason: str | None, warehouse: Path | None = None) -> Decided:
    """Accept or reject the queued pair (A, B) as ``username``, with ``reason``, in the
    casebook and in the warehouse together: either both keep the decision or neither does.

    Needs a casebook user whose role may decide linkage reviews, and a reason; a refusal is
    raised (and logged) before anything is written.
    """
    if record_a == record_b:
        raise ValueError("A pair needs two different records.")
    lo, hi = sorted([record_a, record_b])
    with contextlib.ExitStack() as warehouse_write:
        with transaction() as session:
            actor = authorise(session, username, Request(
                Action.DECIDE_REVIEW, "review_item", domain=DOMAIN, subject_ref=pair_subject_ref(lo, hi),
                purpose=reason, must_state=REASON))
            lock_queue(session)
            sync_decisions(session, warehouse)
            proposal = linkage_proposals(session).get((lo, hi))
            if proposal is None:
                raise InvalidInput(
                    f"The pair {lo} / {hi} is not in the review queue. List the pairs to "
                    "review with 'peel link review' and decide one of those.")
            decide(session, username, proposal.id, accept=accept, reason=reason)
            decided = linkage_proposals(session)[(lo, hi)]
            decision = "match" if accept else "non_match"
            # Deciding a pair decides whether two records' histories are combined from the next
            # run on (DPA 2018 s62: combination), so its entry names both records besides the
            # review item's alteration the casebook logged.
            record(session, actor, Operation.COMBINATION, "record_pair", proposal.id,
                   subject_ref=pair_subject_ref(lo, hi), purpose=decided.reason,
                   detail={"domain": str(DOMAIN), "record_keys": [lo, hi], "decision": decision,
                           "review_item": proposal.id})
            # A new warehouse generation, thrown away should the casebook not commit.
            wcon = warehouse_write.enter_context(open_writer(warehouse))
            write_decision(wcon, lo, hi, decision, decided.decided_by, decided.decided_at,
                           decided.reason, proposal.payload.get("run_id"))
        # The casebook has committed; now the warehouse publishes its generation.
        try:
            warehouse_write.close()
        except (duckdb.Error, OSError) as exc:
            raise RuntimeError(
                f"The decision on {lo} / {hi} is kept in the casebook (review item {proposal.id}) but "
                f"the warehouse did not take it ({exc}). The next 'peel link review' writes it "
                "there; run it before the next 'peel link'.") from exc
    return Decided(proposal.id, lo, hi, decision, decided.decided_by)


def sync_casebook_decisions(warehouse: Path | None = None) -> int:
    """``sync_decisions`` in a casebook transaction of its own: 'peel link' calls it first, so
    an item decided with the casebook's own 'peel review accept ID' counts in that run."""
    with transaction() as session:
        return sync_decisions(session, warehouse)


def sync_decisions(session: Session, warehouse: Path | None = None) -> int:
    """Write into the warehouse every decided casebook linkage item it does not hold yet
    (after a warehouse commit failed); return how many were written."""
    decided = [p for p in linkage_proposals(session).values() if p.status != PENDING]
    if not decided:
        return 0
    wcon = connect(warehouse, read_only=True)
    try:
        held = {(lo, hi) for lo, hi in wcon.execute(
            "SELECT record_key_l, record_key_r FROM linkage_review_decision").fetchall()}
    finally:
        wcon.close()
    missing = [p for p in decided if (p.payload["record_key_l"], p.payload["record_key_r"]) not in held]
    if missing:
        with open_writer(warehouse) as wcon:
            for p in missing:
                write_decision(wcon, p.payload["record_key_l"], p.payload["record_key_r"],
                               "match" if p.status == ACCEPTED else "non_match",
                               p.decided_by, p.decided_at, p.reason, p.payload.get("run_id"))
    return len(missing)


def write_decision(wcon: duckdb.DuckDBPyConnection, lo: str, hi: str, decision: str,
                   decided_by: str, decided_at: datetime, reason: str | None,
                   run_id: int | None) -> None:
    """Write one decision row in the caller's transaction, after checking the pair."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, not '{decision}'.")
    if lo == hi:
        raise ValueError("A pair needs two different records.")
    known = wcon.execute(
        "SELECT count(*) FROM person_record WHERE record_key IN (?, ?)", [lo, hi]).fetchall()[0][0]
    if known < 2:
        raise ValueError(f"Both records must be in the warehouse: '{lo}', '{hi}'.")
    wcon.execute(
        """INSERT OR REPLACE INTO linkage_review_decision
           (record_key_l, record_key_r, decision, decided_by, decided_at, reason, run_id)
           VALUES (?, ?, ?, ?, ?, ?, coalesce(?, (SELECT max(run_id) FROM linkage_run)))""",
        [lo, hi, decision, decided_by, decided_at.replace(tzinfo=None), reason, run_id],
    )
