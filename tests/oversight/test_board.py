"""The AI-oversight board's own decisions: recorded in the casebook by its secretary (the
command, the web form, the API), logged, refused to other roles, and shown in the next month's
report and pack part."""

from __future__ import annotations

from datetime import date

import pytest
from tests.casebook.conftest import add_staff, audit_entries
from tests.web.conftest import (  # noqa: F401
    client,
    get_form_token,
    get_username,
    sign_in,
    staff_casebook,
    web_settings,
)
from typer.testing import CliRunner

from peel.casebook import db
from peel.casebook.errors import AccessRefused, InvalidInput
from peel.cli import app
from peel.oversight.board import previous_month, record_board_decision
from peel.oversight.report import get_oversight_report, get_pack_report
from peel.oversight.section import KIND

DECISION = "Keep the match threshold; sample 50 accepted pairs for the April board."


@pytest.fixture
def board(peel_home, monkeypatch) -> str:
    url = f"sqlite:///{peel_home / 'casebook.sqlite'}"
    monkeypatch.setenv("PEEL_CASEBOOK_URL", url)
    add_staff(url, "admin", "administrator", acting=None)
    add_staff(url, "board.sec", "oversight_board_secretary")
    add_staff(url, "pcc", "pcc_scrutiny_officer")
    yield url
    db.dispose_engines()


def test_record_board_decision_is_shown_in_the_next_month_s_report_only(board):
    record_board_decision("board.sec", month=date(2026, 3, 1), algorithm="record-linkage", outcome="continue",
                          decision=DECISION)
    record_board_decision("board.sec", month=date(2026, 3, 1), algorithm="all", outcome="investigate",
                          decision="Report each algorithm's false positives by source system.")
    april = get_oversight_report("pcc", date(2026, 4, 1))
    assert april.board_month == "March 2026"
    assert [(d.algorithm, d.outcome) for d in april.board_decisions] == [("record-linkage", "continue"),
                                                                         ("all", "investigate")]
    assert get_oversight_report("pcc", date(2026, 3, 1)).board_decisions == []
    html = KIND.render(get_pack_report(date(2026, 4, 1)))
    assert DECISION in html and "board.sec" not in html


def test_record_board_decision_refuses_another_role_and_an_unregistered_algorithm(board):
    with pytest.raises(AccessRefused):
        record_board_decision("pcc", month=date(2026, 3, 1), algorithm="record-linkage", outcome="continue",
                              decision=DECISION)
    assert [e.actor for e in audit_entries(board) if e.operation == "refusal"] == ["pcc"]
    with pytest.raises(InvalidInput, match="'crystal-ball' is not registered"):
        record_board_decision("board.sec", month=date(2026, 3, 1), algorithm="crystal-ball", outcome="continue",
                              decision=DECISION)


def test_decide_command_records_the_decision_and_logs_it(board, log_in):
    log_in("board.sec")
    result = CliRunner().invoke(app, ["oversight", "decide", "--month", "2026-03", "--algorithm", "dvds-recognition",
                                      "--outcome", "change", "--decision", DECISION], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "shown in next month's report" in result.output
    logged = [(e.actor, e.operation, e.object_type) for e in audit_entries(board) if e.actor == "board.sec"]
    assert ("board.sec", "collection", "case") in logged and ("board.sec", "alteration", "case") in logged
    shown = CliRunner().invoke(app, ["oversight", "report", "--month", "2026-04", "--as", "board.sec"],
                               env={"COLUMNS": "250"})
    assert "dvds-recognition: change." in shown.output


def test_previous_month_crosses_the_year():
    assert previous_month(date(2026, 1, 1)) == date(2025, 12, 1)
    assert previous_month(date(2026, 4, 1)) == date(2026, 3, 1)


def test_record_decision_from_the_oversight_page_by_the_secretary(client):  # noqa: F811
    sign_in(client, get_username("oversight_board_secretary"))
    page = client.get("/oversight?month=2026-04")
    assert "Record a decision of the board" in page.text
    token = get_form_token(client, "/oversight")
    made = client.post("/oversight/decisions", data={"csrf_token": token, "month": "2026-03",
                                                     "algorithm": "intelligence-packs", "outcome": "continue",
                                                     "decision": DECISION})
    assert made.status_code == 303, made.text
    assert DECISION in client.get("/oversight?month=2026-04").text


def test_record_decision_from_the_api_refuses_a_role_that_is_not_the_board_s(client):  # noqa: F811
    sign_in(client, get_username("pcc_scrutiny_officer"))
    assert "Record a decision of the board" not in client.get("/oversight").text
    token = get_form_token(client, "/oversight")
    refused = client.post("/api/oversight/decisions", json={"month": "2026-03", "algorithm": "all",
                                                            "outcome": "continue", "decision": DECISION},
                          headers={"X-CSRF-Token": token})
    assert refused.status_code == 403
