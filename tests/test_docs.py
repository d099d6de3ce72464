"""The docs cover every setting, action and error code (a setting nobody can find does not exist)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from jiesu.actions import load_stage_actions
from jiesu.city.config import CityConfig

ROOT = Path(__file__).parent.parent
SRC = ROOT / "src" / "jiesu"


def _fields(model: type[BaseModel], seen=None) -> set[str]:
    seen = seen if seen is not None else set()
    for name, field in model.model_fields.items():
        seen.add(name)
        for arg in getattr(field.annotation, "__args__", ()) + (field.annotation,):
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg is not model:
                _fields(arg, seen)
    return seen


def test_configuration_doc_covers_every_setting():
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = sorted(f for f in _fields(CityConfig) if not re.search(rf"`[^`]*\b{f}\b[^`]*`", doc))
    assert missing == []


def test_api_doc_covers_every_action_and_error_code():
    doc = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))
    assert [a for a in load_stage_actions() if f"`{a}`" not in doc] == []
    codes = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(
            re.findall(
                r'(?:Invalid\w*|Forbidden|IllegalTransition|NotFound|Conflict|Unauthenticated|_require|error_body)\(\s*"([a-z_]+\.[a-z_]+)"',
                text,
            )
        )
        codes |= set(re.findall(r'^\s+"([a-z_]+\.[a-z_]+)",\n\s+(?:f?")', text, flags=re.M))
    codes -= {
        "unit.message",
        "unit.urgent",
        "sms.requester",
        "hotline.message",
        "handover.emergency",
    }
    assert codes, "no error codes found: the pattern is out of date"
    assert sorted(c for c in codes if c not in doc) == []
