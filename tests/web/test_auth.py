"""Signing in and out in the web app: the session cookie, the lock-out message, no session
fixation, no open redirect."""

from __future__ import annotations

from datetime import timedelta

import pytest

from peel.casebook import sessions, transaction, users
from peel.web.visitor import SESSION_COOKIE

from .conftest import PASSWORD, get_form_token, get_session_cookie, sign_in


def open_start_page_with(client, token: str) -> int:
    """The status of the start page for a browser whose only cookie is the session ``token``."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, token, domain="testserver.local")
    return client.get("/").status_code


def test_show_start_page_sends_a_visitor_to_sign_in_and_back(client):
    response = client.get("/planned/audit-log?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fplanned%2Faudit-log%3Fx%3D1"
    assert sign_in(client, "auditor", next="/planned/audit-log?x=1").headers["location"] == "/planned/audit-log?x=1"


def test_submit_sign_in_sets_a_secure_http_only_same_site_cookie(client):
    response = sign_in(client, "supervisor")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert {"Secure", "HttpOnly", "SameSite=lax", "Path=/"} <= {part.strip() for part in cookie.split(";")}
    assert "Signed in as supervisor" in client.get("/").text


def test_submit_sign_in_refuses_a_wrong_password_without_saying_which_was_wrong(client):
    wrong_password = sign_in(client, "supervisor", "not the password")
    no_such_user = sign_in(client, "nobody.here", PASSWORD)
    assert wrong_password.status_code == no_such_user.status_code == 401
    for response in (wrong_password, no_such_user):
        assert "Unknown user or wrong password." in response.text
        assert "<title>Error: Sign in" in response.text
    assert client.get("/").status_code == 303


def test_submit_sign_in_asks_for_both_fields(client):
    response = sign_in(client, "supervisor", "")
    assert response.status_code == 400
    assert "Enter your username and password." in response.text


def test_submit_sign_in_shows_the_lock_out_after_five_failures(client):
    for _ in range(sessions.MAX_FAILURES - 1):
        assert sign_in(client, "supervisor", "not the password").status_code == 401
    locked = sign_in(client, "supervisor", "not the password")
    assert locked.status_code == 429
    assert "This account is locked after 5 wrong passwords in 15 minutes." in locked.text
    assert "UK time" in locked.text and "Retry-After" in locked.headers
    right_password = sign_in(client, "supervisor")
    assert right_password.status_code == 429
    assert client.get("/").status_code == 303


def test_submit_sign_in_gives_a_new_session_token_so_a_planted_one_is_worthless(client, web_settings):
    client.get("/sign-in")
    planted = get_session_cookie(client)
    assert planted is not None
    sign_in(client, "supervisor")
    signed_in = get_session_cookie(client)
    assert signed_in != planted
    # Someone who knew the token from before sign-in is not signed in with it.
    assert open_start_page_with(client, planted) == 303
    assert open_start_page_with(client, signed_in) == 200


def test_submit_sign_in_as_another_user_ends_the_first_session(client):
    sign_in(client, "supervisor")
    first = get_session_cookie(client)
    # From a sign-in page opened in another tab before the first sign-in.
    client.post("/sign-in", data={"csrf_token": get_form_token(client, "/"), "username": "auditor",
                                  "password": PASSWORD, "next": "/"})
    assert sessions.find_session(first, url=client.app.state.settings.casebook_url) is None
    assert "Signed in as auditor" in client.get("/").text


@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "evil.example",
])
def test_submit_sign_in_never_redirects_to_another_site(client, target):
    assert sign_in(client, "supervisor", next=target).headers["location"] == "/"


def test_show_sign_in_keeps_only_a_safe_next_in_its_form(client):
    page = client.get("/sign-in", params={"next": "//evil.example/"}).text
    assert 'name="next" value="/"' in page


def test_submit_sign_out_ends_the_session(client):
    sign_in(client, "supervisor")
    token = get_session_cookie(client)
    response = client.post("/sign-out", data={"csrf_token": get_form_token(client, "/")})
    assert response.headers["location"] == "/sign-in?signed_out=true"
    assert get_session_cookie(client) != token
    assert "You have signed out." in client.get(response.headers["location"]).text
    assert client.get("/").status_code == 303
    assert open_start_page_with(client, token) == 303  # replayed, it signs no one in


def test_show_start_page_refuses_a_session_from_the_request_after_it_expires(client, monkeypatch):
    sign_in(client, "supervisor")
    assert client.get("/").status_code == 200
    later = sessions.now_utc() + sessions.SESSION_LIFETIME + timedelta(seconds=1)
    monkeypatch.setattr(sessions, "now_utc", lambda: later)
    assert client.get("/").status_code == 303


def test_show_start_page_refuses_a_session_from_the_request_after_its_account_is_disabled(client):
    sign_in(client, "supervisor")
    assert client.get("/").status_code == 200
    with transaction(client.app.state.settings.casebook_url) as session:
        users.disable_user(session, "supervisor", acting="administrator")
    assert client.get("/").status_code == 303


def test_show_sign_in_sends_a_signed_in_user_on(client):
    sign_in(client, "supervisor")
    assert client.get("/sign-in", params={"next": "/planned/review-queue"}).headers["location"] == \
        "/planned/review-queue"
