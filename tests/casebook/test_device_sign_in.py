"""`peel login --provider`: single sign-on on the command line through the device flow, against
a real provider on loopback (``device_provider``, authlib's server classes). The person's part
(approving or denying the code at the provider) is an HTTP POST to the provider's approval
page, made from a thread while `peel login` polls."""

from __future__ import annotations

import json
import threading
import time

import httpx2
import pytest
from typer.testing import CliRunner

from peel.casebook import db, device_sign_in, find_session, session_file, users
from peel.casebook.errors import NotSignedIn, UnknownUser
from peel.casebook.identity_providers import IdentityProvider
from peel.casebook.sessions import COMMAND_LINE_SESSION_LIFETIME, NO_ACCOUNT
from peel.cli import app

from .conftest import audit_entries
from .device_provider import CLIENT_ID, CLIENT_SECRET, Options, Provider, run_device_provider

NAME = "chalkshire"
TITLE = "Chalkshire Police account"
SUBJECT = "7f3c9a10-officer"


@pytest.fixture
def linked_account(casebook_url) -> str:
    """An administrator, and a supervisor whose account is linked to the provider."""
    with db.transaction(casebook_url) as session:
        users.add_user(session, "admin", "administrator", acting=None, identity_provider="https://sso.test",
                       external_subject="admin")
        users.add_user(session, "sso.supervisor", "supervisor", acting="admin", identity_provider=NAME,
                       external_subject=SUBJECT)
    return "sso.supervisor"


@pytest.fixture
def provider(peel_home, linked_account) -> Provider:
    """The provider, declared in the installation's identity-providers.yaml (the web's list)."""
    with run_device_provider() as running:
        declare(peel_home, running.issuer)
        yield running


def declare(peel_home, issuer: str, public: bool = False) -> IdentityProvider:
    peel_home.mkdir(parents=True, exist_ok=True)
    fields = {"title": TITLE, "issuer": issuer, "client_id": CLIENT_ID} | ({} if public else {"client_secret": CLIENT_SECRET})
    (peel_home / "identity-providers.yaml").write_text(json.dumps({NAME: fields}))  # JSON is YAML
    return IdentityProvider(name=NAME, **fields)


def answer_code(provider: Provider, user_code: str, sub: str = SUBJECT, action: str = "approve") -> None:
    """What the person does at the provider's approval page: enter the code, approve or deny."""
    response = httpx2.post(f"{provider.issuer}/device", data={"user_code": user_code, "sub": sub, "action": action})
    response.raise_for_status()


def answer_at_provider(provider: Provider, sub: str, action: str = "approve") -> threading.Thread:
    """In a thread, while peel polls: read the code peel shows, and answer at the provider."""
    thread = threading.Thread(target=lambda: answer_code(provider, provider.wait_for_code(), sub, action),
                              daemon=True)
    thread.start()
    return thread


def approve(provider: Provider):
    """A ``show`` that approves the code at once, as if the person were very quick."""
    return lambda code: answer_code(provider, code.user_code)


def peel_login(*args: str):
    return CliRunner().invoke(app, ["login", *args])


def last_authentication(url: str) -> tuple[str, str, dict]:
    entry = [e for e in audit_entries(url) if e.operation == "authentication"][-1]
    return entry.actor, entry.role, json.loads(entry.detail)


def test_login_with_provider_signs_in_the_account_linked_to_the_approved_subject(provider, casebook_url):
    answering = answer_at_provider(provider, SUBJECT)
    result = peel_login("--provider", NAME)
    answering.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert f"{provider.issuer}/device?user_code={provider.user_codes[-1]}" in result.output
    assert "Signed in as sso.supervisor (Supervisor (sergeant / inspector)) for 8 hours" in result.output
    assert find_session(session_file.read_token("sso.supervisor"), url=casebook_url).username == "sso.supervisor"
    assert last_authentication(casebook_url) == ("sso.supervisor", "supervisor",
                                                 {"event": "signed_in", "identity_provider": NAME})
    assert len(provider.polls) >= 1  # peel polled the token endpoint until the approval


def test_login_with_provider_refuses_another_account_than_the_one_named(provider, casebook_url):
    answering = answer_at_provider(provider, SUBJECT)
    result = peel_login("admin", "--provider", NAME)
    answering.join(timeout=10)
    assert result.exit_code == 2
    assert "signed you in as sso.supervisor, not admin: nobody is signed in" in result.output
    assert session_file.signed_in_names() == []
    assert last_authentication(casebook_url)[2]["event"] == "signed_out"


def test_login_with_provider_says_when_the_person_denied_it_and_logs_it(provider, casebook_url):
    answering = answer_at_provider(provider, SUBJECT, action="deny")
    result = peel_login("--provider", NAME)
    answering.join(timeout=10)
    assert result.exit_code == 2
    assert f"The sign-in was refused at {TITLE}. Nobody is signed in." in result.output
    assert session_file.signed_in_names() == []
    assert last_authentication(casebook_url) == (NO_ACCOUNT, "unknown", {
        "event": "sign_in_failed", "identity_provider": NAME, "reason": "the provider refused: access_denied"})


