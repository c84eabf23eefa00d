"""`peel login` / `peel logout`, tried as an attacker with an account on the machine would:
naming a user without their password, guessing it, a stale session, a key file left open."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from peel.casebook import Domain, db, find_session, review, session_file, users
from peel.cli import app

from .conftest import audit_entries, count_rows, execute_raw, refusal

PASSWORD = "correct horse battery staple"


def peel(*args: str, input: str | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), input=input, env=env)


@pytest.fixture
def root(casebook_url) -> str:
    """The first administrator, bootstrapped on this machine with a password."""
    added = peel("users", "add", "root.admin", "--role", "administrator", "--password-stdin", input=PASSWORD)
    assert added.exit_code == 0, added.output
    return "root.admin"


def test_users_add_bootstraps_without_signing_in_only_on_an_empty_casebook(root, casebook_url):
    again = peel("users", "add", "second.admin", "--role", "administrator", "--password-stdin", input=PASSWORD)
    assert again.exit_code == 2 and "Nobody is signed in: run `peel login USERNAME`" in again.output
    assert count_rows(casebook_url, "casebook_user") == 1


def test_login_signs_in_and_commands_act_as_that_user(root, casebook_url):
    signed_in = peel("login", root, "--password-stdin", input=PASSWORD)
    assert signed_in.exit_code == 0 and "Signed in as root.admin (System administrator) for 8 hours" in signed_in.output
    listed = peel("users", "list")
    assert listed.exit_code == 0 and "root.admin" in listed.output
    last = audit_entries(casebook_url)[-1]
    assert (last.actor, last.operation) == (root, "authentication")
    assert json.loads(last.detail)["event"] == "signed_in"


def test_peel_user_alone_cannot_act_as_the_administrator(root, casebook_url):
    before = audit_entries(casebook_url)[-1].seq
    attack = peel("users", "add", "evil.admin", "--role", "administrator", "--password-stdin",
                  input="evil but long enough", env={"PEEL_USER": root})
    assert attack.exit_code == 2
    assert "root.admin is not signed in on this computer: run `peel login root.admin`" in attack.output
    assert count_rows(casebook_url, "casebook_user") == 1
    [logged] = audit_entries(casebook_url, before)
    assert refusal(logged) | {"detail": json.loads(logged.detail)["refusal"]} == {
        "actor": root, "role": "administrator", "action": "peel users add", "domain": None,
        "object_type": "session", "object_id": None, "purpose": None, "refusal": "NotSignedIn",
        "detail": "NotSignedIn"}
    with_as = peel("users", "list", "--as", root)
    assert with_as.exit_code == 2 and "peel login root.admin" in with_as.output


def test_login_locks_the_name_out_after_five_wrong_passwords(root, casebook_url):
    for _ in range(4):
        wrong = peel("login", root, "--password-stdin", input="not the password at all")
        assert wrong.exit_code == 2 and "Unknown user or wrong password" in wrong.output
    fifth = peel("login", root, "--password-stdin", input="not the password at all")
    assert fifth.exit_code == 2 and "locked" in fifth.output and "UK time" in fifth.output
    right = peel("login", root, "--password-stdin", input=PASSWORD)
    assert right.exit_code == 2 and "locked" in right.output
    assert session_file.signed_in_names() == []
    events = [json.loads(e.detail)["event"] for e in audit_entries(casebook_url) if e.operation == "authentication"]
    assert events == ["sign_in_failed"] * 5 + ["locked_out", "refused_while_locked"]


def test_logout_ends_the_session_in_the_casebook_too(root, casebook_url):
    peel("login", root, "--password-stdin", input=PASSWORD)
    token = session_file.read_token(root)
    signed_out = peel("logout")
    assert signed_out.exit_code == 0 and "Signed out: root.admin." in signed_out.output
    assert find_session(token) is None and session_file.signed_in_names() == []
    after = peel("users", "list")
    assert after.exit_code == 2 and "Nobody is signed in" in after.output


def test_an_expired_session_is_refused_and_its_file_removed(root, casebook_url):
    peel("login", root, "--password-stdin", input=PASSWORD)
    execute_raw(casebook_url, "UPDATE web_session SET expires_at = created_at")
    expired = peel("users", "list")
    assert expired.exit_code == 2 and "The session of root.admin has ended" in expired.output
    assert "peel login root.admin" in expired.output and session_file.signed_in_names() == []


def test_a_session_file_others_can_read_is_refused(root, casebook_url):
    peel("login", root, "--password-stdin", input=PASSWORD)
    path = session_file.sessions_folder() / root
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    path.chmod(0o644)
    refused = peel("users", "list")
    assert refused.exit_code == 2 and "can be read by other OS users (mode 644)" in refused.output


def test_a_session_file_of_another_os_user_is_refused(root, casebook_url, monkeypatch):
    peel("login", root, "--password-stdin", input=PASSWORD)
    folder = session_file.sessions_folder()
    # Another OS user finds this folder (say, a shared PEEL_HOME): the files are not theirs.
    monkeypatch.setattr(session_file, "sessions_folder", lambda: folder)
    other_user = os.getuid() + 1
    monkeypatch.setattr(session_file.os, "getuid", lambda: other_user)
    refused = peel("users", "list", "--as", root)
    assert refused.exit_code == 2 and "belongs to another OS user" in refused.output


def test_a_session_file_replaced_by_a_link_is_refused(root, casebook_url, tmp_path):
    peel("login", root, "--password-stdin", input=PASSWORD)
    path = session_file.sessions_folder() / root
    planted = tmp_path / "planted"
    planted.write_text(path.read_text())
    path.unlink()
    path.symlink_to(planted)
    refused = peel("users", "list")
    assert refused.exit_code == 2 and "cannot be used" in refused.output


def test_several_sessions_need_as_to_say_which(root, casebook_url):
    peel("login", root, "--password-stdin", input=PASSWORD)
    peel("users", "add", "second.admin", "--role", "administrator", "--password-stdin", input=PASSWORD)
    peel("login", "second.admin", "--password-stdin", input=PASSWORD)
    unsure = peel("users", "list")
    assert unsure.exit_code == 2 and "Several users are signed in here (root.admin, second.admin)" in unsure.output
    assert peel("users", "list", "--as", "second.admin").exit_code == 0


def test_a_service_account_signs_in_with_its_key_file_and_cannot_read_cases(root, casebook_url, tmp_path):
    peel("login", root, "--password-stdin", input=PASSWORD)
    key = tmp_path / "nightly.key"
    added = peel("users", "add", "nightly.ingest", "--role", "ingest_service", "--service-key-file", str(key))
    assert added.exit_code == 0, added.output
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    with db.transaction(casebook_url) as session:
        provider = session.execute(text(
            "SELECT identity_provider FROM casebook_user WHERE username = 'nightly.ingest'")).scalar_one()
    assert provider == users.SERVICE_PROVIDER
    peel("logout")
    signed_in = peel("login", "nightly.ingest", "--key-file", str(key))
    assert signed_in.exit_code == 0, signed_in.output
    with db.transaction(casebook_url) as session:
        item_id = review.propose(session, domain=Domain.LINKAGE, kind="person_record_pair",
                                 summary="two records", payload={}, by_algorithm="peel-linkage")
    refused = peel("review", "show", str(item_id), "--purpose", "read a case out of curiosity")
    assert refused.exit_code == 2 and "may not read personal" in refused.output


def test_login_refuses_a_key_file_others_can_read(root, casebook_url, tmp_path):
    peel("login", root, "--password-stdin", input=PASSWORD)
    key = tmp_path / "nightly.key"
    peel("users", "add", "nightly.ingest", "--role", "ingest_service", "--service-key-file", str(key))
    key.chmod(0o644)
    refused = peel("login", "nightly.ingest", "--key-file", str(key))
    assert refused.exit_code == 2 and "key file" in refused.output and "mode 644" in refused.output
    logged = refusal(audit_entries(casebook_url)[-1])
    assert (logged["actor"], logged["action"], logged["role"]) == ("nightly.ingest", "peel login", "ingest_service")
