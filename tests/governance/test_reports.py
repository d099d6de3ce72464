"""G4 monthly work reports through the worker and the API (BJ Art. 24, 28): issued once a
month has ended, for the city and each district, stored as issued, regenerated only on
purpose with a reason, read by the hotline and by each district for itself (S1)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from jiesu.jobs.adapters import TOPICS
from jiesu.jobs.worker import periodic_duties
from jiesu.storage import tables
from tests.conftest import TZ

from .helpers import DONGHUA, HEATING, NANCHI, NOISE, PROPERTY, calls

API = "/api/governance/reports"
DONGQU, XIQU = "990101", "990102"


def _list(client, auth, user, **params) -> list[dict]:
    r = client.get(API, params=params, headers=auth(user))
    assert r.status_code == 200, r.text
    return r.json()


def _report(client, auth, user, report_id: int) -> dict:
    r = client.get(f"{API}/{report_id}", headers=auth(user))
    assert r.status_code == 200, r.text
    return r.json()


def _received(client, auth, report_id: int) -> int:
    return _report(client, auth, "supervisor", report_id)["content"]["volume"]["total"]["now"]


def _error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and body["message_zh"] and body["message_en"]


def _messages(ctx) -> list:
    o = tables.outbox.c
    with ctx.engine.connect() as conn:
        return conn.execute(
            select(o.idempotency_key, o.payload)
            .where(o.topic == "governance.report")
            .order_by(o.id)
        ).all()


def test_the_worker_issues_the_ended_month_once_for_the_city_and_each_district(
    ctx, client, auth, weeks
):
    assert "governance.report" in TOPICS
    periodic_duties(ctx)  # 1 December: W48 is warned, then November is reported
    reports = _list(client, auth, "supervisor")
    assert [(r["month"], r["scope"], r["version"], r["current"]) for r in reports] == [
        ("2026-11", "city", 1, True), ("2026-11", DONGQU, 1, True), ("2026-11", XIQU, 1, True)
    ]  # fmt: skip
    assert {r["issued_by"] for r in reports} == {"system"}
    sent = _messages(ctx)
    by_report = {r["id"]: sorted(p["unit"] for k, p in sent if p["report"] == r["id"])
                 for r in reports}  # fmt: skip
    assert list(by_report.values()) == [["hotline"], [DONGQU, "hotline"], [XIQU, "hotline"]]
    assert all(p["template"] == "work.report" and p["month"] == "2026-11" for _, p in sent)
    periodic_duties(ctx)  # an hour later: nothing more
    assert len(_list(client, auth, "supervisor")) == 3 and len(_messages(ctx)) == 5


def _overdue_then_reported(ctx, clock) -> None:
    """W48 warned on 1 December; the report issued on 9 December, once the warnings'
    seven days to answer are up (the answers are still missing)."""
    from jiesu.governance.warnings import issue

    issue(ctx, "2026-W48")
    clock.now = datetime(2026, 12, 9, 8, 0, tzinfo=TZ)
    periodic_duties(ctx)


def test_the_city_report_says_what_the_month_held_and_recommends_first(
    ctx, client, auth, clock, weeks
):
    _overdue_then_reported(ctx, clock)
    (city,) = _list(client, auth, "operator", month="2026-11", scope="city")
    c = _report(client, auth, "operator", city["id"])["content"]
    assert (c["month"], c["scope"], c["schema"]) == ("2026-11", {"code": None, "name": "测试市"}, 1)
    # The weeks fixture: 39 requests in November, one in October (its first, on 26 October).
    assert c["volume"]["total"] == {"now": 39, "previous": 1, "year_before": None}
    assert c["volume"]["by_type"] == [{"code": "complaint", "label_zh": "投诉", "now": 39,
                                       "previous": 1, "year_before": None}]  # fmt: skip
    assert c["history"]["coverage"] == {"month": "full", "previous": "partial",
                                        "year_before": "none"}  # fmt: skip
    assert any("同比" in n for n in c["history"]["notes"])
    assert [m["category"] for m in c["analysis"]["matters"]] == [HEATING, PROPERTY, NOISE]
    w = c["warnings"]
    assert (w["total"], w["surge"], w["persistent"], w["answered"]) == (2, 1, 1, 0)
    assert w["weeks"][-1] == {"week": "2026-W48", "examined": True, "warnings": 2,
                              "baseline_weeks": 3}  # fmt: skip
    # Group complaints: 6 people at 和平里社区, 5 at 东华社区 in one week.
    assert [g["place"] for g in w["group_complaints"]] == ["和平里社区", "东华社区"]
    assert c["seasonal"] == {"month": "2026-12", "known": False, "items": []}
    # The month before is known only in part: no rise is claimed from it.
    assert [r["kind"] for r in c["recommendations"]] == ["warnings_unanswered"]
    assert c["recommendations"][0]["figures"]["unanswered"] == 2


def test_a_district_reads_its_own_report_only(ctx, client, auth, clock, weeks):
    calls(client, auth, clock, datetime(2026, 11, 30, 8, tzinfo=TZ), NANCHI, NOISE,
           ["13400000000"] * 2)  # ten in November from one person  # fmt: skip
    clock.now = datetime(2026, 12, 1, 8, tzinfo=TZ)
    periodic_duties(ctx)
    everyone = {r["scope"]: r["id"] for r in _list(client, auth, "operator")}
    city = _report(client, auth, "operator", everyone["city"])["content"]
    assert [f["phone"] for f in city["analysis"]["frequent_requesters"]] == ["134****0000"]
    mine = _list(client, auth, "dongqu")
    assert [r["scope"] for r in mine] == [DONGQU]
    own = _report(client, auth, "dongqu", everyone[DONGQU])["content"]
    assert own["scope"] == {"code": DONGQU, "name": "东区"}
    assert own["analysis"]["frequent_requesters"] is None  # S1: the hotline's only
    assert own["volume"]["total"]["now"] == 41
    assert own["assessment"]["rank"] == {"rank": None, "of": 0, "previous_rank": None}  # no order
    get = lambda path, **params: client.get(path, params=params, headers=auth("dongqu"))  # noqa: E731
    _error(get(f"{API}/{everyone['city']}"), 404, "report.not_found")
    _error(get(f"{API}/{everyone[XIQU]}.md"), 404, "report.not_found")
    _error(get(API, scope="city"), 403, "report.forbidden")
    for user in ("donghua", "transport", "water"):  # a street, a department, a utility: none
        _error(client.get(API, headers=auth(user)), 403, "report.forbidden")
        _error(client.get(f"{API}/{everyone[DONGQU]}", headers=auth(user)), 403, "report.forbidden")
    empty = _report(client, auth, "supervisor", everyone[XIQU])["content"]
    assert empty["volume"]["total"]["now"] == 0 and empty["analysis"]["matters"] == []


def test_a_report_stays_as_issued_and_regenerating_adds_a_version(ctx, client, auth, weeks):
    r = client.post(API, json={"month": "2026-11"}, headers=auth("supervisor"))
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["scope"], first["version"], first["new"]) == ("city", 1, True)
    # A November request recorded late (its category corrected, a late channel…).
    calls(client, auth, ctx.clock, datetime(2026, 11, 30, 8, tzinfo=TZ), DONGHUA, PROPERTY,
           ["13300000000"])  # fmt: skip
    ctx.clock.now = datetime(2026, 12, 3, 9, tzinfo=TZ)
    assert _received(client, auth, first["id"]) == 39
    again = client.post(API, json={"month": "2026-11"}, headers=auth("admin"))
    assert again.status_code == 200 and again.json() == first | {"new": False}
    _error(client.post(API, json={"month": "2026-11", "regenerate": True}, headers=auth("admin")),
           422, "report.reason_required")  # fmt: skip
    r = client.post(API, json={"month": "2026-11", "regenerate": True, "reason": "补录一件"},
                    headers=auth("admin"))  # fmt: skip
    assert r.status_code == 201, r.text
    second = r.json()
    assert (second["version"], second["new"]) == (2, True) and second["id"] != first["id"]
    listed = _list(client, auth, "supervisor", month="2026-11", scope="city")
    assert [(x["version"], x["current"], x["reason"], x["issued_by"]) for x in listed] == [
        (2, True, "补录一件", "admin"), (1, False, "", "supervisor")]  # fmt: skip
    assert (_received(client, auth, second["id"]), _received(client, auth, first["id"])) == (40, 39)
    assert len(_messages(ctx)) == 2  # one per version issued, to the hotline office


def test_refusals_carry_their_codes(ctx, client, auth, weeks):
    post = lambda body, user="supervisor": client.post(API, json=body, headers=auth(user))  # noqa: E731
    _error(post({"month": "2026-11"}, "dongqu"), 403, "report.issue_forbidden")
    _error(post({"month": "2026-11"}, "operator"), 403, "report.issue_forbidden")
    _error(post({"month": "2026-13"}), 422, "report.bad_month")
    _error(post({"month": "November"}), 422, "report.bad_month")
    _error(post({"month": "2026-12"}), 422, "report.month_not_over")
    _error(post({"month": "2026-11", "scope": "990101001"}), 422, "report.bad_scope")  # a street
    _error(post({"month": "2026-11", "scope": "nowhere"}), 422, "report.bad_scope")
    _error(client.get(API, params={"month": "2026-1"}, headers=auth("operator")), 422,
           "report.bad_month")  # fmt: skip
    _error(client.get(f"{API}/999", headers=auth("operator")), 404, "report.not_found")
    assert client.get(f"{API}/0", headers=auth("operator")).status_code == 422
    assert client.get(API).status_code == 401


def test_the_markdown_puts_the_recommendations_first(ctx, client, auth, clock, weeks):
    _overdue_then_reported(ctx, clock)
    (mine,) = _list(client, auth, "dongqu")
    r = client.get(f"{API}/{mine['id']}.md", headers=auth("dongqu"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    assert "jiesu-report-2026-11-990101-v1.md" in r.headers["content-disposition"]
    text = r.text
    assert text.startswith("# 东区 2026-11 接诉即办月度工作报告")
    assert text.index("## 一、工作建议") < text.index("2 条高频预警未按期反馈整改措施") < text.index(
        "## 二、受理概况")  # fmt: skip
    assert "| 城乡建设/供暖 | 21 | 0 | 新增 | 21 |" in text and "高频诉求人" not in text


def test_no_report_for_a_month_before_the_first_request(ctx, client, auth):
    from tests.api.helpers import create

    create(client, auth)  # the first request ever, on 23 November: October holds nothing
    assert periodic_duties(ctx) is False and _list(client, auth, "supervisor") == []
    assert _messages(ctx) == []


def test_a_month_before_the_history_or_the_year_1900_is_refused(ctx, client, auth, weeks):
    """Never a 500, never an empty report sent to the office."""
    for month, code in (("0001-01", "report.bad_month"), ("1899-12", "report.bad_month"),
                        ("2026-09", "report.no_history")):  # fmt: skip
        r = client.post(API, json={"month": month}, headers=auth("supervisor"))
        _error(r, 422, code)
    assert _messages(ctx) == []
