"""A4, G6: the monthly workbook in the office's layout, and the public bulletin."""

from __future__ import annotations

from io import BytesIO

import pytest

from .test_rankings import _handled, office_city  # noqa: F401 - the fixture


@pytest.fixture
def month_of_work(client, auth, clock, office_city):  # noqa: F811
    _handled(client, auth, clock, "990101001", "donghua", late=False,
             visit={"solved": True, "satisfaction": "satisfied"})  # fmt: skip
    _handled(client, auth, clock, "990101002", "heping", late=False,
             visit={"solved": False, "satisfaction": "unsatisfied"})  # fmt: skip


def test_the_workbook_has_one_sheet_per_group_in_the_offices_layout(client, auth, month_of_work):
    from openpyxl import load_workbook

    r = client.get("/api/assessment/export.xlsx", params={"month": "2026-11", "rules": "small"},
                   headers=auth("supervisor"))  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(r.content))
    assert book.sheetnames == ["区", "街道乡镇", "市级部门", "公共服务企业"]
    streets = book["街道乡镇"]
    assert "2026-11" in streets["A1"].value and "small" in streets["A1"].value
    assert [c.value for c in streets[2]][:9] == ["序号", "单位名称", "诉求量", "响应率", "解决率",
                                                 "满意率", "主动治理加减分", "综合成绩", "排名"]  # fmt: skip
    first, second = [c.value for c in streets[3]], [c.value for c in streets[4]]
    assert first[1:9] == ["东华街道", 1, 100.0, 100.0, 100.0, None, 100.0, 1]  # no points: blank
    assert second[1] == "和平街道" and second[8] == 2 and second[10] == "是"  # marked for a talk
    r = client.get("/api/assessment/export.xlsx", params={"month": "2026-11"},
                   headers=auth("donghua"))  # fmt: skip
    assert r.status_code == 403


def test_the_public_bulletin_has_the_headline_figures_and_nothing_personal(client, month_of_work):
    r = client.get("/api/public/bulletin", params={"month": "2026-11"})  # no login
    assert r.status_code == 200, r.text
    b = r.json()
    assert (b["requests"], b["orders"]) == (2, 2)
    assert b["response_rate"] == 1.0 and b["resolution_rate"] == 0.5
    assert b["top_categories"] == [
        {"category": "城乡建设/物业管理", "name": "物业管理", "count": 2}
    ]
    assert [d["name"] for d in b["districts"]][:1] == ["东区人民政府"]
    page = client.get("/bulletin/2026-11")
    assert page.status_code == 200 and "月度公报" in page.text and "50.0%" in page.text
    for private in ("张女士", "13800138000", "电梯"):
        assert private not in page.text and private not in r.text
    assert client.get("/api/public/bulletin", params={"month": "2026-99"}).status_code == 422
