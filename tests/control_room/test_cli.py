"""`peel control-room ...` on a warehouse holding the small control room."""

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peel.cli import app

MAPPINGS = Path(__file__).resolve().parents[2] / "src" / "peel" / "control_room" / "mappings"


@pytest.fixture
def home(control_room_demo, tmp_path, monkeypatch):
    """A copy of the small control room's warehouse (the fixture's own stays open to write)."""
    control_room_demo.con.execute("CHECKPOINT")
    shutil.copy(control_room_demo.home / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    monkeypatch.setenv("PEEL_HOME", str(tmp_path))
    return tmp_path


def test_performance_prints_each_measure(home):
    result = CliRunner().invoke(app, ["control-room", "performance", "--month", "2025-06"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "999 calls answered within 10" in result.output and "Incidents attended within" in result.output


def test_performance_refuses_an_unknown_breakdown(home):
    result = CliRunner().invoke(app, ["control-room", "performance", "--month", "2025-06", "--by", "shift"])
    assert result.exit_code == 1
    assert "Unknown breakdown 'shift'" in result.output


def test_load_refuses_a_bad_file_naming_its_line(peel_home, tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text("IncidentRef,Grade,Created,Dispatched,Arrived,Closed,District,LSOA,RuralUrban,Lat,Lon,Units\n"
                    "I1,G1,2025-07-01T10:00:00Z,2025-07-01T09:00:00Z,,,X1,N1,Urban,,,\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["control-room", "load", "incidents", str(path), "-m",
                                      str(MAPPINGS / "incidents.yaml")], terminal_width=200)
    assert result.exit_code == 1
    assert "line 2: dispatched before it was created" in result.output


def test_forecast_prints_each_day_and_series(home):
    result = CliRunner().invoke(app, ["control-room", "forecast", "--days", "2"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "2026-03-11" in result.output and "2026-03-12" in result.output and "emergency" in result.output


def test_roster_prints_the_shifts_and_the_roster_worked(home):
    result = CliRunner().invoke(app, ["control-room", "roster", "--week", "2025-11-03"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "rostered" in result.output and "worked" in result.output and "night" in result.output


def test_roster_for_a_district_s_officers_on_a_pattern(home):
    result = CliRunner().invoke(app, ["control-room", "roster", "--week", "2025-11-03", "--district", "X07000001",
                                      "--pattern", "tens"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "evening" in result.output and "staff-hours rostered" in result.output


def test_roster_refuses_an_unknown_pattern(home):
    result = CliRunner().invoke(app, ["control-room", "roster", "--week", "2025-11-03", "--district", "X07000001",
                                      "--pattern", "twelves"], terminal_width=200)
    assert result.exit_code == 1
    assert "Unknown pattern 'twelves': choose one of eights, tens" in result.output
