"""Monthly topics at Beijing scale (G2): the candidates, the list of 27 topics, the busiest
topic's page and the worker's monthly record, on PostgreSQL.

    python bench/topics.py [--database-url postgresql://postgres@127.0.0.1:5432/jiesu_bench]
                           [--runs 5] [--markdown docs/benchmarks.md]

It uses the database of ``bench/unit_lists.py`` (11 million tickets of
``bench/assessment.py`` over a year; built if missing) with the additions of
``bench/governance.py`` (a community and a category for the last ten weeks' tickets; made
here if missing, so that the two benchmarks see the same tickets) and adds, once, to every
ticket (those of the last ten weeks keep the community and category given there):

- a community drawn uniformly from Beijing's and a category from the city's leaf
  categories, skewed as in ``bench/governance.py`` (a few common, most rare);
- a title from twelve phrases (some of which the topics' keywords look for) and a short
  text around it (real requests are longer);
- the final return visit's outcome, which the ticket carries (``visit_solved``,
  ``satisfaction``): 4 % unreachable, solved with a probability of 45-85 % that depends on
  the category, satisfied as in ``bench/assessment.py``. The assessment benchmark writes
  the visits in ``return_visits`` only, which the topics do not read.

Then 27 topics like Beijing's (most on one to three leaf categories, four with keywords,
six scoped to a district or a street), each proposed, planned (the plan and one item on
each list) and launched through ``jiesu.governance.topics`` with the clock at its launch,
one a day from 1 July: the baselines are computed as in production, and three full months
follow each launch.

Measured, median of ``--runs``, the clock an hour after the last ticket:

- the candidates (``topic_candidates.candidates``: every category in each of the last six
  full months, city-wide), against ``count(*)`` over the same months' tickets;
- the worker's monthly record (``topic_figures.record_due``: the three due months of each
  of the 27 topics, its rows deleted between runs), against counting the same topics'
  requests over the same three months (one ``count(*)`` per topic with the same
  conditions);
- the list of topics (``topic_reading.list_topics``), against reading the topics' rows and
  their recorded months;
- the busiest topic's page (``topic_reading.detail``: the live monthly series from the
  baseline's first month, and the streets since launch), against counting the topic's
  requests over the same span (``count(*)`` with the same conditions); and every topic's
  page once, after one untimed view.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import governance as governance_bench  # noqa: E402  (bench/governance.py)
import unit_lists as lists  # noqa: E402
from common import machine, median_timed, publish  # noqa: E402
from sqlalchemy import delete, func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from jiesu.assessment.rankings import month  # noqa: E402
from jiesu.city.units import UnitKind  # noqa: E402
from jiesu.context import Context  # noqa: E402
from jiesu.domain.hotspots import last_full_week  # noqa: E402
from jiesu.domain.roles import Actor, Role  # noqa: E402
from jiesu.governance import topic_candidates as tc  # noqa: E402
from jiesu.governance import topic_figures as tf  # noqa: E402
from jiesu.governance import topic_reading as tr  # noqa: E402
from jiesu.governance import topics as gt  # noqa: E402
from jiesu.governance.weekly import week_start  # noqa: E402
from jiesu.storage import tables  # noqa: E402
from jiesu.storage.uow import UnitOfWork  # noqa: E402

HEADING = "## Monthly topics at Beijing scale"
t = tables.tickets.c
#: What the figures say, from the runs of 2026-11-22.
NOTES = """\
What the figures cover: every request received counts, whatever became of it, so the
tickets' states do not matter; the resolution and satisfaction come from the outcome of the
final return visit that each ticket carries, which this benchmark draws (the assessment
benchmark writes its visits in `return_visits` only, which the topics do not read). Request
texts are one short sentence here; real ones run to a few hundred characters, which makes
the topics with keywords dearer (they read each request of their categories). Nothing makes
the requests fall after launch: these are the costs of reading, not of any verdict.

