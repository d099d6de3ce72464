"""``jiesu governance warn`` and ``jiesu governance warnings``: the weekly warning of
hotspots from the command line (G5) — for a cron job instead of the worker, or to look;
``jiesu governance topics``: the monthly topics and how each stands (G2), after recording
any month that has ended (as the worker does); ``jiesu governance open-data``: a month's
requests desensitised as CSV for the open-data portal (G6), or with ``--publish`` published
as a stored release the public downloads; ``jiesu governance report``: a
month's work report with its recommendations (G4), issued first if it was not yet."""

from __future__ import annotations

import json

from jiesu.bootstrap import add_context_options, context_from_args


def add_governance_commands(subparsers) -> None:
    sub = subparsers.add_parser("governance", help="proactive governance (G1–G6)").add_subparsers(
        dest="governance_cmd", required=True
    )
    sp = sub.add_parser("warn", help="examine a week and issue its hotspot warnings")
    add_context_options(sp)
    sp.add_argument("--week", help="ISO week such as 2026-W47 (default: the last ended week)")
    sp.set_defaults(func=cmd_warn)
    sp = sub.add_parser("warnings", help="list a week's hotspot warnings")
    add_context_options(sp)
    sp.add_argument("--week", help="ISO week such as 2026-W47 (default: the last ended week)")
    sp.add_argument("--json", action="store_true", help="print one JSON object")
    sp.set_defaults(func=cmd_warnings)
    sp = sub.add_parser("topics", help="record ended months and list the monthly topics (G2)")
    add_context_options(sp)
    sp.add_argument("--state", choices=["planned", "active", "closed", "withdrawn"])
    sp.add_argument("--json", action="store_true", help="print one JSON array")
    sp.set_defaults(func=cmd_topics)
    sp = sub.add_parser("open-data", help="a month's requests, desensitised, as CSV (G6)")
    add_context_options(sp)
    sp.add_argument("--month", help="YYYY-MM (default: the last full month)")
    sp.add_argument("--k", type=int, default=5, help="rows sharing each published combination")
    sp.add_argument("--out", help="file to write (default: standard output)")
    sp.add_argument("--publish", action="store_true",
                    help="publish it: stored as it is now, downloadable by the public")  # fmt: skip
    sp.add_argument("--note", default="", help="why (required when the month was published before)")
    sp.set_defaults(func=cmd_open_data)
    sp = sub.add_parser("report", help="a month's work report and recommendations (G4)")
    add_context_options(sp)
    sp.add_argument("--month", help="YYYY-MM (default: the last ended month)")
    sp.add_argument("--district", help="a district's code (default: the whole city)")
    sp.add_argument("--format", choices=["md", "json"], default="md")
    sp.add_argument("--regenerate", metavar="REASON", help="issue a new version, for this reason")
    sp.set_defaults(func=cmd_report)


def cmd_warn(args) -> int:
    from .warnings import issue

    done = issue(context_from_args(args), args.week, by="cli")
    print(
        f"{done.week}: {done.total} hotspots warned ({done.new} new), "
        f"judged on {done.baseline_weeks} weeks of history"
    )
    return 0


def cmd_warnings(args) -> int:
    from jiesu.api.governance import warning_out
    from jiesu.domain.hotspots import week_label
    from jiesu.domain.roles import Actor

    from .warnings import week_monday, week_warnings

    ctx = context_from_args(args)
    label = week_label(week_monday(args.week, ctx))
    rows = week_warnings(ctx, Actor.system(ctx.hotline_unit.code), label)
    if args.json:
        out = [warning_out(r).model_dump(mode="json") for r in rows]
        print(json.dumps({"week": label, "warnings": out}, ensure_ascii=False))
        return 0
    for r in rows:
        answered = "已反馈" if r.response else "未反馈"
        print(
            f"{r.id}\t{r.kind}\t{r.street.name} {r.place.name}\t{r.category}\t"
            f"{r.received} 件/{r.requesters} 人, 常态 {r.expected:.1f}\t{answered}"
        )
    print(f"{label}: {len(rows)} hotspots")
    return 0


