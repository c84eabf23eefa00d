"""`peel dvds`: the figures and the Home Office return from the command line (aggregates, no session)."""

from __future__ import annotations

import shutil
from datetime import date

from tests.dvds.conftest import queue_candidates
from typer.testing import CliRunner

from peel.cli import app
from peel.dvds.figures import RETURN_COLUMNS, figures, period
from peel.warehouse import connect

runner = CliRunner()


def test_figures_prints_each_route_for_a_financial_year(small_demo_home, peel_home):
    # A copy: the command reads the casebook for the candidates, and makes one where there is none.
    peel_home.mkdir(parents=True)
    shutil.copyfile(small_demo_home / "warehouse.duckdb", peel_home / "warehouse.duckdb")
    result = runner.invoke(app, ["dvds", "figures", "--year", "2025/26"])
    assert result.exit_code == 0, result.output
    con = connect(read_only=True)
    start, end, _ = period("2025/26")
    requests = figures(con, start, end)["right_to_know"]["dvds_requests"]["value"]
    con.close()
    assert "financial year 2025/26" in result.output and f"{requests:,}" in result.output


def test_figures_prints_the_candidates_and_the_share_accepted_as_the_page_does(small_demo_home, web_settings):
    shutil.copyfile(small_demo_home / "warehouse.duckdb", web_settings.home / "warehouse.duckdb")
    queue_candidates(web_settings.casebook_url, raised=13, declined=10)
    result = runner.invoke(app, ["dvds", "figures", "--year", str(date.today().year)])
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.replace("│", " ").split()) for line in result.output.splitlines()]
    assert {"Raised 13", "Declined 10", "Right to Know candidates accepted 0.0% (0 of 10)"} <= set(lines)
    assert "Accepted (a Right to Know case opened) 0" in lines


def test_return_writes_the_home_office_csv(small_demo_home, monkeypatch):
    monkeypatch.setenv("PEEL_HOME", str(small_demo_home))
    result = runner.invoke(app, ["dvds", "return", "--year", "2024", "--force", "Chalkshire"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == ",".join(RETURN_COLUMNS)
    assert result.output.splitlines()[1].startswith("Chalkshire,2024/25,")
