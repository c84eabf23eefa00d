"""The command level holds wherever an event risk assessment is decided: the generic review
queue (`peel review accept`) refuses, and logs, a sign-off below the level the force declares."""

from __future__ import annotations

import os

import pytest
from tests.casebook.conftest import add_staff, audit_entries
from typer.testing import CliRunner

from peel.casebook import db
from peel.casebook.errors import AccessRefused
from peel.casebook.models import ReviewItem
from peel.cli import app
from peel.intel.events import draft_assessment, set_risk, sign_off_assessment

from .conftest import PURPOSE
from .test_events import DERBY


def _peel(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def _status(item: int) -> str:
    with db.transaction(readonly=True) as session:
        return session.get(ReviewItem, item).status


def test_review_accept_refuses_a_high_risk_assessment_below_the_command_level(staff, warehouse, log_in):
    item, _ = draft_assessment(staff["author"], DERBY, risk="high", purpose=PURPOSE)
    log_in(staff["supervisor"])
    result = _peel("review", "accept", str(item), "--reason", "looks proportionate", "--as", staff["supervisor"])
    assert result.exit_code == 2, result.output
    assert "signed off at Silver or Gold command" in result.output
    assert _status(item) == "pending"
    [entry] = [e for e in audit_entries(os.environ["PEEL_CASEBOOK_URL"]) if e.operation == "refusal"]
    assert (entry.actor, entry.object_type, entry.object_id) == (staff["supervisor"], "event_assessment", str(item))


def test_review_accept_lets_the_command_level_sign_off_a_high_risk_assessment(staff, warehouse, log_in):
    add_staff(os.environ["PEEL_CASEBOOK_URL"], "supt.gold", "event_commander")
    item, _ = draft_assessment(staff["author"], DERBY, risk="high", purpose=PURPOSE)
    log_in("supt.gold")
    result = _peel("review", "accept", str(item), "--reason", "commander's review", "--as", "supt.gold")
    assert result.exit_code == 0, result.output
    assert _status(item) == "accepted"


def test_risk_command_raises_the_level_and_logs_it(staff, warehouse, log_in):
    item, _ = draft_assessment(staff["author"], DERBY, risk="low", purpose=PURPOSE)
    log_in(staff["author"])
    result = _peel("intel", "risk", str(item), "--risk", "high", "--reason", "away fans' travel intelligence")
    assert result.exit_code == 0, result.output
    [entry] = [e for e in audit_entries(os.environ["PEEL_CASEBOOK_URL"])
               if e.operation == "alteration" and e.object_type == "event_assessment"]
    assert (entry.actor, entry.purpose, entry.object_id) == (staff["author"], "away fans' travel intelligence", str(item))
    with db.transaction(readonly=True) as session:
        assert session.get(ReviewItem, item).payload["risk"] == "high"


def test_set_risk_refuses_to_lower_a_high_risk_assessment_below_its_command_level(staff, warehouse):
    item, _ = draft_assessment(staff["author"], DERBY, risk="high", purpose=PURPOSE)
    with pytest.raises(AccessRefused, match="Lowering a high-risk assessment takes Silver or Gold command"):
        set_risk(staff["supervisor"], item, risk="low", reason="a quiet fixture in my view")
    assert _status(item) == "pending"
    add_staff(os.environ["PEEL_CASEBOOK_URL"], "supt.gold", "event_commander")
    set_risk("supt.gold", item, risk="medium", reason="commander's judgement on the history")
    sign_off_assessment(staff["supervisor"], item, approve=True, reason="medium risk, history checked")
    assert _status(item) == "accepted"
