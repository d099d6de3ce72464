"""assessment: appeals against proactive governance charges

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-22

A unit charged with a late topic task or a late-answered weekly warning in the assessment
(A2) may appeal it (A6, ``jiesu.assessment.governance_appeals``); one appeal per charge and
unit.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jiesu.storage.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "governance_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("filed_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviewer", sa.String(length=64), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_governance_appeals_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governance_appeals")),
        sa.UniqueConstraint(
            "kind", "item_id", "unit_code", name=op.f("uq_governance_appeals_kind")
        ),
    )
    with op.batch_alter_table("governance_appeals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_governance_appeals_decision"), ["decision"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_governance_appeals_unit_code"), ["unit_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("governance_appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_governance_appeals_unit_code"))
        batch_op.drop_index(batch_op.f("ix_governance_appeals_decision"))
    op.drop_table("governance_appeals")
