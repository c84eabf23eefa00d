"""Safeguarding review items from linked records: recall and precision against the demo's
planted truth, raised once, decided by a person."""

import pytest
from sqlalchemy import select

from peel.casebook import db, review
from peel.casebook.errors import AccessRefused, PurposeRequired
from peel.casebook.models import ReviewItem
from peel.firearms.evaluation import NAME_ONLY_UNLINKED, NAME_ONLY_WEAK, NOT_AT_ADDRESS, evaluate
from peel.firearms.safeguarding import ALGORITHM, decide_alert, raise_alerts

from .conftest import OFFICER, PCC_OFFICE, PURPOSE, SECOND_OFFICER


def test_evaluate_meets_the_recall_and_precision_targets(demo, linked_demo):
    result = evaluate(demo, linked_demo / "demo" / "truth" / "firearms_holders.parquet")
    assert result.planted >= 30
    # Issue 15's target: recall 0.95 at precision 0.9. On the test-sized demo with every agenda
    # item's generator: recall 0.968, 0.984 and 0.952 on seeds 42, 7 and 2026, precision 0.984
    # on each (docs/firearms.md); the misses left are records giving only a name, or an address
    # without a house number.
    assert result.recall >= 0.95
    assert result.precision >= 0.9
    assert result.controls_raised == 0
    assert len(result.misses) == result.planted - result.true_positives
    assert {miss["category"] for miss in result.misses} <= {NAME_ONLY_UNLINKED, NAME_ONLY_WEAK, NOT_AT_ADDRESS}
    assert all(miss["why"] for miss in result.misses)


def test_raise_alerts_refused_without_a_purpose(demo):
    with pytest.raises(PurposeRequired):
        raise_alerts(demo, OFFICER, purpose=None)


def test_raise_alerts_files_each_holder_once_and_a_person_decides(demo):
    first = raise_alerts(demo, OFFICER, purpose=PURPOSE)
    again = raise_alerts(demo, OFFICER, purpose=PURPOSE)
    assert first.raised == first.holders > 0
    assert (again.raised, again.already) == (0, first.holders)
    with db.transaction(readonly=True) as session:
        item = session.execute(select(ReviewItem).where(ReviewItem.proposed_by_algorithm == ALGORITHM)
                               .order_by(ReviewItem.id)).scalars().first()
        payload = dict(item.payload)
    assert payload["evidence"] and all(e["why"] and e["relation"] for e in payload["evidence"])
    with pytest.raises(AccessRefused):
        decide_alert(PCC_OFFICE, item.id, outcome="revoke", reason="the PCC's office may not decide this")
    decide_alert(SECOND_OFFICER, item.id, outcome="review", reason="domestic incident at the address last month")
    with db.transaction() as session:
        decided = review.show_item(session, SECOND_OFFICER, item.id, purpose=PURPOSE)
    assert decided.status == "accepted" and decided.reason.startswith("review: ")