def test_login_with_provider_refuses_a_subject_with_no_account_and_logs_it(provider, casebook_url):
    answering = answer_at_provider(provider, "stranger-42")
    result = peel_login("--provider", NAME)
    answering.join(timeout=10)
    assert result.exit_code == 2
    assert "no peel account is linked to that identity" in result.output
    assert "subject 'stranger-42'" in result.output  # what to tell the administrator
    actor, role, detail = last_authentication(casebook_url)
    assert (actor, role, detail["event"], detail["subject"]) == (NO_ACCOUNT, "unknown", "sign_in_failed",
                                                                 "stranger-42")


def test_login_with_provider_cancels_cleanly_on_ctrl_c(provider, casebook_url, monkeypatch):
    def press_ctrl_c(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(device_sign_in, "_pause", press_ctrl_c)
    result = peel_login("--provider", NAME)
    assert result.exit_code == 2 and "Cancelled: nobody was signed in." in result.output
    assert session_file.signed_in_names() == [] and provider.polls == []


def test_login_with_provider_names_the_providers_there_are(provider):
    result = peel_login("--provider", "elsewhere")
    assert result.exit_code == 2
    assert f"There is no single sign-on provider 'elsewhere'; the providers are: {NAME}." in result.output


def test_sign_in_with_device_refuses_a_code_that_expired(peel_home, linked_account, casebook_url):
    with (run_device_provider(Options(expires_in=0)) as running,
          pytest.raises(NotSignedIn, match="The code was not approved at .* in time")):
        device_sign_in.sign_in_with_device(declare(peel_home, running.issuer), show=lambda code: None,
                                           lifetime=COMMAND_LINE_SESSION_LIFETIME, sleep=lambda s: None)
    assert last_authentication(casebook_url)[2]["reason"] == "the provider refused: expired_token"


def test_sign_in_with_device_waits_longer_when_told_to_slow_down(peel_home, linked_account, casebook_url):
    waits: list[float] = []
    with run_device_provider(Options(interval=2, slow_down_first=True)) as running:
        def wait(seconds: float) -> None:  # the first poll is told to slow down; then approve
            waits.append(seconds)
            if len(waits) == 2:
                answer_code(running, running.user_codes[-1])

        signed_in = device_sign_in.sign_in_with_device(
            declare(peel_home, running.issuer), show=lambda code: None,
            lifetime=COMMAND_LINE_SESSION_LIFETIME, sleep=wait)
    assert signed_in.actor.username == "sso.supervisor"
    assert waits == [2, 2 + device_sign_in.SLOW_DOWN_SECONDS]


@pytest.mark.parametrize(("options", "reason"), [
    (Options(claims={"iss": "https://login.elsewhere.example"}), "iss"),
    (Options(claims={"aud": ["another-client"]}), "aud"),
    (Options(claims={"exp": int(time.time()) - 600}), "expired"),
    (Options(sign_with_unpublished_key=True), "signature"),
])
def test_sign_in_with_device_refuses_an_id_token_that_fails_its_checks(peel_home, linked_account, casebook_url,
                                                                       options, reason):
    with (run_device_provider(options) as running,
          pytest.raises(NotSignedIn, match="peel could not verify the answer from")):
        device_sign_in.sign_in_with_device(declare(peel_home, running.issuer), show=approve(running),
                                           lifetime=COMMAND_LINE_SESSION_LIFETIME, sleep=lambda s: None)
    logged = last_authentication(casebook_url)
    assert logged[:2] == (NO_ACCOUNT, "unknown")
    assert logged[2]["reason"].startswith("the ID token failed its checks")
    assert reason in logged[2]["reason"]


def test_sign_in_with_device_says_when_the_provider_does_not_answer(peel_home, linked_account, casebook_url):
    with run_device_provider() as running:
        pass  # stopped: nothing answers on its port now
    with pytest.raises(NotSignedIn, match=f"peel could not get an answer from {TITLE}"):
        device_sign_in.sign_in_with_device(declare(peel_home, running.issuer), show=lambda code: None,
                                           lifetime=COMMAND_LINE_SESSION_LIFETIME)
    assert last_authentication(casebook_url)[2]["reason"].startswith("the provider could not be reached")


def test_sign_in_with_device_is_the_web_sign_in_for_a_disabled_account(peel_home, linked_account, casebook_url):
    with db.transaction(casebook_url) as session:
        users.disable_user(session, linked_account, acting="admin")
    with (run_device_provider() as running,
          pytest.raises(UnknownUser, match="The peel account 'sso.supervisor' is disabled")):
        device_sign_in.sign_in_with_device(declare(peel_home, running.issuer), show=approve(running),
                                           lifetime=COMMAND_LINE_SESSION_LIFETIME, sleep=lambda s: None)


def test_sign_in_with_device_as_a_public_client_sends_no_secret(peel_home, linked_account, casebook_url):
    with run_device_provider(Options(public_client=True)) as running:
        public = declare(peel_home, running.issuer, public=True)
        assert public.client_secret is None and public.token_endpoint_auth_method == "none"
        signed_in = device_sign_in.sign_in_with_device(public, show=approve(running), lifetime=COMMAND_LINE_SESSION_LIFETIME,
                                        url=casebook_url, sleep=lambda _: None)
        assert signed_in.actor.username == "sso.supervisor"
        # The same provider, with peel declared as a confidential client: the provider refuses it.
        confidential = declare(peel_home, running.issuer)
        with pytest.raises(NotSignedIn):
            device_sign_in.sign_in_with_device(confidential, show=approve(running), lifetime=COMMAND_LINE_SESSION_LIFETIME,
                                url=casebook_url, sleep=lambda _: None)
