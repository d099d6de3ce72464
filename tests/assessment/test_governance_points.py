"""A2 (BJ Art. 32): proactive governance in the monthly assessment, against a real database.

Monthly topics (G2) made through the API earn their lead and co-units points in the month
they close; a topic task done after its due day, and a weekly warning (G5) not answered
within ``warning_policy.answer_days``, cost the unit points in the month the deadline fell
in, once it has passed. The ranking, the workbook and the console show them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO

from sqlalchemy import insert

from jiesu.assessment.governance import governance_counts
from jiesu.assessment.rankings import month
from jiesu.domain.assessment import GovernanceCounts
from jiesu.governance.topic_figures import record_due
from jiesu.storage import tables
from tests.conftest import START, TZ
from tests.console.helpers import login
from tests.governance.test_topics import _post, _propose, _requests, _write_plan_and_lists

from .test_rankings import _handled, _rank, office_city  # noqa: F401 - the fixture

HEPING, DONGHUA = "990101002", "990101001"


def _warn(engine, unit: str, issued: datetime, category: str = "城乡建设/物业管理") -> int:
    """A weekly warning as the worker records it (``governance.warnings``), to ``unit``."""
    with engine.begin() as conn:
        return conn.execute(
            insert(tables.hotspot_warnings).values(
                week="2026-W47",
                place_code=unit,
                category=category,
                kind="surge",
                received=7,
                requesters=5,
                expected=1.0,
                p_value=1e-5,
                unit_code=unit,
                district_code="990101",
                issued_at=issued,
            )  # fmt: skip
        ).inserted_primary_key[0]


def _equal_work(client, auth, clock) -> None:
    """东华 and 和平 each handle one ticket, solved and satisfied: a tie on the rates."""
    for street, user in ((DONGHUA, "donghua"), (HEPING, "heping")):
        _handled(
            client, auth, clock, street, user, visit={"solved": True, "satisfaction": "satisfied"}
        )


def _answer(client, auth, clock, at: datetime, warning_id: int, user: str = "donghua") -> None:
    clock.now = at
    r = client.post(f"/api/governance/warnings/{warning_id}/respond",
                    json={"response": "已约谈物业，增派保洁"}, headers=auth(user))  # fmt: skip
    assert r.status_code == 200, r.text


def _counts(ctx, label: str) -> dict[str, GovernanceCounts]:
    period = month(label, ctx.city.tz)
    return governance_counts(ctx, period.start, period.end)


def test_a_warning_unanswered_by_its_deadline_costs_points_in_that_month(
    client,
    auth,
    clock,
    engine,
    ctx,
    office_city,  # noqa: F811
):
    _equal_work(client, auth, clock)
    _warn(engine, HEPING, START + timedelta(hours=1))  # due 30 Nov 10:00, never answered
    in_time = _warn(engine, DONGHUA, START + timedelta(hours=1))
    late = _warn(engine, DONGHUA, START + timedelta(days=3), "城市管理/噪声扰民")  # due 3 Dec
    _answer(client, auth, clock, START + timedelta(days=2), in_time)

    clock.now = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)  # 和平's deadline not passed yet
    assert _counts(ctx, "2026-11") == {}
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
    assert _counts(ctx, "2026-11") == {HEPING: GovernanceCounts(warnings_unanswered=1)}
    streets = _rank(client, auth, month="2026-11", group="street", rules="small")
    heping, donghua = streets[HEPING], streets[DONGHUA]
    assert heping["governance"] == {"topics_led": 0, "topics_co": 0, "tasks_late": 0,
                                    "warnings_unanswered": 1, "points": -0.5}  # fmt: skip
    assert (donghua["score"], heping["score"]) == (100.0, 99.5)
    assert (donghua["rank"], heping["rank"]) == (1, 2) and heping["talk"]
    # The district answers for its streets' warnings.
    assert (
        _rank(client, auth, month="2026-11", group="district")["990101"]["governance"][
            "warnings_unanswered"
        ]
        == 1
    )

    _answer(client, auth, clock, datetime(2026, 12, 4, 9, 0, tzinfo=TZ), late)  # a day late
    assert _counts(ctx, "2026-12") == {DONGHUA: GovernanceCounts(warnings_unanswered=1)}
    assert _counts(ctx, "2026-11")[HEPING].warnings_unanswered == 1  # November stays


def test_topics_closed_with_their_fall_earn_points_and_late_tasks_cost(
    client, auth, clock, engine, ctx
):
    _requests(client, auth, clock, START, 40)  # 2 a day over the 20 days before launch
    clock.now = START + timedelta(days=20)  # 2026-12-13
    topic_id = _propose(client, auth)  # led by city.transport; co-units 东区, 东华街道
    task = _write_plan_and_lists(client, auth, topic_id)  # 东华街道's task, due 2027-01-15
    _post(client, auth, "supervisor", f"/{topic_id}/launch")
    given_up = _propose(client, auth, title="夜班线站点设置")
    _write_plan_and_lists(client, auth, given_up)
    _post(client, auth, "supervisor", f"/{given_up}/launch")
    _post(client, auth, "supervisor", f"/{given_up}/withdraw", reason="并入公交末班车专题")
    _propose(client, auth, title="尚未启动的专题", month="2027-02")  # its task below: no topic yet
    _write_plan_and_lists(client, auth, topic_id + 2)

    _requests(client, auth, clock, datetime(2027, 1, 5, 9, tzinfo=TZ), 9)
    clock.now = datetime(2027, 1, 15, 23, 0, tzinfo=TZ)
    assert _counts(ctx, "2027-01") == {}  # the due day has not ended
    clock.now = datetime(2027, 2, 1, 1, tzinfo=TZ)
    assert record_due(ctx) == 1
    # Only the launched, not withdrawn topic's task was late (done on 1 February).
    _post(client, auth, "donghua", f"/{topic_id}/items/{task}/finish", outcome="已完成摸排")
    assert _counts(ctx, "2027-01") == {DONGHUA: GovernanceCounts(tasks_late=1)}

    _requests(client, auth, clock, datetime(2027, 2, 3, 9, tzinfo=TZ), 5)
    clock.now = datetime(2027, 3, 1, 1, tzinfo=TZ)
    record_due(ctx)
    _post(client, auth, "supervisor", f"/{topic_id}/close", reason="末班车已延后，诉求回落")
    assert _counts(ctx, "2027-03") == {
        "city.transport": GovernanceCounts(topics_led=1),
        "990101": GovernanceCounts(topics_co=1),
        DONGHUA: GovernanceCounts(topics_co=1),
    }
    clock.now = datetime(2027, 4, 1, 1, tzinfo=TZ)
    departments = _rank(client, auth, month="2027-03", group="city_department")
    assert departments["city.transport"]["governance"]["points"] == 2.0
    assert departments["city.transport"]["score"] is None  # no orders: points make no score
    # 东区 answers for its government's and its street's co-handling: 2 points.
    assert _rank(client, auth, month="2027-03", group="district")["990101"]["governance"] == {
        "topics_led": 0, "topics_co": 2, "tasks_late": 0, "warnings_unanswered": 0, "points": 2.0
    }  # fmt: skip
    january = _rank(client, auth, month="2027-01", group="street")[DONGHUA]["governance"]
    assert (january["tasks_late"], january["points"]) == (1, -0.5)
    login(client, "supervisor")  # the task was due by the end of 15 January: that day is shown
    page = client.get(f"/console/assessment/units/{DONGHUA}",
                      params={"month": "2027-01", "group": "street"}).text  # fmt: skip
    row = page.split(f'data-charge="task-{task}"', 1)[1].split("</tr>", 1)[0]
    assert "2027-01-15 当日" in row and "2027-01-16" not in row


def test_the_workbook_and_the_console_show_the_points(
    client,
    auth,
    clock,
    engine,
    ctx,
    office_city,  # noqa: F811
):
    from openpyxl import load_workbook

    _equal_work(client, auth, clock)
    _warn(engine, HEPING, START)
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=TZ)
    r = client.get("/api/assessment/export.xlsx", params={"month": "2026-11", "rules": "small"},
                   headers=auth("supervisor"))  # fmt: skip
    streets = load_workbook(BytesIO(r.content))["街道乡镇"]
    rows = {row[1].value: [c.value for c in row] for row in streets.iter_rows(min_row=3)}
    assert rows["和平街道"][6:9] == [-0.5, 99.5, 2] and rows["东华街道"][6] is None

    login(client, "supervisor")
    page = client.get("/console/assessment/rankings",
                      params={"month": "2026-11", "group": "street", "rules": "small"})  # fmt: skip
    assert page.status_code == 200
    assert f'data-testid="points-{HEPING}" title="预警逾期未反馈 1 项">−0.5</td>' in page.text
    assert "预警逾期未反馈−0.5（加减各不超过5分）" in page.text  # the rule set's line
    unit = client.get(f"/console/assessment/units/{HEPING}",
                      params={"month": "2026-11", "group": "street", "rules": "small"})  # fmt: skip
    assert "主动治理 −0.5（预警逾期未反馈 1 项）" in unit.text


APPEALS = "/api/assessment/governance-appeals"


def test_a_unit_appeals_a_charge_and_an_upheld_appeal_removes_its_points(
    client,
    auth,
    clock,
    engine,
    ctx,
    office_city,  # noqa: F811
):
    _equal_work(client, auth, clock)
    warned = _warn(engine, HEPING, START + timedelta(hours=1))  # due 30 Nov 10:00
    other = _warn(engine, DONGHUA, START + timedelta(hours=1))
    body = {"kind": "warning", "item_id": warned, "reason": "措施已于11月27日电话报区城管委"}
    clock.now = datetime(2026, 11, 29, 9, 0, tzinfo=TZ)  # not late yet: nothing to appeal
    r = client.post(APPEALS, json=body, headers=auth("heping"))
    assert r.status_code == 422 and r.json()["code"] == "governance_appeal.not_charged"

    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=TZ)
    charged = client.get("/api/assessment/governance-charges", params={"month": "2026-11"},
                         headers=auth("heping")).json()  # fmt: skip
    assert [(c["kind"], c["item_id"], c["appeal"]) for c in charged] == [("warning", warned, None)]
    r = client.post(APPEALS, json=body | {"item_id": other}, headers=auth("heping"))
    assert r.json()["code"] == "governance_appeal.not_charged"  # 东华's charge, not 和平's
    r = client.post(APPEALS, json=body, headers=auth("heping"))
    assert r.status_code == 201, r.text
    appeal = r.json()
    assert (appeal["unit_code"], appeal["kind_zh"], appeal["decision"]) == (
        HEPING, "预警逾期未反馈", None
    )  # fmt: skip
    r = client.post(APPEALS, json=body, headers=auth("heping"))
    assert r.status_code == 409 and r.json()["code"] == "governance_appeal.repeated"
    assert client.get(f"{APPEALS}/{appeal['id']}", headers=auth("donghua")).status_code == 404
    assert [a["id"] for a in client.get(APPEALS, headers=auth("supervisor")).json()] == [
        appeal["id"]
    ]  # fmt: skip
    assert client.get(APPEALS, headers=auth("donghua")).json() == []  # not its appeal

    decide = f"{APPEALS}/{appeal['id']}/decide"
    verdict = {"upheld": True, "reason": "区城管委确认已收到措施"}
    r = client.post(decide, json=verdict, headers=auth("heping"))
    assert r.status_code == 403 and r.json()["code"] == "appeal.forbidden"
    r = client.post(decide, json=verdict, headers=auth("supervisor"))
    assert r.status_code == 200 and r.json()["decision"] == "upheld"
    r = client.post(decide, json=verdict, headers=auth("supervisor"))
    assert r.status_code == 409 and r.json()["code"] == "appeal.decided"
    streets = _rank(client, auth, month="2026-11", group="street", rules="small")
    assert streets[HEPING]["governance"]["points"] == 0 and streets[HEPING]["score"] == 100.0
    charged = client.get("/api/assessment/governance-charges", params={"month": "2026-11"},
                         headers=auth("supervisor")).json()  # fmt: skip
    assert {(c["unit_code"], c["appeal"]) for c in charged} == {(HEPING, "upheld"), (DONGHUA, None)}

    clock.now = datetime(2026, 12, 11, 9, 0, tzinfo=TZ)  # 10 days after 东华's deadline
    r = client.post(APPEALS, json=body | {"item_id": other}, headers=auth("donghua"))
    assert r.status_code == 422 and r.json()["code"] == "appeal.window_closed"
    r = client.post(APPEALS, json=body | {"kind": "ticket"}, headers=auth("donghua"))
    assert r.status_code == 422 and r.json()["code"] == "input.invalid"


def test_a_charge_is_appealed_and_decided_in_the_console(
    client,
    auth,
    clock,
    engine,
    ctx,
    office_city,  # noqa: F811
):
    from tests.console.helpers import csrf

    _equal_work(client, auth, clock)
    warned = _warn(engine, HEPING, START + timedelta(hours=1))
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=TZ)
    login(client, "heping")
    page = client.get(f"/console/assessment/units/{HEPING}",
                      params={"month": "2026-11", "group": "street"})  # fmt: skip
    assert page.status_code == 200 and 'data-testid="charges"' in page.text
    assert f'data-testid="appeal-warning-{warned}"' in page.text
    form = {"csrf_token": csrf(page.text), "kind": "warning", "item_id": str(warned),
            "reason": "已电话报送措施", "back": f"/console/assessment/units/{HEPING}?month=2026-11"}  # fmt: skip
    r = client.post("/console/assessment/governance-appeals", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("month=2026-11")
    r = client.post("/console/assessment/governance-appeals", data=form, follow_redirects=False)
    assert r.status_code == 409 and "governance_appeal.repeated" in r.text
    page = client.get(f"/console/assessment/units/{HEPING}", params={"month": "2026-11"})
    assert "申诉待审核" in page.text and f'data-testid="appeal-warning-{warned}"' not in page.text

    client.cookies.clear()
    login(client, "supervisor")
    page = client.get("/console/assessment/appeals")
    assert 'data-testid="decide-charge-' in page.text and "已电话报送措施" in page.text
    appeal_id = client.get(APPEALS, headers=auth("supervisor")).json()[0]["id"]
    r = client.post(f"/console/assessment/governance-appeals/{appeal_id}/decide",
                    data={"csrf_token": csrf(page.text), "upheld": "true", "reason": "核实属实"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    page = client.get("/console/assessment/appeals?all=1")
    assert "申诉成立，不扣分" in page.text and "核实属实" in page.text
    ranking = client.get("/console/assessment/rankings",
                         params={"month": "2026-11", "group": "street", "rules": "small"})  # fmt: skip
    assert f'data-testid="points-{HEPING}" title="本期无主动治理加减分事项">—</td>' in ranking.text


def test_a_task_written_after_its_due_day_charges_nobody(client, auth, clock, engine, ctx):
    """Nobody can be charged after the fact: a lead writing a task due last month does not
    change last month's points."""
    _requests(client, auth, clock, START, 10)
    clock.now = START + timedelta(days=5)  # 28 November
    topic_id = _propose(client, auth)
    _write_plan_and_lists(client, auth, topic_id)
    _post(client, auth, "supervisor", f"/{topic_id}/launch")
    clock.now = datetime(2027, 1, 20, 9, tzinfo=TZ)
    _post(client, auth, "transport", f"/{topic_id}/items", 201, list="task",
          text="补记：12月初完成调研", unit_code=DONGHUA, due_on="2026-12-05")  # fmt: skip
    assert _counts(ctx, "2026-12") == {}
    from tests.console.helpers import csrf

    login(client, "supervisor")
    token = csrf(client.get("/console/assessment/appeals").text)
    r = client.post("/console/assessment/governance-appeals/99999999999999999999/decide",
                    data={"csrf_token": token, "upheld": "true", "reason": "x"})  # fmt: skip
    assert r.status_code == 404 and "governance_appeal.not_found" in r.text  # never a 500


