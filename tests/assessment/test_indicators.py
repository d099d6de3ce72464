"""A5: the double assessment of whistles; A7: the 七有五性 indicators — by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.helpers import act, create

from .test_rankings import office_city  # noqa: F401 - the fixture


def _get(client, auth, path, **params):
    r = client.get(f"/api/assessment/{path}", params=params, headers=auth("supervisor"))
    assert r.status_code == 200, r.text
    return r.json()


def test_whistles_judge_both_sides(client, auth, clock):
    n = create(client, auth)["number"]
    act(client, auth, "dispatcher", n, "dispatch", lead_unit_code="990101001")
    act(client, auth, "donghua", n, "acknowledge")
    due = (clock.now + timedelta(hours=2)).isoformat()
    act(client, auth, "donghua", n, "raise_whistle", reason="联合处置", report_due=due,
        unit_codes=["990101.urban", "utility.water", "990101.housing"])  # fmt: skip
    act(client, auth, "urban", n, "report_in", reason="已到场")
    clock.advance(hours=3)
    act(client, auth, "water", n, "report_in", reason="已抢修")
    act(client, auth, "donghua", n, "close_whistle", reason="处置完毕")
    got = _get(client, auth, "whistles", month="2026-11")
    assert got["streets"] == [
        {"unit_code": "990101001", "unit_name": "东华街道", "whistles": 1, "closed": 1}
    ]
    depts = {d["unit_code"]: d for d in got["departments"]}
    assert (depts["990101.urban"]["on_time"], depts["990101.urban"]["on_time_rate"]) == (1, 1.0)
    assert (depts["utility.water"]["late"], depts["utility.water"]["on_time_rate"]) == (1, 0.0)
    assert depts["990101.housing"]["absent"] == 1  # never reported before the close
    assert [d["unit_code"] for d in got["departments"]][-1] == "990101.urban"


def test_livelihood_dimensions(client, auth, office_city):  # noqa: F811
    def ticket(tags, satisfaction=None, solved=None):
        n = create(client, auth, tags=tags)["number"]
        act(client, auth, "dispatcher", n, "dispatch", lead_unit_code="990101001")
        if satisfaction:
            for action, body in [("acknowledge", {}), ("contact", {}),
                                 ("reply", {"outcome": "solved", "text": "已处理"})]:  # fmt: skip
                act(client, auth, "donghua", n, action, **body)
            act(client, auth, "operator", n, "record_visit", contacted=True, solved=solved,
                satisfaction=satisfaction)  # fmt: skip

    ticket(["elderly", "housing"], "satisfied", True)
    ticket(["elderly"], "basically_satisfied", False)
    ticket(["elderly"])  # not yet visited
    rows = {r["tag"]: r for r in _get(client, auth, "livelihood", month="2026-11")}
    elderly = rows["elderly"]
    assert (elderly["label_zh"], elderly["tickets"], elderly["answered"]) == ("老有所养", 3, 2)
    assert elderly["resolution_rate"] == 0.5
    assert elderly["satisfaction_rate"] == pytest.approx(0.9)  # (1 + 0.8) / 2
    assert rows["housing"]["tickets"] == 1 and rows["childcare"]["tickets"] == 0
    assert rows["childcare"]["resolution_rate"] is None


def test_livelihood_refuses_an_unknown_rule_set(client, auth):
    """A3/A7: the credit comes from a named rule set; an unknown name is refused, as the
    rankings refuse it, instead of falling back to a credit of its own."""
    r = client.get(
        "/api/assessment/livelihood",
        params={"month": "2026-11", "rules": "no-such-rules"},
        headers=auth("supervisor"),
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "assessment.unknown_rules"
