"""governance: full data pushed to the units

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22

The days whose changed tickets were pushed to the units concerned (G4,
``jiesu.governance.unit_data``), and an index on the timeline's times to find a day's
changed tickets.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jiesu.storage.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_data_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("chunks_done", sa.Integer(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("started_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("pushed_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_unit_data_days")),
    )
    # Not in batch mode: SQLite must not copy the timeline (its append-only triggers stay).
    op.create_index(op.f("ix_ticket_events_at"), "ticket_events", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ticket_events_at"), table_name="ticket_events")

    op.drop_table("unit_data_days")
