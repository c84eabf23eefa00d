"""The pack's Clare's Law section: built from the declared figures, small counts hidden, in item 5."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.dvds.conftest import OFFICER

from peel.casebook import db, review
from peel.casebook.models import ReviewItem
from peel.dvds.figures import figures, recognition_started
from peel.dvds.queue import CandidateCounts
from peel.dvds.recognition import ALGORITHM, CANDIDATE_KIND
from peel.dvds.section import KIND, _text, build, published, published_candidates, render
from peel.pack.agenda import KINDS, read_agenda


def test_build_shows_each_route_with_last_year_and_the_recognition_comparison(warehouse, peel_home):
    section = build(warehouse, date(2026, 2, 1))
    assert section.period == "01 March 2025 to 28 February 2026"
    assert {row["route"] for row in section.rows} == {"Right to Ask", "Right to Know"}
    started = recognition_started()
    after = figures(warehouse, started, date(2026, 3, 1))["right_to_know"]["dvds_requests"]["value"]
    assert section.before_after["after"]["dvds_requests"] == published(after)
    html = render(section)
    assert "Right to Know since recognition from linked data started" in html and "Definitions" in html


def test_published_hides_counts_from_one_to_nine():
    assert [published(v) for v in (0, 1, 9, 10, 2253)] == ["0", "fewer than 10", "fewer than 10", "10", "2,253"]


def test_text_hides_a_rate_whose_numerator_is_from_one_to_nine():
    assert [_text({"value": round(100 * n / 40, 1), "numerator": n, "denominator": 40}) for n in (0, 3, 30)] == [
        "0.0% (0 of 40)", "not shown (fewer than 10 cases completed, or completed within 28 days)", "75.0% (30 of 40)"]
    assert _text({"value": 50.0, "numerator": 4, "denominator": 8}).startswith("not shown")


def test_default_agenda_puts_clares_law_in_item_5():
    assert KINDS["clares_law"] is KIND
    item = read_agenda()[4]
    assert item.sections[0].kind is KIND


def test_build_counts_the_months_candidates_against_the_queue(warehouse, casebook_url, staff):
    """Candidates raised and decided this month, checked against what the test itself filed and
    decided: 23 raised this month (one more last year, not counted), 11 accepted, 3 declined."""
    with db.transaction(casebook_url) as s:
        items = [review.propose(s, domain="dvds", kind=CANDIDATE_KIND, summary=f"candidate {n}",
                                payload={"key": str(n), "evidence_ids": []}, by_algorithm=ALGORITHM)
                 for n in range(24)]
        s.get(ReviewItem, items[-1]).created_at = datetime(2025, 1, 15, tzinfo=UTC)
    with db.transaction(casebook_url) as s:
        for n, item in enumerate(items[:14]):
            review.decide(s, OFFICER, item, accept=n < 11, reason="the evidence on the record supports it")
    section = build(warehouse, date.today())
    assert section.month == f"{date.today():%B %Y}"
    assert section.candidates == {"raised": "23", "accepted": "11", "declined": "fewer than 10",
                                  "share_accepted": f"{round(100 * 11 / 14, 1)}% (11 of 14)"}
    assert "Right to Know candidates accepted: 78.6% (11 of 14)" in render(section)


def test_published_candidates_hides_small_counts_and_the_share_they_make():
    assert published_candidates(CandidateCounts(raised=3, accepted=0, rejected=2)) == {
        "raised": "fewer than 10", "accepted": "0", "declined": "fewer than 10",
        "share_accepted": "not shown (fewer than 10 candidates decided or accepted)"}
    assert published_candidates(None) is None
