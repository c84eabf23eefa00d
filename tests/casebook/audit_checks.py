"""Run a ``peel`` command for real, as a signed-in user, and read back what it wrote in the
audit log: for the tests that check each command on personal data logs who did what, why,
and to which records (DPA 2018 s62; issue 9). The entry's time is the log's own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from peel.cli import app
from peel.settings import get_settings

from .conftest import audit_entries

# Signing in and out is logged too; these checks are about the command's own entries.
SIGN_IN = "authentication"


def audited_run(user: str, *args: str) -> list[dict]:
    """Run ``peel ARGS --as USER``, which must succeed, and return the audit entries it wrote,
    oldest first, as ``entry_fields`` gives them."""
    url = get_settings().casebook_url
    before = max((e.seq for e in audit_entries(url)), default=0)
    result = CliRunner().invoke(app, [*args, "--as", user])
    assert result.exit_code == 0, (args, result.output)
    return [entry_fields(e) for e in audit_entries(url, before) if e.operation != SIGN_IN]


def entry_fields(entry) -> dict:
    """Who (actor, role), what (operation, object), why (purpose: a read's purpose or a
    decision's reason), the records touched (object id, subject reference) and the detail."""
    return {"actor": entry.actor, "role": entry.role, "operation": entry.operation,
            "object_type": entry.object_type, "object_id": entry.object_id, "subject_ref": entry.subject_ref,
            "purpose": entry.purpose, "detail": json.loads(entry.detail)}


def copy_warehouse(demo_home: Path, peel_home: Path) -> Path:
    """A copy of the warehouse of ``demo_home`` (a session's demo force, e.g. linked_small_demo)
    as ``peel_home``'s, for a command to read without touching the one the session shares."""
    peel_home.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(demo_home / "warehouse.duckdb", peel_home / "warehouse.duckdb"))
