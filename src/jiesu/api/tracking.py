"""Live tracking for requesters (H9): ``GET /api/track/{number}?code=`` — the link of the
confirmation SMS. No login; the code is the key. See :mod:`jiesu.handling.tracking`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from jiesu.handling.tracking import public_timeline

from .deps import ContextDep

router = APIRouter(prefix="/api/track", tags=["live tracking"])


class StepOut(BaseModel):
    at: datetime
    label_zh: str
    detail: str


class TrackOut(BaseModel):
    number: str
    status: str
    status_label_zh: str
    received_at: datetime
    expected_by: datetime | None
    category: str
    steps: list[StepOut]


@router.get("/{number}", response_model=TrackOut, summary="诉求进度跟踪 Follow a request")
def track(number: str, ctx: ContextDep, code: Annotated[str, Query(max_length=64)]) -> TrackOut:
    return TrackOut.model_validate(public_timeline(ctx, number, code))
