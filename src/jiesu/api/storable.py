"""Refuse text no database can store, wherever it comes in: path, query or JSON body.

PostgreSQL refuses the NUL character in text, even as a query's parameter, and no
database takes an unpaired surrogate (``"\\ud800"`` is valid JSON but not UTF-8).
Neither is ever part of a name, an address or a complaint, so a request carrying one
is refused with ``input.invalid`` (422, the shape of every validation error) before
anything is read or written — never a 500 from the database on PostgreSQL only.
The bodies the channel endpoints stream themselves (:mod:`jiesu.api.channel_forms`) are
not read here; their text goes through :class:`~jiesu.intake.receive.NewTicket`.
"""

from __future__ import annotations

import email.message
from typing import Any

from fastapi import Request

from jiesu.domain.errors import InvalidInput


def _bad(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _first_bad(value: Any, where: str) -> str | None:
    """The place (``where`` and the path inside it) of the first unstorable text, or None."""
    if isinstance(value, str):
        return where if _bad(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _bad(key):
                return where
            found = _first_bad(item, f"{where}.{key}" if where else str(key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_bad(item, f"{where}.{index}" if where else str(index))
            if found is not None:
                return found
    return None


def check(value: Any, where: str) -> None:
    """Raise ``input.invalid`` if any text in ``value`` (a str, or JSON data) has a NUL
    character or an unpaired surrogate; ``where`` names the field for the message."""
    field = _first_bad(value, where)
    if field is None:
        return
    field = field or "body"
    problem = "contains a NUL character or an unpaired surrogate"
    raise InvalidInput(
        "input.invalid",
        f"提交的内容有误：{field} 含有空字符（NUL）或不成对的代理字符，无法保存",
        f"Invalid input: {field}: {problem}, which cannot be stored",
        problems=[{"field": field, "problem": problem}],
    )


def _is_json(request: Request) -> bool:
    """Whether FastAPI read the body as JSON (the rule of ``fastapi.routing``)."""
    header = request.headers.get("content-type")
    if not header:
        return False
    message = email.message.Message()
    message["content-type"] = header
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


async def storable_request(request: Request) -> None:
    """An application-wide dependency: the path, the query and a JSON body FastAPI has
    already parsed (``request.json()`` is then cached; a streamed body is not touched)."""
    for name, value in request.path_params.items():
        check(value, f"path.{name}")
    for name, value in request.query_params.multi_items():
        check(value, f"query.{name}")
    route = request.scope.get("route")
    parsed = getattr(route, "body_field", None) is not None and _is_json(request)
    if parsed and await request.body():
        check(await request.json(), "")
