"""Proactive governance: the weeks examined, the hotspots warned each week and what the
street did (G5); the monthly topics, their lists and their timeline (G2); the units' data
push and the monthly work reports (G4); the open data published (G6)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ..types import UTCDateTime
from .core import metadata

#: One row per place, category and week that warned (``governance.warnings``); the unit
#: warned (the place's street, or its district) answers with the measures it took.
hotspot_warnings = Table(
    "hotspot_warnings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("week", String(8), nullable=False),  # ISO week, e.g. 2026-W47
    Column("place_code", String(64), ForeignKey("units.code"), nullable=False),
    Column("category", String(128), nullable=False),
    Column("kind", String(16), nullable=False),  # surge | persistent
    Column("received", Integer, nullable=False),
    Column("requesters", Integer, nullable=False),
    Column("expected", Float, nullable=False),
    Column("p_value", Float, nullable=False),
    Column("unit_code", String(64), ForeignKey("units.code"), nullable=False),
    Column("district_code", String(64), ForeignKey("units.code")),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("response", Text),
    Column("responded_at", UTCDateTime),
    Column("responded_by", String(64)),
    UniqueConstraint("week", "place_code", "category"),
    Index("ix_hotspot_warnings_unit_week", "unit_code", "week"),
    Index("ix_hotspot_warnings_district_week", "district_code", "week"),
)


#: One row per week examined, whether or not anything warned: the worker examines each
#: ended week once (``governance.warnings.issue_due``).
warning_weeks = Table(
    "warning_weeks",
    metadata,
    Column("week", String(8), primary_key=True),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("issued_by", String(64), nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("baseline_weeks", Integer, nullable=False),  # the full weeks of history judged on
)


#: Monthly topics (每月一题, G2): a hard, common problem taken up as a project
#: (``governance.topics``). Which requests it is about: ``categories`` (each with its
#: subcategories), narrowed by ``keywords`` (any, in the title or the text) and by the
#: territory of ``scope_code`` when given.
topics = Table(
    "topics",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("summary", Text, nullable=False, default=""),
    Column("month", String(7), nullable=False),  # the month it is scheduled for, 2026-11
    Column("state", String(16), nullable=False, index=True),
    Column("categories", JSON, nullable=False),
    Column("keywords", JSON, nullable=False, default=list),
    Column("scope_code", String(64), ForeignKey("units.code")),  # None: the whole city
    Column("lead_unit_code", String(64), ForeignKey("units.code"), nullable=False, index=True),
    Column("plan", Text, nullable=False, default=""),  # 工作方案
    Column("baseline_days", Integer, nullable=False),
    Column("target_drop", Float, nullable=False),
    Column("sustained_months", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("launched_at", UTCDateTime),
    Column("baseline_requests", Integer),  # fixed at launch: requests over the baseline ...
    Column("baseline_span", Float),  # ... and the days it covered (a young history: fewer)
    Column("ended_at", UTCDateTime),  # closed or withdrawn
    Column("end_reason", Text),
)

#: A topic's co-units (配合单位); its lead unit is on the topic itself.
topic_units = Table(
    "topic_units",
    metadata,
    Column("topic_id", Integer, ForeignKey("topics.id"), primary_key=True),
    Column("unit_code", String(64), ForeignKey("units.code"), primary_key=True, index=True),
)

#: The three lists (三清单): problems, tasks (with their unit and due date) and duties.
topic_items = Table(
    "topic_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("topic_id", Integer, ForeignKey("topics.id"), nullable=False, index=True),
    Column("list", String(16), nullable=False),  # problem | task | duty
    Column("text", Text, nullable=False),
    Column("unit_code", String(64), ForeignKey("units.code")),
    Column("due_on", Date),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("done_at", UTCDateTime),
    Column("done_by", String(64)),
    Column("outcome", Text),
)

#: Every change of a topic, append-only (who, when, what, why; S2).
topic_events = Table(
    "topic_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("topic_id", Integer, ForeignKey("topics.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("action", String(32), nullable=False),
    Column("actor_username", String(64), nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("actor_unit_code", String(64), nullable=False),
    Column("from_state", String(16)),
    Column("to_state", String(16), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("detail", JSON, nullable=False, default=dict),
)

#: A topic's requests in each full month after its launch month, recorded once the month
#: has ended (``governance.topic_months.record_due``): what its fall is judged on.
topic_months = Table(
    "topic_months",
    metadata,
    Column("topic_id", Integer, ForeignKey("topics.id"), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("requests", Integer, nullable=False),
    Column("days", Float, nullable=False),
    Column("evaluated", Integer, nullable=False),  # return visits answered
    Column("solved", Integer, nullable=False),
    Column("satisfied", Integer, nullable=False),
    Column("basically", Integer, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)


#: The days whose changed tickets were pushed to the units concerned (G4,
#: ``governance.unit_data.push_due``): the push runs in chunks of tickets, each in its own
#: transaction, and resumes after the last chunk done; ``pushed_at`` once all are.
unit_data_days = Table(
    "unit_data_days",
    metadata,
    Column("day", Date, primary_key=True),  # the city's local day
    Column("chunks", Integer, nullable=False),  # chunks of changed tickets that day
    Column("chunks_done", Integer, nullable=False),
    Column("tickets", Integer, nullable=False),
    Column("messages", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("pushed_at", UTCDateTime),
)


#: Monthly work reports (月度工作报告, G4; ``governance.reports``), kept as issued: the
#: content (JSON) is never rewritten. ``scope`` is ``city`` or a district's code. The worker
#: issues version 1 of each once the month has ended; regenerating on demand adds the next
#: version with its reason, and the earlier ones stay.
work_reports = Table(
    "work_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("month", String(7), nullable=False),
    Column("scope", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("issued_by", String(64), nullable=False),
    Column("reason", Text, nullable=False, default=""),  # why it was regenerated
    Column("content", JSON, nullable=False),
    UniqueConstraint("month", "scope", "version"),
    Index("ix_work_reports_scope_month", "scope", "month"),
)


#: Open data as published (数据开放, G6; ``governance.open_data_releases``): a month's
#: requests desensitised, the file kept as it was published (gzip-compressed CSV, with its
#: BOM) so that a download costs no scan and a published month never changes when its
#: tickets do. A second version of a month carries the office's note; the newest version of
#: a month is the public one unless it was withdrawn (then the month is not public at all).
open_data_releases = Table(
    "open_data_releases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("month", String(7), nullable=False),  # 2026-11
    Column("version", Integer, nullable=False),  # 1, 2, … per month
    Column("k", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),  # gzip of the CSV as downloaded
    Column("size", Integer, nullable=False),  # bytes of the CSV as downloaded
    Column("sha256", String(64), nullable=False),  # of the CSV as downloaded
    Column("received", Integer, nullable=False),  # requests received in the month
    Column("confidential", Integer, nullable=False),  # left out at the requester's wish
    Column("suppressed", Integer, nullable=False),  # rarer than k at every level
    Column("rows_published", Integer, nullable=False),
    Column("by_level", JSON, nullable=False),  # rows published at each level, [l0, l1, l2, l3]
    Column("published_at", UTCDateTime, nullable=False),
    Column("published_by", String(64), nullable=False),
    Column("note", Text, nullable=False, default=""),  # why a further version was published
    Column("withdrawn_at", UTCDateTime),
    Column("withdrawn_by", String(64)),
    Column("withdraw_reason", Text),
    UniqueConstraint("month", "version"),
)
