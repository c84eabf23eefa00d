"""Accounts: bootstrap of the first administrator, argon2 passwords, disabling."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from peel.casebook import db, users
from peel.casebook.errors import AccessRefused, InvalidInput, InvalidStateChange, UnknownUser

from .conftest import TEST_IDP, add_staff, audit_entries, count_rows, refusal

PASSWORD = "a long enough passphrase"


def test_add_user_bootstraps_only_an_administrator(casebook_url):
    with pytest.raises(InvalidInput, match="first must be an administrator"), db.transaction(casebook_url) as s:
        users.add_user(s, "ana", "licensing_officer", acting=None, password=PASSWORD)
    assert count_rows(casebook_url, "casebook_user") == 0
    with db.transaction(casebook_url) as s:
        users.add_user(s, "root", "administrator", acting=None, password=PASSWORD)
    with pytest.raises(UnknownUser, match="No acting user"), db.transaction(casebook_url) as s:
        users.add_user(s, "mallory", "administrator", acting=None, password=PASSWORD)


def test_add_user_stores_an_argon2_hash_that_authenticates(casebook_url):
    with db.transaction(casebook_url) as s:
        users.add_user(s, "root", "administrator", acting=None, password=PASSWORD)
        stored = s.execute(text("SELECT password_hash FROM casebook_user")).scalar_one()
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        assert users.authenticate(s, "root", PASSWORD).role.name == "administrator"
        with pytest.raises(UnknownUser, match="Unknown user or wrong password"):
            users.authenticate(s, "root", "not the password")
        with pytest.raises(UnknownUser, match="Unknown user or wrong password"):
            users.authenticate(s, "nobody", PASSWORD)


def test_add_user_needs_an_administrator_once_users_exist(staff, casebook_url):
    before = count_rows(casebook_url, "audit_entry")
    users_before = count_rows(casebook_url, "casebook_user")
    with pytest.raises(AccessRefused, match="manage users"), db.transaction(casebook_url) as s:
        users.add_user(s, "eve", "supervisor", acting="supervisor", password=PASSWORD)
    assert count_rows(casebook_url, "casebook_user") == users_before
    [logged] = [refusal(e) for e in audit_entries(casebook_url, before)]
    assert (logged["actor"], logged["action"]) == ("supervisor", "manage_users")


@pytest.mark.parametrize(
    "username, role, password, error",
    [
        ("Bad Name", "auditor", PASSWORD, "not allowed"),
        ("new.user", "chief_constable", PASSWORD, "Unknown role"),
        ("new.user", "auditor", "short", "at least 12"),
        ("new.user", "auditor", "my name is new.user", "must not contain the username"),
        ("new.user", "auditor", "abababababababab", "at least 5 different characters"),
        ("auditor", "auditor", PASSWORD, "already a user"),
    ],
)
def test_add_user_refuses_bad_input(username, role, password, error, staff, casebook_url):
    with pytest.raises(InvalidInput, match=error), db.transaction(casebook_url) as s:
        users.add_user(s, username, role, acting="admin", password=password)


def test_add_user_accepts_a_single_sign_on_account_without_a_password(staff, casebook_url):
    add_staff(casebook_url, "sso.user", "auditor")
    with db.transaction(casebook_url) as s:
        [account] = [u for u in users.list_users(s, acting="admin") if u.username == "sso.user"]
        with pytest.raises(UnknownUser):
            users.authenticate(s, "sso.user", "")
    assert account.identity_provider.startswith("https://")


def test_add_user_refuses_a_second_account_for_one_provider_subject(staff, casebook_url):
    add_staff(casebook_url, "sso.user", "auditor")
    with db.transaction(casebook_url) as s, pytest.raises(InvalidInput, match="already a user for subject 'sub-sso.user'"):
        users.add_user(s, "sso.twin", "auditor", acting="admin", identity_provider=TEST_IDP,
                       external_subject="sub-sso.user")


def test_disable_user_keeps_the_account_but_refuses_it(staff, casebook_url):
    with db.transaction(casebook_url) as s:
        users.disable_user(s, "auditor", acting="admin")
        [account] = [u for u in users.list_users(s, acting="admin") if u.username == "auditor"]
    assert not account.active
    with pytest.raises(InvalidStateChange, match="already disabled"), db.transaction(casebook_url) as s:
        users.disable_user(s, "auditor", acting="admin")
    with pytest.raises(InvalidStateChange, match="your own account"), db.transaction(casebook_url) as s:
        users.disable_user(s, "admin", acting="admin")


@pytest.mark.parametrize("url, local", [
    ("sqlite:///casebook.sqlite", True),
    ("postgresql+psycopg://peel:secret@127.0.0.1:5432/peel", True),
    ("postgresql+psycopg://peel:secret@localhost/peel", True),
    ("postgresql+psycopg://peel@/peel?host=/var/run/postgresql", True),
    ("postgresql+psycopg://peel:secret@db.force.internal/peel", False),
    ("postgresql+psycopg://peel:secret@10.1.2.3/peel", False),
])
def test_is_on_this_machine_only_for_sqlite_loopback_or_a_local_socket(url, local):
    # The engine is never connected: only its URL is read.
    assert users.is_on_this_machine(Session(create_engine(url))) is local


def test_add_user_refuses_the_bootstrap_from_another_machine(casebook_url, monkeypatch):
    monkeypatch.setattr(users, "is_on_this_machine", lambda session: False)
    with pytest.raises(InvalidInput, match="only on the machine the casebook is on"), \
            db.transaction(casebook_url) as s:
        users.add_user(s, "root", "administrator", acting=None, password=PASSWORD)
    assert count_rows(casebook_url, "casebook_user") == 0


def test_add_user_makes_a_service_account_that_signs_in_with_its_key_only(staff, casebook_url):
    key = users.new_service_key()
    with db.transaction(casebook_url) as s:
        users.add_user(s, "nightly.ingest", "ingest_service", acting="admin", password=key,
                       identity_provider=users.SERVICE_PROVIDER)
    with db.transaction(casebook_url) as s:
        assert users.authenticate(s, "nightly.ingest", key, users.SERVICE_PROVIDER).role.name == "ingest_service"
        # The web app's password form asks for a local account: a service key is refused there.
        with pytest.raises(UnknownUser, match="Unknown user or wrong password"):
            users.authenticate(s, "nightly.ingest", key)
    with pytest.raises(InvalidInput, match="needs a key"), db.transaction(casebook_url) as s:
        users.add_user(s, "weak.job", "ingest_service", acting="admin", password="a guessable one",
                       identity_provider=users.SERVICE_PROVIDER)
