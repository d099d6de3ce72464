"""Place names and territory resolution for dispatchers (D1, D3; BJ Art. 12).

Hotline staff list place names and resolve addresses; dispatchers and administrators add
and remove place names. See docs/territory.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from jiesu.dispatch import places as pl
from jiesu.dispatch.territory import Gazetteer, TerritoryMatch
from jiesu.domain.roles import HOTLINE_ROLES, Actor, Role
from jiesu.storage.types import MAX_INT, RowNumber

from .deps import ContextDep, role_guard

router = APIRouter(prefix="/api", tags=["territory"])
EDITORS = frozenset({Role.DISPATCHER, Role.ADMIN})


hotline_actor = role_guard(
    HOTLINE_ROLES,
    "place.forbidden",
    "只有热线工作人员可以查看地名和判定属地",
    "Only hotline staff may look up place names and territory",
)
editor_actor = role_guard(
    EDITORS,
    "place.forbidden",
    "只有派单员和管理员可以增删地名",
    "Only dispatchers and administrators may add or remove place names",
)


HotlineActor = Annotated[Actor, Depends(hotline_actor)]
EditorActor = Annotated[Actor, Depends(editor_actor)]


class PlaceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=128)
    unit_code: str = Field(max_length=64)
    kind: str = Field(default="other", description="road | compound | landmark | old_name | other")
    latitude: float | None = None
    longitude: float | None = None


class PlaceOut(BaseModel):
    id: int
    name: str
    unit_code: str
    unit_name: str | None
    kind: str
    latitude: float | None
    longitude: float | None
    added_by: str
    added_at: datetime


class PlacePageOut(BaseModel):
    items: list[PlaceOut]
    total: int
    limit: int
    offset: int


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: str = Field(default="", max_length=1000)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class UnitRef(BaseModel):
    code: str
    name: str
    kind: str  # district | street | community
    parent_name: str | None = None


class TerritoryOut(BaseModel):
    district: UnitRef | None
    street: UnitRef | None
    community: UnitRef | None
    level: str | None
    confidence: float
    reasons: list[str]
    candidates: list[UnitRef]


def _out(ctx, place: pl.PlaceName) -> PlaceOut:
    unit = ctx.city.unit(place.unit_code)
    return PlaceOut(**place.__dict__, unit_name=unit.name if unit else None)


def _ref(g: Gazetteer, code: str | None) -> UnitRef | None:
    node = g.nodes.get(code) if code else None
    if node is None:
        return None
    parent = g.name(node.lineage[1]) if len(node.lineage) > 1 else None
    return UnitRef(code=node.code, name=node.name, kind=g.kind(code) or "", parent_name=parent)


def territory_out(g: Gazetteer, m: TerritoryMatch) -> TerritoryOut:
    """A match with the units' names, as the API and the console show it."""
    return TerritoryOut(
        district=_ref(g, m.district),
        street=_ref(g, m.street),
        community=_ref(g, m.community),
        level=m.level,
        confidence=m.confidence,
        reasons=list(m.reasons),
        candidates=[r for r in (_ref(g, c) for c in m.candidates) if r is not None],
    )


@router.get("/places", response_model=PlacePageOut, summary="地名 Place names")
def list_places(
    ctx: ContextDep,
    actor: HotlineActor,
    unit: Annotated[str | None, Query(max_length=64, description="a unit and those below")] = None,
    name: Annotated[str | None, Query(max_length=128, description="part of the name")] = None,
    limit: Annotated[int, Query(ge=1, le=pl.MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> PlacePageOut:
    page = pl.list_places(ctx, unit_code=unit, name=name, limit=limit, offset=offset)
    return PlacePageOut(
        items=[_out(ctx, p) for p in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/places", status_code=201, response_model=PlaceOut, summary="添加地名 Add")
def add_place(ctx: ContextDep, actor: EditorActor, data: PlaceIn) -> PlaceOut:
    place = pl.add_place(ctx, **data.model_dump(), added_by=actor.username)
    return _out(ctx, place)


@router.delete("/places/{place_id}", response_model=PlaceOut, summary="删除地名 Remove")
def delete_place(ctx: ContextDep, actor: EditorActor, place_id: RowNumber) -> PlaceOut:
    return _out(ctx, pl.delete_place(ctx, place_id))


@router.post(
    "/territory/resolve", response_model=TerritoryOut, summary="判定属地 Resolve territory"
)
def resolve(ctx: ContextDep, actor: HotlineActor, data: ResolveIn) -> TerritoryOut:
    g = pl.gazetteer(ctx)
    return territory_out(g, g.resolve(data.address, data.latitude, data.longitude))
