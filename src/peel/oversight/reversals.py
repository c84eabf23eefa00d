"""False positives found later, derived from the review queue's own decisions: a proposal a
person accepted, about a subject, and then a later proposal of the same kind about the same
subject (a record pair, a person, a holder) that a person rejected - the acceptance reversed
on a second look. Counted in the month the reversal was decided, per domain and kind.

Only what the queue records is counted: a domain that reverses a decision elsewhere (in a
case's own decisions, say) is not seen here, and the report says "derived from the review
queue" beside the figure. Counts only: subjects are compared, never returned.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from peel.casebook.models import ACCEPTED, REJECTED, ReviewItem, as_utc


def count_reversals(session: Session, since: datetime, until: datetime) -> Counter[tuple[str, str]]:
    """Per (domain, kind): acceptances reversed by a rejection decided in [since, until)."""
    rows = session.execute(
        select(ReviewItem.domain, ReviewItem.kind, ReviewItem.subject_ref, ReviewItem.status,
               ReviewItem.created_at, ReviewItem.decided_at, ReviewItem.id)
        .where(ReviewItem.subject_ref.is_not(None), ReviewItem.status.in_((ACCEPTED, REJECTED)))
        .order_by(ReviewItem.created_at, ReviewItem.id)).all()
    by_subject = defaultdict(list)
    for row in rows:
        by_subject[(row.domain, row.kind, row.subject_ref)].append(row)
    reversed_ = Counter()
    for (domain, kind, _), items in by_subject.items():
        accepted = False
        for item in items:
            if item.status == ACCEPTED:
                accepted = True
            elif accepted and since <= as_utc(item.decided_at) < until:
                reversed_[(domain, kind)] += 1
                accepted = False  # one reversal per acceptance
    return reversed_
