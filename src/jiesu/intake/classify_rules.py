"""The deterministic bootstrap of :mod:`.classify`: keyword rules for type, category and tags.

A new deployment has no history to learn from, and a field with few labels
(the "七有五性" tags are rarely set before the assessment asks for them) must
still get a sensible proposal. These rules give one, the same every time, with
scores that say how much evidence there was — a rule proposal is never as sure
as a learned one, so the console shows it as a suggestion.
"""

from __future__ import annotations

import re
from functools import lru_cache

from jiesu.domain.ticket import LIVELIHOOD_TAG_LABELS_ZH

#: Words that say what kind of request it is, with their weight. Order breaks ties:
#: a text that both thanks and complains is more likely a complaint with politeness.
REQUEST_TYPE_WORDS: dict[str, tuple[tuple[str, float], ...]] = {
    "report": (("举报", 3.0), ("查处", 1.5), ("取缔", 1.5), ("违法", 0.8), ("非法", 0.8),
               ("偷排", 1.0), ("违规", 0.5)),
    "complaint": (("投诉", 3.0), ("反映", 0.6), ("不满", 1.0), ("扰民", 0.8), ("整改", 0.8),
                  ("推诿", 1.0), ("不作为", 1.0), ("给个说法", 1.0), ("乱收费", 1.0)),
    "help": (("求助", 3.0), ("帮忙", 2.0), ("请求帮助", 2.5), ("帮助", 1.2), ("救助", 1.0),
             ("困难", 0.6), ("协调解决", 1.0), ("帮一把", 2.0)),
    "consult": (("咨询", 3.0), ("请问", 2.5), ("询问", 2.0), ("想了解", 2.0), ("如何办理", 1.5),
                ("怎么办理", 1.5), ("需要哪些", 1.2), ("是否", 0.6), ("吗？", 0.8), ("吗?", 0.8),
                ("怎么", 0.6), ("多少", 0.4)),
    "suggestion": (("建议", 3.0), ("提议", 2.5), ("希望增设", 1.5), ("呼吁", 1.5), ("提个建议", 2.0)),
    "praise": (("表扬", 3.5), ("感谢", 2.5), ("致谢", 2.5), ("点赞", 2.0), ("锦旗", 2.0),
               ("认真负责", 1.0), ("热情周到", 1.0)),
}  # fmt: skip
#: The order of the glossary; the last one is the default of a text with no clue.
REQUEST_TYPE_ORDER = ("consult", "help", "report", "suggestion", "praise", "complaint")

#: Keywords per "七有五性" dimension (A7).
TAG_WORDS: dict[str, tuple[str, ...]] = {
    "childcare": ("幼儿园", "托育", "托儿", "婴幼儿", "入园", "早教", "托班", "学前", "育儿", "产假",
                  "生育", "产检", "母婴"),
    "education": ("学校", "上学", "入学", "学位", "小学", "初中", "中学", "高中", "义务教育", "校外培训",
                  "补课", "招生", "学生", "学籍", "转学", "课后服务", "考试", "教育"),
    "employment": ("就业", "工资", "欠薪", "讨薪", "劳动合同", "社保", "失业", "招聘", "劳务", "加班费",
                   "工伤", "辞退", "用人单位", "农民工", "创业", "职业培训", "养老保险", "劳动"),
    "medical": ("看病", "医院", "就医", "挂号", "医保", "报销", "医生", "门诊", "住院", "药品", "卫生服务",
                "体检", "疫苗", "诊所", "医疗", "药店"),
    "elderly": ("养老", "老人", "老年", "敬老", "助餐", "高龄", "适老", "独居", "退休", "老旧电梯加装"),
    "housing": ("租房", "住房", "公租房", "保障房", "房租", "廉租", "购房", "拆迁", "安置", "棚改",
                "租金", "房产证", "不动产", "老旧小区", "房东", "租赁"),
    "vulnerable": ("残疾", "低保", "救助", "特困", "孤儿", "留守", "困境", "低收入", "孤寡", "轮椅",
                   "无障碍", "生活困难", "残疾人"),
    "convenience": ("便民", "菜市场", "超市", "办事", "停车", "公交", "地铁", "快递", "出行", "充电桩",
                    "网点", "排队", "线上办理", "政务服务", "共享单车", "线路"),
    "livability": ("噪音", "噪声", "扰民", "绿化", "垃圾", "环境卫生", "油烟", "污染", "异味", "供暖",
                   "暖气", "物业", "漏水", "停水", "停电", "电梯", "违建", "公园", "臭味", "积水"),
    "diversity": ("文化", "体育", "健身", "图书馆", "旅游", "演出", "博物馆", "文体", "全民健身",
                  "文艺", "景区", "活动中心"),
    "fairness": ("公平", "不公", "歧视", "乱收费", "价格", "暗箱", "不公开", "公示", "摇号", "霸王条款",
                 "欺诈", "明码标价", "维权", "退费", "收费标准"),
    "safety": ("安全", "隐患", "消防", "治安", "危险", "事故", "火灾", "盗窃", "诈骗", "井盖", "坍塌",
               "裂缝", "燃气", "食品安全", "被盗", "触电"),
}  # fmt: skip
assert set(TAG_WORDS) == set(LIVELIHOOD_TAG_LABELS_ZH)

