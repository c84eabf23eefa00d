"""A web installation over a copy of the county demo force, for the crime pages' tests: the
warehouse copied from the session's demo run (the demo's own connection stays open read-write
in this process, and DuckDB gives a file one configuration per process) and the casebook with
one account per role."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import DemoRun


def copy_demo_site(county_demo: DemoRun, staff_casebook: Path, home: Path) -> Path:
    """``home`` with the demo's warehouse and the staff casebook; returns it."""
    home.mkdir(parents=True, exist_ok=True)
    county_demo.con.execute("CHECKPOINT")
    shutil.copyfile(county_demo.home / "warehouse.duckdb", home / "warehouse.duckdb")
    shutil.copyfile(staff_casebook, home / "casebook.sqlite")
    shutil.copyfile(staff_casebook.with_name("audit-key"), home / "audit-key")  # its log's key
    return home
