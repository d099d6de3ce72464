"""``jiesu governance warn|warnings`` (G5) on the test database: wiring, output and refusals.
The weeks asked for lie long before the wall clock, so the result does not depend on it."""

from __future__ import annotations

import json

from jiesu.cli import main
from tests.conftest import CITY_FILE


def _db(ctx) -> list[str]:
    return ["--city", str(CITY_FILE),
            "--database-url", ctx.engine.url.render_as_string(hide_password=False)]  # fmt: skip


def test_a_week_is_examined_and_listed(ctx, capsys):
    assert main(["governance", "warn", "--week", "2020-W01", *_db(ctx)]) == 0
    assert capsys.readouterr().out.strip() == (
        "2020-W01: 0 hotspots warned (0 new), judged on 0 weeks of history"
    )
    assert main(["governance", "warnings", "--week", "2020-W01", "--json", *_db(ctx)]) == 0
    assert json.loads(capsys.readouterr().out) == {"week": "2020-W01", "warnings": []}


def test_a_bad_week_is_refused_with_its_code(ctx, capsys):
    assert main(["governance", "warn", "--week", "2020-01", *_db(ctx)]) == 2
    assert "warning.bad_week" in capsys.readouterr().err


def test_topics_are_listed_after_recording_ended_months(ctx, capsys):
    """G2: ``jiesu governance topics`` records what the worker would, then lists."""
    from jiesu.domain.roles import Actor, Role
    from jiesu.governance import topics as gt

    supervisor = Actor(None, "supervisor", Role.SUPERVISOR, "hotline")
    topic_id = gt.propose(ctx, supervisor, gt.Proposal(
        "公交末班车过早", "2026-12", ["交通运输/公交线路"], "city.transport"))  # fmt: skip
    assert main(["governance", "topics", *_db(ctx)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{topic_id}\t2026-12\tplanned\t公交末班车过早\t测试市交通委员会")
    assert out[-1] == "1 topics; 0 ended months recorded now"
    assert main(["governance", "topics", "--state", "active", "--json", *_db(ctx)]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_months_report_is_issued_once_and_printed(ctx, capsys, client, auth, clock):
    """G4: ``jiesu governance report`` prints the stored report, issuing it the first time;
    ``--regenerate REASON`` adds a version."""
    from datetime import datetime

    from tests.api.helpers import create
    from tests.conftest import TZ

    clock.now = datetime(2026, 10, 15, 9, tzinfo=TZ)
    create(client, auth)  # one request, in October (the command reads the real clock)
    args = ["governance", "report", "--month", "2026-10", *_db(ctx)]
    assert main([*args, "--format", "json"]) == 0
    out, err = capsys.readouterr()
    first = json.loads(out)
    assert (first["month"], first["scope"], first["version"], first["issued_by"]) == (
        "2026-10", "city", 1, "cli")  # fmt: skip
    assert first["content"]["volume"]["total"]["now"] == 1 and "issued now" in err
    assert main([*args, "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["id"] == first["id"] and "as issued before" in err
    assert main([*args, "--district", "990101", "--regenerate", "重新统计"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("# 东区 2026-10 接诉即办月度工作报告") and "## 一、工作建议" in out
    assert "第 2 版" not in out and "version 1, issued now" in err  # the district's first
    assert main([*args, "--regenerate", "重新统计"]) == 0
    assert "version 2, issued now" in capsys.readouterr().err


def test_a_report_of_a_street_is_refused_with_its_code(ctx, capsys):
    assert main(["governance", "report", "--month", "2020-01", "--district", "990101001",
                 *_db(ctx)]) == 2  # fmt: skip
    assert "report.bad_scope" in capsys.readouterr().err
