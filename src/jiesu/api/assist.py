"""Intake assistance for hotline staff: proposals, emergency words, merge candidates (I3, I5, A7, G1).

``POST /api/intake/assist`` is called by the console while the operator types:
it proposes request type, category and tags, shows the emergency and risk
words with the line they suggest, and lists the open or recent tickets the new
request may repeat. It changes nothing — the operator decides, and the
emergency path, the merge and the classification are separate, recorded
actions. ``GET /api/intake/model`` tells which model answers;
``POST /api/intake/model/train`` (admins) retrains it from the city's history
and the operators' corrections.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from jiesu.dispatch.suggest import suggest
from jiesu.domain.errors import Conflict, Forbidden, InvalidInput
from jiesu.domain.roles import HOTLINE_ROLES, Actor, Role
from jiesu.domain.ticket import STATUS_LABELS_ZH, Ticket
from jiesu.intake import classify, classify_history, classify_store, duplicates, feedback, risk
from jiesu.storage import crypto, tables
from jiesu.storage.uow import UnitOfWork

from .deps import ActorDep, ContextDep

router = APIRouter(prefix="/api/intake", tags=["intake assistance"])


class AssistIn(BaseModel):
    """The request as the operator has it so far."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=200)
    content: str = Field(default="", max_length=20000)
    address: str = Field(default="", max_length=300)
    location_unit_code: str | None = Field(default=None, max_length=64)
    requester_phone: str = Field(default="", max_length=32, pattern=r"^[0-9+\-() ]*$")
    category: str | None = Field(
        default=None, max_length=128, description="已选事项分类（查找重复时优先）"
    )

    @model_validator(mode="after")
    def _some_text(self) -> AssistIn:
        if len((self.title + self.content).strip()) < 2:
            raise ValueError("title or content must state the request")
        return self


class Scored(BaseModel):
    code: str
    label_zh: str
    score: float


class CategoryOut(Scored):
    alternatives: list[Scored]


class ProposalOut(BaseModel):
    request_type: str
    category: CategoryOut | None
    tags: list[str]
    scores: dict[str, dict[str, float]]  # request_type, category, tags → code → score
    sources: dict[str, str]  # per field: model | rules | feedback
    model_version: str


class RiskOut(BaseModel):
    field: str  # title | content: the span is in that field
    word: str
    start: int
    end: int
    kind: str
    label_zh: str
    line: str | None
    crisis: bool
    utility: str | None


class EmergencyOut(BaseModel):
    suggested: bool  # the console asks the operator to confirm the emergency path
    lines: list[str]
    crisis: bool


class ReasonOut(BaseModel):
    code: str
    label_zh: str
    detail: str


class DuplicateOut(BaseModel):
    number: str
    title: str
    status: str
    status_zh: str
    category: str
    received_at: datetime
    score: float
    reasons: list[ReasonOut]


class LeadOut(BaseModel):
    """A proposed lead unit for the request as typed so far (D7): dispatch-to-be."""

    unit_code: str
    unit_name: str
    score: float
    reasons: list[str]
    co_handlers: list[str]


class AssistOut(BaseModel):
    proposal: ProposalOut
    risks: list[RiskOut]
    emergency: EmergencyOut
    duplicates: list[DuplicateOut]
    leads: list[LeadOut] = Field(default_factory=list)


class ModelOut(BaseModel):
    version: str
    kind: str  # rules | learned
    trained_at: datetime | None
    sizes: dict[str, int]
    sources: dict[str, str]
    corrections: dict[str, int]


class TrainIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_rows: int = Field(default=classify.MAX_ROWS, ge=100, le=500_000)


def _require(actor: Actor, roles: frozenset[Role], zh: str, en: str) -> None:
    if actor.role not in roles:
        raise Forbidden("assist.role_forbidden", zh, en, role=str(actor.role))


def _hotline_staff(actor: Actor) -> None:
    _require(
        actor,
        HOTLINE_ROLES,
        "只有热线工作人员可以使用受理辅助",
        "Only hotline staff may use intake assistance",
    )


def _requester_id(session, phone: str) -> int | None:
    if not crypto.normalise_phone(phone):
        return None
    r = tables.requesters.c
    return session.execute(
        select(r.id).where(r.phone_hash == crypto.phone_hash(phone))
    ).scalar_one_or_none()


def _proposal_out(p: classify.Proposal, names: dict[str, str]) -> ProposalOut:
    category = None
    if p.category is not None:
        category = CategoryOut(
            code=p.category.value,
            label_zh=names.get(p.category.value, p.category.value),
            score=p.category.score,
            alternatives=[
                Scored(code=c.value, label_zh=names.get(c.value, c.value), score=c.score)
                for c in p.category_alternatives
            ],
        )
    cats = [p.category, *p.category_alternatives] if p.category else []
    return ProposalOut(
        request_type=p.request_type.value,
        category=category,
        tags=[t.value for t in p.tags],
        scores={
            "request_type": p.request_type_scores,
            "category": {c.value: c.score for c in cats},
            "tags": p.tag_scores,
        },
        sources=p.sources,
        model_version=p.model_version,
    )