_TAG_PATTERNS = {
    tag: re.compile("|".join(sorted(map(re.escape, ws), key=len, reverse=True)))
    for tag, ws in TAG_WORDS.items()
}
_SPLIT = re.compile(r"[与和及等、/]")
#: Words of category names too general to point at one category.
_GENERIC = frozenset(
    {"管理", "服务", "问题", "事务", "其他", "设施", "相关", "工作", "建设", "公共", "关系"}
)


@lru_cache(maxsize=4096)
def _name_parts(name: str) -> frozenset[str]:
    from .classify import jieba_module

    parts = {p for p in _SPLIT.split(name) if len(p) >= 2} | {name}
    jieba = jieba_module()
    parts |= {w for p in list(parts) for w in jieba.lcut_for_search(p) if len(w) >= 2}
    return frozenset(parts - _GENERIC)


def request_type_scores(text: str) -> dict[str, float]:
    """Scores over the six types (summing to 1) from the keywords; the title counts twice."""
    title, _, body = text.partition("\n")
    raw = {t: 0.0 for t in REQUEST_TYPE_ORDER}
    for rtype, pairs in REQUEST_TYPE_WORDS.items():
        for word, weight in pairs:
            raw[rtype] += weight * (2 * title.count(word) + body.count(word))
    if not any(raw.values()):
        raw["complaint"] = 0.5  # a problem told without a clue word is most often a complaint
    # small ties are broken by the glossary order, never by dict order
    raw = {t: v + 1e-6 * (len(REQUEST_TYPE_ORDER) - i) for i, (t, v) in enumerate(raw.items())}
    total = sum(raw.values()) + 1.0  # the 1.0 keeps a single weak clue from looking certain
    return {t: round(v / total, 4) for t, v in raw.items()}


def category_scores(text: str, categories: dict[str, str]) -> dict[str, float]:
    """Leaf categories whose name (or a part of it) appears in the text.

    A name is split at 与/和/等 and into words ("劳动关系与欠薪" → 劳动关系, 劳动, 欠薪; "物业管理"
    → 物业, but not the general 管理); the longer the matched words, the higher the
    score. Nothing matched: no proposal.
    """
    raw: dict[str, float] = {}
    for code, name in categories.items():
        area = code.split("/")[0]
        score = sum(len(p) for p in _name_parts(name) if p in text)
        if score:
            raw[code] = score + (0.5 if area != name and area in text else 0.0)
    total = sum(raw.values())
    if not total:
        return {}
    sure = min(0.8, 0.3 + 0.1 * max(raw.values()))
    return {c: round(sure * v / total, 4) for c, v in raw.items()}


def tag_scores(text: str) -> dict[str, float]:
    """Each tag with a keyword in the text: 0.5 for one distinct word, up to 0.9."""
    out = {}
    for tag, pattern in _TAG_PATTERNS.items():
        found = set(pattern.findall(text))
        if found:
            out[tag] = min(0.9, 0.4 + 0.1 * len(found) + 0.05 * sum(len(w) > 2 for w in found))
            out[tag] = round(max(out[tag], 0.5), 3)
    return out
