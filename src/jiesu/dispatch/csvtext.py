"""The CSV files people bring to dispatch (place names, labelled training data): what
spreadsheet programs in China save them as — UTF-8 with or without a BOM, or GB18030 —
and a comma, tab or semicolon between fields, sniffed from the header line."""

from __future__ import annotations

ENCODINGS = ("utf-8-sig", "gb18030")
DELIMITERS = (",", "\t", ";")


def decoded(data: bytes) -> str | None:
    """``data`` as text in the first encoding that reads it, or None."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None  # pragma: no cover - gb18030 decodes nearly anything


def delimiter(header: str) -> str:
    """The delimiter the header line uses most."""
    return max(DELIMITERS, key=header.count)
