"""The monthly oversight report: each registered algorithm's proposals and what people decided,
in the month asked for, counted from the review queue; counts only."""

from __future__ import annotations

from datetime import date

from tests.casebook.conftest import add_staff

from peel.casebook import db, review
from peel.oversight.report import get_oversight_report, get_pack_report
from peel.oversight.section import KIND


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
