"""tickets ever escalated, indexed

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21

A unit's list of tickets reads one set of ids per way the unit is involved, each from
an index (``repository._involving``). The authorities a ticket was escalated to are a
JSON list on the ticket, which no plain index serves; this partial index holds only the
few tickets ever escalated, among which the list looks for them (H5).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: Frozen copy of ``tables.ESCALATED_SQL`` as of this revision.
_ESCALATED = "CAST(escalation_authorities AS TEXT) <> '[]'"


def upgrade() -> None:
    op.create_index(
        "ix_tickets_escalated",
        "tickets",
        ["id"],
        postgresql_where=sa.text(_ESCALATED),
        sqlite_where=sa.text(_ESCALATED),
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_escalated", table_name="tickets")
