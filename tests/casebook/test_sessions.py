"""Signing in: the lock-out after repeated failures, sessions, and what the audit log records."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from peel.casebook import (
    AccountLocked,
    UnknownUser,
    db,
    find_session,
    sessions,
    sign_in,
    sign_out,
    users,
)
from peel.casebook.models import now_utc

from .conftest import count_rows

PASSWORD = "correct horse battery"


@pytest.fixture
def officer(casebook_url) -> str:
    """A local account (with a password), the first user so an administrator."""
    with db.transaction(casebook_url) as session:
        users.add_user(session, "p.officer", "administrator", acting=None, password=PASSWORD)
    return "p.officer"


@pytest.fixture
def clock(monkeypatch):
    """The sign-in module's clock, moved on by hand: ``clock.advance(minutes=16)``."""

    class Clock:
        now = now_utc()

        def advance(self, **delta) -> None:
            self.now += timedelta(**delta)

    frozen = Clock()
    monkeypatch.setattr(sessions, "now_utc", lambda: frozen.now)
    return frozen


def get_events(url: str) -> list[tuple[str, str, str]]:
    """(actor, role, event) of each authentication entry in the audit log, oldest first."""
    with db.transaction(url) as session:
        rows = session.execute(text(
            "SELECT actor, role, detail FROM audit_entry WHERE operation = 'authentication' ORDER BY seq"
        )).all()
    return [(actor, role, json.loads(detail)["event"]) for actor, role, detail in rows]


def fail(username: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(UnknownUser, match="Unknown user or wrong password"):
            sign_in(username, "wrong password!")


def test_sign_in_opens_a_session_that_find_session_resolves(officer, casebook_url):
    signed_in = sign_in(officer, PASSWORD)
    assert signed_in.actor.username == officer
    assert find_session(signed_in.token).username == officer
    assert get_events(casebook_url)[-1] == (officer, "administrator", "signed_in")


def test_sign_in_keeps_only_a_hash_of_the_token(officer, casebook_url):
    token = sign_in(officer, PASSWORD).token
    with db.transaction(casebook_url) as session:
        stored = session.execute(text("SELECT token_hash FROM web_session")).scalar_one()
    assert token not in stored and len(stored) == 64


def test_sign_in_gives_a_new_token_each_time(officer):
    assert sign_in(officer, PASSWORD).token != sign_in(officer, PASSWORD).token


def test_sign_in_refuses_a_wrong_password_and_logs_it(officer, casebook_url):
    fail(officer, 1)
    assert get_events(casebook_url)[-1] == (officer, "administrator", "sign_in_failed")
    assert count_rows(casebook_url, "web_session") == 0


def test_sign_in_locks_the_account_after_five_failures_even_for_the_right_password(officer, casebook_url, clock):
    fail(officer, 4)
    with pytest.raises(AccountLocked) as locked:
        sign_in(officer, "wrong password!")
    assert locked.value.until == clock.now + timedelta(minutes=15)
    with pytest.raises(AccountLocked):
        sign_in(officer, PASSWORD)
    events = [event for _, _, event in get_events(casebook_url)]
    assert events[-3:] == ["sign_in_failed", "locked_out", "refused_while_locked"]


def test_sign_in_works_again_once_the_lock_has_passed(officer, clock):
    fail(officer, 4)
    with pytest.raises(AccountLocked):
        sign_in(officer, "wrong password!")
    clock.advance(minutes=15, seconds=1)
    assert sign_in(officer, PASSWORD).actor.username == officer


def test_sign_in_counts_failures_within_fifteen_minutes_only(officer, clock):
    fail(officer, 4)
    clock.advance(minutes=16)
    fail(officer, 4)  # a new window: four more failures do not lock
    assert sign_in(officer, PASSWORD).actor.username == officer


def test_sign_in_success_clears_the_failure_count(officer, clock):
    fail(officer, 4)
    sign_in(officer, PASSWORD)
    fail(officer, 4)
    assert sign_in(officer, PASSWORD).actor.username == officer


def test_sign_in_locks_a_name_that_is_not_an_account_the_same_way(officer, casebook_url):
    fail("no.such.user", 4)
    with pytest.raises(AccountLocked):
        sign_in("no.such.user", "wrong password!")
    assert get_events(casebook_url)[-1] == ("no.such.user", "unknown", "locked_out")


def test_sign_in_does_not_log_a_name_that_cannot_be_a_username(officer, casebook_url):
    with pytest.raises(UnknownUser):
        sign_in("My Secret Password!", PASSWORD)
    assert get_events(casebook_url) == [(sessions.NOT_A_USERNAME, "unknown", "sign_in_failed")]


def test_find_session_refuses_an_expired_session(officer, clock):
    token = sign_in(officer, PASSWORD).token
    clock.advance(hours=12, seconds=1)
    assert find_session(token) is None


def test_find_session_refuses_a_session_of_a_disabled_account(officer, casebook_url):
    token = sign_in(officer, PASSWORD).token
    with db.transaction(casebook_url) as session:
        users.add_user(session, "second.admin", "administrator", acting=officer, password=PASSWORD)
    with db.transaction(casebook_url) as session:
        users.disable_user(session, officer, acting="second.admin")
    assert find_session(token) is None


def test_find_session_refuses_an_unknown_token(officer):
    assert find_session("not-a-token") is None


def test_sign_out_ends_the_session_and_logs_it(officer, casebook_url):
    token = sign_in(officer, PASSWORD).token
    sign_out(token)
    assert find_session(token) is None
    assert get_events(casebook_url)[-1] == (officer, "administrator", "signed_out")
    sign_out(token)  # twice is harmless
    assert count_rows(casebook_url, "web_session") == 0
