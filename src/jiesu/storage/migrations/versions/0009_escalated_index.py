"""tickets ever escalated, indexed

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21

A unit's list of tickets is one OR whose every branch an index answers
(``repository.involving``). The authorities a ticket was escalated to are a JSON list on
the ticket, which no plain index serves; this partial index holds only the few tickets
ever escalated, among which the list looks for them (H5). On PostgreSQL the planner also
needs to know how few they are: without statistics on the predicate's expression it
guesses 99.5 % of all tickets and scans them all (seconds a list at 11 million tickets,
``bench/unit_lists.py``), so the expression gets extended statistics, gathered at once.
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
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE STATISTICS st_tickets_escalated ON ((escalation_authorities::text)) "
            "FROM tickets"
        )
        op.execute("ANALYZE tickets")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_tickets_escalated")
    op.drop_index("ix_tickets_escalated", table_name="tickets")
