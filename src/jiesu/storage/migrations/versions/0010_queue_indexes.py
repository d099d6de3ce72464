"""the hotline's queues, indexed

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22

Hotline staff list every ticket of the city, so each of their queues scanned them all:
at 11 million tickets the dispatcher's page took 11 s and the supervisor's 18 s
(``bench/unit_lists.py``). Four small partial indexes hold what the queues ask for: the
open tickets by completion deadline and the tickets replied after it (超期), the pending
extension requests (延期审批) and the pending contests (不合理诉求认定). The queries repeat
each predicate in the same words (``tables.queue_condition``), as SQLite needs to use a
partial index. On PostgreSQL the late replies are asked for as ``replied_at -
completion_due > interval '0'`` and the difference gets extended statistics, gathered at
once: compared column against column the planner guesses a third of all tickets and plans
the overdue queue as if late replies were everywhere, while statistics on an expression
only serve an expression compared with a constant.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: Frozen copies of the predicates in ``tables.core`` as of this revision.
_INDEXES = {
    "ix_tickets_open_due": (
        "completion_due",
        "status IN ('acknowledged', 'dispatched', 'escalated', 'in_progress', 'objected')",
    ),
    "ix_tickets_replied_late": (
        "received_at",
        {
            "postgresql": "replied_at - completion_due > interval '0'",
            "sqlite": "replied_at > completion_due",
        },
    ),
    "ix_tickets_extension_pending": (
        "extension_requested_due",
        "extension_requested_due IS NOT NULL",
    ),
    "ix_tickets_contest_pending": ("completion_due", "contest_status = 'pending'"),
}


def upgrade() -> None:
    for name, (column, where) in _INDEXES.items():
        pg, lite = (
            (where["postgresql"], where["sqlite"]) if isinstance(where, dict) else (where,) * 2
        )
        op.create_index(
            name,
            "tickets",
            [column],
            postgresql_where=sa.text(pg),
            sqlite_where=sa.text(lite),
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE STATISTICS st_tickets_replied_late ON ((replied_at - completion_due)) "
            "FROM tickets"
        )
        op.execute("ANALYZE tickets")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_tickets_replied_late")
    for name in reversed(_INDEXES):
        op.drop_index(name, table_name="tickets")
