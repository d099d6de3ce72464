"""governance: open data releases

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-23

Open data as published (数据开放, G6, ``jiesu.governance.open_data_releases``): a month's
requests desensitised, kept as the file that was published (gzip-compressed CSV) with its
counts, who published it, when and why, and its withdrawal; one row per version of a month.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jiesu.storage.types

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "open_data_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("confidential", sa.Integer(), nullable=False),
        sa.Column("suppressed", sa.Integer(), nullable=False),
        sa.Column("rows_published", sa.Integer(), nullable=False),
        sa.Column("by_level", sa.JSON(), nullable=False),
        sa.Column("published_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("withdrawn_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=64), nullable=True),
        sa.Column("withdraw_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open_data_releases")),
        sa.UniqueConstraint("month", "version", name=op.f("uq_open_data_releases_month")),
    )


def downgrade() -> None:
    op.drop_table("open_data_releases")