Before migration 0014 and the present queries (same database and day): the candidates
2.4 s, the worker's record 57 s, the busiest topic's page 2.7 s, the list 10 ms. A topic's
category was asked as `category = c OR category LIKE 'c/%'`, which no index answered (the
category index compares by the database's collation, and the OR of the two would have read
the tickets anyway): every figure read the whole 6 GB table, and JIT compilation took
0.5-0.8 s of each of the page's two queries. Now a category is one range of bytes of an
index on `(category, received_at)` (pattern operators, whatever the collation) that also
holds the place and the visit outcome, one SELECT per category: a topic's figures come
from the index alone (no heap fetches here, the table being vacuumed; in production the
tickets changed since the last vacuum are visited). The candidates read six months, 5.5
million tickets, on every view of the topics page, which shows them: one SELECT per month
from an index on `received_at` holding the category and the visit outcome (grouped by
category and month in one statement, PostgreSQL expected as many groups as tickets and
sorted them all). The two indexes take 1.0 and 0.8 GB beside the table's 6 GB, and 20 s
to build; this benchmark's additions to the tickets took 13 minutes. A summary
per category and month kept by the worker would make the candidates' cost constant; not
done."""
BY = "bench-topics"
#: Twelve request titles; the topics' keywords look for four of them.
TITLES = [
    "小区加装电梯进展慢", "新能源车充电桩安装难", "培训机构拒不退费", "消防通道被占用",
    "夜间噪音扰民", "乱收费", "设施损坏无人维修", "服务态度差", "诉求处理不及时",
    "环境脏乱差", "存在安全隐患", "政策咨询无人答复",
]  # fmt: skip
#: (title, categories, keywords, scope, lead, co-units); a scope of "street" is the first
#: street of Chaoyang, which then leads.
TOPICS = [
    ("物业服务不规范", ["城乡建设/物业管理"], [], None, "city.housing", ["city.market"]),
    ("老旧小区加装电梯", ["城乡建设/老旧小区改造"], ["电梯"], None, "city.housing",
     ["city.market", "city.planning"]),
    ("房产证办理难", ["城乡建设/规划与不动产登记"], [], None, "city.planning", ["city.housing"]),
    ("施工噪声扰民", ["城乡建设/施工扰民", "环境保护/噪声污染"], [], None, "city.housing",
     ["city.ecology", "city.enforcement"]),
    ("朝阳区违法建设治理", ["城市管理/违法建设"], [], "110105", "110105", ["city.enforcement"]),
    ("垃圾分类与环境卫生", ["城市管理/垃圾分类", "城市管理/环境卫生"], [], None, "city.urban",
     []),
    ("海淀区占道经营", ["城市管理/占道经营"], [], "110108", "110108", ["city.enforcement"]),
    ("停车难", ["交通运输/停车管理"], [], None, "city.transport", ["city.police"]),
    ("新能源车充电难", ["交通运输/停车管理", "水电气热/供电"], ["充电"], None, "city.urban",
     ["utility.power", "city.development"]),
    ("共享单车乱停乱放", ["交通运输/共享单车", "交通运输/交通秩序"], [], None,
     "city.transport", ["city.urban"]),
    ("公交线路优化", ["交通运输/公交线路"], [], None, "city.transport", []),
    ("拖欠农民工工资", ["劳动和社会保障/劳动关系与欠薪"], [], None, "city.hrss",
     ["city.housing"]),
    ("入园难", ["教育文体/学前教育"], [], None, "city.education", []),
    ("校外培训退费难", ["教育文体/校外培训", "商贸旅游/预付卡消费"], ["退费"], None,
     "city.education", ["city.market", "city.commerce"]),
    ("预付卡消费纠纷", ["商贸旅游/预付卡消费"], [], None, "city.commerce", ["city.market"]),
    ("西城区餐饮油烟", ["环境保护/餐饮油烟"], [], "110102", "110102", ["city.ecology"]),
    ("医保报销难", ["卫生计生/医保报销"], [], None, "city.medical_insurance", ["city.health"]),
    ("养老服务", ["民政社区/养老服务"], [], None, "city.civil", []),
    ("供暖不热", ["水电气热/供暖"], [], None, "city.urban", ["utility.heating"]),
    ("燃气安全", ["水电气热/燃气"], [], None, "city.urban", ["utility.gas"]),
    ("雨季排水防汛", ["水电气热/排水防汛"], [], None, "city.water_affairs", []),
    ("通州区供水保障", ["水电气热/供水"], [], "110112", "110112", ["utility.water"]),
    ("电梯安全运行", ["市场监管/电梯等特种设备"], [], None, "city.market", []),
    ("密云区农村人居环境", ["农村农业", "城市管理/环境卫生"], [], "110118", "110118",
     ["city.agriculture"]),
    ("消防通道占用", ["公共安全/消防隐患"], ["消防通道"], None, "city.emergency",
     ["city.police"]),
    ("街道邻里纠纷化解", ["民政社区/邻里纠纷", "环境保护/噪声污染"], [], "street", "street",
     []),
    ("户籍证件办理", ["公共安全/户籍与证件"], [], None, "city.police", []),
]  # fmt: skip


def _prepare(city, until: datetime) -> list[str]:
    """Categories, places, titles and visit outcomes for every ticket (those from ``until``
    keep the community and category bench/governance.py gave them)."""
    leaves = [c.code for c in city.categories if "/" in c.code]
    cats = "(ARRAY[" + ", ".join(f"'{c}'" for c in leaves) + "])"
    pick = f"{cats}[1 + floor(power(random(), 2) * {len(leaves)})::int]"
    titles = "(ARRAY[" + ", ".join(f"'{x}'" for x in TITLES) + "])"
    rng = random.Random(12345)
    hard = ", ".join(f"('{c}', {0.45 + 0.4 * rng.random():.3f})" for c in leaves)
    return [
        "CREATE TABLE bench_topic_difficulty (category varchar(128) PRIMARY KEY, p float)",
        f"INSERT INTO bench_topic_difficulty VALUES {hard}",
        f"""UPDATE tickets AS t SET
              category = s.cat, location_unit_code = coalesce(p.code, t.location_unit_code),
              title = s.title, content = '来电人反映' || s.title
                || '，问题已持续较长时间，多次反映未果，希望有关部门尽快协调解决。',
              visit_contacted = CASE WHEN s.x < 0.04 THEN NULL ELSE s.y < 0.97 END,
              visit_solved = CASE WHEN s.x < 0.04 THEN NULL ELSE s.y < d.p END,
              satisfaction = CASE WHEN s.x < 0.04 THEN NULL
                  WHEN s.y < d.p THEN (CASE WHEN s.x < 0.85 THEN 'satisfied'
                                            ELSE 'basically_satisfied' END)
                  WHEN s.x < 0.45 THEN 'basically_satisfied' ELSE 'unsatisfied' END
            FROM (SELECT id, received_at < '{until.isoformat()}' AS ours,
                         CASE WHEN received_at < '{until.isoformat()}' THEN {pick}
                              ELSE category END AS cat,
                         1 + floor(random() * (SELECT count(*) FROM bench_places))::int AS pi,
                         {titles}[1 + floor(random() * {len(TITLES)})::int] AS title,
                         random() AS x, random() AS y
                  FROM tickets) AS s
            JOIN bench_topic_difficulty AS d ON d.category = s.cat
            LEFT JOIN bench_places AS p ON p.i = s.pi AND s.ours
            WHERE t.id = s.id""",
        "CREATE TABLE bench_topics_ready (done_at timestamptz)",
        "INSERT INTO bench_topics_ready VALUES (now())",
    ]


def _governance_additions(engine, city, now: datetime) -> datetime:
    """bench/governance.py's additions, made if missing; the first ticket they touch."""
    ctx = Context(engine=engine, city=city, clock=lambda: now + timedelta(hours=1))
    monday = last_full_week(ctx.now().astimezone(city.tz).date())
    first = monday - timedelta(days=7 * city.warning_policy.baseline_weeks)
    start, end = week_start(city, first), week_start(city, monday + timedelta(days=7))
    since = start - timedelta(days=7)
    lists.add_once(engine, "bench_governance_ready",
                   governance_bench._prepare(city, since, week_start(city, monday), end),
                   "tickets, units")  # fmt: skip
    return since


