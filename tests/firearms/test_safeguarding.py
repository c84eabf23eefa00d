"""Safeguarding review items from linked records: recall and precision against the demo's
planted truth, raised once, decided by a person."""

from datetime import date

import duckdb
import pandas as pd
import pytest
from sqlalchemy import select

from peel.casebook import db, review
from peel.casebook.errors import AccessRefused, PurposeRequired
from peel.casebook.models import ReviewItem
from peel.firearms.evaluation import NAME_ONLY_UNLINKED, NAME_ONLY_WEAK, NOT_AT_ADDRESS, evaluate
from peel.firearms.safeguarding import (
    ALGORITHM,
    DOB_AGREES,
    GIVES_FORENAME,
    SAME_FORENAME,
    decide_alert,
    find_evidence,
    raise_alerts,
)

from .conftest import OFFICER, PCC_OFFICE, PURPOSE, SECOND_OFFICER


def test_evaluate_meets_the_recall_and_precision_targets(demo, linked_demo):
    result = evaluate(demo, linked_demo / "demo" / "truth" / "firearms_holders.parquet")
    assert result.planted >= 30
    # Issue 15's target: recall 0.95 at precision 0.9. On the test-sized demo with every agenda
    # item's generator: recall 0.968, 0.984 and 0.952 on seeds 42, 7 and 2026, precision 0.953,
    # 0.969 and 0.938 (docs/firearms.md, bench/firearms.py --seed N); the misses left are records
    # giving only a name, or an address without a house number.
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


@pytest.mark.parametrize(("born", "recorded", "agrees"), [
    (date(1975, 3, 21), date(1975, 3, 21), True),
    (date(1975, 3, 21), date(1976, 3, 21), True),  # one digit of the year
    (date(1975, 3, 21), date(1975, 3, 12), True),  # two digits of the day swapped
    (date(1975, 3, 12), date(1975, 12, 3), True),  # day and month swapped
    (date(1975, 3, 21), date(1995, 3, 21), True),  # one digit, however many years it moves
    (date(1975, 3, 21), date(2003, 3, 21), False),  # a parent and a child of one name: two digits
    (date(1992, 4, 26), date(1992, 4, 30), False),  # two digits of the day
    (date(1975, 3, 21), None, False),
])
def test_a_date_of_birth_agrees_within_one_keying_slip(born, recorded, agrees):
    con = duckdb.connect()
    con.register("r", pd.DataFrame({"date_of_birth": pd.to_datetime([recorded])}))
    con.register("h", pd.DataFrame({"dob": pd.to_datetime([born])}))
    assert con.execute(f"SELECT {DOB_AGREES.format(r='r', h='h')} FROM r, h").fetchone()[0] is agrees


@pytest.mark.parametrize(("forename", "surname", "gives"), [
    ("CHRISTOPHER", "DAVIS", True),
    ("CHRISTOPHR", "DAVIS", True),  # a slip
    ("DAVIS", "CHRISTOPHER", True),  # written the wrong way round
    ("CHARLIE", "DAVIS", False),  # another of the household, or a namesake chained in
])
def test_a_record_gives_the_holders_forename(forename, surname, gives):
    con = duckdb.connect()
    con.register("r", pd.DataFrame({"forename": [forename], "surname": [surname]}))
    con.register("h", pd.DataFrame({"forename": ["CHRISTOPHER"]}))
    sql = GIVES_FORENAME.format(same_name=SAME_FORENAME)
    assert con.execute(f"SELECT {sql} FROM r, h").fetchone()[0] is gives


def test_a_record_giving_only_a_name_counts_by_how_rare_the_name_is(demo):
    """Its probability is 1 / (1 + the records expected to carry the name by chance), counted
    here from person_record, and it is raised only at or above the run's match threshold."""
    evidence = find_evidence(demo)
    names = demo.execute("SELECT record_key, forename, surname FROM person_record").df()
    named = names.dropna(subset=["forename", "surname"])
    forename = names.forename.value_counts(normalize=True)
    surname = names.surname.value_counts(normalize=True)
    threshold = demo.execute("SELECT match_threshold FROM linkage_run ORDER BY run_id DESC LIMIT 1").fetchone()[0]
    only = evidence[evidence.basis == "name only"].merge(names, on="record_key")
    assert len(only) and (evidence.basis == "linked").any()
    for row in only.itertuples():
        expected = 1 / (1 + len(named) * forename[row.forename] * surname[row.surname])
        assert row.link_probability == pytest.approx(expected)
        assert row.link_probability >= threshold
