"""Connections to the casebook: a SQLite file beside the warehouse by default, or a
PostgreSQL server shared by many users when ``PEEL_CASEBOOK_URL`` says so
(``postgresql+psycopg://user:password@host/db``).

The schema is brought to the latest Alembic revision the first time a process opens the
casebook. Writers are serialised where the audit chain needs it: on SQLite every transaction
starts with ``BEGIN IMMEDIATE`` (one writer at a time, readers unaffected under WAL); on
PostgreSQL the audit head row is locked with ``SELECT ... FOR UPDATE`` (see ``audit``).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from peel.casebook.errors import CasebookUnavailable
from peel.settings import get_settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any fixed number: PostgreSQL sessions migrating at once queue on this advisory lock.
MIGRATION_LOCK_ID = 402026
# How long a SQLite writer waits for another to finish before giving up.
SQLITE_BUSY_TIMEOUT_SECONDS = 60

URL_EXAMPLES = (
    "Use a sqlite:/// or postgresql+psycopg:// URL, such as sqlite:////srv/peel/casebook.sqlite or "
    "postgresql+psycopg://peel:PASSWORD@db.force.internal/peel, or unset it for the file beside the warehouse."
)

_engines: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """Return the engine for ``url`` (default: the configured casebook), migrated to the latest schema."""
    url = url or get_settings().casebook_url
    if url not in _engines:
        engine = create_casebook_engine(url)
        migrate(engine)
        _engines[url] = engine
    return _engines[url]


def create_casebook_engine(url: str) -> Engine:
    """Create an engine with the casebook's connection rules, without migrating."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        # Not echoed: it may hold a password.
        raise CasebookUnavailable(f"PEEL_CASEBOOK_URL is not a database URL. {URL_EXAMPLES}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            create_private_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        _configure_sqlite(engine)
        return engine
    if parsed.drivername == "postgresql+psycopg":
        return create_engine(url, pool_pre_ping=True)
    raise CasebookUnavailable(f"PEEL_CASEBOOK_URL starts {parsed.drivername}://, which peel cannot use. {URL_EXAMPLES}")


def create_private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (SQLite gives its -wal and -shm files
    the same permissions): the casebook holds personal data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control from the sqlite3 module so we can say BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _use_write_ahead_log(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # Take the write lock at the start, so two writers never interleave the audit chain
        # and never fail half-way with "database is locked" after reading a stale head.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _use_write_ahead_log(cursor) -> None:
    """Switch the file to WAL mode, which then persists in the file itself.

    The switch needs the file to itself, and SQLite reports "database is locked" at once,
    without waiting on the busy timeout, when another process is opening the same new file.
    So: skip it when the file is already in WAL mode, and otherwise retry until the timeout.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_SECONDS
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def migrate(engine: Engine) -> None:
    """Bring the casebook schema to the latest revision, in one transaction."""
    # Imported here, not at the top: Alembic adds a sixth of a second to every peel command.
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def transaction(url: str | None = None, *, snapshot: bool = False) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back whole on any exception.

    ``snapshot=True`` makes every read see the same instant (REPEATABLE READ on PostgreSQL;
    SQLite's immediate transactions already do), which verifying the audit chain needs.
    """
    engine = get_engine(url)
    if snapshot and engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def dispose_engines() -> None:
    """Close every pooled connection (tests, and processes that fork)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
