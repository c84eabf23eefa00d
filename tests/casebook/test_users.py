"""Accounts: bootstrap of the first administrator, argon2 passwords, disabling."""

from __future__ import annotations

import pytest
from sqlalchemy import text

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
