"""Follow-up: the return visits (回访) of each handling round."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)

from ..types import UTCDateTime
from .core import metadata

return_visits = Table(
    "return_visits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("round", Integer, nullable=False),
    Column("requester_ticket_id", Integer, ForeignKey("tickets.id")),  # a merged request's
    Column("due_at", UTCDateTime, nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False, index=True),  # pending|answered|unreachable
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime),
    Column("channel", String(8)),
    Column("contacted", Boolean),
    Column("solved", Boolean),
    Column("satisfaction", String(32)),
    Column("comment", Text),
    Column("answered_at", UTCDateTime, index=True),
)
