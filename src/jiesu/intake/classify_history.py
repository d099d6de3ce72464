"""Training the intake classifier on the city's own history (I3, A7).

The training rows are the city's recent tickets (text = title + content, labels =
type, category, tags) with the operators' latest corrections applied; a corrected
label weighs ``FEEDBACK_WEIGHT`` times. :func:`train_from_history` trains on them
and returns the model; installing it is :mod:`.classify_store`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .classify import FEEDBACK_WEIGHT, MAX_ROWS, Model, TrainingRow, _leaf_categories, train
from .classify_features import ticket_text

if TYPE_CHECKING:
    from jiesu.context import Context


def history_rows(ctx: Context, *, max_rows: int = MAX_ROWS) -> list[TrainingRow]:
    """The city's recent tickets with the operators' latest corrections applied."""
    from sqlalchemy import select

    from jiesu.storage import tables
    from jiesu.storage.uow import UnitOfWork

    from . import feedback

    t = tables.tickets.c
    stmt = (
        select(t.id, t.title, t.content, t.request_type, t.category, t.tags)
        .order_by(t.received_at.desc(), t.id.desc())
        .limit(max_rows)
    )
    with UnitOfWork(ctx.engine, write=False) as uow:
        tickets = uow.session.execute(stmt).all()
        fixes = feedback.corrections(uow.session)
    rows: dict[int, TrainingRow] = {
        r.id: TrainingRow(
            ticket_text(r.title, r.content),
            r.request_type,
            r.category,
            list(r.tags) if r.tags else None,
        )
        for r in tickets
    }
    extra: dict[tuple[int, str], TrainingRow] = {}
    for fix in fixes:
        row = rows.get(fix.ticket_id)
        if row is None or row.text != fix.text:  # outside the window, or edited since
            row = extra.setdefault((fix.ticket_id, fix.text), TrainingRow(fix.text))
        setattr(row, fix.field, fix.chosen)
        row.weights[fix.field] = FEEDBACK_WEIGHT
    return list(rows.values())[::-1] + list(extra.values())


def train_from_history(ctx: Context, *, max_rows: int = MAX_ROWS) -> Model:
    """Train on the city's own history and corrections (does not install the model)."""
    rows = history_rows(ctx, max_rows=max_rows)
    return train(rows, _leaf_categories(ctx.city), ctx.now(), city_code=ctx.city.city.code)
