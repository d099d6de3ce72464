"""Dispatch: objections and consultations, the catalogue's versions, place names, and
the dispatch model's versions and decisions."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ..types import UTCDateTime
from .core import metadata

dispatch_objections = Table(
    "dispatch_objections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("unit_code", String(64), ForeignKey("units.code"), nullable=False, index=True),
    Column("grounds", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("evidence", Text, nullable=False, default=""),
    Column("raised_at", UTCDateTime, nullable=False, index=True),
    Column("category", String(128), nullable=False, index=True),
    Column("decision", String(16)),  # upheld | rejected; empty while under review
    Column("decided_at", UTCDateTime),
    Column("reviewer_username", String(64)),
    Column("review_reason", Text),
)


consultation_invites = Table(
    "consultation_invites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("unit_code", String(64), ForeignKey("units.code"), nullable=False, index=True),
    Column("invited_at", UTCDateTime, nullable=False),
    Column("due", UTCDateTime, nullable=False),
    Column("position", String(16)),  # lead | co_handle | not_ours; empty until answered
    Column("opinion", Text),
    Column("responded_at", UTCDateTime),
)


catalogue_versions = Table(
    "catalogue_versions",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("entries", JSON, nullable=False),
    Column("author", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("changes", JSON, nullable=False, default=list),  # what differs from the version before
    Column("created_at", UTCDateTime, nullable=False),
)


place_names = Table(
    "place_names",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(128), nullable=False, index=True),
    Column("unit_code", String(64), ForeignKey("units.code"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # road | compound | landmark | old_name | other
    Column("latitude", Float),
    Column("longitude", Float),
    Column("added_by", String(64), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    UniqueConstraint("name", "unit_code", name="uq_place_names_name_unit"),
)


dispatch_models = Table(
    "dispatch_models",
    metadata,
    Column("version", String(80), primary_key=True),
    Column("path", Text, nullable=False),
    Column("trained_at", UTCDateTime, nullable=False),
    Column("trained_by", String(64), nullable=False),
    Column("samples", Integer, nullable=False),
    Column("labels", Integer, nullable=False),
    Column("negatives", JSON, nullable=False, default=dict),  # upheld objections per label
    Column("active", Boolean, nullable=False, default=False),
)


dispatch_decisions = Table(
    "dispatch_decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("username", String(64), nullable=False),
    Column("category", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("chosen_unit_code", String(64), ForeignKey("units.code"), nullable=False),
    Column("suggested_unit_code", String(64)),
    Column("accepted", Boolean, nullable=False),
    Column("rank", Integer),  # of the chosen unit among the suggestions; empty if not among them
    Column("score", Float),
    Column("model_version", String(80)),
)
