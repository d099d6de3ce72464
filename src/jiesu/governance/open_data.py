"""Open data (G6; BJ Art. 34, seed 004; S3): a month's requests, desensitised, as CSV for the
city's open-data portal.

One row per request received in an ended month, confidential requests left out (S1): month,
district, street or township, category, request type, channel, how it was handled, the kind
of unit that led it, days to the reply, and the return visit's solved and satisfaction
answers. Never a name, phone, address, text, ticket number, community or exact time; the
lead unit only by its kind (a community-led ticket would otherwise tell the community).
Rare combinations are made coarser until each is shared by at least ``k`` rows, or left out
(:func:`jiesu.domain.disclosure.anonymise`); the counts of each are returned with the file.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from jiesu.assessment.rankings import month
from jiesu.assessment.trends import last_full_month
from jiesu.city.config import CityConfig
from jiesu.city.units import UNIT_KIND_LABELS_ZH, UnitKind
from jiesu.context import Context
from jiesu.domain.disclosure import Disclosed, Row, anonymise
from jiesu.domain.errors import InvalidInput
from jiesu.domain.ticket import CHANNEL_LABELS_ZH, REQUEST_TYPE_LABELS_ZH
from jiesu.domain.ticket_values import SATISFACTION_LABELS_ZH
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

t = tables.tickets.c
K = 5
HEADER = ("月份", "区", "街道乡镇", "诉求类别", "诉求类型", "渠道", "办理方式", "主办单位类型",
          "办结用时（天）", "是否解决", "满意度")  # fmt: skip


def handling(status: str, dispatched: bool) -> str:
    if status == "merged":
        return "合并办理"
    if status == "answered":
        return "直接答复"
    if status == "referred":
        return "转办告知"
    return "派单办理" if dispatched else "受理中"


def _place(city: CityConfig, code: str | None) -> tuple[str, str]:
    """(district, street) names of a location, the community dropped."""
    unit = city.unit(code) if code else None
    street = district = ""
    while unit is not None:
        if unit.kind is UnitKind.STREET:
            street = unit.name
        elif unit.kind is UnitKind.DISTRICT:
            district = unit.name.removesuffix("人民政府")  # the place, not its government
        unit = city.unit(unit.parent) if unit.parent else None
    return district, street


@dataclass(frozen=True)
class OpenData:
    month: str
    k: int
    received: int  # requests received in the month
    confidential: int  # left out at the requester's wish
    disclosed: Disclosed

    def csv(self) -> str:
        return "".join(self.lines())

    def lines(self) -> Iterator[str]:
        """The CSV file line by line: the header, then one line per row published."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for r in self.disclosed.rows:
            writer.writerow((self.month, r.district, r.street, r.category, r.request_type,
                             r.channel, *r.rest))  # fmt: skip
            if out.tell() > 1 << 16:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()


def open_data(ctx: Context, label: str, k: int = K) -> OpenData:
    """The month ``label`` (ended) desensitised with ``k``."""
    if label > last_full_month(ctx):
        raise InvalidInput("open_data.month_not_over", f"{label[:16]} 尚未结束，开放数据按整月发布",
                           f"{label[:16]} has not ended; open data is published by whole months")  # fmt: skip
    if not 2 <= k <= 100:
        raise InvalidInput("open_data.bad_k", "k 应在 2–100 之间", "k must lie between 2 and 100")
    period, city = month(label, ctx.city.tz), ctx.city
    query = select(
        t.location_unit_code, t.category, t.request_type, t.channel, t.status, t.dispatched_at,
        t.lead_unit_code, t.received_at, t.replied_at, t.visit_solved, t.satisfaction,
        t.confidential,
    ).where(t.received_at >= period.start, t.received_at < period.end)  # fmt: skip
    rows, received, confidential = [], 0, 0
    with UnitOfWork(ctx.engine, write=False) as uow:
        for r in uow.session.execute(query):
            received += 1
            if r.confidential:
                confidential += 1
                continue
            rows.append(_row(city, r))
    return OpenData(label, k, received, confidential, anonymise(rows, k))


def _row(city: CityConfig, r) -> Row:
    district, street = _place(city, r.location_unit_code)
    lead = city.unit(r.lead_unit_code) if r.lead_unit_code else None
    if r.status in ("answered", "referred"):
        days = 0
    elif r.replied_at is not None:
        days = math.ceil((r.replied_at - r.received_at).total_seconds() / 86400)
    else:
        days = ""
    solved = {True: "是", False: "否", None: "未回访"}[r.visit_solved]
    satisfied = SATISFACTION_LABELS_ZH.get(r.satisfaction, "未回访") if r.satisfaction else "未回访"
    rest = (handling(r.status, r.dispatched_at is not None),
            UNIT_KIND_LABELS_ZH[lead.kind] if lead else "", days, solved, satisfied)  # fmt: skip
    return Row(district, street, r.category, REQUEST_TYPE_LABELS_ZH.get(r.request_type, r.request_type),
               CHANNEL_LABELS_ZH.get(r.channel, r.channel), rest)  # fmt: skip
