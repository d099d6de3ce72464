"""Handling: co-handlers' tasks, whistle calls (吹哨报到) and the deadline warnings raised."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ..types import UTCDateTime
from .core import metadata

co_handler_tasks = Table(
    "co_handler_tasks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("unit_code", String(64), ForeignKey("units.code"), nullable=False, index=True),
    Column("task", Text, nullable=False),
    Column("due", UTCDateTime, nullable=False),
    Column("assigned_at", UTCDateTime, nullable=False),
    Column("report", Text),
    Column("reported_at", UTCDateTime),
)


whistle_calls = Table(
    "whistle_calls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("unit_code", String(64), ForeignKey("units.code"), nullable=False, index=True),
    Column("whistle_round", Integer, nullable=False),
    Column("summoned_at", UTCDateTime, nullable=False, index=True),
    Column("report_due", UTCDateTime, nullable=False),
    Column("reported_at", UTCDateTime),
    Column("action_taken", Text),
)


deadline_warnings = Table(
    "deadline_warnings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("subject", String(32), nullable=False),  # contact | completion | task:<id> | call:<id>
    Column("level", String(8), nullable=False),  # yellow | red
    Column("unit_code", String(64), ForeignKey("units.code"), nullable=False, index=True),
    Column("due", UTCDateTime, nullable=False),
    Column("raised_at", UTCDateTime, nullable=False, index=True),
    UniqueConstraint("ticket_id", "subject", "level", "due", name="uq_deadline_warnings_once"),
)
