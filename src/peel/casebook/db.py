"""Connections to the casebook: a SQLite file beside the warehouse by default, or a
PostgreSQL server shared by many users when ``PEEL_CASEBOOK_URL`` says so
(``postgresql+psycopg://user:password@host/db``).

The schema is brought to the latest Alembic revision the first time a process opens the
casebook. Writers are serialised where the audit chain needs it: on SQLite every transaction
that may write starts with ``BEGIN IMMEDIATE`` (one writer at a time); on PostgreSQL the
audit head row is locked with ``SELECT ... FOR UPDATE`` (see ``audit``). Transactions that
write nothing, not even an audit entry, are opened ``readonly`` and take no write lock, so a
long one (verifying the audit chain) does not hold up writers.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from peel.casebook import audit, audit_key
from peel.casebook.errors import CasebookUnavailable
from peel.private import close_at_rest
from peel.settings import get_settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any fixed number: PostgreSQL sessions migrating at once queue on this advisory lock.
MIGRATION_LOCK_ID = 402026
# How long a SQLite writer waits for another to finish before giving up.
SQLITE_BUSY_TIMEOUT_SECONDS = 60
# The execution option that tells the SQLite "begin" listener a transaction writes nothing.
READ_ONLY_OPTION = "casebook_read_only"
# Where a session keeps the work to do once its transaction has ended (see ``afterwards``).
AFTERWARDS = "casebook_afterwards"

URL_EXAMPLES = (
    "Use a sqlite:/// or postgresql+psycopg:// URL, such as sqlite:////srv/peel/casebook.sqlite or "
    "postgresql+psycopg://peel:PASSWORD@db.force.internal/peel, or unset it for the file beside the warehouse."
)

_engines: dict[str, Engine] = {}
# The same engines' read-only views (see ``read_only``), kept as long: the web app opens one
# for every request's session lookup.
_read_only_engines: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """Return the engine for ``url`` (default: the configured casebook), migrated to the latest schema."""
    url = url or get_settings().casebook_url
    if url not in _engines:
        engine = create_casebook_engine(url)
        migrate(engine)
        _engines[url] = engine
    return _engines[url]


def get_read_only_engine(url: str | None = None) -> Engine:
    """``read_only(get_engine(url))``, made once per URL."""
    url = url or get_settings().casebook_url
    if url not in _read_only_engines:
        _read_only_engines[url] = read_only(get_engine(url))
    return _read_only_engines[url]


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
    """Create the SQLite file readable by its owner only, or also by PEEL_FILE_GROUP (SQLite
    gives its -wal and -shm files the same permissions): the casebook holds personal data."""
    close_at_rest()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o640))  # the umask takes the group's off unless set


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
        read_only = bool(connection.get_execution_options().get(READ_ONLY_OPTION))
        # query_only makes a write in a read-only transaction fail at once rather than wait
        # for the lock. It stays set on the connection, so it is said only when it changes.
        kept = connection.connection.info
        if kept.get(READ_ONLY_OPTION) is not read_only:
            connection.exec_driver_sql(f"PRAGMA query_only = {'ON' if read_only else 'OFF'}")
            kept[READ_ONLY_OPTION] = read_only
        # Read-only: no lock; under WAL a plain BEGIN reads one snapshot, from its first read on.
        # Otherwise take the write lock at the start, so two writers never interleave the audit
        # chain and never fail half-way with "database is locked" after reading a stale head.
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


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
    """Bring the casebook schema to the latest revision, in one transaction.

    Every process checks on first use, so the check takes no lock; only an upgrade does.
    """
    # Imported here, not at the top: Alembic adds a sixth of a second to every peel command.
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    with read_only(engine).connect() as connection:
        if MigrationContext.configure(connection).get_current_revision() == head:
            return
    # Processes upgrading at once queue here; the upgrade then finds the work done.
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def read_only(engine: Engine) -> Engine:
    """``engine`` for transactions that write nothing: on SQLite they take no write lock, and on
    both backends a write in one is refused."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(postgresql_readonly=True)
    return engine.execution_options(**{READ_ONLY_OPTION: True})


@contextmanager
def transaction(url: str | None = None, *, snapshot: bool = False, readonly: bool = False) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back whole on any exception.

    ``snapshot=True`` makes every read see the same instant (REPEATABLE READ on PostgreSQL;
    a SQLite transaction under WAL already does), which verifying the audit chain needs.
    ``readonly=True`` is for transactions that write nothing, not even an audit entry
    (listings, counts, verifying the chain): see ``read_only``. A refusal in any of them is
    logged afterwards, in a transaction of its own (see ``afterwards``).
    """
    engine = get_engine(url)
    if snapshot and engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    if readonly:
        engine = read_only(engine) if snapshot else get_read_only_engine(url)
    with Session(engine, expire_on_commit=False, info={AFTERWARDS: []}) as session:
        try:
            with session.begin():
                yield session
            # Committed: only now is the head it names part of the log.
            if audit.PENDING_ANCHOR in session.info:
                audit_key.record_anchor(*session.info.pop(audit.PENDING_ANCHOR),
                                        audit_key.anchor_path_for(session))
        finally:
            # The transaction has ended and holds no lock now, so this one can write.
            if session.info[AFTERWARDS]:
                with transaction(url) as later:
                    for job in session.info[AFTERWARDS]:
                        job(later)


def afterwards(session: Session, job: Callable[[Session], object]) -> None:
    """Run ``job(session)`` in a transaction of its own once ``session``'s transaction has
    ended, committed or rolled back: for what must be kept even when that transaction is
    undone (the audit entry of a refusal)."""
    if AFTERWARDS not in session.info:
        raise RuntimeError("Open casebook sessions with peel.casebook.transaction(): it runs the "
                           "work left for after the transaction, such as logging a refusal.")
    session.info[AFTERWARDS].append(job)


def dispose_engines() -> None:
    """Close every pooled connection (tests, and processes that fork)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _read_only_engines.clear()
    audit_key.forget_keys()
