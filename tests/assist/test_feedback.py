"""Corrections of proposals kept as training data (I3, A7): only real corrections, the latest
one per ticket and field, exported as plain rows; receive() keeps them from the proposal echo."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import select

from jiesu.intake import feedback
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork
from tests.api.helpers import create


def _id(ctx, number: str) -> int:
    t = tables.tickets.c
    with ctx.engine.connect() as conn:
        return conn.execute(select(t.id).where(t.number == number)).scalar_one()


def test_only_corrections_are_kept_and_the_latest_wins(client, auth, ctx):
    tid = _id(ctx, create(client, auth)["number"])
    now = ctx.now()
    with UnitOfWork(ctx.engine) as uow:
        s = uow.session
        record = feedback.record_feedback
        assert not record(
            s, tid, "category", "城乡建设/供暖", "城乡建设/供暖", "v1", "t", "op", now
        )
        assert not record(s, tid, "tags", ["safety", "elderly"], ["elderly", "safety"], "v1", "t",
                          "op", now)  # fmt: skip
        assert not record(s, tid, "request_type", None, "help", "v1", "t", "op", now)
        assert record(s, tid, "category", "城乡建设/供暖", "城乡建设/供水", "v1", "t", "op", now)
        assert record(
            s, tid, "category", "城乡建设/供水", "城乡建设/物业管理", "v2", "t", "op", now
        )
        assert record(s, tid, "tags", [], ["livability"], "v1", "t", "op", now)
        with pytest.raises(ValueError):
            record(s, tid, "urgency", "normal", "urgent", "v1", "t", "op", now)
        uow.commit()
    with UnitOfWork(ctx.engine, write=False) as uow:
        latest = feedback.corrections(uow.session)
        rows = feedback.training_rows(uow.session)
        counts = feedback.counts(uow.session)
    assert [(c.field, c.chosen, c.model_version) for c in latest] == [
        ("category", "城乡建设/物业管理", "v2"),
        ("tags", ["livability"], "v1"),
    ]
    assert rows[0] == {
        "ticket_id": tid,
        "text": "t",
        "field": "category",
        "label": "城乡建设/物业管理",
        "proposed": "城乡建设/供水",
        "model_version": "v2",
        "at": now.astimezone(UTC).isoformat(),
    }
    assert counts == {"request_type": 0, "category": 2, "tags": 1}


def test_receive_keeps_what_the_operator_changed_in_the_proposal(client, auth, ctx):
    proposal = {"request_type": "help", "category": "城乡建设/供暖", "tags": ["livability"],
                "model_version": "rules-abc"}  # fmt: skip
    create(client, auth, proposal=proposal, tags=["livability", "elderly"])
    with UnitOfWork(ctx.engine, write=False) as uow:
        kept = {c.field: (c.proposed, c.chosen) for c in feedback.corrections(uow.session)}
    assert kept == {
        "request_type": ("help", "complaint"),
        "category": ("城乡建设/供暖", "城乡建设/物业管理"),
        "tags": (["livability"], ["elderly", "livability"]),
    }
