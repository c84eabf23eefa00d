"""Meeting actions from the command line, and the pack that opens with them."""

from __future__ import annotations

from datetime import date

import pytest
import typer
from typer.testing import CliRunner

from peel.casebook import db, users
from peel.pack.build import build_pack, read_pack_actions
from peel.pack.cli import register
from peel.section import AgendaItem, Section, SectionKind

PCC, ANALYST = "pcc.officer", "analyst"

# The actions open the pack whatever its agenda: a one-line section stands in for the
# meeting's (whose figures take twenty seconds to build and are tested in test_build.py).
ONE_LINE = SectionKind("one_line", "crime", "One line.", "nothing", get_data_to=lambda con: date(2026, 3, 11),
                       build=lambda con, month: month, render=lambda month: f"<p>Figures for {month:%B %Y}.</p>")
AGENDA = [AgendaItem("Burglary", [Section(ONE_LINE, "Burglary")])]


def run_peel(*args: str):
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


@pytest.fixture
def casebook(peel_home, log_in):
    """A casebook with the PCC's scrutiny officer and a force performance analyst, both signed in."""
    with db.transaction() as session:
        users.add_user(session, "admin", "administrator", acting=None, identity_provider="https://sso.test",
                       external_subject="admin")
        for name, role in ((PCC, "pcc_scrutiny_officer"), (ANALYST, "performance_analyst")):
            users.add_user(session, name, role, acting="admin", identity_provider="https://sso.test",
                           external_subject=name)
    log_in(PCC)
    log_in(ANALYST)
    yield
    db.dispose_engines()


def add_action(text: str, meeting: str = "2026-02") -> str:
    done = run_peel("actions", "add", text, "--meeting", meeting, "--item", "Burglary",
                    "--owner", "Head of Neighbourhood Policing", "--due", "2026-04-30", "--as", PCC)
    assert done.exit_code == 0, done.output
    return done.output.split("Recorded action ")[1].rstrip(".\n")


def test_actions_add_list_update_as_the_pccs_office_and_the_force(casebook):
    number = add_action("Report on the Diwali patrols")
    updated = run_peel("actions", "update", number, "--status", "done",
                       "--evidence", "Report presented on 12 April", "--as", ANALYST)
    assert updated.exit_code == 0 and f"Action {number} is now done." in updated.output
    listed = run_peel("actions", "list", "--meeting", "2026-02", "--as", PCC).output
    assert "Report on the Diwali patrols" in listed and "Report presented on 12 April" in listed
    assert ANALYST in listed and "Head of Neighbourhood Policing" in listed
    assert "No actions." in run_peel("actions", "list", "--status", "open", "--as", PCC).output


def test_actions_refuses_the_wrong_role_and_bad_dates(casebook):
    refused = run_peel("actions", "add", "Anything", "--meeting", "2026-02", "--item", "Burglary",
                       "--owner", "Head of Crime", "--due", "2026-04-30", "--as", ANALYST)
    assert refused.exit_code == 2 and "may not record meeting actions in the pack domain" in refused.output
    bad = run_peel("actions", "add", "Anything", "--meeting", "2026-02", "--item", "Burglary",
                   "--owner", "Head of Crime", "--due", "30/04/2026", "--as", PCC)
    assert bad.exit_code == 2 and "enter it as YYYY-MM-DD" in bad.output


def test_build_pack_opens_with_the_earlier_meetings_actions(casebook, county_demo, tmp_path):
    add_action("Report on the Diwali patrols")
    add_action("Agreed in March, shown from April", meeting="2026-03")
    actions = read_pack_actions(date(2026, 3, 1))
    html = build_pack(county_demo.con, date(2026, 3, 1), tmp_path / "pack", AGENDA, actions=actions).html.read_text()

    opening = html.split("<h2>Actions from previous meetings</h2>")[1].split("Item 1:")[0]
    assert "<td>February 2026</td><td>Burglary</td><td>Report on the Diwali patrols</td>" in opening
    assert "<td>Head of Neighbourhood Policing</td><td>30 April 2026</td><td class=\"status\">Open</td>" in opening
    assert "Agreed in March" not in opening
    assert PCC not in html  # who recorded it is not published


def test_build_pack_says_when_no_earlier_action_is_open(county_demo, tmp_path):
    html = build_pack(county_demo.con, date(2026, 3, 1), tmp_path / "pack", AGENDA).html.read_text()
    assert "No action from an earlier meeting is open, and none was done since the previous meeting." in html
