"""`peel dvds`: the figures and the Home Office return from the command line (aggregates, no session)."""

from __future__ import annotations

from typer.testing import CliRunner

from peel.cli import app
from peel.dvds.figures import RETURN_COLUMNS, figures, period
from peel.warehouse import connect

runner = CliRunner()


def test_figures_prints_each_route_for_a_financial_year(small_demo_home, monkeypatch):
    monkeypatch.setenv("PEEL_HOME", str(small_demo_home))
    result = runner.invoke(app, ["dvds", "figures", "--year", "2025/26"])
    assert result.exit_code == 0, result.output
    con = connect(read_only=True)
    start, end, _ = period("2025/26")
    requests = figures(con, start, end)["right_to_know"]["dvds_requests"]["value"]
    con.close()
    assert "financial year 2025/26" in result.output and f"{requests:,}" in result.output


def test_return_writes_the_home_office_csv(small_demo_home, monkeypatch):
    monkeypatch.setenv("PEEL_HOME", str(small_demo_home))
    result = runner.invoke(app, ["dvds", "return", "--year", "2024", "--force", "Chalkshire"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == ",".join(RETURN_COLUMNS)
    assert result.output.splitlines()[1].startswith("Chalkshire,2024/25,")
