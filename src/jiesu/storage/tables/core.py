"""The metadata every table is defined on, and the ticket's own tables.

The ticket itself, its append-only timeline, the per-day counter its number comes
from, the keys that make a retried creation return the first ticket, and the outbox
of the side effects its changes queue.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    cast,
    literal_column,
    text,
)

from jiesu.domain.ticket import OPEN_AT_UNIT, Status

from ..crypto import EncryptedText
from ..types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_STATUSES = ", ".join(f"'{s.value}'" for s in Status)

#: A ticket that was ever escalated (H5): a few in a thousand, kept in a partial index
#: (``ix_tickets_escalated``) so that a unit's list finds what it coordinated among them.
#: The same text on both databases, as the index's predicate and in queries; on PostgreSQL
#: migration 0009 also keeps statistics on it, so the planner knows how few match.
ESCALATED_SQL = "CAST(escalation_authorities AS TEXT) <> '[]'"


#: The predicates of the hotline's queue indexes (migration 0010). Hotline staff list every
#: ticket of the city, so each of their queues (``console.queues``) would otherwise scan
#: them all: 11 million at Beijing scale, seconds a view (``bench/queues.py``). Each
#: holds the few tickets one queue asks for; the queries say the same conditions.
OPEN_AT_UNIT_SQL = "status IN ({})".format(", ".join(f"'{s}'" for s in sorted(OPEN_AT_UNIT)))
EXTENSION_PENDING_SQL = "extension_requested_due IS NOT NULL"
CONTEST_PENDING_SQL = "contest_status = 'pending'"
#: Replied after the deadline, per database. PostgreSQL is asked for a difference against a
#: constant, the one form its statistics on the expression (migration 0010) can estimate:
#: column against column it guesses a third of all tickets, and plans the overdue queue as
#: if late replies were everywhere (a scan of every ticket where there are few).
REPLIED_LATE_SQL = {
    "postgresql": "replied_at - completion_due > interval '0'",
    "sqlite": "replied_at > completion_due",
}
Predicate = str | dict[str, str]


def _partial(name: str, column: str, where: Predicate) -> Index:
    pg, lite = (where["postgresql"], where["sqlite"]) if isinstance(where, dict) else (where,) * 2
    return Index(name, column, postgresql_where=text(pg), sqlite_where=text(lite))


def queue_condition(sql: Predicate, dialect: str = "sqlite"):
    """One of the predicates above as a query's condition on the tickets table, in the
    index's own words: SQLite uses a partial index only for a query that repeats its
    predicate with the same literals (a bound parameter does not match)."""
    return text(sql[dialect] if isinstance(sql, dict) else sql)


def ever_escalated(table):
    """:data:`ESCALATED_SQL` on ``table`` (the tickets table or an alias of it)."""
    return cast(table.c.escalation_authorities, Text) != literal_column("'[]'")


tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("received_at", UTCDateTime, nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("hotline", String(16)),
    Column("request_type", String(16), nullable=False, index=True),
    Column("category", String(128), nullable=False, index=True),
    Column("urgency", String(16), nullable=False),
    Column("title", String(200), nullable=False, default=""),
    Column("content", Text, nullable=False),
    Column("requester_name", EncryptedText, nullable=False, default=""),
    Column("requester_phone", EncryptedText, nullable=False, default=""),
    Column("requester_id", Integer, ForeignKey("requesters.id"), index=True),
    Column("tags", JSON, nullable=False, default=list),
    Column("merged_into_id", Integer, ForeignKey("tickets.id"), index=True),
    Column("original_ticket_id", Integer, ForeignKey("tickets.id"), index=True),
    Column("referral_accepted", Boolean),
    Column("identity_released_units", JSON, nullable=False, default=list),
    Column("address", String(300), nullable=False, default=""),
    Column("location_unit_code", String(64), ForeignKey("units.code"), index=True),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("attachments", JSON, nullable=False, default=list),
    Column("confidential", Boolean, nullable=False, default=False),
    Column("status", String(16), nullable=False, index=True),
    Column("round", Integer, nullable=False, default=1),
    Column("received_by_unit_code", String(64), ForeignKey("units.code"), nullable=False),
    Column("lead_unit_code", String(64), ForeignKey("units.code"), index=True),
    Column("supervising_unit_code", String(64), ForeignKey("units.code"), index=True),
    Column("dispatched_at", UTCDateTime),
    Column("deadline_basis", String(64)),
    Column("contact_due", UTCDateTime),
    Column("completion_due", UTCDateTime, index=True),
    Column("warn_share", Float, nullable=False, default=0.8),
    Column("contact_warn_at", UTCDateTime, index=True),
    Column("completion_warn_at", UTCDateTime, index=True),
    Column("acknowledged_at", UTCDateTime),
    Column("contacted_at", UTCDateTime),
    Column("objection_from_status", String(16)),
    Column("consultation_due", UTCDateTime),
    Column("objection_reason", Text),
    Column("extension_requested_due", UTCDateTime),
    Column("extension_reason", Text),
    Column("extension_count", Integer, nullable=False, default=0),
    Column("urge_count", Integer, nullable=False, default=0),
    Column("whistle_round", Integer, nullable=False, default=0),
    Column("whistle_open", Boolean, nullable=False, default=False),
    Column("escalated_to", String(64), ForeignKey("units.code"), index=True),
    Column("escalated_from_status", String(16)),
    Column("escalation_authorities", JSON, nullable=False, default=list),
    Column("contest_kind", String(32)),
    Column("contest_reason", Text),
    Column("contest_status", String(16)),
    Column("replied_at", UTCDateTime),
    Column("reply_outcome", String(32)),
    Column("reply_text", Text),
    Column("answer_text", Text),
    Column("referral_reason", String(32)),
    Column("referral_destination", Text),
    Column("visited_at", UTCDateTime),
    Column("visit_contacted", Boolean),
    Column("visit_solved", Boolean),
    Column("satisfaction", String(32)),
    Column("closed_at", UTCDateTime),
    CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
    Index("ix_tickets_lead_status", "lead_unit_code", "status"),
    _partial("ix_tickets_escalated", "id", ESCALATED_SQL),
    _partial("ix_tickets_open_due", "completion_due", OPEN_AT_UNIT_SQL),  # overdue, open
    _partial("ix_tickets_replied_late", "received_at", REPLIED_LATE_SQL),  # overdue, replied
    _partial("ix_tickets_extension_pending", "extension_requested_due", EXTENSION_PENDING_SQL),
    _partial("ix_tickets_contest_pending", "completion_due", CONTEST_PENDING_SQL),
    # Monthly topics (migration 0014, bench/topics.py): a topic's requests as a range of
    # categories, byte by byte (pattern operators), with what its figures count; and each
    # month's requests with their category and visit outcome, for the candidates.
    Index(
        "ix_tickets_category_received",
        "category",
        "received_at",
        postgresql_ops={"category": "varchar_pattern_ops"},
        postgresql_include=["location_unit_code", "visit_solved", "satisfaction"],
    ),
    Index(
        "ix_tickets_received_outcome",
        "received_at",
        postgresql_include=["category", "visit_solved", "satisfaction"],
    ),
)


ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False, index=True),  # the day's changes (G4)
    Column("action", String(32), nullable=False, index=True),
    Column("actor_user_id", Integer, ForeignKey("users.id")),
    Column("actor_username", String(64), nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("actor_unit_code", String(64), nullable=False),
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("reason", Text),
    Column("changes", JSON, nullable=False, default=dict),
    Column("data", JSON, nullable=False, default=dict),
)


ticket_counters = Table(
    "ticket_counters",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("value", Integer, nullable=False),
)


idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)


outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("topic", String(64), nullable=False),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), index=True),
    Column("payload", JSON, nullable=False),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("available_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("sent_at", UTCDateTime),
    Index("ix_outbox_pending", "sent_at", "available_at"),
)

#: Tables whose rows are never updated or deleted (database triggers enforce it).
APPEND_ONLY = ("ticket_events", "topic_events")