def test_a_district_department_sees_and_appeals_its_own_charge_in_the_console(
    client, auth, clock, ctx
):
    """A6: a unit not ranked on its own (a district's department) has no ranking page, but
    its late task is its own to appeal: 本单位考评 lists its charges with the appeal form."""
    from tests.console.helpers import csrf

    _requests(client, auth, clock, START, 10)
    clock.now = START + timedelta(days=5)  # 28 November
    topic_id = _propose(client, auth, co_unit_codes=["990101", "990101001", "990101.urban"])
    _write_plan_and_lists(client, auth, topic_id)
    task = _post(client, auth, "transport", f"/{topic_id}/items", 201, list="task",
                 text="清理噪声源", unit_code="990101.urban", due_on="2026-12-10")["id"]  # fmt: skip
    _post(client, auth, "supervisor", f"/{topic_id}/launch")
    clock.now = datetime(2026, 12, 14, 9, tzinfo=TZ)
    login(client, "urban")
    page = client.get("/console/assessment/mine", params={"month": "2026-12"})
    assert page.status_code == 200 and 'data-testid="not-ranked"' in page.text
    assert "东区" in page.text.split('data-testid="not-ranked"', 1)[1].split("</p>", 1)[0]
    assert f'data-testid="appeal-task-{task}"' in page.text and "2026-12-10 当日" in page.text
    form = {"csrf_token": csrf(page.text), "kind": "task", "item_id": str(task),
            "reason": "噪声源在施工围挡内，需建设单位配合", "back": "/console/assessment/mine?month=2026-12"}  # fmt: skip
    r = client.post("/console/assessment/governance-appeals", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == form["back"]
    page = client.get("/console/assessment/mine", params={"month": "2026-12"}).text
    assert "申诉待审核" in page and f'data-testid="appeal-task-{task}"' not in page
    november = client.get("/console/assessment/mine", params={"month": "2026-11"}).text
    assert 'data-testid="no-charges"' in november
