"""Every setting peel reads from its environment, with its default: the one place a
``PEEL_*`` variable is read (a test fails if another module reads the environment, or if a
variable here is missing from the README's table).

Everything lives under one folder, ``PEEL_HOME`` (default ``./peel-data``), so two folders
are two independent installations. Every setting has a default that needs no configuration.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Each variable, its meaning and its default as the README lists them.
VARIABLES = {
    "PEEL_HOME": "all of peel's state: warehouse, casebook, outputs, demo extracts",
    "PEEL_CASEBOOK_URL": "the case records' database (SQLite under PEEL_HOME, or PostgreSQL)",
    "PEEL_LINKAGE_BACKEND": "the linkage engine: duckdb or spark",
    "PEEL_USER": "which signed-in user (peel login) a command acts as, when several are (or --as)",
    "PEEL_SPARK_MASTER": "the Spark master for the spark linkage backend (else SPARK_MASTER)",
    "PEEL_SPARK_WAREHOUSE_DIR": "Spark's scratch warehouse folder",
    "PEEL_SPARK_CHECKPOINT_DIR": "Spark's checkpoint folder",
    "PEEL_SECRET_KEY": "the web app's key for its form tokens (else one generated in PEEL_HOME)",
    "PEEL_IDENTITY_PROVIDERS": "the file declaring the web app's OpenID Connect single sign-on providers",
    "PEEL_AUDIT_KEY": "the audit log's chain key, 64 hex digits (else read from PEEL_AUDIT_KEY_FILE)",
    "PEEL_AUDIT_KEY_FILE": "the file holding the audit log's chain key (default beside a SQLite casebook, else PEEL_HOME)",
    "PEEL_AUDIT_ANCHOR_FILE": "the append-only file of audit anchors (default beside the casebook's folder, outside it)",
    "PEEL_FILE_GROUP": "a group that may read what peel writes (default: the owner only)",
    "PEEL_DVDS_RECOGNITION_STARTED": "the day the force started recognising Clare's Law Right to Know situations",
}


@dataclass(frozen=True)
class Settings:
    home: Path
    casebook_url: str
    linkage_backend: str
    user: str | None
    spark_master: str
    spark_warehouse_dir: str
    spark_checkpoint_dir: str
    secret_key: str | None  # None: the web app generates one and keeps it in secret_key_path
    # The single sign-on providers' file; peel offers none when it does not exist.
    identity_providers_file: Path
    audit_key: str | None  # None: read from audit_key_file
    audit_key_file: Path | None  # None: see audit_key_path
    audit_anchor_setting: Path | None  # None: see audit_anchor_path
    file_group: str | None  # None: what peel writes is readable by its owner only
    dvds_recognition_started: str  # YYYY-MM-DD, read by peel.dvds.figures.recognition_started

    @property
    def warehouse_path(self) -> Path:
        """The DuckDB file holding the POLE warehouse."""
        return self.home / "warehouse.duckdb"

    @property
    def outputs_dir(self) -> Path:
        """Where packs, exports and reports are written."""
        return self.home / "outputs"

    @property
    def secret_key_path(self) -> Path:
        """Where the web app keeps the key it generated when PEEL_SECRET_KEY is not set."""
        return self.home / "secret-key"

    def audit_key_path(self, casebook_url: str | None = None) -> Path:
        """The file holding the audit chain's key for the casebook at ``casebook_url`` (default
        the configured one): PEEL_AUDIT_KEY_FILE; else beside a SQLite casebook (in PEEL_HOME
        by default), so a casebook moved with its folder keeps its key; else PEEL_HOME/audit-key."""
        if self.audit_key_file is not None:
            return self.audit_key_file
        url = casebook_url or self.casebook_url
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            return Path(url.removeprefix("sqlite:///")).parent / "audit-key"
        return self.home / "audit-key"

    def audit_anchor_path(self, casebook_url: str | None = None) -> Path:
        """The append-only file of anchors for the casebook at ``casebook_url`` (default the
        configured one): PEEL_AUDIT_ANCHOR_FILE; else beside the folder holding a SQLite casebook
        (PEEL_HOME by default), outside it, so whoever can replace that folder does not hold the
        anchors, and two casebooks never share one file; else beside PEEL_HOME."""
        if self.audit_anchor_setting is not None:
            return self.audit_anchor_setting
        url = casebook_url or self.casebook_url
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            folder = Path(url.removeprefix("sqlite:///")).parent
        else:
            folder = self.home
        return folder.parent / f"{folder.name}.audit-anchors"

    @property
    def audit_anchor_file(self) -> Path:
        """The anchor file of the configured casebook."""
        return self.audit_anchor_path()

    @property
    def demo_dir(self) -> Path:
        """Where the demo force writes its source-system extracts and ground truth."""
        return self.home / "demo"


def get_settings() -> Settings:
    """Read the settings from the environment, with defaults for everything."""
    env = os.environ
    home = Path(env.get("PEEL_HOME", "peel-data")).resolve()
    scratch = tempfile.gettempdir()
    return Settings(
        home=home,
        casebook_url=env.get("PEEL_CASEBOOK_URL", f"sqlite:///{home / 'casebook.sqlite'}"),
        linkage_backend=env.get("PEEL_LINKAGE_BACKEND", "duckdb"),
        user=env.get("PEEL_USER") or None,
        # SPARK_MASTER is Spark's own variable: honoured when peel's is not set.
        spark_master=env.get("PEEL_SPARK_MASTER", env.get("SPARK_MASTER", "local[2]")),
        spark_warehouse_dir=env.get("PEEL_SPARK_WAREHOUSE_DIR", os.path.join(scratch, "peel-spark-warehouse")),
        spark_checkpoint_dir=env.get("PEEL_SPARK_CHECKPOINT_DIR", os.path.join(scratch, "peel-spark-checkpoints")),
        secret_key=env.get("PEEL_SECRET_KEY") or None,
        identity_providers_file=Path(env.get("PEEL_IDENTITY_PROVIDERS") or home / "identity-providers.yaml"),
        audit_key=env.get("PEEL_AUDIT_KEY") or None,
        audit_key_file=Path(env["PEEL_AUDIT_KEY_FILE"]) if env.get("PEEL_AUDIT_KEY_FILE") else None,
        audit_anchor_setting=Path(env["PEEL_AUDIT_ANCHOR_FILE"]) if env.get("PEEL_AUDIT_ANCHOR_FILE") else None,
        file_group=env.get("PEEL_FILE_GROUP") or None,
        dvds_recognition_started=env.get("PEEL_DVDS_RECOGNITION_STARTED") or "2025-03-01",
    )


def cache_compiled_forecasts() -> None:
    """Let statsforecast keep the models numba compiles on first use (NIXTLA_NUMBA_CACHE), so a
    forecast compiles once per machine, not once per run; a value the user set is kept."""
    os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")
