"""Write a city's configuration as the operator-editable YAML file of ``jiesu city init``.

One commented section per top-level key, in a fixed order; units, categories and
catalogue rows one flow mapping per line. The configuration comes from
:func:`~jiesu.city.builder.build_city` or an edited file.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

_SECTIONS: dict[str, str] = {  # the comment written above each section
    "city": "The city; every ticket number starts with ticket_prefix.",
    "merged_hotlines": "Hotlines merged into 12345 (BJ Art. 2), number → name (I1).",
    "units": """Every unit that handles tickets (O1): city government, hotline, city departments,
utilities (7×24, BJ Art. 19), then each district with its departments and its
streets/townships, each followed by its communities/villages. One unit per line.
Codes must be unique and parents exist; `department` is the key the catalogue uses;
`aliases` are names used in addresses; `population` gives requests per 10k residents (A4).""",
    "categories": 'Subject taxonomy (事项分类): first level, then "first/second".',
    "dispatch_catalogue": """Dispatch catalogue (派单目录, BJ Art. 11, D1): who leads each category. A community
leads only what is on its duty list; a street never leads a department's duty (BJ Art. 17).""",
    "deadline_policy": "Deadlines (BJ Art. 13, D6): the first matching rule wins, else default.",
    "referral_policy": "Out-of-scope requests (BJ Art. 11, I5): accept_with_guidance or refuse.",
    "extension_policy": "Extensions (BJ Art. 15, H3): notify the hotline, or need its approval.",
    "objection_policy": "Dispatch objections (派单异议, D5): window, clock, review.",
    "consultation_policy": "Consultation before dispatch (会商, D4): how long units have to answer.",
    "handling_policy": "Handling (H1-H5): yellow warning share of a deadline, whistle report-in window.",
    "visit_policy": "Return visits (回访, A1, BJ Art. 23): when, how often tried, re-handling.",
    "intake_policy": "Intake (I1, I5, I8): attachments, frequent requesters, duplicates, risk words.",
    "assessment_weights": "Assessment (BJ Art. 32, A2): weights of the three rates, adding up to 1.",
    "assessment_rules": """More rule sets (A3), each {name, weights, basically_satisfied_credit, unreachable,
min_volume, talk_bottom}, to compare with the standard one on the same month.""",
    "observation_policy": "Observation indicators (A4): the base of the base-figure ratio (基数诉求比).",
    "appeal_policy": "Appeals against a ticket's effect on a score (考评申诉, A6).",
}

_PLAIN = re.compile(r"[A-Za-z_\u3400-\u9fff（《][\w\u3400-\u9fff（）《》·、，；：.\-/]*")
_RESERVED = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})


def write_city(
    config: dict[str, Any], path: Path, *, estimated_population: bool | None = None
) -> None:
    """Write ``config`` as the operator-editable YAML file ``path``.

    Output is a pure function of ``config`` (no date, fixed order), so running
    ``jiesu city init`` twice gives the same bytes and an edited file diffs
    cleanly against a fresh one. Units, categories and catalogue rows are one
    flow mapping per line: a 7,700-unit city stays a file one can read and grep.
    ``estimated_population`` says whether the figures came from
    ``build_city(estimate_population=True)``; the header must not present
    estimates as statistics, so when it is not said and figures are present,
    the header warns that they may be estimates.
    """
    Path(path).write_text(render_city(config, estimated_population=estimated_population), "utf-8")


def render_city(config: dict[str, Any], *, estimated_population: bool | None = None) -> str:
    """The text :func:`write_city` writes."""
    out = _header(config, estimated_population)
    for section, note in _SECTIONS.items():
        if section not in config:
            continue
        value = config[section]
        out += ["", *(f"# {line}" for line in note.splitlines())]
        if section in ("units", "categories", "dispatch_catalogue", "assessment_rules"):
            out += (
                [f"{section}:", *(f"  - {_flow(item)}" for item in value)]
                if value
                else [f"{section}: []"]
            )
        elif section == "deadline_policy":
            out += [f"{section}:", "  rules:" if value.get("rules") else "  rules: []"]
            for rule in value.get("rules", ()):
                out += [
                    f"    {'- ' if i == 0 else '  '}{k}: {_flow(v)}"
                    for i, (k, v) in enumerate(rule.items())
                ]
            out += ["  default:", *(f"    {k}: {_flow(v)}" for k, v in value["default"].items())]
        elif section == "assessment_weights":
            out.append(f"{section}: {_flow(value)}")
        else:
            out += [f"{section}:", *_block(value, "  ")]
    return "\n".join(out) + "\n"


def _header(config: dict[str, Any], estimated: bool | None) -> list[str]:
    city = config["city"]
    counts = Counter(str(unit.get("kind")) for unit in config["units"])
    lines = [
        f"City configuration for {city['name']} ({city['code']}), generated by `jiesu city init`",
        "from jionlp's division data and jiesu's standard set. It is yours to edit:",
        "  - units: rename, add or remove departments; fill in `population` (null = unknown);",
        "    add `aliases` people use; set `around_the_clock: true` for other 7×24 services",
        "  - dispatch_catalogue: who leads each category in this city (department keys, unit codes)",
        "  - deadline_policy, referral_policy, extension_policy, assessment_weights: local rules",
        "The file is checked as a whole at start (jiesu.city.loader.load_city); a bad entry is",
        "refused with its place named, e.g. units[3] (code=...).",
        "Units: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + ".",
    ]
    known = any(unit.get("population") is not None for unit in config["units"])
    if estimated:
        lines.append(
            "POPULATION FIGURES ARE ESTIMATES (random, seeded), NOT STATISTICS: replace them."
        )
    elif not known:
        lines.append("Population is not known to the generator (null): fill it in from statistics.")
    elif estimated is None:
        lines.append("Population figures written by --estimate-population (as for the demo) are")
        lines.append("ESTIMATES, NOT STATISTICS: replace them.")
    return [f"# {line}" for line in lines]


def _block(value: dict[str, Any], indent: str) -> list[str]:
    lines = []
    for key, item in value.items():
        if isinstance(item, dict) and item:
            lines += [f"{indent}{_scalar(key)}:", *_block(item, indent + "  ")]
        else:
            lines.append(f"{indent}{_scalar(key)}: {_flow(item)}")
    return lines


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    """A YAML scalar; strings stay plain where YAML would read them back as the same string."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):  # PyYAML reads 1e-05 as a string: it wants a dot
        text = repr(value)
        text = text.replace("e", ".0e") if "e" in text and "." not in text else text
        return {"inf": ".inf", "-inf": "-.inf", "nan": ".nan"}.get(text, text)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    quoted = json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return quoted if quoted.isprintable() else "".join(map(_escape, quoted))


def _escape(char: str) -> str:
    """YAML refuses some characters raw (and folds line separators): write them escaped."""
    if char.isprintable():
        return char
    n = ord(char)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"
