"""Form tokens on every POST, secure headers on every response, the secret key, safe redirects."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from peel.web.app import create_app
from peel.web.security import get_safe_next, load_secret_key

from .conftest import FORCE_NAME, PASSWORD, get_form_token, sign_in


def test_check_form_token_refuses_a_sign_in_without_its_token(client):
    client.get("/sign-in")
    response = client.post("/sign-in", data={"username": "supervisor", "password": PASSWORD})
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert client.get("/").status_code == 303  # not signed in


def test_check_form_token_refuses_a_token_from_another_visitor(client, web_settings):
    app = create_app(web_settings, force_name=FORCE_NAME)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as other:
        someone_elses = get_form_token(other)
    client.get("/sign-in")
    response = client.post("/sign-in", data={"csrf_token": someone_elses, "username": "supervisor",
                                             "password": PASSWORD})
    assert response.status_code == 403


def test_check_form_token_refuses_a_sign_out_posted_from_elsewhere(client):
    sign_in(client, "supervisor")
    assert client.post("/sign-out").status_code == 403
    assert client.post("/sign-out", data={"csrf_token": "0" * 64}).status_code == 403
    assert client.get("/").status_code == 200  # still signed in


def test_check_form_token_accepts_the_token_in_a_header(client):
    sign_in(client, "supervisor")
    token = get_form_token(client, "/")
    assert client.post("/sign-out", headers={"X-CSRF-Token": token}).status_code == 303


def test_check_form_token_changes_at_sign_in(client):
    before = get_form_token(client)
    sign_in(client, "supervisor")
    assert get_form_token(client, "/") != before


@pytest.mark.parametrize("path", ["/sign-in", "/", "/static/peel.css", "/no-such-page"])
def test_add_secure_headers_on_every_response(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_add_secure_headers_sends_hsts_only_over_https(web_settings):
    with TestClient(create_app(web_settings), base_url="http://testserver") as plain:
        assert "Strict-Transport-Security" not in plain.get("/sign-in").headers


def test_add_secure_headers_stops_caching_of_pages_only(client):
    assert client.get("/sign-in").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/peel.css").headers.get("Cache-Control", "")


def test_load_secret_key_generates_one_key_readable_by_its_owner_only(web_settings):
    key = load_secret_key(web_settings)
    assert len(key) == 64
    assert web_settings.secret_key_path.stat().st_mode & 0o777 == 0o600
    assert load_secret_key(web_settings) == key


def test_load_secret_key_prefers_the_setting(web_settings):
    assert load_secret_key(replace(web_settings, secret_key="from the environment")) == b"from the environment"
    assert not web_settings.secret_key_path.exists()


@pytest.mark.parametrize(("target", "expected"), [
    ("/planned/audit-log?month=2026-03", "/planned/audit-log?month=2026-03"),
    ("/", "/"),
    (None, "/"),
    ("", "/"),
    ("https://evil.example/", "/"),
    ("//evil.example", "/"),
    ("/\\evil.example", "/"),
    ("/\r\nSet-Cookie: x", "/"),
    ("http:/evil.example", "/"),
])
def test_get_safe_next_keeps_only_paths_on_this_site(target, expected):
    assert get_safe_next(target) == expected
