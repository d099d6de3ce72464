"""Emergency and risk words (I5): each kind with its line, negations, hypotheticals, city words."""

from __future__ import annotations

import pytest

from jiesu.intake.risk import KINDS, detect, detect_for_city


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        ("3号楼楼道里着火了，冒出浓烟", "fire", "119"),
        ("电梯突然停了，里面困着人", "rescue", "119"),
        ("家里闻到很重的煤气味", "gas", "119"),
        ("有位老人在小区门口晕倒了，意识不清", "injury", "120"),
        ("楼下有人持刀打架", "violence", "110"),
        ("邻居说不想活了，要跳楼", "suicide", "110"),
        ("路口发生车祸，有人被撞", "traffic", "122"),
        ("刚刚被冒充客服的人骗走五千元", "fraud", "110"),
        ("几十个工人聚集讨薪，堵路", "group", None),
    ],
)
def test_each_kind_is_found_with_its_line(text, kind, line):
    report = detect(text)
    assert kind in report.kinds
    hit = next(h for h in report.hits if h.kind == kind)
    assert hit.line == line
    assert text[hit.start : hit.end] == hit.word
    assert report.emergency is (line is not None or any(h.line for h in report.hits))


def test_suicide_is_a_crisis_and_gas_alerts_the_utility():
    assert detect("他说要自杀").crisis
    assert not detect("楼道里着火了").crisis
    gas = detect("燃气泄漏了").hits[0]
    assert (gas.line, gas.utility) == ("119", "gas")
    assert KINDS["group"].line is None


@pytest.mark.parametrize(
    "text",
    [
        "没有着火，只是有点烟味",
        "并未起火",
        "不是火灾",
        "没有人受伤",
        "事故没有造成人员受伤",
        "楼道堆放杂物，存在火灾隐患",
        "希望加强巡查，防止火灾",
        "电线老化，容易引发火灾",
        "燃气企业的服务态度差",
        "路口晚上聚集大量流动摊贩",
        "来电人在工作中受伤，申请工伤认定后迟迟没有结果",
        "去年车祸的理赔一直没有到位",
        "建议在社区开展防范诈骗宣传",
    ],
)
def test_denials_hypotheticals_and_everyday_words_raise_nothing(text):
    assert detect(text).hits == ()


def test_a_question_is_not_a_denial_and_negation_stays_in_its_clause():
    assert detect("是不是着火了？").emergency
    assert detect("没有人管，他们又打架了").kinds == ("violence",)


def test_the_citys_own_words_are_found_as_custom(city):
    policy = city.intake_policy.model_copy(update={"risk_words": ("拆迁补偿", "着火")})
    custom = city.model_copy(update={"intake_policy": policy})
    report = detect_for_city("拆迁补偿一直不到位，昨天楼里着火了", custom)
    assert [(h.word, h.kind) for h in report.hits] == [("拆迁补偿", "custom"), ("着火", "fire")]
    assert report.lines == ("119",)  # a city word never suggests a line; a built-in keeps its own
    assert detect_for_city("拆迁补偿一直不到位", city).hits == ()
