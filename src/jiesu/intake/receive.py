"""Taking a request: record it in full as a new ticket (I1, I2, BJ Art. 10).

Creation is idempotent per user and ``Idempotency-Key``: a retried request
returns the ticket the first one made, and a different request under a key
already used is refused.
"""

from __future__ import annotations

import hashlib
import json
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from jiesu.context import Context
from jiesu.domain import lifecycle
from jiesu.domain.errors import Conflict, InvalidInput
from jiesu.domain.roles import Actor
from jiesu.domain.ticket import LIVELIHOOD_TAG_LABELS_ZH, Channel, RequestType, Ticket, Urgency
from jiesu.storage import repository as repo
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork
from jiesu.workflow import record

from .feedback import FIELDS, record_feedback
from .requesters import recognise


class ProposalEcho(BaseModel):
    """What the intake model proposed for this request, sent back with the operator's choice
    so that every correction is kept as training data (I3, A7)."""

    model_config = ConfigDict(extra="forbid")

    request_type: str | None = Field(default=None, max_length=16)
    category: str | None = Field(default=None, max_length=128)
    tags: list[str] | None = Field(default=None, max_length=12)
    model_version: str | None = Field(default=None, max_length=64)


#: Control characters other than tab and line breaks (PostgreSQL cannot even store NUL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class NewTicket(BaseModel):
    """What the operator records (or a channel submits) for a new request."""

    model_config = ConfigDict(extra="forbid")

    channel: Channel = Channel.PHONE
    hotline: str | None = Field(default=None, max_length=16, description="归并热线号码，如 12315")
    request_type: RequestType
    category: str = Field(min_length=1, max_length=128)
    urgency: Urgency = Urgency.NORMAL
    title: str = Field(default="", max_length=200)
    content: str = Field(min_length=2, max_length=20000, description="诉求内容")
    requester_name: str = Field(default="", max_length=128)
    requester_phone: str = Field(default="", max_length=32, pattern=r"^[0-9+\-() ]*$")
    address: str = Field(default="", max_length=300)
    location_unit_code: str | None = Field(default=None, max_length=64)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    attachments: list[str] = Field(default_factory=list, max_length=50)
    confidential: bool = False
    tags: list[str] = Field(default_factory=list, max_length=12, description="七有五性标签")
    proposal: ProposalEcho | None = Field(
        default=None, description="智能分类的建议（用于学习纠正）"
    )

    @field_validator("tags")
    @classmethod
    def _known_tags(cls, tags: list[str]) -> list[str]:
        unknown = sorted(set(tags) - set(LIVELIHOOD_TAG_LABELS_ZH))
        if unknown:
            raise ValueError(f"unknown tags {unknown}")
        return list(dict.fromkeys(tags))

    @field_validator("content", "title", "requester_name", "address")
    @classmethod
    def _clean_text(cls, value: str) -> str:
        if _CONTROL.search(value):
            raise ValueError("contains control characters")
        return value.strip()

    @field_validator("content")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if len(value) < 2:
            raise ValueError("the request itself must be stated")
        return value

    @model_validator(mode="after")
    def _coordinates_in_pairs(self) -> NewTicket:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        return self


def _check_against_city(ctx: Context, data: NewTicket) -> None:
    if data.category not in ctx.city.category_codes:
        raise InvalidInput(
            "category.unknown",
            f"事项分类“{data.category}”不存在",
            f"Unknown category {data.category!r}",
            field="category",
        )
    if data.channel is Channel.MERGED_HOTLINE:
        if not data.hotline or data.hotline not in ctx.city.merged_hotlines:
            raise InvalidInput(
                "channel.unknown_hotline",
                "归并热线渠道须注明本市已归并的热线号码",
                "A merged-hotline ticket must name a hotline merged in this city",
                field="hotline",
            )
    elif data.hotline:
        raise InvalidInput(
            "channel.hotline_without_channel",
            "只有归并热线渠道才填写热线号码",
            "Only merged-hotline tickets carry a hotline number",
            field="hotline",
        )
    has_place = data.location_unit_code or data.address or data.latitude is not None
    if ctx.city.needs_location(data.category) and not has_place:
        raise InvalidInput(
            "location.required",
            f"“{data.category}”类诉求须注明发生地点",
            f"Requests of category {data.category!r} must say where",
            field="address",
        )
    if data.location_unit_code and ctx.city.unit(data.location_unit_code) is None:
        raise InvalidInput(
            "unit.unknown",
            f"单位“{data.location_unit_code}”不存在",
            f"Unknown unit {data.location_unit_code!r}",
            field="location_unit_code",
        )