def _add_topics(engine, city, launch_day: date) -> list[int]:
    """The 27 topics, made once through the application; their ids."""
    with engine.connect() as conn:
        ids = list(conn.execute(text(
            "SELECT id FROM topics WHERE created_by = :by ORDER BY id"), {"by": BY}).scalars())  # fmt: skip
    if ids:
        assert len(ids) == len(TOPICS), f"{len(ids)} bench topics: drop and rebuild the database"
        return ids
    hotline = Actor(None, BY, Role.SUPERVISOR, city.city.hotline_unit)
    street = next(u.code for u in city.units if u.parent == "110105" and u.kind is UnitKind.STREET)
    for i, (title, cats, keywords, scope, lead, co) in enumerate(TOPICS):
        scope, lead = (street if x == "street" else x for x in (scope, lead))
        at = datetime.combine(launch_day + timedelta(days=i), datetime.min.time(), city.tz)
        at = (at + timedelta(hours=10)).astimezone(UTC)
        ctx = Context(engine=engine, city=city, clock=lambda at=at: at)
        p = gt.Proposal(title, at.astimezone(city.tz).strftime("%Y-%m"), cats, lead,
                        summary=f"{title}：市民反映集中、持续时间长", keywords=keywords,
                        scope_code=scope, co_unit_codes=co)  # fmt: skip
        tid = gt.propose(ctx, hotline, p)
        gt.edit_plan(ctx, hotline, tid, f"{title}专项工作方案：摸排问题、分类施策、按月调度", 1)
        gt.add_item(ctx, hotline, tid, "problem", f"{title}：重点点位清单")
        for unit in [lead, *co]:
            gt.add_item(ctx, hotline, tid, "task", "完成问题摸排并制定整改计划", unit,
                        at.astimezone(city.tz).date() + timedelta(days=60))  # fmt: skip
        gt.add_item(ctx, hotline, tid, "duty", "统筹推进并按月报告进展", lead)
        gt.launch(ctx, hotline, tid)
        ids.append(tid)
        print(f"  topic {tid} {title} launched {at.astimezone(city.tz):%Y-%m-%d}", flush=True)
    return ids


