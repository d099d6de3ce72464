"""governance: monthly topics

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22

Monthly topics (每月一题, G2, ``jiesu.governance.topics``): the topics, their co-units, their
three lists, the requests of each full month after launch, and their append-only timeline.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jiesu.storage.types
from jiesu.storage.migration_support import append_only

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("scope_code", sa.String(length=64), nullable=True),
        sa.Column("lead_unit_code", sa.String(length=64), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("baseline_days", sa.Integer(), nullable=False),
        sa.Column("target_drop", sa.Float(), nullable=False),
        sa.Column("sustained_months", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("launched_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("baseline_requests", sa.Integer(), nullable=True),
        sa.Column("baseline_span", sa.Float(), nullable=True),
        sa.Column("ended_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_unit_code"], ["units.code"], name=op.f("fk_topics_lead_unit_code_units")
        ),
        sa.ForeignKeyConstraint(
            ["scope_code"], ["units.code"], name=op.f("fk_topics_scope_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
    )
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_topics_lead_unit_code"), ["lead_unit_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_topics_state"), ["state"], unique=False)

    op.create_table(
        "topic_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor_username", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("actor_unit_code", sa.String(length=64), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_topic_events_topic_id_topics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_events")),
    )
    with op.batch_alter_table("topic_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topic_events_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "topic_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("list", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("created_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("done_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_topic_items_topic_id_topics")
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_topic_items_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_items")),
    )
    with op.batch_alter_table("topic_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topic_items_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "topic_months",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("days", sa.Float(), nullable=False),
        sa.Column("evaluated", sa.Integer(), nullable=False),
        sa.Column("solved", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.Column("basically", sa.Integer(), nullable=False),
        sa.Column("recorded_at", jiesu.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_topic_months_topic_id_topics")
        ),
        sa.PrimaryKeyConstraint("topic_id", "month", name=op.f("pk_topic_months")),
    )
    op.create_table(
        "topic_units",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_topic_units_topic_id_topics")
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_topic_units_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("topic_id", "unit_code", name=op.f("pk_topic_units")),
    )
    with op.batch_alter_table("topic_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topic_units_unit_code"), ["unit_code"], unique=False)

    append_only("topic_events")


def downgrade() -> None:
    with op.batch_alter_table("topic_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_units_unit_code"))

    op.drop_table("topic_units")
    op.drop_table("topic_months")
    with op.batch_alter_table("topic_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_items_topic_id"))

    op.drop_table("topic_items")
    with op.batch_alter_table("topic_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_events_topic_id"))

    op.drop_table("topic_events")
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topics_state"))
        batch_op.drop_index(batch_op.f("ix_topics_lead_unit_code"))

    op.drop_table("topics")
