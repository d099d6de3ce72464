"""The operator's corrections of intake proposals, kept as training data (I3, A7).

At intake the model proposes request type, category and "七有五性" tags; the
operator confirms or corrects. A confirmation needs no row — the ticket itself
carries the confirmed labels — but a correction is worth more than any other
label: it is exactly where the model was wrong. Each one is kept with the text
it was made on and the model version that proposed, so that retraining weighs
it heavily and an evaluation can tell how often each version was corrected.

``record_feedback`` runs inside the caller's unit of work (receive, reclassify):
the correction is written with the ticket or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiesu.storage import tables

FIELDS = ("request_type", "category", "tags")


def normalise(field: str, value: Any) -> Any:
    """Values as stored and compared: tags as a sorted list without repeats, others as text."""
    if value is None:
        return None
    if field == "tags":
        return sorted(set(value if not isinstance(value, str) else [value]))
    return str(value)


def record_feedback(
    session: Session,
    ticket_id: int,
    field: str,
    proposed: Any,
    chosen: Any,
    model_version: str | None,
    text: str,
    username: str,
    now: datetime,
) -> bool:
    """Keep a correction; return False (and write nothing) when there is none to keep.

    ``field`` is ``request_type``, ``category`` or ``tags``; ``proposed`` what the model
    offered, ``chosen`` what the operator recorded. Nothing is kept when the operator
    chose what was proposed, or when nothing was proposed for the field (None): a
    label nobody proposed is not a correction, and the ticket carries it anyway.
    """
    if field not in FIELDS:
        raise ValueError(f"unknown field {field!r}; one of {', '.join(FIELDS)}")
    proposed, chosen = normalise(field, proposed), normalise(field, chosen)
    if proposed is None or chosen is None or proposed == chosen:
        return False
    session.execute(
        tables.classification_feedback.insert().values(
            ticket_id=ticket_id,
            field=field,
            proposed=proposed,
            chosen=chosen,
            model_version=(model_version or "")[:64] or None,
            text=text,
            username=username[:64],
            at=now,
        )
    )
    return True


@dataclass(frozen=True)
class Correction:
    id: int
    ticket_id: int
    field: str
    proposed: Any
    chosen: Any
    model_version: str | None
    text: str
    username: str
    at: datetime


def corrections(
    session: Session, *, since: datetime | None = None, fields: Iterable[str] = FIELDS
) -> list[Correction]:
    """The latest correction of each ticket and field (a later one overrides), oldest first."""
    f = tables.classification_feedback.c
    latest = (
        select(func.max(f.id).label("id"))
        .where(f.field.in_(list(fields)))
        .group_by(f.ticket_id, f.field)
    )
    if since is not None:
        latest = latest.where(f.at >= since)
    stmt = select(tables.classification_feedback).where(f.id.in_(latest)).order_by(f.id)
    return [Correction(**row._mapping) for row in session.execute(stmt)]


def training_rows(session: Session, *, since: datetime | None = None) -> list[dict[str, Any]]:
    """Corrections as plain training rows ``{ticket_id, text, field, label, model_version, at}``.

    For export (CSV or JSON lines) and for training outside jiesu; ``label`` is the
    operator's choice (a list for ``tags``).
    """
    return [
        {
            "ticket_id": c.ticket_id,
            "text": c.text,
            "field": c.field,
            "label": c.chosen,
            "proposed": c.proposed,
            "model_version": c.model_version,
            "at": c.at.isoformat(),
        }
        for c in corrections(session, since=since)
    ]


def counts(session: Session) -> dict[str, int]:
    """How many corrections were kept per field (all of them, not only the latest)."""
    f = tables.classification_feedback.c
    rows = session.execute(select(f.field, func.count()).group_by(f.field)).all()
    return {field: 0 for field in FIELDS} | {field: n for field, n in rows}
