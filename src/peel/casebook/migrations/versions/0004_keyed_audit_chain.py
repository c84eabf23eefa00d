"""Key the audit chain: from the first entry written after this upgrade, each entry's hash is
an HMAC under a key kept outside the database, and the chain head is sealed with it.

The entries already written keep their SHA-256 hashes and stay covered: the first keyed entry's
HMAC includes the last of them. This migration is the stated point where keying starts: it
creates the key file if there is no key (``PEEL_AUDIT_KEY`` / ``PEEL_AUDIT_KEY_FILE``), seals the
head as it stands (``keyed_from`` = the head's entry + 1), and appends that head to the anchor
file, so the unkeyed history as it was at the upgrade is on record outside the database.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from peel.casebook import audit, audit_key

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = (("keyed_from", sa.Integer()), ("key_id", sa.String(16)), ("seal", sa.String(64)))


def upgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind))
    bind = op.get_bind()
    seq, last_hash = bind.execute(sa.text("SELECT seq, hash FROM audit_head WHERE id = 1")).one()
    url = bind.engine.url.render_as_string(hide_password=False)
    key = audit_key.load_key(url, create=True)
    key_id = audit_key.key_id(key)
    keyed_from = seq + 1
    bind.execute(
        sa.text("UPDATE audit_head SET keyed_from = :keyed_from, key_id = :key_id, seal = :seal WHERE id = 1"),
        {"keyed_from": keyed_from, "key_id": key_id,
         "seal": audit.compute_seal(key, seq, last_hash, keyed_from, key_id)},
    )
    with op.batch_alter_table("audit_head") as batch:
        for name, kind in COLUMNS:
            batch.alter_column(name, existing_type=kind, nullable=False)
    if seq:
        audit_key.record_anchor(seq, last_hash, audit_key.get_settings().audit_anchor_path(url))


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        for name, _kind in COLUMNS:
            batch.drop_column(name)
