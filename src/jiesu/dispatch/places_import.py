"""CSV import of place names (``jiesu places import``; D1, D3): a file of roads, 小区,
landmarks and old names, each with the unit it belongs to, read and checked row by row and
then written in one transaction, or not at all. The stored names, their checks and the
shared gazetteer are in places.py.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import update

from jiesu.context import Context
from jiesu.domain.errors import InvalidInput, JiesuError
from jiesu.storage import tables

from . import csvtext
from .places import P, changed, checked, recorded

#: CSV headers: English or Chinese.
COLUMNS = {
    "name": ("name", "名称", "地名"),
    "unit_code": ("unit_code", "unit", "单位代码", "单位编码"),
    "kind": ("kind", "类别", "类型"),
    "latitude": ("latitude", "lat", "纬度"),
    "longitude": ("longitude", "lon", "lng", "经度"),
}


@dataclass(frozen=True)
class ImportResult:
    rows: int
    added: int
    updated: int
    unchanged: int


def read_csv(source: str | Path | bytes) -> list[tuple[int, dict[str, str]]]:
    """``(line number, row)`` for each data row of a place-name CSV file (UTF-8 with or
    without BOM, or GB18030; comma, tab or semicolon separated; English or Chinese headers)."""
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as exc:
        zh, en = f"无法读取文件 {source}：{exc.strerror}", f"Cannot read {source}: {exc}"
        raise InvalidInput("place.bad_file", zh, en) from exc
    text = csvtext.decoded(data)
    if text is None:  # pragma: no cover - gb18030 decodes nearly anything
        raise InvalidInput(
            "place.bad_file", "文件不是 UTF-8 或 GB18030 文本", "Not UTF-8 or GB18030"
        )
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = csvtext.delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise InvalidInput("place.empty_file", "文件是空的", "The file is empty")
    wanted = {h.strip().lower(): i for i, h in enumerate(header)}
    index = {
        key: next((wanted[n] for n in names if n in wanted), None) for key, names in COLUMNS.items()
    }
    missing = [k for k in ("name", "unit_code") if index[k] is None]
    if missing:
        raise InvalidInput(
            "place.missing_column",
            f"文件缺少列：{'、'.join(missing)}（需要 name, unit_code，可选 kind, latitude, longitude）",
            f"Missing column(s) {', '.join(missing)} "
            "(name and unit_code are required; kind, latitude, longitude optional)",
            missing=missing,
        )
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        row = {
            k: (cells[i].strip() if i is not None and i < len(cells) else "")
            for k, i in index.items()
        }
        rows.append((reader.line_num, row))
    if not rows:
        raise InvalidInput("place.empty_file", "文件中没有地名", "The file has no place names")
    return rows


def import_csv(ctx: Context, source: str | Path | bytes, *, added_by: str) -> ImportResult:
    """Add the file's place names, updating kind and coordinates of names already recorded
    for the same unit. Every bad row is reported with its line number, and then nothing is
    written (``place.bad_file`` with ``details.rows``)."""
    checked_rows, problems, seen = [], [], {}
    for line, raw in read_csv(source):
        try:
            row = checked(
                ctx.city,
                raw["name"],
                raw["unit_code"],
                raw["kind"] or "other",
                _number(raw["latitude"]),
                _number(raw["longitude"]),
            )
        except JiesuError as exc:
            problems.append(_problem(line, exc.code, exc.message_zh, exc.message_en))
            continue
        key = (row["name"], row["unit_code"])
        if key in seen:
            problems.append(
                _problem(
                    line,
                    "place.duplicate_row",
                    f"与第 {seen[key]} 行重复",
                    f"repeats line {seen[key]}",
                )
            )
            continue
        seen[key] = line
        checked_rows.append(row)
    if problems:
        shown = "；".join(f"第{p['line']}行：{p['message_zh']}" for p in problems[:5])
        more = f"等{len(problems)}处" if len(problems) > 5 else ""
        raise InvalidInput(
            "place.bad_file",
            f"文件有错误，未导入任何地名：{shown}{more}",
            f"{len(problems)} bad row(s), nothing imported: "
            + "; ".join(f"line {p['line']}: {p['message_en']}" for p in problems[:5]),
            rows=problems,
        )
    added = updated = 0
    now = ctx.now()
    with ctx.engine.begin() as conn:
        for row in checked_rows:
            old = recorded(conn, row["name"], row["unit_code"])
            if old is None:
                conn.execute(
                    tables.place_names.insert().values(**row, added_by=added_by, added_at=now)
                )
                added += 1
            elif any(getattr(old, k) != row[k] for k in ("kind", "latitude", "longitude")):
                conn.execute(
                    update(tables.place_names)
                    .where(P.id == old.id)
                    .values(**row, added_by=added_by, added_at=now)
                )
                updated += 1
    changed(ctx)
    return ImportResult(len(checked_rows), added, updated, len(checked_rows) - added - updated)


def _number(text: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return math.nan  # refused by the coordinate check with the row's line number


def _problem(line: int, code: str, zh: str, en: str) -> dict:
    return {"line": line, "code": code, "message_zh": zh, "message_en": en}
