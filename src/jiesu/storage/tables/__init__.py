"""Every table of jiesu. Alembic migrations build them; ``test_migrations`` checks for drift.

The tables are defined by the stage of the ticket's flow they serve, all on the one
:data:`metadata` of :mod:`.core`: the ticket's own tables (:mod:`.core`), units and staff
(:mod:`.accounts`), :mod:`.intake`, the knowledge base (:mod:`.knowledge`),
:mod:`.dispatch`, :mod:`.handling`, :mod:`.followup`, :mod:`.assessment` and
:mod:`.governance`. Import them from here: ``from jiesu.storage import tables`` then ``tables.tickets``.
"""

from __future__ import annotations

from .accounts import sessions, units, users
from .assessment import appeals, assessment_daily, assessment_facts, governance_appeals
from .core import (
    APPEND_ONLY,
    CONTEST_PENDING_SQL,
    ESCALATED_SQL,
    EXTENSION_PENDING_SQL,
    OPEN_AT_UNIT_SQL,
    REPLIED_LATE_SQL,
    ever_escalated,
    idempotency_keys,
    metadata,
    outbox,
    queue_condition,
    ticket_counters,
    ticket_events,
    tickets,
)
from .dispatch import (
    catalogue_versions,
    consultation_invites,
    dispatch_decisions,
    dispatch_models,
    dispatch_objections,
    place_names,
)
from .followup import return_visits
from .governance import (
    hotspot_warnings,
    open_data_releases,
    topic_events,
    topic_items,
    topic_months,
    topic_units,
    topics,
    unit_data_days,
    warning_weeks,
    work_reports,
)
from .handling import co_handler_tasks, deadline_warnings, whistle_calls
from .intake import (
    attachments,
    channel_clients,
    classification_feedback,
    requester_notes,
    requesters,
)
from .knowledge import kb_articles, kb_versions

__all__ = [
    "APPEND_ONLY",
    "CONTEST_PENDING_SQL",
    "ESCALATED_SQL",
    "EXTENSION_PENDING_SQL",
    "OPEN_AT_UNIT_SQL",
    "REPLIED_LATE_SQL",
    "appeals",
    "assessment_daily",
    "assessment_facts",
    "attachments",
    "catalogue_versions",
    "channel_clients",
    "classification_feedback",
    "co_handler_tasks",
    "consultation_invites",
    "deadline_warnings",
    "dispatch_decisions",
    "dispatch_models",
    "dispatch_objections",
    "ever_escalated",
    "governance_appeals",
    "hotspot_warnings",
    "idempotency_keys",
    "kb_articles",
    "kb_versions",
    "metadata",
    "open_data_releases",
    "outbox",
    "place_names",
    "queue_condition",
    "requester_notes",
    "requesters",
    "return_visits",
    "sessions",
    "ticket_counters",
    "ticket_events",
    "tickets",
    "topic_events",
    "topic_items",
    "topic_months",
    "topic_units",
    "topics",
    "unit_data_days",
    "units",
    "users",
    "warning_weeks",
    "work_reports",
    "whistle_calls",
]
