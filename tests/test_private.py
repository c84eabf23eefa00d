"""Closed at rest: what peel writes under PEEL_HOME is readable by its owner only (or by the
group the administrator names), and `peel status` reports a file found readable more widely."""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peel.casebook import db
from peel.cli import app
from peel.private import OWNER_ONLY_UMASK, close_at_rest, exposed, holdings
from peel.settings import get_settings


def run_peel(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env)


@pytest.fixture(autouse=True)
def restore_umask():
    """close_at_rest sets the process's umask: put the test runner's back afterwards."""
    previous = os.umask(OWNER_ONLY_UMASK)
    os.umask(previous)
    yield
    os.umask(previous)
    db.dispose_engines()


def modes(home: Path) -> dict[str, int]:
    """Every file and folder under ``home`` (and home itself): relative path -> permission bits."""
    found = {".": stat.S_IMODE(home.stat().st_mode)}
    for path in home.rglob("*"):
        if not path.is_symlink():
            found[str(path.relative_to(home))] = stat.S_IMODE(path.stat().st_mode)
    return found


def test_close_at_rest_leaves_every_kind_of_file_owner_only(peel_home):
    os.umask(0o022)  # the usual default, which made files 0644 and folders 0755
    loaded = run_peel("demo-data", "--size", "0.02", "--start", "2026-02", "--end", "2026-03", "--seed", "3")
    assert loaded.exit_code == 0, loaded.output
    added = run_peel("users", "add", "admin", "--role", "administrator",
                     "--identity-provider", "https://sso.force.test", "--subject", "a1")
    assert added.exit_code == 0, added.output
    packed = run_peel("pack", "--month", "2026-03")
    assert packed.exit_code == 0, packed.output
    found = modes(peel_home)
    kinds = {"pack": {"outputs/pack-2026-03/pack.html", "outputs/pack-2026-03/pack.pdf"} <= set(found),"warehouse generation": any(name.startswith("warehouse-") for name in found),
             "casebook": "casebook.sqlite" in found, "audit key": "audit-key" in found,
             "demo extracts": any(name.startswith("demo/") and name.endswith((".csv", ".parquet", ".json"))
                                  for name in found)}
    assert all(kinds.values()), kinds
    wide = {name: f"{mode:04o}" for name, mode in found.items() if mode & 0o077}
    assert wide == {}
    anchors = get_settings().audit_anchor_file
    assert not anchors.exists() or stat.S_IMODE(anchors.stat().st_mode) == 0o600


def test_close_at_rest_with_a_group_lets_it_read_and_not_write(peel_home, monkeypatch):
    group = grp.getgrgid(os.getgid()).gr_name
    monkeypatch.setenv("PEEL_FILE_GROUP", group)
    close_at_rest()
    (peel_home / "outputs").mkdir()
    (peel_home / "outputs" / "pack.html").write_text("x")
    assert stat.S_IMODE(peel_home.stat().st_mode) == 0o2750
    assert stat.S_IMODE((peel_home / "outputs").stat().st_mode) & 0o777 == 0o750
    assert stat.S_IMODE((peel_home / "outputs" / "pack.html").stat().st_mode) == 0o640
    assert exposed(holdings()) == []


def test_close_at_rest_refuses_a_group_the_machine_lacks(peel_home):
    result = run_peel("status", env={"PEEL_FILE_GROUP": "no-such-group-for-peel"})
    assert result.exit_code == 2
    assert "PEEL_FILE_GROUP is 'no-such-group-for-peel', but this machine has no such group" in result.output


def test_status_reports_a_casebook_and_warehouse_readable_beyond_their_owner(peel_home):
    assert run_peel("demo-data", "--size", "0.02", "--start", "2026-03", "--end", "2026-03",
                    "--no-persons").exit_code == 0
    assert run_peel("users", "add", "admin", "--role", "administrator", "--identity-provider",
                    "https://sso.force.test", "--subject", "a1").exit_code == 0
    casebook = peel_home / "casebook.sqlite"
    warehouse = (peel_home / "warehouse.duckdb").resolve()
    casebook.chmod(0o644)
    warehouse.chmod(0o640)
    result = run_peel("status")
    assert result.exit_code == 0, result.output
    assert f"{casebook} is readable by everyone (mode 0644)" in result.output
    assert f"{warehouse} is readable by group {grp.getgrgid(os.getgid()).gr_name} (mode 0640)" in result.output
    assert "chmod go-rwx" in result.output


def test_status_reports_nothing_for_files_left_owner_only(peel_home):
    assert run_peel("users", "add", "admin", "--role", "administrator", "--identity-provider",
                    "https://sso.force.test", "--subject", "a1").exit_code == 0
    result = run_peel("status")
    assert "readable by" not in result.output
