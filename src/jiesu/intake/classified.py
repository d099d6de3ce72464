"""Classified handling at intake (I5–I7), merging (并单), classification and identity release.

* ``refer``: the six cases of BJ Art. 11 and the hand-overs, each with its reason code;
  a repeated request points at its original and tells its progress; the city's policy
  decides whether such a request is taken with guidance or refused.
* ``merge``: a new ticket about a matter already being handled joins that ticket; the
  other ticket records it in the same transaction, and its requester is told everything
  the first requester is told.
* ``reclassify``: the hotline corrects request type, category or tags (kept as training data).
* ``release_identity``: the hotline releases a confidential requester's identity to one
  handling unit, with a reason, on the record (S1).
"""

from __future__ import annotations

from pydantic import Field, field_validator

from jiesu.actions import ActionInput, register, require_unit
from jiesu.domain import commands as c
from jiesu.domain import lifecycle
from jiesu.domain.commands import Action, ReferralReason
from jiesu.domain.errors import InvalidInput
from jiesu.domain.ticket import LIVELIHOOD_TAG_LABELS_ZH, STATUS_LABELS_ZH, RequestType, Status
from jiesu.storage import repository as repo

from .feedback import FIELDS, record_feedback
from .referral import referral_accepted


class ReferInput(ActionInput):
    referral_reason: ReferralReason = Field(description="BJ Art. 11 的分类处置情形")
    destination: str = Field(min_length=1, max_length=500, description="转至何处或告知的渠道")
    original_number: str | None = Field(
        default=None, max_length=32, description="重复诉求：原工单编号"
    )


class MergeInput(ActionInput):
    into_number: str = Field(min_length=1, max_length=32, description="并入的工单编号")


class ReclassifyInput(ActionInput):
    request_type: RequestType | None = None
    category: str | None = Field(default=None, max_length=128)
    tags: list[str] | None = Field(default=None, max_length=12, description="七有五性标签")

    @field_validator("tags")
    @classmethod
    def _known(cls, tags: list[str] | None) -> list[str] | None:
        if tags is not None and set(tags) - set(LIVELIHOOD_TAG_LABELS_ZH):
            raise ValueError(f"unknown tags {sorted(set(tags) - set(LIVELIHOOD_TAG_LABELS_ZH))}")
        return tags


class ReleaseIdentityInput(ActionInput):
    unit_code: str = Field(min_length=1, max_length=64, description="披露给哪个承办单位")


def _other_ticket(session, number: str, own_number: str, field: str):
    if number == own_number:
        raise InvalidInput(
            "merge.bad_target", "不能关联工单自身", "A ticket cannot point at itself", field=field
        )
    try:
        return repo.get_ticket(session, number)
    except Exception as exc:  # NotFound, worded for this field
        raise InvalidInput(
            "ticket.unknown_reference",
            f"工单 {number} 不存在",
            f"Ticket {number} does not exist",
            field=field,
        ) from exc


@register(Action.REFER, ReferInput)
def _refer(ctx, ticket, actor, now, data: ReferInput, session) -> c.Command:
    original = None
    if data.original_number:
        original = _other_ticket(session, data.original_number, ticket.number, "original_number")
    elif data.referral_reason is ReferralReason.REPEATED:
        raise InvalidInput(
            "referral.no_original",
            "重复诉求须关联原工单",
            "A repeated request must point at the original ticket",
            field="original_number",
        )
    return c.Refer(
        reason=data.reason,
        referral_reason=data.referral_reason,
        destination=data.destination,
        accepted=referral_accepted(ctx.city, data.referral_reason),
        original_ticket_id=original.id if original else None,
        original_number=original.number if original else "",
        original_progress=_progress(original) if original else "",
    )


def _progress(original) -> str:
    label = STATUS_LABELS_ZH[Status(original.status)]
    if original.reply_text and original.status in (Status.REPLIED, Status.VISITED, Status.CLOSED):
        return f"{label}，办理结果：{original.reply_text}"
    if original.answer_text:
        return f"{label}：{original.answer_text}"
    return label


@register(Action.MERGE, MergeInput, then=lambda *args: absorb_merged(*args))
def _merge(ctx, ticket, actor, now, data: MergeInput, session) -> c.Command:
    target = _other_ticket(session, data.into_number, ticket.number, "into_number")
    return c.Merge(reason=data.reason, into_ticket_id=target.id, into_number=target.number)


def absorb_merged(ctx, uow, ticket, event, actor, now) -> None:
    """The other side of a merge, in the same transaction: the handling ticket records it."""
    from jiesu.workflow import record  # the write path; imported here to avoid a cycle

    target = repo.get_ticket(uow.session, event.data["into"])
    absorbed = lifecycle.apply(
        target, c.Absorb(reason=event.reason, merged_number=ticket.number), actor, now
    )
    uow.flush()
    record(uow, ctx, target, absorbed)


def keep_correction(ctx, uow, ticket, event, actor, now) -> None:
    """A reclassification is a correction of the labels: keep it as training data."""
    for name, (old, new) in event.changes.items():
        if name in FIELDS:
            record_feedback(
                uow.session,
                ticket.id,
                name,
                old,
                new,
                "reclassify",
                f"{ticket.title}\n{ticket.content}".strip(),
                actor.username,
                now,
            )


@register(Action.RECLASSIFY, ReclassifyInput, then=lambda *args: keep_correction(*args))
def _reclassify(ctx, ticket, actor, now, data: ReclassifyInput, session) -> c.Command:
    if data.category is not None and data.category not in ctx.city.category_codes:
        raise InvalidInput(
            "category.unknown",
            f"事项分类“{data.category}”不存在",
            f"Unknown category {data.category!r}",
            field="category",
        )
    return c.Reclassify(
        reason=data.reason,
        request_type=data.request_type,
        category=data.category,
        tags=tuple(data.tags) if data.tags is not None else None,
    )


@register(Action.RELEASE_IDENTITY, ReleaseIdentityInput)
def _release(ctx, ticket, actor, now, data: ReleaseIdentityInput, session) -> c.Command:
    require_unit(ctx, data.unit_code, field="unit_code")
    return c.ReleaseIdentity(reason=data.reason, unit_code=data.unit_code)
