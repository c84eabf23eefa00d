"""The casebook: users, cases and decisions, the review queue, the hash-chained audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The chain starts from this value (peel.casebook.audit.GENESIS_HASH; a test keeps them equal).
# Migrations are frozen history, so the value is written out rather than imported.
GENESIS_HASH = "0" * 64


def upgrade() -> None:
    op.create_table(
        "casebook_user",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("identity_provider", sa.String(200), nullable=False),
        sa.Column("external_subject", sa.String(200)),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "case_record",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("domain", sa.String(30), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("subject_ref", sa.String(100), index=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("opened_by_id", sa.Integer, sa.ForeignKey("casebook_user.id"), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("review_date", sa.Date, nullable=False, index=True),
    )
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer,
            sa.ForeignKey("case_record.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("outcome", sa.String(60), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_by_id", sa.Integer, sa.ForeignKey("casebook_user.id"), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "review_item",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("domain", sa.String(30), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("payload", sa.JSON),
        sa.Column("subject_ref", sa.String(100)),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case_record.id", ondelete="SET NULL")),
        sa.Column("proposed_by_algorithm", sa.String(100)),
        sa.Column("proposed_by_id", sa.Integer, sa.ForeignKey("casebook_user.id")),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer, sa.ForeignKey("casebook_user.id")),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("reason", sa.Text),
        # A proposal comes from exactly one author: an algorithm or a person.
        sa.CheckConstraint(
            "(proposed_by_algorithm IS NULL) <> (proposed_by_id IS NULL)",
            name="review_item_one_proposer",
        ),
    )
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("occurred_at", sa.String(32), nullable=False, index=True),
        sa.Column("actor", sa.String(120), nullable=False, index=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("operation", sa.String(20), nullable=False),
        sa.Column("object_type", sa.String(30), nullable=False),
        sa.Column("object_id", sa.String(64)),
        sa.Column("subject_ref", sa.String(100), index=True),
        sa.Column("purpose", sa.Text),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute(f"INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '{GENESIS_HASH}')")

    # Append-only in the database itself, so a mistaken UPDATE or DELETE fails loudly. Someone
    # with rights to drop these triggers can still tamper; the hash chain is what detects that.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END $$"""
        )
        op.execute(
            """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
               FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"""
        )
        op.execute(
            """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
               FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()"""
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"""CREATE TRIGGER audit_entry_no_{event.lower()} BEFORE {event} ON audit_entry
                    BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END"""
            )


def downgrade() -> None:
    for table in ("audit_head", "audit_entry", "review_item", "decision", "case_record", "casebook_user"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
