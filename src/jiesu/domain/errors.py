"""Domain errors with a stable machine-readable code and a message in Chinese and English.

The API turns every :class:`JiesuError` into an HTTP 4xx response carrying
``code``, ``message_zh`` and ``message_en``; the code never changes once
published, so clients may branch on it.
"""

from __future__ import annotations

from typing import Any


class JiesuError(Exception):
    """Base class of every error a user can cause. ``status`` is the HTTP status the API uses."""

    status = 400

    def __init__(self, code: str, message_zh: str, message_en: str, **details: Any) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(JiesuError):
    status = 422


class IllegalTransition(JiesuError):
    """The action is not allowed in the ticket's current state."""

    status = 409


class Forbidden(JiesuError):
    """The actor's role or unit may not perform this action."""

    status = 403


class NotFound(JiesuError):
    status = 404


class Conflict(JiesuError):
    """Someone else changed the ticket first (optimistic concurrency), or a key was reused."""

    status = 409


class Unauthenticated(JiesuError):
    status = 401


def require(condition: bool, code: str, zh: str, en: str) -> None:
    """Raise :class:`InvalidInput` with ``code`` unless ``condition`` holds."""
    if not condition:
        raise InvalidInput(code, zh, en)


def require_text(value: str | None, what_zh: str, what_en: str) -> None:
    """Refuse an empty or blank text with ``input.required``."""
    require(
        bool(value and value.strip()),
        "input.required",
        f"请填写{what_zh}",
        f"{what_en} is required",
    )


class Gone(JiesuError):
    """What was asked for existed but is no longer available (an expired link)."""

    status = 410
