"""The knowledge base: articles and their reviewed versions."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
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

kb_articles = Table(
    "kb_articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_code", String(64), ForeignKey("units.code"), nullable=False, index=True),
    Column("published_version", Integer),  # the version offered to operators and citizens
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)


kb_versions = Table(
    "kb_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("kb_articles.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column(
        "status", String(16), nullable=False, index=True
    ),  # draft|in_review|published|rejected|superseded|withdrawn
    Column("question", Text, nullable=False),
    Column("variants", JSON, nullable=False, default=list),
    Column("answer", Text, nullable=False),
    Column("policy_basis", Text, nullable=False, default=""),
    Column("categories", JSON, nullable=False, default=list),
    Column("valid_from", UTCDateTime, nullable=False),
    Column("valid_to", UTCDateTime),
    Column("next_review", UTCDateTime, nullable=False, index=True),
    Column("author_user_id", Integer, ForeignKey("users.id")),
    Column("author", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("reviewed_by", String(64)),
    Column("reviewed_at", UTCDateTime),
    Column("review_note", Text),
    UniqueConstraint("article_id", "version", name="uq_kb_versions_article_version"),
)
