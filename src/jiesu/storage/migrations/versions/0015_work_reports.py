"""governance: monthly work reports

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-22

Monthly work reports (月度工作报告, G4, ``jiesu.governance.reports``): the city's and each
district's report of an ended month, kept as issued (its content as JSON), one row per
version; regenerating adds a version with its reason.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jiesu.storage.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("issued_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_reports")),
        sa.UniqueConstraint("month", "scope", "version", name=op.f("uq_work_reports_month")),
    )
    with op.batch_alter_table("work_reports", schema=None) as batch_op:
        batch_op.create_index("ix_work_reports_scope_month", ["scope", "month"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_work_reports_scope_month")

    op.drop_table("work_reports")
