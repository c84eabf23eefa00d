"""Shared fixtures: every test gets its own PEEL_HOME, so its warehouse and casebook are real
files in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def peel_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "peel-home"
    monkeypatch.setenv("PEEL_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.fail(f"The shared data folder is missing: expected {SHARED_DATA}")
    return SHARED_DATA
