"""The review queue: algorithms propose, a named person with the right role decides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from peel.casebook import db, review
from peel.casebook.errors import (
    AccessRefused,
    InvalidInput,
    InvalidStateChange,
    NotFound,
    PurposeRequired,
)
from peel.casebook.roles import Domain

from .conftest import audit_entries, count_rows, statements_sent


@pytest.fixture
def link_item(staff, casebook_url) -> int:
    with db.transaction(casebook_url) as s:
        return review.propose(s, domain=Domain.LINKAGE, kind="record_link", summary="two records, p=0.97",
                              payload={"left": "nicherms:123", "right": "pnc:456", "probability": 0.97},
                              by_algorithm="splink-person-v1", subject_ref="P-5")


def test_decide_accepts_an_algorithm_proposal_and_keeps_who_why_and_when(link_item, casebook_url):
    with db.transaction(casebook_url) as s:
        review.decide(s, "intelligence.analyst", link_item, accept=True, reason="same date of birth and address")
        item = review.show_item(s, "intelligence.analyst", link_item, purpose="check the accepted link")
    assert (item.status, item.decided_by, item.reason) == ("accepted", "intelligence.analyst",
                                                           "same date of birth and address")
    assert item.proposed_by == "algorithm:splink-person-v1" and item.decided_at >= item.created_at
    assert item.payload["probability"] == 0.97


def test_decide_refuses_a_second_decision_with_nothing_written(link_item, casebook_url):
    with db.transaction(casebook_url) as s:
        review.decide(s, "intelligence.analyst", link_item, accept=False, reason="different people")
    before = count_rows(casebook_url, "audit_entry")
    with pytest.raises(InvalidStateChange, match="already rejected"), db.transaction(casebook_url) as s:
        review.decide(s, "supervisor", link_item, accept=True, reason="overrule the first decision")
    assert count_rows(casebook_url, "audit_entry") == before


def test_decide_refuses_your_own_proposal(staff, casebook_url):
    with db.transaction(casebook_url) as s:
        item_id = review.propose(s, domain=Domain.FIREARMS, kind="safeguarding_alert",
                                 summary="holder linked to a domestic incident", by_user="licensing.officer")
    with pytest.raises(InvalidStateChange, match="your own proposal"), db.transaction(casebook_url) as s:
        review.decide(s, "licensing.officer", item_id, accept=True, reason="agree with myself")
    with db.transaction(casebook_url) as s:
        review.decide(s, "supervisor", item_id, accept=True, reason="review the certificate")


def test_decide_needs_a_reason_and_the_right_role(link_item, casebook_url):
    with pytest.raises(PurposeRequired, match="reason"), db.transaction(casebook_url) as s:
        review.decide(s, "intelligence.analyst", link_item, accept=True, reason=" ")
    with pytest.raises(PurposeRequired, match="at least 10 characters"), db.transaction(casebook_url) as s:
        review.decide(s, "intelligence.analyst", link_item, accept=True, reason="ok")
    with pytest.raises(AccessRefused, match="licensing.officer"), db.transaction(casebook_url) as s:
        review.decide(s, "licensing.officer", link_item, accept=True, reason="not my domain")


def test_show_item_needs_a_purpose(link_item, casebook_url):
    with pytest.raises(PurposeRequired), db.transaction(casebook_url) as s:
        review.show_item(s, "intelligence.analyst", link_item, purpose="")


def test_show_item_finds_no_item_numbered_beyond_what_a_database_holds(link_item, casebook_url):
    # A number someone typed into an address: refused as not found, not a server error.
    with pytest.raises(NotFound, match="no review item 9223372036854775808"), db.transaction(casebook_url) as s:
        review.show_item(s, "intelligence.analyst", 2**63, purpose="check the link")


def test_propose_needs_exactly_one_proposer(staff, casebook_url):
    with pytest.raises(InvalidInput, match="exactly one"), db.transaction(casebook_url) as s:
        review.propose(s, domain=Domain.LFR, kind="alert", summary="alert", by_algorithm="x", by_user="lfr.operator")


def test_propose_by_a_person_logs_the_purpose_it_was_made_for(staff, casebook_url):
    with db.transaction(casebook_url) as s:
        item_id = review.propose(s, domain=Domain.INTELLIGENCE, kind="intelligence_pack", summary="a pack",
                                 by_user="intelligence.analyst", subject_ref="entity:7",
                                 purpose="Operation Kestrel: profile for the tasking meeting")
    [queued] = [e for e in audit_entries(casebook_url) if e.object_type == "review_item"]
    assert (queued.actor, queued.operation, queued.object_id, queued.subject_ref, queued.purpose) == (
        "intelligence.analyst", "collection", str(item_id), "entity:7", "Operation Kestrel: profile for the tasking meeting")


def test_list_items_shows_only_the_users_domains(link_item, staff, casebook_url):
    with db.transaction(casebook_url) as s:
        review.propose(s, domain=Domain.LFR, kind="lfr_alert", summary="watchlist alert at camera 2",
                       by_algorithm="vendor-matcher")
        analyst = review.list_items(s, "intelligence.analyst")
        operator = review.list_items(s, "lfr.operator")
        supervisor = review.list_items(s, "supervisor")
    assert [i.kind for i in analyst] == ["record_link"]
    assert [i.kind for i in operator] == ["lfr_alert"]
    assert sorted(i.kind for i in supervisor) == ["lfr_alert", "record_link"]
    with pytest.raises(AccessRefused, match="no review queue"), db.transaction(casebook_url) as s:
        review.list_items(s, "pcc.scrutiny.officer")
    with pytest.raises(InvalidInput, match="Unknown status 'done'"), db.transaction(casebook_url) as s:
        review.list_items(s, "supervisor", status="done")
    with pytest.raises(InvalidInput, match="Unknown domain 'dvd'"), db.transaction(casebook_url) as s:
        review.list_items(s, "supervisor", domain="dvd")


def test_count_decisions_counts_outcomes_and_time_to_decision(staff, casebook_url):
    with db.transaction(casebook_url) as s:
        ids = [review.propose(s, domain=Domain.LFR, kind="lfr_alert", summary=f"alert {n}",
                              by_algorithm="vendor-matcher") for n in range(4)]
        for item_id, accept in zip(ids[:3], [True, False, False]):
            review.decide(s, "lfr.operator", item_id, accept=accept, reason="adjudicated on site")
        counts = review.count_decisions(s, "performance.analyst")
        none = review.count_decisions(s, "performance.analyst", since=datetime.now(UTC) + timedelta(days=1))
    [lfr] = counts
    assert (lfr.proposer, lfr.proposed, lfr.accepted, lfr.rejected, lfr.pending) == ("algorithm", 4, 1, 2, 1)
    assert 0 <= lfr.median_hours_to_decision < 1
    assert none == []


def test_list_items_and_count_decisions_do_not_read_the_personal_data(link_item, casebook_url):
    with statements_sent(casebook_url) as sent, db.transaction(casebook_url) as s:
        [listed] = review.list_items(s, "intelligence.analyst")
        [counted] = review.count_decisions(s, "performance.analyst")
    assert listed.id == link_item and counted.proposed == 1
    reads = [statement for statement in sent if "review_item" in statement]
    assert reads and not any("payload" in statement for statement in reads)
