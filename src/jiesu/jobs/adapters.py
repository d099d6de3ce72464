"""Where outbox messages go: one adapter per topic, behind one small contract.

A city plugs in its SMS gateway, its unit messaging and its 110/119/120/122
hand-over by naming adapter classes in ``JIESU_ADAPTERS`` (``topic=module:Class``,
comma-separated). The logging adapter ships by default and is what the demo uses.
Adapters receive the message's idempotency key and must treat a repeat of a
key they have already delivered as done (the relay delivers at least once).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger("jiesu.outbox")

TOPICS = (
    "sms.requester",
    "unit.message",
    "unit.urgent",  # urgent and 7×24 orders: the unit is told at once, day or night (H6, H7)
    "hotline.message",
    "handover.emergency",
    "kb.review_due",
    "governance.warning",  # the week's hotspots, to the street warned (G5)
    "governance.topic",  # a monthly topic launched, a task given, a month recorded (G2)
    "governance.unit_data",  # a day's changed tickets, in full, to each unit concerned (G4)
    "governance.report",  # a month's work report, to the hotline office and its district (G4)
    # a month's open data published or withdrawn: what to fetch (month, version, sha256,
    # rows, path), never the rows, for the city's open-data portal (G6)
    "governance.open_data",
)


@dataclass(frozen=True)
class OutgoingMessage:
    topic: str
    key: str  # idempotency key: the same key is the same message
    ticket_id: int | None
    payload: dict[str, Any]


class Adapter(Protocol):
    def send(self, message: OutgoingMessage) -> None:
        """Deliver, or raise to have the relay try again later."""


class LoggingAdapter:
    """Writes a line per message to the log (and keeps the keys it has seen, to show
    idempotency). The line names the message — topic, key, template, unit — and its size,
    never its contents: payloads carry requesters' names, phones and addresses (S1), which
    must not end up in a log file."""

    def __init__(self) -> None:
        self.delivered: dict[str, OutgoingMessage] = {}

    def send(self, message: OutgoingMessage) -> None:
        if message.key in self.delivered:
            return
        self.delivered[message.key] = message
        payload = message.payload if isinstance(message.payload, dict) else {}
        size = len(json.dumps(message.payload, ensure_ascii=False, default=str).encode())
        log.info("%s %s template=%s unit=%s %d bytes", message.topic, message.key,
                 payload.get("template", "-"), payload.get("unit", "-"), size)  # fmt: skip


def _load(spec: str) -> Adapter:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)()


def configured_adapters(environ: dict[str, str] | None = None) -> dict[str, Adapter]:
    """The adapter per topic: ``JIESU_ADAPTERS`` entries, the logging adapter for the rest."""
    environ = os.environ if environ is None else environ
    fallback = LoggingAdapter()
    adapters: dict[str, Adapter] = dict.fromkeys(TOPICS, fallback)
    for entry in filter(None, (e.strip() for e in environ.get("JIESU_ADAPTERS", "").split(","))):
        topic, _, spec = entry.partition("=")
        adapters[topic.strip()] = _load(spec.strip())
    return adapters
