"""The pack's control-room section, built from the demo records."""

import shutil
from dataclasses import replace
from datetime import date

import duckdb
import pandas as pd
import pytest

from peel.control_room import response
from peel.control_room.response import officers_week
from peel.control_room.section import (
    KIND,
    as_rows,
    get_control_room_section,
    render_control_room_section,
)
from peel.control_room.standards import get_standards
from peel.pack.agenda import KINDS, read_agenda
from peel.warehouse.derived import list_derived


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


@pytest.fixture
def published(control_room_demo, tmp_path):
    """The small control room as a published generation, opened read-only as `peel pack` opens it."""
    control_room_demo.con.execute("CHECKPOINT")
    file = tmp_path / "warehouse-1.duckdb"
    shutil.copyfile(control_room_demo.home / "warehouse.duckdb", file)
    return file


def test_a_rebuild_from_the_same_generation_reads_the_simulated_officers_back(published, monkeypatch):
    simulated = []

    def counted(*args, **kwargs):
        simulated.append(args[1])
        return officers_week(*args, **kwargs)

    monkeypatch.setattr(response, "officers_week", counted)
    sections = []
    for _ in range(2):
        with duckdb.connect(str(published), read_only=True) as con:
            sections.append(get_control_room_section(con, date(2026, 3, 1)))
    assert simulated == [date(2026, 3, 2)]
    pd.testing.assert_frame_equal(sections[0].officers, sections[1].officers)
    assert render_control_room_section(sections[0]) == render_control_room_section(sections[1])
    [entry] = list_derived(published)
    assert entry["kind"] == "control_room.officers_week" and entry["key"]["week_start"] == "2026-03-02"


def test_another_week_seed_standard_or_generation_simulates_again(published, monkeypatch):
    simulated = []

    def fake(con, week, seed=0):
        simulated.append((week, seed))
        return pd.DataFrame({"district": ["E1"], "officers_per_shift": [3]})

    def kept(file, week=date(2026, 3, 2), seed=0):
        with duckdb.connect(str(file), read_only=True) as con:
            return response.kept_officers_week(con, week, seed)

    monkeypatch.setattr(response, "officers_week", fake)
    kept(published)
    kept(published)
    assert len(simulated) == 1
    kept(published, week=date(2026, 2, 23))
    kept(published, seed=1)
    assert len(simulated) == 3
    standards = get_standards()
    monkeypatch.setattr(response, "get_standards", lambda: replace(standards, attendance_goal=0.5))
    kept(published)
    assert len(simulated) == 4
    monkeypatch.setattr(response, "get_standards", lambda: standards)
    newer = shutil.copyfile(published, published.with_name("warehouse-2.duckdb"))  # the next load's
    kept(newer)
    assert len(simulated) == 5
    kept(published)  # the older generation's entry is still there
    assert len(simulated) == 5
