"""Single sign-on against a real OpenID Connect provider on loopback (oidc-provider-mock, an
authlib server, in a thread): peel talks to it over HTTP as it would to any provider. The
browser's part is played by the test client, and at the end by Debian's chromium."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx2
import oidc_provider_mock
import pytest
import werkzeug.serving
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import text

from peel.casebook import db, users
from peel.casebook.sessions import NO_ACCOUNT
from peel.web.app import create_app
from peel.web.single_sign_on import SIGN_IN_COOKIE

from .conftest import FORCE_NAME, PASSWORD, Tab, get_session_cookie, serve_on_loopback, sign_in
from .test_accessibility import AXE, get_violations

# The provider is authlib's server, written for authlib's previous interface.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")
PROVIDER = "chalkshire"
TITLE = "Chalkshire Police account"
CALLBACK = f"https://testserver/sign-in/{PROVIDER}/callback"
LINKED_SUBJECT = "7f3c9a10-officer"


@contextmanager
def run_provider(**options) -> Iterator[str]:
    """An OpenID provider on a free loopback port, in a thread; yields its issuer."""
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(**options), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def register_client(issuer: str, redirect_uri: str) -> tuple[str, str]:
    """Register peel with the provider, as an administrator does once: (client id, secret)."""
    response = httpx2.post(f"{issuer}/oauth2/clients", json={"redirect_uris": [redirect_uri]})
    response.raise_for_status()
    return response.json()["client_id"], response.json()["client_secret"]


def write_providers(path, issuer: str, client_id: str, client_secret: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({PROVIDER: {"title": TITLE, "issuer": issuer, "client_id": client_id,
                                           "client_secret": client_secret}}))  # JSON is YAML


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """Registered clients only, and a nonce required, as a strict provider would."""
    with run_provider(require_client_registration=True, require_nonce=True) as issuer:
        yield issuer


def add_linked_accounts(settings) -> None:
    """A supervisor linked to the provider, and a disabled account linked to it too."""
    with db.transaction(settings.casebook_url) as session:
        for username in ("sso.supervisor", "sso.leaver"):
            users.add_user(session, username, "supervisor", acting="administrator",
                           identity_provider=PROVIDER, external_subject=f"{LINKED_SUBJECT}-{username}")
        users.disable_user(session, "sso.leaver", acting="administrator")


@pytest.fixture
def sso_settings(web_settings, provider):
    path = web_settings.home / "identity-providers.yaml"
    write_providers(path, provider, *register_client(provider, CALLBACK))
    add_linked_accounts(web_settings)
    return replace(web_settings, identity_providers_file=path)


@pytest.fixture
def sso_client(sso_settings) -> Iterator[TestClient]:
    app = create_app(sso_settings, force_name=FORCE_NAME)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as browser:
        yield browser


def go_to_provider(client: TestClient, next: str = "/") -> str:
    """Press "Sign in with ...": the provider's authorization address peel sends the browser to."""
    response = client.get(f"/sign-in/{PROVIDER}", params={"next": next})
    assert response.status_code == 302
    return response.headers["location"]


def answer_at_provider(authorization_url: str, form: dict[str, str]) -> str:
    """What the person does at the provider (``form``: who they are, or deny); the address the
    provider sends the browser back to."""
    response = httpx2.post(authorization_url, data=form)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def come_back(client: TestClient, callback_url: str) -> httpx2.Response:
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in_at_provider(client: TestClient, subject: str, next: str = "/") -> httpx2.Response:
    return come_back(client, answer_at_provider(go_to_provider(client, next), {"sub": subject}))


def get_last_entry(client: TestClient) -> tuple[str, str, dict]:
    """(actor, role, detail) of the newest authentication entry in the audit log."""
    with db.transaction(client.app.state.settings.casebook_url) as session:
        actor, role, detail = session.execute(text(
            "SELECT actor, role, detail FROM audit_entry WHERE operation = 'authentication' "
            "ORDER BY seq DESC LIMIT 1")).one()
    return actor, role, json.loads(detail)


def test_show_sign_in_offers_each_provider_as_a_link(sso_client):
    page = sso_client.get("/sign-in", params={"next": "/planned/audit-log"}).text
    assert f'href="/sign-in/{PROVIDER}?next=/planned/audit-log"' in page
    assert f"Sign in with {TITLE}" in page


