"""Item 2 of the March 2026 pack, every figure checked against an independent count of the
generated records: the generator's own truth (truth/lfr.json), and the raw rows counted in
Python on the UK clock."""

from collections import Counter
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta

from peel.demo import SMALL_DEMO
from peel.lfr.section import KIND, describe_rate, get_lfr_section
from peel.lfr.stats import get_upper_bound
from peel.pack.agenda import read_agenda

MARCH = date(2026, 3, 1)
AS_OF = date.fromisoformat(SMALL_DEMO["as_of"])
UK = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def section(lfr_demo):
    return get_lfr_section(lfr_demo.con, MARCH)


def truth_in(truth: dict, start: date, end: date) -> dict:
    """The generator's per-deployment counts, summed over deployments on days in [start, end)."""
    totals = Counter()
    for counts in truth["deployments"].values():
        if start <= date.fromisoformat(counts["day"]) < end:
            totals.update({k: v for k, v in counts.items() if k not in ("day", "threshold")} | {"deployments": 1})
    return totals


def test_get_lfr_section_month_figures_match_the_generators_truth(lfr_demo, section):
    expected = truth_in(lfr_demo.truth, MARCH, date(2026, 4, 1))
    m = section.month_figures
    assert section.as_of == AS_OF
    assert (m.deployments, m.faces_seen, m.alerts, m.false_alerts.count, m.arrests) == (
        expected["deployments"], expected["faces_seen"], expected["alerts"], expected["false_alerts"],
        expected["arrests"])
    assert m.false_alerts.upper == pytest.approx(get_upper_bound(expected["false_alerts"], expected["alerts"]))


def test_get_lfr_section_twelve_months_match_the_raw_rows_counted_on_the_uk_clock(lfr_demo, section):
    alerts = lfr_demo.con.execute("SELECT alerted_at, adjudication, outcome FROM lfr_alert").fetchall()
    days = [(t.astimezone(UK).date(), adjudication, outcome) for t, adjudication, outcome in alerts]
    year = [(d, a, o) for d, a, o in days if date(2025, 4, 1) <= d <= AS_OF]
    y = section.year_figures
    assert y.alerts == len(year)
    assert y.false_alerts.count == sum(a == "false" for _, a, _ in year)
    assert y.arrests == sum(o == "arrest" for _, _, o in year)
    assert [p.alerts for p in section.monthly] == [
        sum(1 for d, _, _ in year if (d.year, d.month) == (p.start.year, p.start.month)) for p in section.monthly]
    assert sum(p.arrests for p in section.monthly) == y.arrests


def test_get_lfr_section_flags_exactly_the_planted_deletion_gaps(lfr_demo, section):
    assert {d.ref: d.missing_evidence for d in section.deletion_gaps} == {
        ref: [missing] for ref, missing in lfr_demo.truth["deletion_gaps"].items()}


def test_get_lfr_section_lists_the_months_deployments_and_the_next_survey_and_reviews(lfr_demo, section):
    expected = sorted(ref for ref, c in lfr_demo.truth["deployments"].items() if c["day"].startswith("2026-03"))
    assert sorted(d.ref for d in section.deployments if d.has_results) == expected
    last_survey = date.fromisoformat(lfr_demo.truth["surveys"][-1][1])
    assert section.next_survey == last_survey + relativedelta(months=6)
    assert section.survey_reminder == (section.next_survey.toordinal() - AS_OF.toordinal() <= 30)
    assert set(section.next_reviews) == {"Independent advisory group", "Race Inclusion Board", "Ethics panel"}


def test_render_lfr_section_never_says_zero_percent_alone_and_hides_small_counts(section):
    html = KIND.render(section)
    assert "not a rate of 0%" in html or "at most" in html
    assert "fewer than 10" in html  # the fairness tables' small cells
    assert "WL-" not in html  # no alert's subject


def test_describe_rate_at_zero_gives_the_bound():
    from peel.lfr.stats import get_rate
    assert describe_rate(get_rate(0, 54), "false alerts", "alerts") == (
        "0 false alerts in 54 alerts: not a rate of 0%, but a rate below 5.4% (95% upper bound)")


def test_read_agenda_default_has_the_lfr_section_for_item_2():
    (section,) = read_agenda()[1].sections
    assert section.kind is KIND
