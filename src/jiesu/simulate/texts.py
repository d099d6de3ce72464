"""Realistic, varied Chinese texts for simulated tickets, composed from ``phrases.yaml``.

A request is never one of a few fixed sentences: it is composed from an
opening (by channel: a hotline operator writes "来电人反映：…", a WeChat user
writes "您好，…"), a problem of its category with the city's real district,
street/township and community names and a building number, and optional
duration, impact, earlier attempts, the request proper (by request type) and
a closing. The phrases and habits of each category are its topic
(:mod:`.topics`). Answers, referrals, replies, visit comments and the reasons
of objections, extensions and re-handling are composed the same way.

Everything is drawn from the ``random.Random`` passed in, so a seed gives the
same texts; nothing here names a city — places come from the configuration.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jiesu.city.config import CityConfig
from jiesu.domain.ticket import Channel, RequestType

from .topics import Phrase, Topic, city_topics, phrasebook

_SLOT = re.compile(r"\{(\w+)\}")
_ONLINE = {Channel.WEB, Channel.APP, Channel.WECHAT, Channel.WEIBO, Channel.EMAIL}
_CHANNEL_ZH = {
    Channel.WEB: "网站",
    Channel.APP: "移动端",
    Channel.WECHAT: "微信",
    Channel.WEIBO: "微博",
}
_HOURS = ("晚上十点", "晚上十点半", "晚上十一点", "夜里十二点", "凌晨一点")
_MONEY = (600, 800, 1500, 2000, 2600, 3000, 4800, 5000, 6800, 8000, 9600, 12000, 20000, 35000)


@dataclass(frozen=True)
class Place:
    """Where a request is about: a community or village with its street and district."""

    unit_code: str
    district: str
    street: str
    community: str
    short: str  # the community's everyday name, without 社区/村委会
    village: bool
    population: int


@dataclass(frozen=True)
class Request:
    title: str
    content: str
    address: str
    key: str  # what it is about, for answers and replies


class Slots(dict):
    """Template values; the ones a template does not use are never drawn."""

    def __init__(self, rng: random.Random, **known: Any) -> None:
        super().__init__(**known)
        self.rng = rng

    def __missing__(self, name: str) -> str:
        r = self.rng
        makers = {
            "bldg": lambda: f"{r.randint(1, 36)}号楼",
            "unit_no": lambda: f"{r.randint(1, 6)}单元",
            "room": lambda: f"{r.randint(1, 24)}{r.randint(1, 4):02d}室",
            "hn": lambda: str(r.randint(1, 180)),
            "n": lambda: str(r.randint(2, 9)),
            "n2": lambda: str(r.randint(10, 60)),
            "temp": lambda: str(r.randint(12, 17)),
            "days": lambda: str(r.randint(3, 30)),
            "weeks": lambda: str(r.randint(1, 6)),
            "months": lambda: str(r.randint(1, 8)),
            "years": lambda: str(r.randint(1, 6)),
            "times": lambda: str(r.randint(2, 6)),
            "money": lambda: str(r.choice(_MONEY)),
            "hour": lambda: r.choice(_HOURS),
            "bus": lambda: f"{r.randint(1, 990)}路",
            "lane": lambda: r.choice(phrasebook()["lanes"]),
            "shop": lambda: r.choice(phrasebook()["shops"]),
            "relative": lambda: r.choice(phrasebook()["relatives"]),
        }
        maker = makers.get(name)
        value = maker() if maker else ""
        self[name] = value
        return value


def fill(template: str, slots: Slots) -> str:
    return template.format_map(slots)


class Texts:
    """The texts of one city: its topics by category and the composers."""

    def __init__(self, city: CityConfig) -> None:
        self.book = phrasebook()
        self.city_name = city.city.name
        self.topics = city_topics(city, self.book)

    def pick(self, rng: random.Random, pool: str) -> str:
        return rng.choice(self.book[pool])

    def _pool(self, topic: Topic, name: str, common: str | None = None) -> list[str]:
        own = list(topic.pools.get(name, ()))
        return own + list(self.book[common]) if common else own

    # --- requests --------------------------------------------------------------------

    def request(
        self,
        rng: random.Random,
        topic: Topic,
        request_type: str,
        place: Place,
        *,
        channel: str,
        hotline: tuple[str, str] | None,
        lead_name: str,
        at: datetime,
        urgent: bool = False,
        confidential: bool = False,
    ) -> Request:
        slots = self._slots(
            rng, topic, place, channel=channel, hotline=hotline, lead=lead_name, at=at
        )
        address = self._address(rng, place, slots)
        slots["place"] = fill(
            rng.choice(self.book["places"]["village" if place.village else "urban"]), slots
        )
        rtype = RequestType(request_type)
        if rtype is RequestType.CONSULT:
            phrase = rng.choice(topic.questions)
            opening = fill(rng.choice(self.book["consult_openings"][_group(channel)]), slots)
            context = (
                ""
                if opening.endswith("请问")
                else fill(rng.choice(self.book["consult_context"]), slots)
            )
            content = opening + context + fill(phrase.text, slots)
            title = rng.choice(("咨询{k}", "{k}咨询", "关于{k}", "{k}")).format(
                k=fill(phrase.key, slots)
            )
        elif rtype is RequestType.SUGGESTION:
            phrase = rng.choice(topic.suggestions)
            request = rng.choice(self.book["requests"]["suggestion"])
            opening = fill(rng.choice(self.book["suggestion_openings"][_group(channel)]), slots)
            content = f"{opening}{fill(phrase.text, slots)}，{request}。"
            title = rng.choice(("建议{k}", "关于{k}的建议", "{k}")).format(
                k=fill(phrase.key, slots)
            )
        elif rtype is RequestType.PRAISE:
            phrase = rng.choice(topic.problems)
            slots.update(
                k=fill(phrase.key, slots),
                deed=self.pick(rng, "deeds"),
                thanks=self.pick(rng, "thanks"),
            )
            content = fill(self.pick(rng, "praise"), slots)
            title = rng.choice(("表扬{lead}", "对{k}问题处理的表扬", "感谢{lead}")).format(
                lead=lead_name, k=slots["k"]
            )
        else:
            phrase = self._problem(rng, topic, rtype, urgent)
            content = self._complaint(rng, topic, rtype, phrase, slots, channel, urgent)
            title = rng.choice(_TITLES[rtype]).format(k=fill(phrase.key, slots), c=place.short)
        if confidential:
            content += self.pick(rng, "confidential")
        content = _persona(content, channel)
        return Request(
            title=title[:200], content=content, address=address, key=fill(phrase.key, slots)
        )

    def _problem(
        self, rng: random.Random, topic: Topic, rtype: RequestType, urgent: bool
    ) -> Phrase:
        flag = "u" if urgent else {RequestType.REPORT: "r", RequestType.HELP: "h"}.get(rtype, "c")
        fitting = [p for p in topic.problems if flag in p.types]
        if not fitting and flag == "r":  # a report needs something to report: the area's forms
            fitting = [p for p in topic.fallback if "r" in p.types]
        return rng.choice(fitting or list(topic.problems))

    def _complaint(self, rng, topic, rtype, phrase, slots, channel, urgent) -> str:
        first = [fill(phrase.text, slots)]
        if rng.random() < 0.55:
            first.append(fill(self.pick(rng, "durations"), slots))
        if rng.random() < 0.6:
            first.append(rng.choice(self._pool(topic, "impacts", "impacts")))
        second = []
        if rng.random() < 0.35:
            second.append(rng.choice(self._pool(topic, "priors", "priors")))
        second.append(fill(rng.choice(self.book["requests"][str(rtype)]), slots))
        closing = (
            "情况紧急，请尽快派人处理。" if urgent else fill(self.pick(rng, "closings"), slots)
        )
        opening = fill(rng.choice(self.book["openings"][_group(channel)]), slots)
        return f"{opening}{'，'.join(first)}。{'，'.join(second)}。{closing}"

    def _slots(
        self, rng, topic: Topic | None, place: Place, *, channel, hotline, lead, at
    ) -> Slots:
        day = (at - timedelta(days=rng.randint(3, 40))).date()
        actors = list(topic.pools.get("actors", ())) if topic else []
        return Slots(
            rng,
            district=place.district,
            street=place.street,
            community=place.community,
            cshort=place.short,
            cat=topic.name if topic else "",
            lead=lead,
            city=self.city_name,
            channel_zh=_CHANNEL_ZH.get(Channel(channel), "网络"),
            hotline=hotline[0] if hotline else "12345",
            hotline_name=hotline[1] if hotline else "",
            date=f"{day.month}月{day.day}日",
            actor=rng.choice(actors or self.book["actors_default"]),
        )

    def _address(self, rng: random.Random, place: Place, slots: Slots) -> str:
        head = f"{place.district}{place.street}{place.community}"
        if place.village:
            return head + fill("{hn}号", slots)
        return head + fill(
            rng.choice(("{bldg}", "{bldg}", "{bldg}{unit_no}", "{bldg}{unit_no}{room}")), slots
        )

    # --- intake outcomes ---------------------------------------------------------------

    def answer(self, rng: random.Random, topic: Topic, key: str, lead_name: str) -> str:
        pool = self._pool(topic, "answers", "answers")
        return fill(rng.choice(pool), Slots(rng, k=key, lead=lead_name))

    def referral(
        self,
        rng: random.Random,
        reason: str,
        place: Place,
        *,
        channel: str,
        hotline: tuple[str, str] | None,
        at: datetime,
        **extra: str,
    ) -> tuple[str, str, str, tuple[str, ...]]:
        """(key, content, destination, category words) of a request referred elsewhere (I5)."""
        entry = rng.choice(self.book["referrals"][reason])
        slots = self._slots(rng, None, place, channel=channel, hotline=hotline, lead="", at=at)
        slots.update(extra)
        slots["place"] = fill(
            rng.choice(self.book["places"]["village" if place.village else "urban"]), slots
        )
        opening = fill(rng.choice(self.book["openings"][_group(channel)]), slots)
        if reason == "emergency":
            tail = rng.choice(("，请求帮助。", "，情况紧急。", "，请求立即处置。"))
        else:
            tail = "。" + fill(self.pick(rng, "closings"), slots)
        content = _persona(opening + fill(entry["s"], slots) + tail, channel)
        destination = entry.get("line") or fill(entry["dest"], slots)
        return fill(entry["k"], slots), content, destination, tuple(entry.get("near") or ())

    # --- handling ----------------------------------------------------------------------

    def reply(
        self, rng: random.Random, topic: Topic, outcome: str, key: str, unit: str, at: datetime
    ) -> str:
        local = at.date()
        slots = Slots(
            rng,
            k=key,
            unit=unit,
            date=f"{local.month}月{local.day}日",
            action=rng.choice(self._pool(topic, "actions", "actions_default")),
            constraint=rng.choice(self._pool(topic, "constraints", "constraints")),
            path=self.pick(rng, "paths"),
        )
        return fill(rng.choice(self.book["replies"][outcome]), slots)

    def visit_comment(self, rng: random.Random, satisfaction: str, contacted: bool) -> str:
        pool = satisfaction if contacted or satisfaction == "satisfied" else "uncontacted"
        return rng.choice(self.book["visit_comments"][pool])

    def objection(self, rng: random.Random, grounds: str, other: str) -> str:
        return fill(rng.choice(self.book["objections"][grounds]), Slots(rng, other=other))

    def phrase(self, rng: random.Random, pool: str, **slots: str) -> str:
        return fill(self.pick(rng, pool), Slots(rng, **slots))

    # --- requesters --------------------------------------------------------------------

    def requester(self, rng: random.Random) -> tuple[str, str]:
        name = rng.choice(self.book["surnames"]) + rng.choice(("先生", "女士"))
        phone = rng.choice(self.book["phone_prefixes"]) + f"{rng.randrange(10**8):08d}"
        return name, phone

    def hotline_topics(self, hotline_name: str) -> list[str]:
        """Category names (either level) that calls on a merged hotline are about."""
        return [
            name
            for word, names in self.book["merged_hotline_topics"].items()
            if word in hotline_name
            for name in names
        ]


_TITLES = {
    RequestType.COMPLAINT: ("{k}", "反映{k}", "{c}{k}", "关于{k}的投诉", "投诉{k}"),
    RequestType.HELP: ("{k}", "求助：{k}", "{c}{k}", "{k}求助"),
    RequestType.REPORT: ("举报{k}", "{k}", "关于{k}的举报"),
}


def _group(channel: str) -> str:
    if channel == Channel.MERGED_HOTLINE:
        return "hotline"
    return "online" if Channel(channel) in _ONLINE else "phone"


def _persona(content: str, channel: str) -> str:
    """A hotline operator writes "来电人"; a message from the web speaks for itself."""
    if _group(channel) != "online":
        return content
    own = content.startswith(("您好", "你好"))
    return content.replace("来电人", "本人" if own else "该网友")


def slot_names(template: str) -> list[str]:
    """The slots a template uses (for the phrase-book test)."""
    return _SLOT.findall(template)
