"""Where peel keeps its state and which engines it uses.

Everything lives under one folder, ``PEEL_HOME`` (default ``./peel-data``), so two folders
are two independent installations. Every setting has a default that needs no configuration;
each can be overridden by an environment variable named ``PEEL_<SETTING>``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    casebook_url: str
    linkage_backend: str

    @property
    def warehouse_path(self) -> Path:
        """The DuckDB file holding the POLE warehouse."""
        return self.home / "warehouse.duckdb"

    @property
    def outputs_dir(self) -> Path:
        """Where packs, exports and reports are written."""
        return self.home / "outputs"

    @property
    def demo_dir(self) -> Path:
        """Where the demo force writes its source-system extracts and ground truth."""
        return self.home / "demo"


def get_settings() -> Settings:
    """Read the settings from the environment, with defaults for everything."""
    home = Path(os.environ.get("PEEL_HOME", "peel-data")).resolve()
    return Settings(
        home=home,
        casebook_url=os.environ.get("PEEL_CASEBOOK_URL", f"sqlite:///{home / 'casebook.sqlite'}"),
        linkage_backend=os.environ.get("PEEL_LINKAGE_BACKEND", "duckdb"),
    )
