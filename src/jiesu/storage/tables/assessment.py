"""Assessment: appeals against a ticket's effect on a score or against a proactive
governance charge, and the counted facts with their daily sums."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ..types import UTCDateTime
from .core import metadata

appeals = Table(
    "appeals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("unit_code", String(64), ForeignKey("units.code"), nullable=False, index=True),
    Column("grounds", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("evidence", Text, nullable=False, default=""),
    Column("attachments", JSON, nullable=False, default=list),
    Column("filed_at", UTCDateTime, nullable=False, index=True),
    Column("filed_by", String(64), nullable=False),
    Column("decision", String(16), index=True),  # upheld | rejected; empty while under review
    Column("decided_at", UTCDateTime),
    Column("reviewer", String(64)),
    Column("review_reason", Text),
)


#: Appeals against a proactive governance charge (A2, A6): a topic task done late or a weekly
#: warning answered late, contested by the unit charged (``assessment.governance_appeals``).
#: One per charge and unit, decided once; upheld, the charge no longer costs points.
governance_appeals = Table(
    "governance_appeals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # task | warning
    Column("item_id", Integer, nullable=False),  # topic_items.id or hotspot_warnings.id
    Column("unit_code", String(64), ForeignKey("units.code"), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("filed_at", UTCDateTime, nullable=False),
    Column("filed_by", String(64), nullable=False),
    Column("decision", String(16), index=True),  # upheld | rejected; empty while under review
    Column("decided_at", UTCDateTime),
    Column("reviewer", String(64)),
    Column("review_reason", Text),
    UniqueConstraint("kind", "item_id", "unit_code"),
)


#: What each dispatched ticket counts for its lead unit (A2): one row per ticket, kept in
#: step with the ticket and its return visits in the same transaction (storage/facts.py),
#: so a month's assessment sums these rows instead of joining tickets and visits.
assessment_facts = Table(
    "assessment_facts",
    metadata,
    Column("ticket_id", Integer, ForeignKey("tickets.id"), primary_key=True),
    Column("unit_code", String(64), nullable=False),
    Column("dispatched_at", UTCDateTime, nullable=False),
    Column("responded", SmallInteger, nullable=False),
    Column("answered", SmallInteger, nullable=False),
    Column("solved", SmallInteger, nullable=False),
    Column("satisfied", SmallInteger, nullable=False),
    Column("basically", SmallInteger, nullable=False),
    Column("unreachable", SmallInteger, nullable=False),
    Index("ix_assessment_facts_period", "dispatched_at", "unit_code"),
)


#: The facts summed per lead unit and UTC day of dispatch (storage/daily.py), kept in step
#: with the facts: a period's counts read whole days here and only its edges from the facts.
assessment_daily = Table(
    "assessment_daily",
    metadata,
    Column("unit_code", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("orders", Integer, nullable=False),
    Column("responded", Integer, nullable=False),
    Column("answered", Integer, nullable=False),
    Column("solved", Integer, nullable=False),
    Column("satisfied", Integer, nullable=False),
    Column("basically", Integer, nullable=False),
    Column("unreachable", Integer, nullable=False),
)
