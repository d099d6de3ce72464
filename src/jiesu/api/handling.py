"""Handling API: the deadline warnings for supervisors and units (D6, H1, H4).

``GET /api/handling/warnings`` lists the yellow and red warnings the deadline watch raised
(:mod:`jiesu.handling.watch`), newest first; by default only those still standing (the
deadline is not yet met). Hotline staff see every unit's; a unit sees its own. The query
is :func:`jiesu.handling.warnings.list_warnings`, which the console's warning page shares.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from jiesu.handling.warnings import list_warnings

from .deps import ActorDep, ContextDep

router = APIRouter(prefix="/api/handling", tags=["handling"])


class WarningOut(BaseModel):
    number: str
    title: str
    status: str
    subject: str
    subject_zh: str
    level: str
    level_zh: str
    unit_code: str
    unit_name: str
    due: datetime
    raised_at: datetime
    standing: bool  # the deadline is still not met


@router.get("/warnings", response_model=list[WarningOut], summary="预警 Deadline warnings")
def warnings(
    ctx: ContextDep,
    actor: ActorDep,
    level: Annotated[Literal["yellow", "red"] | None, Query()] = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    standing: Annotated[bool, Query(description="只看仍未满足的")] = True,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[WarningOut]:
    found = list_warnings(ctx, actor, level=level, unit=unit, standing=standing, limit=limit)
    return [WarningOut(**asdict(w)) for w in found]
