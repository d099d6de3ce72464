"""monthly topics, indexed

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-22

A topic's figures (its page's monthly series and streets, the worker's monthly record) read
the requests of its categories, and the candidates every request of the last six months
with its category and visit outcome. At 11 million tickets (``bench/topics.py``) the
busiest topic's page read the whole table twice (2.7 s), the monthly record of 27 topics
took 57 s and the candidates 2.4 s. Two covering indexes: ``(category, received_at)``,
with pattern operators on PostgreSQL so that a category and everything under it is one
range of bytes whatever the database's collation, holding the place and the visit
outcome; and ``received_at`` holding the category and the visit outcome. PostgreSQL
answers from them without visiting the tickets, except those changed since the last
vacuum.
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tickets_category_received",
            ["category", "received_at"],
            unique=False,
            postgresql_ops={"category": "varchar_pattern_ops"},
            postgresql_include=["location_unit_code", "visit_solved", "satisfaction"],
        )
        batch_op.create_index(
            "ix_tickets_received_outcome",
            ["received_at"],
            unique=False,
            postgresql_include=["category", "visit_solved", "satisfaction"],
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_received_outcome")
        batch_op.drop_index("ix_tickets_category_received")
