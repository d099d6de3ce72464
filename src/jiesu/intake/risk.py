"""Emergency and risk words in a request's text, for the operator to confirm (I5, G5).

An emergency (fire, injury, violence, a traffic accident, a gas leak) belongs
on 110/119/120/122 at once, and a threat of suicide or a group incident must
not wait in a queue. The words are found here and shown to the operator with
their place in the text, their kind and the line they suggest; the console
raises the emergency path only when the operator confirms. Nothing here refers,
dispatches or changes a ticket: a missed or a false word costs a glance, a
silent automatic referral could cost much more.

Matching is plain substring search over one regular expression (longest word
first), which takes microseconds. Three cheap guards keep the obvious false
alarms away: a simple negation just before the word ("没有着火", "并未起火",
"不是火灾", "没有人受伤"), a hypothetical context ("火灾隐患", "防止火灾",
"容易引发火灾", "诈骗宣传"), and an aftermath nearby ("受伤，申请工伤认定",
"车祸理赔") — those hits are dropped, never shown as emergencies. The
city adds its own words with ``intake_policy.risk_words`` (kind ``custom``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jiesu.city.config import CityConfig


@dataclass(frozen=True)
class RiskKind:
    code: str
    label_zh: str
    line: str | None  # the emergency line to suggest, None: a risk to note, not a line
    crisis: bool = False  # a person may harm themselves: keep them talking, get help now
    utility: str | None = None  # the public utility to alert as well (H6)


KINDS: dict[str, RiskKind] = {
    k.code: k
    for k in (
        RiskKind("fire", "火情", "119"),
        RiskKind("rescue", "被困救援", "119"),
        RiskKind("gas", "燃气泄漏", "119", utility="gas"),
        RiskKind("injury", "伤病急救", "120"),
        RiskKind("violence", "暴力治安", "110"),
        RiskKind("fraud", "电信诈骗", "110"),
        RiskKind("suicide", "自杀自伤", "110", crisis=True),
        RiskKind("traffic", "交通事故", "122"),
        RiskKind("group", "群体性事件", None),
        RiskKind("custom", "本市风险词", None),
    )
}

#: Built-in words per kind. Whole phrases, so that everyday words ("燃气企业", "困难",
#: "聚集大量摊贩") do not raise an alarm.
WORDS: dict[str, tuple[str, ...]] = {
    "fire": ("火灾", "着火", "起火", "失火", "冒烟", "浓烟", "火情", "烧起来", "爆炸", "明火"),
    "rescue": ("被困", "困着人", "困在电梯", "落水"),
    "gas": ("煤气泄漏", "燃气泄漏", "天然气泄漏", "煤气味", "燃气味", "天然气味", "漏气",
            "煤气中毒"),
    "injury": ("受伤", "流血", "昏迷", "急救", "晕倒", "不省人事", "意识不清", "骨折", "抽搐",
               "呼吸困难", "心脏骤停", "触电", "溺水", "食物中毒", "摔伤", "烫伤"),
    "violence": ("打架", "斗殴", "持刀", "持械", "砍人", "抢劫", "行凶", "殴打", "打人", "绑架",
                 "入室盗窃", "撬门", "家暴", "家庭暴力", "恐吓", "扬言", "报复", "杀人", "闹事"),
    "fraud": ("诈骗", "骗走", "电信诈骗", "冒充客服", "冒充公检法", "冒充警察", "转账给骗子"),
    "suicide": ("跳楼", "自杀", "轻生", "割腕", "不想活", "寻死", "自残", "自伤"),
    "traffic": ("车祸", "交通事故", "撞车", "撞人", "追尾", "肇事逃逸", "翻车", "剐蹭"),
    "group": ("聚众", "围堵", "堵路", "堵门", "拉横幅", "集体上访", "群体性", "静坐", "罢工",
              "人员聚集", "人聚集", "群众聚集", "村民聚集", "工人聚集", "业主聚集", "聚集闹事",
              "聚集讨薪", "聚集维权"),
}  # fmt: skip

#: Just before a word, these deny it happened ("没有着火", "没有人受伤"). "是不是" asks.
_NEGATION = re.compile(
    r"(?<!是)(没有|没|未|无|并未|并没有|不是|并非|不存在|未发生|没发生|没有发生)"
    r"(?:人|发生|出现|造成|任何|人员){0,2}$"
)
#: Before a word: it may happen, it has not ("防止火灾", "容易引发火灾", "担心发生事故").
_HYPOTHETICAL_BEFORE = re.compile(
    r"(防止|预防|避免|以免|以防|谨防|防范|担心|害怕|可能|容易|易|会|演练|宣传)"
    r"(发生|引发|出现|造成|引起)?$"
)
#: After a word: a hazard, not an event ("火灾隐患", "触电危险", "起火风险").
_HYPOTHETICAL_AFTER = re.compile(
    r"^(隐患|风险|危险|的危险|的风险|的隐患|预防|演练|报警器|宣传|知识)"
)
#: Near a word: the emergency is over and its consequences are being dealt with
#: ("在工作中受伤，申请工伤认定", "车祸后的理赔").
_AFTERMATH = re.compile(r"工伤|认定|鉴定|赔偿|理赔|索赔|报销|起诉|判决|保险")
#: A clause ends here; negation and hypothesis do not reach across it.
_CLAUSE = re.compile(r"[，。；！？,.;!?\n]")


@dataclass(frozen=True)
class RiskHit:
    """One word found: where, of which kind, and which line it suggests."""

    word: str
    start: int
    end: int
    kind: str
    line: str | None
    crisis: bool
    utility: str | None

    @property
    def label_zh(self) -> str:
        return KINDS[self.kind].label_zh


@dataclass(frozen=True)
class RiskReport:
    """All hits of a text, and what the operator is asked to confirm."""

    hits: tuple[RiskHit, ...]

    @property
    def emergency(self) -> bool:
        """True when some hit suggests an emergency line: the console asks at once."""
        return any(h.line for h in self.hits)

    @property
    def crisis(self) -> bool:
        return any(h.crisis for h in self.hits)

    @property
    def lines(self) -> tuple[str, ...]:
        """Suggested lines, most urgent kind first, each once."""
        return tuple(dict.fromkeys(h.line for h in self.hits if h.line))

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h.kind for h in self.hits))


@lru_cache(maxsize=64)
def _matcher(extra: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    kind_of: dict[str, str] = {}
    for kind, words in WORDS.items():
        for word in words:
            kind_of.setdefault(word, kind)
    for word in extra:
        word = word.strip()
        if word:
            kind_of.setdefault(word, "custom")
    alternatives = sorted(kind_of, key=len, reverse=True)  # the longest word at a place wins
    return re.compile("|".join(re.escape(w) for w in alternatives)), kind_of


def _clause_before(text: str, start: int) -> str:
    head = text[max(0, start - 12) : start]
    cut = max((m.end() for m in _CLAUSE.finditer(head)), default=0)
    return head[cut:]


def _clause_after(text: str, end: int) -> str:
    tail = text[end : end + 6]
    m = _CLAUSE.search(tail)
    return tail[: m.start()] if m else tail


def _denied_or_hypothetical(text: str, start: int, end: int) -> bool:
    before = _clause_before(text, start)
    return bool(
        _NEGATION.search(before)
        or _HYPOTHETICAL_BEFORE.search(before)
        or _HYPOTHETICAL_AFTER.match(_clause_after(text, end))
        or _AFTERMATH.search(text, max(0, start - 10), end + 12)
    )


def detect(text: str, extra_words: Iterable[str] = ()) -> RiskReport:
    """The emergency and risk words of ``text``; ``extra_words`` are the city's own.

    A city word that is also a built-in word keeps the built-in kind and line.
    """
    pattern, kind_of = _matcher(tuple(sorted(set(extra_words))))
    hits = []
    for m in pattern.finditer(text):
        if _denied_or_hypothetical(text, m.start(), m.end()):
            continue
        kind = KINDS[kind_of[m.group()]]
        hits.append(
            RiskHit(
                word=m.group(),
                start=m.start(),
                end=m.end(),
                kind=kind.code,
                line=kind.line,
                crisis=kind.crisis,
                utility=kind.utility,
            )
        )
    return RiskReport(tuple(hits))


def detect_for_city(text: str, city: CityConfig) -> RiskReport:
    """``detect`` with the city's ``intake_policy.risk_words``."""
    return detect(text, city.intake_policy.risk_words)
