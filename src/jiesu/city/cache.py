"""A parsed city file kept as JSON, so that a start need not parse the YAML again (O1).

PyYAML builds the objects of Beijing's 1 MB file (7,762 units) in about a second at every
start; the same tree loads from JSON in a few milliseconds (``bench/city.py``). An entry is
named by the SHA-256 of the file's bytes, so any edit of the file misses it and the file
is parsed again, and a file written elsewhere with the same content (``jiesu city init``
checks its file before renaming it) finds it.

Nothing here can change what a file means: only trees that JSON holds exactly are kept
(string keys; strings, integers, floats, booleans and nulls), a file with dates or other
YAML types is parsed at every start, and the tree is validated in full every time, from
an entry or not. An entry that cannot be read or written is ignored: the cache only ever
saves time.

The folder is ``$JIESU_CACHE_DIR``, else ``$XDG_CACHE_HOME/jiesu``, else
``~/.cache/jiesu``; ``JIESU_CACHE_DIR=off`` turns the cache off. The most recently used
:data:`KEEP` entries are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

CACHE_ENV = "JIESU_CACHE_DIR"
#: Entries kept (each city file in use, and its recent versions).
KEEP = 8
_PREFIX = "city-"


def folder() -> Path | None:
    """Where entries live, or None when the cache is off or there is no home to put it in."""
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        value = value.strip()
        return None if value in ("", "off") else Path(value)
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        return Path(base) / "jiesu" if base else Path.home() / ".cache" / "jiesu"
    except RuntimeError:  # no home directory known
        return None


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(where: Path, key: str) -> Path:
    return where / f"{_PREFIX}{key}.json"


def read(key: str) -> dict | None:
    """The tree kept for the file whose bytes have the SHA-256 ``key``, or None."""
    where = folder()
    if where is None:
        return None
    path = _entry(where, key)
    try:
        tree = json.loads(path.read_bytes())
    except (OSError, ValueError):  # absent, unreadable or damaged: parse the file instead
        return None
    if not isinstance(tree, dict):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: the pruning keeps it
    return tree


def keep(key: str, tree: dict) -> None:
    """Keep ``tree`` (validated, parsed from bytes whose SHA-256 is ``key``) if JSON holds
    it exactly; prune the entries used least recently."""
    where = folder()
    if where is None or not exact_in_json(tree):
        return
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=".partial-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(tree, out, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, _entry(where, key))
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        _prune(where)
    except OSError as exc:  # a read-only home, a full disk: start as before, only slower
        log.debug("city cache not written to %s: %s", where, exc)


def _prune(where: Path) -> None:
    entries = []
    for path in where.glob(f"{_PREFIX}*.json"):
        with contextlib.suppress(OSError):
            entries.append((path.stat().st_mtime, path))
    entries.sort(reverse=True)
    for _, path in entries[KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()


def exact_in_json(node) -> bool:
    """True if ``json.loads(json.dumps(node)) == node`` with the same types throughout."""
    if node is None or isinstance(node, (str, bool, int, float)):
        return True
    if isinstance(node, list):
        return all(exact_in_json(x) for x in node)
    if isinstance(node, dict):
        return all(isinstance(k, str) and exact_in_json(v) for k, v in node.items())
    return False
