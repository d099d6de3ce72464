"""``jiesu places import|list`` and ``jiesu territory resolve``: place names and territory
resolution from the command line (D1, D3).

The lead engineer wires :func:`add_places_commands` into ``jiesu.cli``; each command
returns an exit code and raises :class:`~jiesu.domain.errors.JiesuError` (``place.*``) on
bad input, which ``jiesu.cli.main`` prints.
"""

from __future__ import annotations

import getpass
import json

from jiesu.bootstrap import add_context_options, context_from_args


def add_places_commands(subparsers) -> None:
    """Add ``places import``, ``places list`` and ``territory resolve`` to the CLI."""
    places = subparsers.add_parser("places", help="place names for territory resolution")
    sub = places.add_subparsers(dest="places_cmd", required=True)
    sp = sub.add_parser(
        "import",
        help="add place names from a CSV file (name, unit_code, kind, latitude, longitude)",
    )
    add_context_options(sp)
    sp.add_argument("file", help="CSV file, UTF-8 or GB18030")
    sp.add_argument("--by", help="recorded as who added them (default: your login name)")
    sp.set_defaults(func=cmd_places_import)
    sp = sub.add_parser("list", help="list place names")
    add_context_options(sp)
    sp.add_argument("--unit", help="a unit code: its place names and those of units below it")
    sp.add_argument("--name", help="part of the name")
    sp.add_argument("--limit", type=int, default=100)
    sp.add_argument("--offset", type=int, default=0)
    sp.add_argument("--json", action="store_true", help="print one JSON object")
    sp.set_defaults(func=cmd_places_list)

    territory = subparsers.add_parser("territory", help="territory resolution of addresses")
    tsub = territory.add_subparsers(dest="territory_cmd", required=True)
    sp = tsub.add_parser("resolve", help="district, street and community of an address")
    add_context_options(sp)
    sp.add_argument("address", help="地址, e.g. 东城区东华门街道东厂社区")
    sp.add_argument("--lat", type=float, help="latitude (WGS84)")
    sp.add_argument("--lon", type=float, help="longitude (WGS84)")
    sp.add_argument("--json", action="store_true", help="print the match as one JSON object")
    sp.set_defaults(func=cmd_territory_resolve)


def cmd_places_import(args) -> int:
    from .places_import import import_csv

    ctx = context_from_args(args)
    by = args.by or _login()
    result = import_csv(ctx, args.file, added_by=by)
    print(
        f"{args.file}: {result.rows} place names, {result.added} added, "
        f"{result.updated} updated, {result.unchanged} unchanged"
    )
    return 0


def cmd_places_list(args) -> int:
    from . import places

    ctx = context_from_args(args)
    page = places.list_places(
        ctx, unit_code=args.unit, name=args.name, limit=args.limit, offset=args.offset
    )
    if args.json:
        items = [
            {**p.__dict__, "added_at": p.added_at.isoformat(), "unit_name": _unit(ctx, p.unit_code)}
            for p in page.items
        ]
        print(json.dumps({"total": page.total, "items": items}, ensure_ascii=False))
        return 0
    for p in page.items:
        where = f" {p.latitude:.6f},{p.longitude:.6f}" if p.latitude is not None else ""
        print(f"{p.id}\t{p.name}\t{p.kind}\t{p.unit_code} {_unit(ctx, p.unit_code)}{where}")
    shown = f"{page.offset + 1}–{page.offset + len(page.items)}" if page.items else "none"
    print(f"{page.total} place names ({shown} shown)")
    return 0


def cmd_territory_resolve(args) -> int:
    from jiesu.api.places import territory_out

    from . import places

    ctx = context_from_args(args)
    g = places.gazetteer(ctx)
    match = g.resolve(args.address, args.lat, args.lon)
    out = territory_out(g, match)
    if args.json:
        print(json.dumps(out.model_dump(), ensure_ascii=False))
        return 0
    path = " › ".join(u.name for u in (out.district, out.street, out.community) if u)
    level = {"district": "区", "street": "街道乡镇", "community": "社区村"}.get(out.level or "")
    print(
        f"属地 {path or '未能确定'}"
        + (f"（到{level}，把握 {out.confidence:.2f}）" if level else "")
    )
    for reason in out.reasons:
        print(f"  - {reason}")
    if out.candidates:
        names = "、".join(f"{c.parent_name or ''}{c.name}" for c in out.candidates)
        print(f"  其他可能 candidates: {names}")
    return 0


def _unit(ctx, code: str) -> str:
    unit = ctx.city.unit(code)
    return unit.name if unit else "?"


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "cli"
