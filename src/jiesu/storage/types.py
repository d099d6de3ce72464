"""Column types that behave the same on SQLite and PostgreSQL, and the types of the numbers
and times sent from outside, bounded so that the columns and the computations can hold them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, Field
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

#: The largest value of an INTEGER column on PostgreSQL (ids, version numbers, offsets).
MAX_INT = 2**31 - 1

#: A row's id or version number sent from outside: 1 to :data:`MAX_INT`, else
#: ``input.invalid``. A larger number names no row, and SQLite cannot bind one past 2**63.
#: (The ``…OrNone`` forms keep ``X | None`` as the field's annotation, which the
#: console's forms read to choose each widget.)
RowNumber = Annotated[int, Field(ge=1, le=MAX_INT)]
RowNumberOrNone = Annotated[int | None, Field(ge=1, le=MAX_INT)]


def whole_number(raw: str | None) -> int | None:
    """``raw`` (from a page's query or form) as a whole number from 0 to :data:`MAX_INT`, if
    it is one written in ASCII digits; else None. ``str.isdigit`` lets through what ``int``
    refuses ("²") and numbers no column or offset holds."""
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if value <= MAX_INT else None


def is_row_number(value: int) -> bool:
    """Whether ``value`` may name a row (see :data:`RowNumber`): for ids read from a page's
    path or form, so that a larger one is "no such row" rather than an error of the database."""
    return 1 <= value <= MAX_INT


#: The years a time sent from outside may lie in: wider than any hotline's history or
#: deadline, narrow enough that its UTC form and the arithmetic done with it (a period's
#: predecessor, a review half a year on) stay inside Python's years 1 to 9999.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def within_years(value: datetime | None) -> datetime | None:
    """``value`` if it is None or lies between :data:`EARLIEST_YEAR` and
    :data:`LATEST_YEAR`, else ValueError (``input.invalid`` where pydantic validates)."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


#: A time sent from outside (a deadline, a period's bound): see :func:`within_years`.
Instant = Annotated[datetime, AfterValidator(within_years)]
InstantOrNone = Annotated[datetime | None, AfterValidator(within_years)]


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as UTC; naive values are refused.

    SQLite keeps no zone, so values are normalised to UTC on the way in and
    marked UTC on the way out; PostgreSQL stores ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
