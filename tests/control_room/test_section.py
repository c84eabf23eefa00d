"""The pack's control-room section, built from the demo records."""

from datetime import date

from peel.control_room.section import (
    KIND,
    as_rows,
    get_control_room_section,
    render_control_room_section,
)
from peel.pack.agenda import KINDS, read_agenda


def test_get_control_room_section_reports_last_month_forecast_and_staffing(control_room_demo):
    section = get_control_room_section(control_room_demo.con, date(2026, 3, 1))
    assert section.month == date(2026, 2, 1) and section.data_to == date(2026, 3, 10)
    rows = {(r["measure"], r["grade"]): r for r in as_rows(section.performance)}
    assert 0.5 < rows[("cr_999_answered_in_10s", None)]["value"] <= 1
    assert rows[("cr_attendance_in_target", "emergency")]["count"] > 0
    assert len(section.forecast) == 14 and section.forecast[0]["day"] == date(2026, 3, 11)
    assert section.week.week_start == date(2026, 3, 2) and len(section.week.hours) == 168
    html = render_control_room_section(section)
    assert "999 calls answered within 10 seconds" in html and "Staffing: proposed and worked" in html
    assert "Roster proposed: 999 call handlers" in html and "Response officers by shift pattern" in html
    assert section.roster.people > 0 and set(section.officers["pattern"]) == {"eights", "tens"}


def test_default_agenda_holds_the_control_room_section():
    assert KINDS["control_room_resources"] is KIND
    [item] = [i for i in read_agenda() if i.title == "Use of artificial intelligence"]
    assert [s.title for s in item.sections if getattr(s, "kind", None) is KIND] == ["Control-room resource management"]
