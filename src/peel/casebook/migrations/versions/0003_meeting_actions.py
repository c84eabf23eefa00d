"""Meeting actions: what the PCC's Accountability and Performance Meeting agreed, and the
force's progress on each.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_action",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("meeting_month", sa.Date, nullable=False, index=True),
        sa.Column("agenda_item", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("evidence", sa.Text),
        sa.Column("recorded_by_id", sa.Integer, sa.ForeignKey("casebook_user.id"), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer, sa.ForeignKey("casebook_user.id")),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("meeting_action")
