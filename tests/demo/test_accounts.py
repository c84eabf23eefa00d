"""Demo accounts: one per role, each able to sign in, the same ones on every run."""

import stat

from typer.testing import CliRunner

from peel.casebook import list_roles, transaction
from peel.casebook.users import authenticate
from peel.cli import app
from peel.demo.accounts import ensure_demo_accounts


def test_ensure_demo_accounts_makes_one_account_per_role_that_can_sign_in(peel_home):
    accounts = ensure_demo_accounts(peel_home / "demo")
    assert sorted(a.role for a in accounts) == sorted(list_roles())
    assert accounts[0].role == "administrator"  # an empty casebook's first account must be one
    with transaction() as session:
        for account in accounts:
            assert authenticate(session, account.username, account.password).role.name == account.role


def test_ensure_demo_accounts_again_returns_the_same_accounts_and_keeps_passwords_private(peel_home):
    first = ensure_demo_accounts(peel_home / "demo")
    assert ensure_demo_accounts(peel_home / "demo") == first
    mode = stat.S_IMODE((peel_home / "demo" / "accounts.txt").stat().st_mode)
    assert mode == 0o600


def test_demo_accounts_command_prints_every_account(peel_home):
    result = CliRunner().invoke(app, ["demo-accounts"])
    assert result.exit_code == 0, result.output
    for account in ensure_demo_accounts(peel_home / "demo"):
        assert f"{account.username} " in result.output and account.password in result.output
