"""The candidate queue: recognition's candidates go to the review queue for a public-protection
officer to decide, with the evidence and why each was raised. No disclosure is ever automatic:
accepting a candidate opens a Right to Know case, whose stages a person then works. A declined
candidate is raised again only when new evidence appears."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

import duckdb

from peel.casebook import access, db, review
from peel.casebook.errors import InvalidInput
from peel.casebook.models import ACCEPTED, PENDING, REJECTED, ReviewItem, as_utc
from peel.dvds.cases import DOMAIN, UK, open_application
from peel.dvds.recognition import ALGORITHM, CANDIDATE_KIND, Candidate, read_rules, scan


def raise_candidates(username: str, open_warehouse: Callable[[], duckdb.DuckDBPyConnection], *,
                     purpose: str) -> dict[str, int]:
    """Scan the latest linkage run and queue each candidate not already raised (or declined
    without new evidence). The scan reads linked personal data: ``username`` must be a
    public-protection officer and say why; the reading is logged per person raised."""
    with access.consultation(username, domain=DOMAIN, object_type="linked_entity", purpose=purpose) as shown:
        con = open_warehouse()
        try:
            found = scan(con)
        finally:
            con.close()
        with db.transaction() as session:
            review.lock_queue(session)
            filed = _filed(session)
            counts = {"found": len(found), "raised": 0, "already_raised": 0, "declined_no_new_evidence": 0}
            for candidate in found:
                earlier = filed.get(candidate.key)
                if earlier is not None and earlier[0] != REJECTED:
                    counts["already_raised"] += 1
                    continue
                if earlier is not None and candidate.evidence_ids <= earlier[1]:
                    counts["declined_no_new_evidence"] += 1
                    continue
                review.propose(session, domain=DOMAIN, kind=CANDIDATE_KIND, summary=candidate.summary(),
                               payload=_payload(candidate), by_algorithm=ALGORITHM,
                               subject_ref=f"entity:{candidate.person}")
                shown.append(f"entity:{candidate.person}")
                counts["raised"] += 1
    return counts


def _filed(session) -> dict[str, tuple[str, frozenset[str]]]:
    """Per candidate key, the latest proposal's status and every piece of evidence filed so far."""
    filed: dict[str, tuple[str, frozenset[str]]] = {}
    for item in review.proposals_by(session, ALGORITHM, domain=DOMAIN, kind=CANDIDATE_KIND):
        key = item.payload["key"]
        seen = filed.get(key, (PENDING, frozenset()))[1]
        filed[key] = (item.status, seen | frozenset(item.payload["evidence_ids"]))
    return filed


def _payload(candidate: Candidate) -> dict:
    return {**asdict(candidate), "key": candidate.key, "evidence_ids": sorted(candidate.evidence_ids),
            "threshold": read_rules()["threshold"],
            "why": "; ".join(read_rules()["evidence"][e["kind"]]["label"] + f" ({e['what']}, {e['day']}, "
                             f"link probability {e['p']:.2f})" for e in candidate.evidence)}


def decide_candidate(session, username: str, item_id: int, *, accept: bool, reason: str,
                     known_person) -> int | None:
    """Accept (open a Right to Know case on the person) or decline a candidate, with the reason;
    returns the case opened, if any. The decision is checked (a public-protection role, a reason)
    before the item is looked up, so the refusal says nothing of it."""
    access.authorise(session, username, access.Request(access.Action.DECIDE_REVIEW, "review_item", item_id,
                                                       domain=DOMAIN, purpose=reason, must_state=access.REASON))
    review.decide(session, username, item_id, accept=accept, reason=reason)
    item = review.show_item(session, username, item_id, purpose=f"deciding Right to Know candidate: {reason}")
    if item.domain != DOMAIN or item.kind != CANDIDATE_KIND:
        raise InvalidInput(f"Review item {item_id} is not a Right to Know candidate: decide it with `peel review`.")
    if not accept:
        return None
    return open_application(session, username, route="right_to_know", person_ref=item.subject_ref,
                            first_contact=datetime.now(UTC), purpose=f"Right to Know from recognition: {reason}",
                            known_person=known_person, origin="recognition")


@dataclass(frozen=True)
class CandidateCounts:
    """Right to Know candidates in a period (counts only): raised in it, and decided in it."""

    raised: int
    accepted: int  # a person opened a Right to Know case
    rejected: int  # a person declined it, with a reason

    @property
    def share_accepted(self) -> dict:
        """The declared measure ``dvds_share_accepted`` (measures.yaml), as a rate figure."""
        decided = self.accepted + self.rejected
        return {"value": round(100 * self.accepted / decided, 1) if decided else None,
                "numerator": self.accepted, "denominator": decided}


def count_candidates(start: date, end: date, casebook_url: str | None = None) -> CandidateCounts | None:
    """The candidates raised, and those decided, from UK day ``start`` up to ``end``: counts
    with no personal data, for the pack (built without signing in) and the figures pages.
    None when the casebook cannot be read (no casebook yet)."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    since, until = (datetime(d.year, d.month, d.day, tzinfo=UK) for d in (start, end))
    within = lambda moment: moment is not None and since <= as_utc(moment) < until
    try:
        with db.transaction(casebook_url, readonly=True) as session:
            items = session.execute(select(ReviewItem.created_at, ReviewItem.decided_at, ReviewItem.status).where(
                ReviewItem.domain == DOMAIN, ReviewItem.kind == CANDIDATE_KIND)).all()
    except SQLAlchemyError:
        return None
    decided = [status for _, decided_at, status in items if within(decided_at)]
    return CandidateCounts(raised=sum(within(created) for created, _, _ in items),
                           accepted=decided.count(ACCEPTED), rejected=decided.count(REJECTED))