def check_attachments(session, refs: list[str]) -> None:
    """Every attachment a ticket names must be stored (I1): a ticket never points at nothing.

    Read with a share lock in the creating transaction, so a failed upload being
    taken back (``intake.attachments.forget``) cannot remove a file a new ticket uses.
    """
    if not refs:
        return
    table = tables.attachments
    stored = set(
        session.execute(
            select(table.c.sha256).where(table.c.sha256.in_(set(refs))).with_for_update(read=True)
        ).scalars()
    )
    missing = [ref for ref in refs if ref not in stored]
    if missing:
        raise InvalidInput(
            "attachment.unknown",
            f"附件 {', '.join(missing)} 不存在，请先上传",
            f"Unknown attachment {', '.join(missing)}; upload it first",
            field="attachments",
            missing=missing,
        )


def request_hash(data: NewTicket) -> str:
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def receive(
    ctx: Context, actor: Actor, data: NewTicket, idempotency_key: str | None = None
) -> tuple[Ticket, bool]:
    """Create the ticket; return it and whether it was created now (False: a retry)."""
    _check_against_city(ctx, data)
    digest = request_hash(data)
    try:
        return _create(ctx, actor, data, idempotency_key, digest)
    except IntegrityError:
        if idempotency_key is None or actor.user_id is None:
            raise
        # A concurrent request with the same key won the race: answer with its ticket.
        return _replay(ctx, actor, idempotency_key, digest)


def _create(ctx, actor, data: NewTicket, key: str | None, digest: str) -> tuple[Ticket, bool]:
    with UnitOfWork(ctx.engine) as uow:
        if key is not None and actor.user_id is not None:
            found = repo.find_idempotent(uow.session, actor.user_id, key)
            if found is not None:
                return _replayed(uow, found, digest), False
        check_attachments(uow.session, data.attachments)
        now = ctx.now()
        number = repo.next_ticket_number(
            uow.session, ctx.city.city.ticket_prefix, now.astimezone(ctx.city.tz).date()
        )
        ticket = Ticket(
            number=number,
            received_at=now,
            received_by_unit_code=actor.unit_code,
            requester_id=recognise(uow.session, data.requester_name, data.requester_phone, now),
            **data.model_dump(exclude={"proposal"}),
        )
        event = lifecycle.receive(ticket, actor)
        uow.session.add(ticket)
        uow.flush()
        record(uow, ctx, ticket, event)
        if data.proposal is not None:
            for name in FIELDS:
                record_feedback(
                    uow.session,
                    ticket.id,
                    name,
                    getattr(data.proposal, name),
                    getattr(ticket, name),
                    data.proposal.model_version,
                    f"{ticket.title}\n{ticket.content}".strip(),
                    actor.username,
                    now,
                )
        if key is not None and actor.user_id is not None:
            repo.remember_idempotent(uow.session, actor.user_id, key, digest, ticket.id, now)
        uow.commit()
        return ticket, True


def _replay(ctx, actor, key: str, digest: str) -> tuple[Ticket, bool]:
    with UnitOfWork(ctx.engine, write=False) as uow:
        found = repo.find_idempotent(uow.session, actor.user_id, key)
        assert found is not None
        return _replayed(uow, found, digest), False


def _replayed(uow: UnitOfWork, found: tuple[str, int], digest: str) -> Ticket:
    stored_hash, ticket_id = found
    if stored_hash != digest:
        raise Conflict(
            "idempotency.key_reused",
            "该幂等键已用于另一条不同的诉求",
            "This Idempotency-Key was already used for a different request",
        )
    return repo.get_ticket(uow.session, repo.ticket_number_by_id(uow.session, ticket_id))
