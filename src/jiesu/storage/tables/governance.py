"""Proactive governance (G5): the weeks examined, the hotspots warned each week, and what
the street did."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
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
