"""The pack's Clare's Law section: built from the declared figures, small counts hidden, in item 5."""

from __future__ import annotations

from datetime import date

from peel.dvds.figures import figures
from peel.dvds.section import KIND, build, published, recognition_started, render
from peel.pack.agenda import KINDS, read_agenda


def test_build_shows_each_route_with_last_year_and_the_recognition_comparison(warehouse):
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


def test_default_agenda_puts_clares_law_in_item_5():
    assert KINDS["clares_law"] is KIND
    item = read_agenda()[4]
    assert item.sections[0].kind is KIND