def _count(engine, city, conds, topic=None) -> int:
    """``count(*)`` of the tickets meeting ``conds`` (and on ``topic``, read as the topic's
    figures read them), with the figures' settings (no JIT)."""
    with Session(engine) as s:
        tf.tune(s)
        rows = (tf.topic_rows(s, city, topic, [t.id], *conds) if topic is not None
                else select(t.id).where(*conds).subquery())  # fmt: skip
        return s.execute(select(func.count()).select_from(rows)).scalar()


def main() -> None:
    args = lists.arguments(__doc__)
    engine, city, now, n_tickets, _ = lists.open_database(args)
    until = _governance_additions(engine, city, now)
    prepared_s = lists.add_once(engine, "bench_topics_ready", _prepare(city, until), "tickets")
    local = now.astimezone(city.tz)
    launch_day = date(local.year if local.month > 7 else local.year - 1, 7, 1)
    ids = _add_topics(engine, city, launch_day)
    ctx = Context(engine=engine, city=city, clock=lambda: now + timedelta(hours=1))
    rows = []

    def row(what: str, secs: float, base: str, base_s: float) -> None:
        rows.append(f"| {what} | {secs * 1000:,.0f} ms | {base} {base_s * 1000:,.0f} ms "
                    f"| {secs / base_s:.1f}× |")  # fmt: skip
        print(rows[-1], flush=True)

    # the candidates
    got = tc.candidates(ctx)
    periods = [month(label, city.tz) for label in got.months]
    six = [t.received_at >= periods[0].start, t.received_at < periods[-1].end]
    _count(engine, city, six)
    cand_s, got = median_timed(lambda: tc.candidates(ctx), args.runs)
    six_s, six_n = median_timed(lambda: _count(engine, city, six), args.runs)
    row(f"the candidates over {got.months[0]} – {got.months[-1]} ({len(got.items)} shown)",
        cand_s, f"`count(*)` of those months' {six_n:,} tickets:", six_s)  # fmt: skip

    # the worker's monthly record
    with UnitOfWork(engine, write=False) as uow:
        topics = uow.session.execute(select(tables.topics).where(tables.topics.c.id.in_(ids)))
        topics = topics.all()

    def forget() -> None:
        with engine.begin() as conn:
            conn.execute(delete(tables.topic_months).where(tables.topic_months.c.topic_id.in_(ids)))
            conn.execute(text("DELETE FROM outbox WHERE topic = 'governance.topic' "
                              "AND idempotency_key LIKE 'governance.topic:%:month:%'"))  # fmt: skip

    recorded_s = []
    for _ in range(args.runs):
        forget()
        t0 = time.perf_counter()
        n_months = tf.record_due(ctx)
        recorded_s.append(time.perf_counter() - t0)
    record_s = statistics.median(recorded_s)
    with UnitOfWork(engine, write=False) as uow:
        due = sorted({m for (m,) in uow.session.execute(select(tables.topic_months.c.month))})
    span = [t.received_at >= month(due[0], city.tz).start, t.received_at < month(due[-1], city.tz).end]  # fmt: skip

    def same_counts() -> int:
        return sum(_count(engine, city, span, r) for r in topics)

    rec_base_s, rec_n = median_timed(same_counts, args.runs)
    row(f"the worker's record of {n_months} months ({len(ids)} topics × {due[0]} – {due[-1]})",
        record_s, f"`count(*)` of the same {rec_n:,} requests, per topic:", rec_base_s)  # fmt: skip

    # the list
    def read_rows() -> int:
        with engine.connect() as conn:
            a = conn.execute(select(tables.topics)).all()
            b = conn.execute(select(tables.topic_months)).all()
            return len(a) + len(b)

    tr.list_topics(ctx), read_rows()
    list_s, listed = median_timed(lambda: tr.list_topics(ctx), args.runs)
    read_s, _ = median_timed(read_rows, args.runs)
    row(f"the list of {len(listed)} topics, with tasks and recorded progress", list_s,
        "reading the topics' and their months' rows:", read_s)  # fmt: skip

    # the busiest topic's page
    with engine.connect() as conn:
        busiest = conn.execute(text(
            "SELECT topic_id FROM topic_months GROUP BY topic_id "
            "ORDER BY sum(requests) DESC, topic_id LIMIT 1")).scalar()  # fmt: skip
    top = next(r for r in topics if r.id == busiest)
    reader = Actor(None, BY, Role.UNIT_HANDLER, top.lead_unit_code)
    page = tr.detail(ctx, reader, busiest)
    first = page.months[0]
    start = max(month(first.label, city.tz).start, top.launched_at - top.baseline_days * tf.DAY)
    its = [t.received_at >= start, t.received_at < ctx.now()]
    _count(engine, city, its, top)
    page_s, page = median_timed(lambda: tr.detail(ctx, reader, busiest), args.runs)
    its_s, its_n = median_timed(lambda: _count(engine, city, its, top), args.runs)
    row(f"the page of the busiest topic, “{top.title}” ({len(page.months)} months, "
        f"{len(page.places)} streets)", page_s,
        f"`count(*)` of its {its_n:,} requests since {first.label}:", its_s)  # fmt: skip
    pages = []
    for r in topics:
        tr.detail(ctx, reader, r.id)
        secs, _ = median_timed(lambda r=r: tr.detail(ctx, reader, r.id), 1)
        pages.append((secs, r.title, bool(r.keywords)))
    pages.sort()
    plain = [x for x, _, kw in pages if not kw]
    rows.append(
        f"| every topic's page, one view each: median {statistics.median(x for x, *_ in pages) * 1000:,.0f} ms; "
        f"without keywords {plain[0] * 1000:,.0f}–{plain[-1] * 1000:,.0f} ms; the slowest "
        f"“{pages[-1][1]}”{' (keywords)' if pages[-1][2] else ''} {pages[-1][0] * 1000:,.0f} ms | | | |"
    )  # fmt: skip
    print(rows[-1], flush=True)

    additions = (f"the additions took {prepared_s:.0f} s this run." if prepared_s
                 else "the additions were made by an earlier run.")  # fmt: skip
    lines = [
        HEADING,
        "",
        f"`python bench/topics.py --runs {args.runs}` on PostgreSQL, {n_tickets:,} tickets "
        f"({machine()}); " + additions,
        "",
        "| what | time | baseline | ratio |",
        "|---|---|---|---|",
        *rows,
        "",
        NOTES,
    ]
    publish(lines, args.markdown)


if __name__ == "__main__":
    main()
