"""Read and validate a city configuration file, with errors that name the file and the entry."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from . import cache
from .config import PROBLEM_SEPARATOR, CityConfig

try:  # the C loader reads Beijing's ~7,700 units several times faster
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loading that refuses a key written twice in one mapping (the second would win silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class CityConfigError(Exception):
    """The configuration file is unreadable or invalid; the message says where and why."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid city configuration {path}:\n{lines}")


def load_city(path: str | Path) -> CityConfig:
    """The validated configuration in ``path``; its parsed tree comes from the cache when
    the file's bytes were parsed before (:mod:`jiesu.city.cache`)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CityConfigError(path, [f"cannot read the file: {exc.strerror}"]) from exc
    key = cache.digest(data)
    raw = cache.read(key)
    parsed = raw is None
    if parsed:
        raw = _parse(path, data)
    try:
        config = CityConfig.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            problems.extend(_describe(raw, err))
        raise CityConfigError(path, problems) from exc
    if parsed:
        cache.keep(key, raw)
    return config


def _parse(path: Path, data: bytes) -> dict:
    try:
        raw = yaml.load(data.decode("utf-8"), Loader=_Loader)
    except UnicodeDecodeError as exc:
        raise CityConfigError(path, [f"not UTF-8 text: {exc}"]) from exc
    except yaml.YAMLError as exc:
        raise CityConfigError(path, [f"not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise CityConfigError(path, ["the file must hold a mapping at the top level"])
    return raw


def _describe(raw: dict, err: dict) -> list[str]:
    loc = err.get("loc", ())
    where = ""
    node = raw
    for part in loc:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
        node = node[part] if isinstance(node, (dict, list)) and _has(node, part) else None
        if isinstance(part, int) and isinstance(node, dict) and "code" in node:
            where += f" (code={node['code']})"
    msg = err.get("msg", "invalid")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if not where:  # whole-file checks: one line per problem, each naming its entry
        return msg.split(PROBLEM_SEPARATOR)
    return [f"{where}: {msg}"]


def _has(node, part) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(part, int) and 0 <= part < len(node)
