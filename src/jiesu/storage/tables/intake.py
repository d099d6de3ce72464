"""Intake: requesters and notes on them, stored attachments, channel clients, and
the operators' corrections of the proposed classification."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)

from ..crypto import EncryptedText
from ..types import UTCDateTime
from .core import metadata

requesters = Table(
    "requesters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("phone_hash", String(64), nullable=False, unique=True),
    Column("name", EncryptedText, nullable=False, default=""),
    Column("phone", EncryptedText, nullable=False, default=""),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False, index=True),
)


requester_notes = Table(
    "requester_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("requester_id", Integer, ForeignKey("requesters.id"), nullable=False, index=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), index=True),
    Column("kind", String(32), nullable=False),  # persuasion | warning | note
    Column("note", Text, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("username", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)


attachments = Table(
    "attachments",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("media_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("original_name", String(255), nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
)


channel_clients = Table(
    "channel_clients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("channel", String(32), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)


classification_feedback = Table(
    "classification_feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("field", String(32), nullable=False),  # request_type | category | tags
    Column("proposed", JSON),
    Column("chosen", JSON),
    Column("model_version", String(64)),
    Column("text", Text, nullable=False),
    Column("username", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)
