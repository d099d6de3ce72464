"""Who works in jiesu: the units that handle tickets, their staff and the staff's sessions."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
)

from ..types import UTCDateTime
from .core import metadata

units = Table(
    "units",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("kind", String(32), nullable=False, index=True),
    Column("parent_code", String(64), ForeignKey("units.code"), index=True),
    Column("department", String(64)),
    Column("population", Integer),
    Column("around_the_clock", Boolean, nullable=False, default=False),
    Column("aliases", JSON, nullable=False, default=list),
)


users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(128), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(32), nullable=False),
    Column("unit_code", String(64), ForeignKey("units.code"), nullable=False, index=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)


sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column(
        "user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)