@router.post("/assist", response_model=AssistOut, summary="受理辅助 Intake assistance")
def assist(data: AssistIn, ctx: ContextDep, actor: ActorDep) -> AssistOut:
    _hotline_staff(actor)
    if data.location_unit_code and ctx.city.unit(data.location_unit_code) is None:
        raise InvalidInput(
            "unit.unknown",
            f"单位“{data.location_unit_code}”不存在",
            f"Unknown unit {data.location_unit_code!r}",
            field="location_unit_code",
        )
    text = classify.ticket_text(data.title, data.content)
    model = classify_store.current_model(ctx)
    proposal = classify.propose(model, text, categories=set(ctx.city.category_codes))
    names = {c.code: c.name for c in ctx.city.categories}
    hits = [
        RiskOut(
            field=name,
            word=h.word,
            start=h.start,
            end=h.end,
            kind=h.kind,
            label_zh=h.label_zh,
            line=h.line,
            crisis=h.crisis,
            utility=h.utility,
        )
        for name in ("title", "content")
        for h in risk.detect_for_city(getattr(data, name), ctx.city).hits
    ]
    lines = list(dict.fromkeys(h.line for h in hits if h.line))
    category = data.category or (
        proposal.category.value if proposal.category and proposal.category.score >= 0.5 else None
    )
    now = ctx.now()
    with UnitOfWork(ctx.engine, write=False) as uow:
        query = duplicates.DuplicateQuery(
            title=data.title,
            content=data.content,
            address=data.address,
            location_unit_code=data.location_unit_code,
            requester_id=_requester_id(uow.session, data.requester_phone),
            category=category,
        )
        found = duplicates.find_candidates(uow.session, ctx.city, query, now)
        draft = Ticket(
            number="",
            received_at=now,
            channel="phone",
            request_type=proposal.request_type.value,
            category=category or "",
            title=data.title,
            content=data.content,
            address=data.address,
            location_unit_code=data.location_unit_code,
        )
        leads = suggest(ctx, uow.session.connection(), draft, k=3).candidates
    return AssistOut(
        leads=[
            LeadOut(
                unit_code=c.unit_code,
                unit_name=c.unit_name,
                score=round(c.score, 4),
                reasons=[r["text"] for r in c.reasons],
                co_handlers=[h["unit_name"] for h in c.co_handlers],
            )
            for c in leads
        ],
        proposal=_proposal_out(proposal, names),
        risks=hits,
        emergency=EmergencyOut(
            suggested=bool(lines), lines=lines, crisis=any(h.crisis for h in hits)
        ),
        duplicates=[
            DuplicateOut(
                number=c.number,
                title=c.title,
                status=c.status,
                status_zh=STATUS_LABELS_ZH.get(c.status, c.status),
                category=c.category,
                received_at=c.received_at,
                score=c.score,
                reasons=[
                    ReasonOut(code=r.code, label_zh=r.label_zh, detail=r.detail) for r in c.reasons
                ],
            )
            for c in found
        ],
    )


def _model_out(ctx, model: classify.Model) -> ModelOut:
    with UnitOfWork(ctx.engine, write=False) as uow:
        corrections = feedback.counts(uow.session)
    return ModelOut(
        version=model.version,
        kind="learned" if model.learned else "rules",
        trained_at=model.trained_at,
        sizes=model.sizes,
        sources=model.sources(),
        corrections=corrections,
    )


@router.get("/model", response_model=ModelOut, summary="受理辅助模型 The intake model")
def model_info(ctx: ContextDep, actor: ActorDep) -> ModelOut:
    _hotline_staff(actor)
    return _model_out(ctx, classify_store.current_model(ctx))


@router.post(
    "/model/train", response_model=ModelOut, summary="重新训练受理辅助模型 Retrain the intake model"
)
def train_model(ctx: ContextDep, actor: ActorDep, data: TrainIn | None = None) -> ModelOut:
    _require(
        actor,
        frozenset({Role.ADMIN}),
        "只有管理员可以重新训练模型",
        "Only administrators may retrain the model",
    )
    if not classify_store.TRAINING_LOCK.acquire(blocking=False):
        raise Conflict(
            "assist.training_running",
            "模型正在训练，请稍后再试",
            "The model is being trained; try again later",
        )
    try:
        model = classify_history.train_from_history(ctx, max_rows=(data or TrainIn()).max_rows)
        classify_store.install_model(ctx, model)
    finally:
        classify_store.TRAINING_LOCK.release()
    return _model_out(ctx, model)
