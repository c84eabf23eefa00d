"""Alembic environment for the casebook. Run by ``peel.casebook.db.migrate`` with an open
connection (in ``config.attributes["connection"]``), inside the caller's transaction, so a
migration either applies whole or not at all."""

from __future__ import annotations

from alembic import context

from peel.casebook.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite can ALTER only by rebuilding tables; batch mode does that for us.
    render_as_batch=connection.dialect.name == "sqlite",
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
