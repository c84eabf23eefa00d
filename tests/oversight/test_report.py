"""The monthly oversight report: each registered algorithm's proposals and what people decided,
in the month asked for, counted from the review queue; counts only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.casebook.conftest import add_staff
from tests.lfr.conftest import staff  # noqa: F401
from tests.lfr.test_register import planned_and_authorised
from tests.lfr.test_rules import make_plan

from peel.casebook import db, review
from peel.lfr.register import confirm_deployment, record_deletion, record_results
from peel.oversight.report import DeletionGap, get_oversight_report, get_pack_report
from peel.oversight.section import KIND
from peel.warehouse import connect


def test_get_oversight_report_counts_each_algorithm_s_proposals_and_decisions(peel_home, monkeypatch):
    url = f"sqlite:///{peel_home / 'casebook.sqlite'}"
    monkeypatch.setenv("PEEL_CASEBOOK_URL", url)
    add_staff(url, "admin", "administrator", acting=None)
    for name, role in (("analyst", "intelligence_analyst"), ("sgt", "supervisor"), ("pcc", "pcc_scrutiny_officer")):
        add_staff(url, name, role)
    with db.transaction(url) as s:
        pairs = [review.propose(s, domain="linkage", kind="person_record_pair", summary="a pair",
                                by_algorithm="peel-linkage", payload={}) for _ in range(3)]
        pack = review.propose(s, domain="intelligence", kind="intelligence_pack", summary="a pack",
                              by_user="analyst", payload={})
    with db.transaction(url) as s:
        review.decide(s, "sgt", pairs[0], accept=True, reason="same person on the evidence")
        review.decide(s, "sgt", pairs[1], accept=False, reason="different dates of birth")
        review.decide(s, "sgt", pack, accept=True, reason="sources checked, proportionate")
    today = date.today()
    report = {a.name: a for a in get_oversight_report("pcc", date(today.year, today.month, 1)).algorithms}
    linkage, packs = report["record-linkage"], report["intelligence-packs"]
    assert (linkage.proposed, linkage.accepted, linkage.rejected, linkage.pending, linkage.overridden) == (3, 1, 1, 1, 1)
    assert (packs.proposed, packs.accepted, packs.overridden) == (1, 1, None)
    assert report["crime-pattern-detection"].proposed == 0
    earlier = get_pack_report(date(2020, 1, 1))
    assert all(a.proposed == 0 for a in earlier.algorithms)
    html = KIND.render(get_pack_report(date(today.year, today.month, 1)))
    assert "Record linkage of persons across systems" in html and "analyst" not in html
    db.dispose_engines()


def test_get_oversight_report_counts_an_acceptance_reversed_later_and_the_month_s_rule_changes(peel_home, monkeypatch):
    url = f"sqlite:///{peel_home / 'casebook.sqlite'}"
    monkeypatch.setenv("PEEL_CASEBOOK_URL", url)
    add_staff(url, "admin", "administrator", acting=None)
    add_staff(url, "ppo", "public_protection_officer")
    add_staff(url, "pcc", "pcc_scrutiny_officer")
    with db.transaction(url) as s:
        first, other = (review.propose(s, domain="dvds", kind="right_to_know_candidate", summary="a candidate",
                                       by_algorithm="dvds-recognition", payload={}, subject_ref=ref)
                        for ref in ("entity:7", "entity:8"))
        review.decide(s, "ppo", first, accept=True, reason="history and new partner both recorded")
        review.decide(s, "ppo", other, accept=True, reason="history and new partner both recorded")
    with db.transaction(url) as s:  # a second look at entity 7: the earlier acceptance reversed
        again = review.propose(s, domain="dvds", kind="right_to_know_candidate", summary="a candidate",
                               by_algorithm="dvds-recognition", payload={}, subject_ref="entity:7")
        review.decide(s, "ppo", again, accept=False, reason="the partner link was a shared hostel address")
    today = date.today()
    report = {a.name: a for a in get_oversight_report("pcc", date(today.year, today.month, 1)).algorithms}
    assert report["dvds-recognition"].false_positives_found_later == 1
    assert report["record-linkage"].false_positives_found_later == 0
    december = {a.name: a for a in get_pack_report(date(2026, 12, 1)).algorithms}
    assert december["intelligence-packs"].rule_changes[0].startswith("Records linkage scored against")
    assert get_pack_report(date(2026, 10, 1)).algorithms[0].rule_changes == []
    db.dispose_engines()


def test_get_pack_report_shows_the_lfr_deletion_gaps_lfr_flags(staff):  # noqa: F811
    con = connect()
    ref = confirm_deployment(con, "planner", planned_and_authorised(), at=datetime(2026, 4, 1, tzinfo=UTC))
    record_results(con, "planner", ref, 6120)
    may = date(2026, 5, 1)  # the deployment ended on 2 May 2026
    report = get_pack_report(may, con=con)
    assert report.deletion_gaps == [DeletionGap(ref, ["watchlist destroyed", "non-matched data deleted"])]
    assert f"{ref}: no record that the watchlist destroyed or non-matched data deleted" in KIND.render(report)
    assert get_pack_report(date(2026, 4, 1), con=con).deletion_gaps == []  # not ended by the end of April
    for evidence in ("watchlist destroyed", "non-matched data deleted"):
        record_deletion(con, "planner", ref, evidence, make_plan().ends_at + timedelta(minutes=20), "PC Lane")
    assert get_pack_report(may, con=con).deletion_gaps == []
    assert get_pack_report(may).deletion_gaps is None  # no warehouse given: nothing said of LFR
    con.close()
