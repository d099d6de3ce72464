"""assessment facts

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21

One row per dispatched ticket with what it counts for its lead unit (A2), and their sums
per unit and UTC day, kept in step by the application (jiesu.storage.facts and .daily);
filled here from the existing tickets and return visits with the definition as it stood
at this revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jiesu.storage.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_BACKFILL = """
INSERT INTO assessment_facts
    (ticket_id, unit_code, dispatched_at, responded, answered, solved, satisfied, basically,
     unreachable)
SELECT t.id, t.lead_unit_code, t.dispatched_at,
       CASE WHEN t.contacted_at IS NOT NULL AND t.contacted_at <= t.contact_due
            THEN 1 ELSE 0 END,
       COALESCE(v.answered, 0), COALESCE(v.solved, 0), COALESCE(v.satisfied, 0),
       COALESCE(v.basically, 0), COALESCE(v.unreachable, 0)
FROM tickets t
LEFT JOIN (
    SELECT rv.ticket_id, rv.round,
           SUM(CASE WHEN rv.status = 'answered' THEN 1 ELSE 0 END) AS answered,
           SUM(CASE WHEN rv.status = 'answered' AND rv.solved = TRUE THEN 1 ELSE 0 END)
               AS solved,
           SUM(CASE WHEN rv.satisfaction = 'satisfied' THEN 1 ELSE 0 END) AS satisfied,
           SUM(CASE WHEN rv.satisfaction = 'basically_satisfied' THEN 1 ELSE 0 END)
               AS basically,
           SUM(CASE WHEN rv.status = 'unreachable' THEN 1 ELSE 0 END) AS unreachable
    FROM return_visits rv
    WHERE rv.status <> 'pending' AND NOT EXISTS (
        SELECT 1 FROM return_visits n
        WHERE n.ticket_id = rv.ticket_id AND n.round = rv.round
          AND COALESCE(n.requester_ticket_id, 0) = COALESCE(rv.requester_ticket_id, 0)
          AND n.status <> 'pending' AND n.id > rv.id)
    GROUP BY rv.ticket_id, rv.round
) v ON v.ticket_id = t.id AND v.round = t.round
WHERE t.lead_unit_code IS NOT NULL AND t.dispatched_at IS NOT NULL
"""


_DAILY = """
INSERT INTO assessment_daily
    (unit_code, day, orders, responded, answered, solved, satisfied, basically, unreachable)
SELECT unit_code, {day}, COUNT(*), SUM(responded), SUM(answered), SUM(solved),
       SUM(satisfied), SUM(basically), SUM(unreachable)
FROM assessment_facts GROUP BY unit_code, {day}
"""
_UTC_DAY = {"postgresql": "CAST(timezone('UTC', dispatched_at) AS date)"}


def upgrade() -> None:
    op.create_table(
        "assessment_facts",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("dispatched_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=False),
        *(
            sa.Column(name, sa.SmallInteger(), nullable=False)
            for name in ("responded", "answered", "solved", "satisfied", "basically", "unreachable")
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_assessment_facts_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_assessment_facts")),
    )
    with op.batch_alter_table("assessment_facts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_facts_period", ["dispatched_at", "unit_code"], unique=False
        )
    op.create_table(
        "assessment_daily",
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "orders",
                "responded",
                "answered",
                "solved",
                "satisfied",
                "basically",
                "unreachable",
            )
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("unit_code", "day", name=op.f("pk_assessment_daily")),
    )
    op.execute(_BACKFILL)
    dialect = op.get_bind().dialect.name
    op.execute(_DAILY.format(day=_UTC_DAY.get(dialect, "date(dispatched_at)")))


def downgrade() -> None:
    op.drop_table("assessment_daily")
    with op.batch_alter_table("assessment_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_facts_period")
    op.drop_table("assessment_facts")
