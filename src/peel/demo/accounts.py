"""Demo accounts: one casebook account per role, so a newcomer can sign in to the web app as
each kind of user the moment the demo force is loaded.

Passwords are random, made once per installation and kept beside the demo's other files
(``PEEL_HOME/demo/accounts.txt``, readable by its owner only), so running the demo again
prints the same accounts instead of failing on accounts that exist. They are for the
fictional demo force on one computer, never for real data.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from peel.casebook import ADMINISTRATOR, add_user, list_roles, transaction
from peel.casebook.users import authenticate, count_users

PREFIX = "demo."


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    title: str
    password: str


def _read(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line)
    return {username: password for username, password in pairs}


def _write(path: Path, passwords: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text("".join(f"{u}\t{p}\n" for u, p in passwords.items()), encoding="utf-8")


def ensure_demo_accounts(folder: Path) -> list[DemoAccount]:
    """One account per role (``demo.<role>``), created if missing, administrator first (the
    first account of an empty casebook must be one, the bootstrap). On a casebook with accounts,
    the demo administrator's password kept in ``folder`` must be right. Returns every demo account."""
    path = folder / "accounts.txt"
    passwords = _read(path)
    roles = sorted(list_roles().values(), key=lambda r: (r.name != ADMINISTRATOR, r.name))
    admin = f"{PREFIX}{ADMINISTRATOR}"
    accounts = []
    with transaction() as session:
        if count_users(session):  # not the bootstrap: act as the demo administrator by its password
            authenticate(session, admin, passwords.get(admin, ""))
        for role in roles:
            username = f"{PREFIX}{role.name}"
            if username not in passwords:
                passwords[username] = secrets.token_urlsafe(12)
                add_user(session, username, role.name, acting=admin, password=passwords[username])
            accounts.append(DemoAccount(username, role.name, role.title, passwords[username]))
        _write(path, passwords)  # inside the transaction: no account without its password kept
    return accounts


LINKAGE_ACCOUNT = f"{PREFIX}ingest_service"
LINKAGE_PURPOSE = "the demo force: resolve the fictional person records into entities"


def link_demo_persons(folder: Path, progress=None) -> dict:
    """Run record linkage over the warehouse as the demo's ingest service, which signs in with
    the password kept in ``folder`` (``ensure_demo_accounts`` made it): the same checks and
    audit entry as any linkage run, with no session to start. Returns the run's summary."""
    from peel.linkage.warehouse_run import combine_warehouse

    password = _read(folder / "accounts.txt").get(LINKAGE_ACCOUNT, "")
    with transaction() as session:
        authenticate(session, LINKAGE_ACCOUNT, password)
    return combine_warehouse(LINKAGE_ACCOUNT, purpose=LINKAGE_PURPOSE, progress=progress)
