"""governance: hotspot warnings

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22

The weekly warning of hotspots (G5, ``jiesu.governance.warnings``): one row per place,
category and week that warned, and the measures the unit warned answered with; and the
weeks examined.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jiesu.storage.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hotspot_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("place_code", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("requesters", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("p_value", sa.Float(), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("district_code", sa.String(length=64), nullable=True),
        sa.Column("issued_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("responded_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("responded_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["district_code"], ["units.code"], name=op.f("fk_hotspot_warnings_district_code_units")
        ),
        sa.ForeignKeyConstraint(
            ["place_code"], ["units.code"], name=op.f("fk_hotspot_warnings_place_code_units")
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_hotspot_warnings_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotspot_warnings")),
        sa.UniqueConstraint(
            "week", "place_code", "category", name=op.f("uq_hotspot_warnings_week")
        ),
    )
    with op.batch_alter_table("hotspot_warnings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hotspot_warnings_district_week", ["district_code", "week"], unique=False
        )
        batch_op.create_index("ix_hotspot_warnings_unit_week", ["unit_code", "week"], unique=False)

    op.create_table(
        "warning_weeks",
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("issued_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("baseline_weeks", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("week", name=op.f("pk_warning_weeks")),
    )


def downgrade() -> None:
    op.drop_table("warning_weeks")
    with op.batch_alter_table("hotspot_warnings", schema=None) as batch_op:
        batch_op.drop_index("ix_hotspot_warnings_unit_week")
        batch_op.drop_index("ix_hotspot_warnings_district_week")

    op.drop_table("hotspot_warnings")
