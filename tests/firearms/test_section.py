"""The pack's item 4 on the linked demo."""

from datetime import date

from peel.firearms.section import KIND
from peel.pack.agenda import read_agenda


def test_default_agenda_item_4_is_the_firearms_section():
    [section] = next(item for item in read_agenda() if item.title == "Firearms licensing").sections
    assert section.kind is KIND


def test_render_firearms_section_gives_the_backlog_forecast_and_staffing(demo):
    built = KIND.build(demo, date(2026, 3, 1), staff=10)
    html = KIND.render(built)
    assert f"{built.backlog.total:,} renewals outstanding</strong> on 11 March 2026" in html
    assert f"Forecast with {built.forecast.officers + 10} officers" in html
    assert "80% interval" in html and "22 of 25 policies assessed" in html
