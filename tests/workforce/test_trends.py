"""Item 3's charts: drawn by the one chart renderer from the section's own figures (which
test_section checks against independent counts), each with its text alternative."""

from __future__ import annotations

from datetime import date

import pytest
from markupsafe import escape
from tests.workforce.conftest import AS_OF

from peel.workforce.figures import MonthValue
from peel.workforce.section import render_workforce_section
from peel.workforce.trends import (
    BEFORE,
    SINCE,
    complete_months,
    describe_rate_chart,
    draw_charts,
    rate_chart_rows,
    training_chart_rows,
    wellbeing_chart_rows,
)


@pytest.fixture(scope="module")
def charts(section):
    return draw_charts(section)


def test_draw_charts_gives_each_chart_its_description_as_the_svgs_title(charts):
    assert set(charts) == {"days_lost_per_fte", "share_absent", "wellbeing", "training"}
    for chart in charts.values():
        assert str(chart.svg).startswith("<svg") and 'role="img"' in chart.svg
        assert f"<title>{escape(chart.description)}</title>" in chart.svg


def test_rate_chart_rows_mark_the_months_the_change_since_training_compares(section):
    rows = rate_chart_rows(complete_months(section.sickness, AS_OF), section.training_start, section.change_end)
    marked = {r["month"]: r["compared"] for r in rows if r["compared"]}
    assert marked == {**{f"2024-{m:02d}-01": BEFORE for m in (10, 11, 12)}, "2025-01-01": BEFORE, "2025-02-01": BEFORE,
                      **{f"2025-{m:02d}-01": SINCE for m in (10, 11, 12)}, "2026-01-01": SINCE, "2026-02-01": SINCE}
    assert [r["month"] for r in rows if r["training_started"]] == ["2025-10-01"]
    # The chart draws the section's figures, to February: March runs only to the 11th.
    assert rows[-1]["month"] == "2026-02-01"
    assert [r["value"] for r in rows] == [m.value for m in section.sickness if m.month < date(2026, 3, 1)]


def test_describe_rate_chart_names_its_span_extremes_and_the_month_left_out(section):
    rows = complete_months(section.sickness, AS_OF)
    text = describe_rate_chart(rows, "working days lost per FTE", lambda v: f"{v:.2f}", section.training_start,
                               section.change_end, AS_OF)
    high = max(rows, key=lambda r: r.value)
    assert text.startswith("Chart of working days lost per FTE each month, force-wide, from April 2024 to February 2026")
    assert f"highest {high.value:.2f} ({high.month.strftime('%B %Y')})" in text
    assert "start of leadership training (October 2025)" in text and "March 2026 is not drawn" in text


def test_describe_rate_chart_without_a_complete_month_says_so():
    assert describe_rate_chart([], "the share absent", str, None, date(2026, 3, 1), AS_OF) == (
        "No complete month of the share absent to chart yet.")


def test_training_chart_rows_give_each_rank_booked_and_completed_as_in_the_table(section):
    rows = {(r["rank"], r["stage"]): r for r in training_chart_rows(section.training)}
    for t in section.training:
        assert rows[(t.rank, "booked or attended")]["percent"] == t.booked_percent
        assert rows[(t.rank, "completed")]["label"].endswith(f"({t.completed:,} of {t.in_post:,})")


def test_wellbeing_chart_rows_count_a_month_without_contacts_as_zero():
    rows = [MonthValue(date(2026, 1, 1), "Peer network", 3, 1), MonthValue(date(2026, 2, 1), "Trauma support", 2, 1)]
    assert wellbeing_chart_rows(rows) == [
        {"month": "2026-01-01", "service": "Peer network", "people": 3},
        {"month": "2026-01-01", "service": "Trauma support", "people": 0},
        {"month": "2026-02-01", "service": "Peer network", "people": 0},
        {"month": "2026-02-01", "service": "Trauma support", "people": 2}]


def test_render_workforce_section_shows_each_chart_with_its_description(section, charts):
    page = render_workforce_section(section)
    assert page.count("<svg") == 4
    for chart in charts.values():
        assert f'<p class="definition">{escape(chart.description)}</p>' in page