def cmd_topics(args) -> int:
    from jiesu.api.topics import summary_out

    from .topic_figures import record_due
    from .topic_reading import list_topics

    ctx = context_from_args(args)
    recorded = record_due(ctx)
    topics = list_topics(ctx, args.state)
    if args.json:
        print(json.dumps([summary_out(x).model_dump(mode="json") for x in topics],
                         ensure_ascii=False))  # fmt: skip
        return 0
    for x in topics:
        p = x.progress
        print(f"{x.id}\t{x.month}\t{x.state}\t{x.title}\t{x.lead.name}\t"
              f"任务 {x.tasks.done}/{x.tasks.total}\t{p.reason_zh}")  # fmt: skip
    print(f"{len(topics)} topics; {recorded} ended months recorded now")
    return 0


def cmd_open_data(args) -> int:
    import sys
    from pathlib import Path

    from jiesu.assessment.trends import last_full_month

    from .open_data import open_data

    if args.note and not args.publish:
        print("--note goes with --publish", file=sys.stderr)
        return 2
    ctx = context_from_args(args)
    if args.publish:
        return _publish_open_data(ctx, args)
    data = open_data(ctx, args.month or last_full_month(ctx), args.k)
    if args.out:
        Path(args.out).write_text(data.csv(), encoding="utf-8-sig")
    else:
        sys.stdout.write(data.csv())
    d = data.disclosed
    print(f"{data.month}: {data.received} requests, {data.confidential} confidential left out, "
          f"{sum(d.by_level)} published (by level {'/'.join(map(str, d.by_level))}), "
          f"{d.suppressed} suppressed; k = {data.k}", file=sys.stderr)  # fmt: skip
    return 0


def _publish_open_data(ctx, args) -> int:
    """Publish as the command line (an admin of the hotline centre, recorded as ``cli``);
    print the release, and write its file to ``--out`` when asked."""
    from dataclasses import replace
    from pathlib import Path

    from jiesu.assessment.trends import last_full_month
    from jiesu.domain.roles import Actor

    from .open_data_releases import publish, release_file

    actor = replace(Actor.system(ctx.hotline_unit.code), username="cli")
    r = publish(ctx, actor, args.month or last_full_month(ctx), args.k, args.note)
    if args.out:
        Path(args.out).write_bytes(release_file(ctx, r.id))  # this version, whatever follows
    print(f"{r.month}: version {r.version} published, {r.rows} rows "
          f"({r.suppressed} suppressed, {r.confidential} confidential left out), k = {r.k}, "
          f"sha256 {r.sha256}, {r.url}")  # fmt: skip
    return 0


def cmd_report(args) -> int:
    """Print the month's report as stored; issue it first if it was not yet (after
    recording the topics' ended months, as the worker does)."""
    import sys

    from jiesu.domain.roles import Actor

    from .report_markdown import markdown
    from .reports import CITY, get_report, issue
    from .topic_figures import record_due

    ctx = context_from_args(args)
    record_due(ctx)
    done = issue(ctx, args.month, args.district or CITY, by="cli",
                 regenerate=bool(args.regenerate), reason=args.regenerate or "")  # fmt: skip
    report = get_report(ctx, Actor.system(ctx.hotline_unit.code), done.id)
    if args.format == "json":
        print(json.dumps({"id": report.id, "month": report.month, "scope": report.scope,
                          "version": report.version, "issued_at": report.issued_at.isoformat(),
                          "issued_by": report.issued_by, "reason": report.reason,
                          "content": report.content}, ensure_ascii=False))  # fmt: skip
    else:
        sys.stdout.write(markdown(report))
    state = "issued now" if done.new else "as issued before"
    print(f"{done.month} {done.scope}: version {done.version}, {state}", file=sys.stderr)
    return 0
