import csv
import io
import json

from tests.warehouse.holder import warehouse_held_open
from typer.testing import CliRunner

from peel.cli import app
from peel.settings import get_settings

runner = CliRunner()


def test_measures_command_writes_json_with_every_figure(con):
    con.close()  # the command opens the warehouse itself, read-only
    result = runner.invoke(app, ["measures", "--crime-type", "residential-burglary", "--month", "2026-03", "--as-of", "2026-03-11", "--format", "json", "--no-patterns"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["crime_type"] == "Residential burglary"
    cohort = [f for f in data["figures"] if f["measure_id"] == "solve_rate_cohort" and f["period"].startswith("March 2026")]
    assert (cohort[0]["numerator"], cohort[0]["denominator"]) == (1, 3)


def test_measures_command_writes_csv_for_a_district(con):
    con.close()
    result = runner.invoke(app, ["measures", "--crime-type", "burglary", "--month", "2026-03", "--area", "North", "--format", "csv", "--no-patterns"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {r["measure_id"] for r in rows} == {"recorded_crimes", "solve_rate_cohort", "solve_rate_period", "arrests"}


def test_measures_command_explains_an_unknown_area_and_exits_non_zero(con):
    con.close()
    result = runner.invoke(app, ["measures", "--month", "2026-03", "--area", "Atlantis"])
    assert result.exit_code == 2
    assert "No area 'Atlantis'" in result.output and "peel areas" in result.output


def test_measures_command_says_why_calendar_events_are_not_measured_without_day_dates(con):
    con.execute("UPDATE crime SET recorded_date = NULL")  # months only, as data.police.uk gives
    con.close()
    result = runner.invoke(app, ["measures", "--crime-type", "burglary", "--month", "2026-03"])
    assert result.exit_code == 0, result.output
    assert "calendar events not measured: rises around calendar events need the day each crime was recorded" in " ".join(result.output.split())


def test_measures_command_names_the_option_and_format_of_a_bad_as_of_date(con):
    con.close()
    for bad in ("2026-3-11", "2026-02-30", "11/03/2026"):
        result = runner.invoke(app, ["measures", "--month", "2026-03", "--as-of", bad])
        assert result.exit_code == 2
        assert f"--as-of: '{bad}' is not a date: expected YYYY-MM-DD" in " ".join(result.output.split())


def test_areas_command_lists_districts(con):
    con.close()
    result = runner.invoke(app, ["areas", "--level", "district"])
    assert result.exit_code == 0
    assert "North" in result.output and "South" in result.output and "North 001A" not in result.output


def test_areas_command_refuses_an_unknown_level_naming_the_levels(con):
    con.close()
    result = runner.invoke(app, ["areas", "--level", "districts"])
    assert result.exit_code == 2
    assert "'districts' is not one of" in result.output and "'neighbourhood'" in result.output


def test_areas_command_says_when_nothing_lies_within_the_area_given(con):
    con.close()
    result = runner.invoke(app, ["areas", "--within", "Atlantis"])
    assert result.exit_code == 0
    assert "No area within 'Atlantis'" in result.output and "load data first" not in result.output


def test_areas_command_without_a_warehouse_says_how_to_load_one(peel_home):
    result = runner.invoke(app, ["areas"])
    assert result.exit_code == 2
    assert "No warehouse at" in result.output and "peel demo-data" in result.output


def test_measures_areas_and_pack_say_the_warehouse_is_in_use(con):
    con.close()
    commands = (["measures", "--month", "2026-03"], ["areas"], ["pack", "--month", "2026-03"])
    with warehouse_held_open(get_settings().warehouse_path):
        results = [runner.invoke(app, command) for command in commands]
    for result in results:
        assert result.exit_code == 2, result.output
        assert "is in use by another process" in " ".join(result.output.split())
