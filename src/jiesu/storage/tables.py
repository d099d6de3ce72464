"""Every table of jiesu. Alembic migrations build them; ``test_migrations`` checks for drift."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    cast,
    literal_column,
    text,
)

from jiesu.domain.ticket import Status

from .crypto import EncryptedText
from .types import UTCDateTime

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


def ever_escalated(table):
    """:data:`ESCALATED_SQL` on ``table`` (the tickets table or an alias of it)."""
    return cast(table.c.escalation_authorities, Text) != literal_column("'[]'")


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
    Index(
        "ix_tickets_escalated",
        "id",
        postgresql_where=text(ESCALATED_SQL),
        sqlite_where=text(ESCALATED_SQL),
    ),
)

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

ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
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

#: Tables whose rows are never updated or deleted (database triggers enforce it).
APPEND_ONLY = ("ticket_events",)