def test_show_sign_in_offers_no_provider_without_the_file(client):
    assert "Sign in with" not in client.get("/sign-in").text
    assert client.get(f"/sign-in/{PROVIDER}").status_code == 404


def test_start_single_sign_on_asks_for_a_code_with_pkce_state_and_nonce(sso_client, sso_settings):
    query = parse_qs(urlsplit(go_to_provider(sso_client)).query)
    assert query["response_type"] == ["code"] and query["scope"] == ["openid"]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    flow_cookie = sso_client.cookies.get(SIGN_IN_COOKIE)
    assert flow_cookie and query["state"][0] not in flow_cookie  # signed and encoded, not plain


def test_finish_single_sign_on_signs_in_the_linked_user(sso_client):
    sso_client.get("/sign-in")
    before = get_session_cookie(sso_client)
    response = sign_in_at_provider(sso_client, f"{LINKED_SUBJECT}-sso.supervisor", next="/planned/review-queue")
    assert response.status_code == 303 and response.headers["location"] == "/planned/review-queue"
    assert get_session_cookie(sso_client) not in (None, before)  # a new session token
    assert sso_client.cookies.get(SIGN_IN_COOKIE) is None  # the flow's cookie is gone
    assert "Signed in as sso.supervisor" in sso_client.get("/").text
    assert get_last_entry(sso_client) == ("sso.supervisor", "supervisor",
                                          {"event": "signed_in", "identity_provider": PROVIDER})


def test_finish_single_sign_on_refuses_a_subject_with_no_account_and_logs_it(sso_client):
    response = sign_in_at_provider(sso_client, "stranger-42")
    assert response.status_code == 403
    assert "no peel account is linked to that identity" in response.text
    assert "subject &#39;stranger-42&#39;" in response.text  # what to tell the administrator
    assert sso_client.get("/").status_code == 303
    actor, role, detail = get_last_entry(sso_client)
    assert (actor, role, detail["event"], detail["subject"]) == (NO_ACCOUNT, "unknown", "sign_in_failed",
                                                                 "stranger-42")


def test_finish_single_sign_on_refuses_a_disabled_account(sso_client):
    response = sign_in_at_provider(sso_client, f"{LINKED_SUBJECT}-sso.leaver")
    assert response.status_code == 403
    assert "The peel account &#39;sso.leaver&#39; is disabled." in response.text
    assert sso_client.get("/").status_code == 303
    assert get_last_entry(sso_client)[0:2] == ("sso.leaver", "supervisor")
    assert get_last_entry(sso_client)[2]["reason"] == "the account is disabled"


def test_finish_single_sign_on_refuses_a_tampered_state(sso_client):
    callback = answer_at_provider(go_to_provider(sso_client), {"sub": f"{LINKED_SUBJECT}-sso.supervisor"})
    state = parse_qs(urlsplit(callback).query)["state"][0]
    response = come_back(sso_client, callback.replace(state, state[:-1] + ("A" if state[-1] != "A" else "B")))
    assert response.status_code == 400
    assert "This sign-in was not started in this browser" in response.text
    assert sso_client.get("/").status_code == 303
    assert get_last_entry(sso_client) == (NO_ACCOUNT, "unknown", {
        "event": "sign_in_failed", "identity_provider": PROVIDER,
        "reason": "the state did not match this browser's sign-in"})


def test_finish_single_sign_on_refuses_a_return_in_another_browser(sso_client, sso_settings):
    """Someone who sends their own provider's answer to a victim (login CSRF) signs no one in."""
    callback = answer_at_provider(go_to_provider(sso_client), {"sub": f"{LINKED_SUBJECT}-sso.supervisor"})
    with TestClient(sso_client.app, base_url="https://testserver", follow_redirects=False) as victim:
        response = come_back(victim, callback)
        assert response.status_code == 400
        assert victim.get("/").status_code == 303


def test_finish_single_sign_on_refuses_the_same_answer_twice(sso_client):
    callback = answer_at_provider(go_to_provider(sso_client), {"sub": f"{LINKED_SUBJECT}-sso.supervisor"})
    assert come_back(sso_client, callback).status_code == 303
    assert come_back(sso_client, callback).status_code == 400


