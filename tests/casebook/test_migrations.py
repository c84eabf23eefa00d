"""The casebook's Alembic migrations build exactly the tables its SQLAlchemy models describe,
on SQLite and on PostgreSQL: a model changed without a migration (or the reverse) fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String

from peel.casebook import db
from peel.casebook.models import Base


def differences(url: str, metadata: MetaData) -> list:
    """What Alembic's autogenerate would change to make the migrated database match ``metadata``."""
    engine = db.get_engine(url)  # upgraded to the latest revision on first use
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, metadata)


def test_migrations_match_the_models(casebook_url):
    assert differences(casebook_url, Base.metadata) == []


def test_migrations_and_models_differing_is_reported(casebook_url):
    drifted = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["casebook_user"].append_column(Column("nickname", String(40)))
    reported = differences(casebook_url, drifted)
    assert [(d[0], d[3].name) for d in reported] == [("add_column", "nickname")]
