"""Helpers shared by migrations (kept outside ``migrations/versions`` so they can be imported)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

STATUSES_0001 = (
    "received", "answered", "referred", "dispatched", "objected",
    "acknowledged", "in_progress", "replied", "visited", "closed",
)  # fmt: skip
STATUSES_0002 = (*STATUSES_0001, "merged")
STATUSES_0003 = (*STATUSES_0002, "consulting")
STATUSES_0004 = (*STATUSES_0003, "escalated")


def status_check(statuses: tuple[str, ...]) -> None:
    """Rewrite the tickets' status CHECK to name exactly ``statuses``."""
    listed = ", ".join(f"'{s}'" for s in statuses)
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_tickets_status_known"), type_="check")
        batch_op.create_check_constraint("status_known", sa.text(f"status IN ({listed})"))


def append_only(table: str) -> None:
    """Refuse UPDATE and DELETE on a timeline table, on both databases (S2)."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION jiesu_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION jiesu_append_only()"
    )