def test_finish_single_sign_on_says_when_the_provider_refused(sso_client):
    response = come_back(sso_client, answer_at_provider(go_to_provider(sso_client), {"action": "deny"}))
    assert response.status_code == 401
    assert f"{TITLE} did not sign you in (access_denied)." in response.text
    assert get_last_entry(sso_client)[2]["reason"] == "the provider refused: access_denied"


def test_submit_sign_in_refuses_a_password_for_a_single_sign_on_account(sso_client):
    response = sign_in(sso_client, "sso.supervisor", PASSWORD)
    assert response.status_code == 401
    assert "Unknown user or wrong password." in response.text


@pytest.mark.parametrize(("options", "issuer_suffix"), [
    # The provider signs tokens that expired 5 minutes ago (more than the 2 minutes' leeway).
    ({"access_token_max_age": timedelta(minutes=-5)}, ""),
    # peel expects another issuer than the one that signed the token.
    ({}, "/"),
])
def test_finish_single_sign_on_refuses_an_id_token_that_fails_its_checks(web_settings, options,
                                                                          issuer_suffix):
    with run_provider(**options) as issuer:
        path = web_settings.home / "identity-providers.yaml"
        write_providers(path, issuer + issuer_suffix, "peel", "any secret")
        app = create_app(replace(web_settings, identity_providers_file=path), force_name=FORCE_NAME)
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
            response = sign_in_at_provider(client, "someone")
            assert response.status_code == 401
            assert f"peel could not verify the answer from {TITLE}." in response.text
            assert get_last_entry(client)[2]["reason"].startswith("the ID token failed its checks")


def test_start_single_sign_on_says_when_the_provider_does_not_answer(web_settings):
    with run_provider() as issuer:
        pass  # stopped: nothing answers on its port now
    path = web_settings.home / "identity-providers.yaml"
    write_providers(path, issuer, "peel", "any secret")
    app = create_app(replace(web_settings, identity_providers_file=path), force_name=FORCE_NAME)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        response = client.get(f"/sign-in/{PROVIDER}")
        assert response.status_code == 502
        assert f"peel could not get an answer from {TITLE}." in response.text


@pytest.fixture
def sso_live_server(web_settings) -> Iterator[str]:
    """peel served on loopback with the provider (taking any client here: peel's callback
    address has the port chosen when it starts)."""
    with run_provider(require_nonce=True) as issuer:
        path = web_settings.home / "identity-providers.yaml"
        write_providers(path, issuer, "peel", "any secret")
        add_linked_accounts(web_settings)
        settings = replace(web_settings, identity_providers_file=path)
        with serve_on_loopback(create_app(settings, force_name=FORCE_NAME)) as address:
            yield address


@pytest.fixture
def open_page(browser, sso_live_server):
    """``open_page(javascript)``: a tab in a fresh browser context, with axe-core in it."""
    contexts = []

    def open_page(javascript: bool = True) -> Tab:
        context = browser.new_context(base_url=sso_live_server, java_script_enabled=javascript)
        context.add_init_script(path=str(AXE))
        contexts.append(context)
        return Tab(context.new_page(), problems=[])

    yield open_page
    for context in contexts:
        context.close()


def sign_in_in_a_browser(page, subject: str) -> None:
    page.goto("/planned/review-queue")
    page.get_by_role("button", name=f"Sign in with {TITLE}").click()
    page.get_by_placeholder("sub").fill(subject)
    page.get_by_role("button", name="Authorize").click()


def test_single_sign_on_in_a_browser_without_javascript(open_page):
    page = open_page(javascript=False).page
    sign_in_in_a_browser(page, f"{LINKED_SUBJECT}-sso.supervisor")
    assert page.url.endswith("/planned/review-queue")
    expect(page.get_by_text("Signed in as sso.supervisor")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
def test_single_sign_on_pages_have_no_wcag_violation(open_page):
    tab = open_page()
    tab.page.goto("/sign-in")
    assert get_violations(tab) == []
    sign_in_in_a_browser(tab.page, "stranger-42")
    assert tab.page.title().startswith("Error: Sign in")
    expect(tab.page.get_by_role("alert").get_by_text("no peel account is linked")).to_be_visible()
    assert get_violations(tab) == []
