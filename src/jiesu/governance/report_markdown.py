"""A monthly work report as a Markdown document in Chinese (G4), from its stored content:
what the office prints, mails or pastes into its own documents. The recommendations come
first, then the figures behind them; what the history cannot say is said at the top.
"""

from __future__ import annotations

from typing import Any

from jiesu.domain.assessment import percent as pct

from .reports import Report


def num(x: Any) -> str:
    if x is None:
        return "—"
    return f"{x:.2f}" if isinstance(x, float) else str(x)


def change(now: int | None, before: int | None) -> str:
    """The change against an earlier count, as the console shows it."""
    if now is None or before is None:
        return "—"
    return f"{(now - before) * 100 / before:+.0f}%" if before else ("新增" if now else "—")


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    if not rows:
        return ["（无）", ""]
    cell = lambda v: str(v).replace("|", "｜")  # noqa: E731
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return out + ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows] + [""]


def _volume(v: dict, h: dict) -> list[str]:
    t = v["total"]
    partial = "，上月数据不完整" if h["coverage"]["previous"] == "partial" else ""
    out = [f"本月受理诉求 **{t['now']}** 件；上月 {num(t['previous'])} 件（{change(t['now'], t['previous'])}{partial}），"
           f"去年同月 {num(t['year_before'])} 件（{change(t['now'], t['year_before'])}）。", ""]  # fmt: skip
    for key, title in (("by_type", "诉求类型"), ("by_channel", "渠道")):
        rows = [[x["label_zh"], x["now"], num(x["previous"]), change(x["now"], x["previous"]),
                 num(x["year_before"]), change(x["now"], x["year_before"])] for x in v[key]]  # fmt: skip
        out += _table([title, "本月", "上月", "环比", "去年同月", "同比"], rows)
    return out


def _assessment(a: dict) -> list[str]:
    now, before = a["now"] or {}, a["previous"] or {}
    rows = [[label, pct(now.get(k)), pct(before.get(k))] for k, label in
            (("response_rate", "响应率"), ("resolution_rate", "解决率"),
             ("satisfaction_rate", "满意率"))]  # fmt: skip
    rows.append(["综合得分", num(now.get("score")), num(before.get("score"))])
    rows.append(["派单件数", num(now.get("orders")), num(before.get("orders"))])
    out = _table(["指标", "本月", "上月"], rows)
    if a["rank"]:
        r = a["rank"]
        out += [
            f"在各区中排名第 {num(r['rank'])}（共 {r['of']} 个），上月第 {num(r['previous_rank'])}。",
            "",
        ]
    talks = [[x["group_zh"], x["unit_name"], num(x["rank"]), num(x["score"]),
              "是" if x["talk_before"] else "否"] for x in a["talks"]]  # fmt: skip
    return (
        out
        + ["**列入约谈的单位**（各组排名末位）", ""]
        + _table(["分组", "单位", "排名", "得分", "上月亦约谈"], talks)
    )


def _warnings(w: dict) -> list[str]:
    weeks = "、".join(f"{x['week']}（{x['warnings']} 条{'' if x['examined'] else '，未研判'}）"
                     for x in w["weeks"]) or "无"  # fmt: skip
    out = [f"本月结束的周：{weeks}。预警共 {w['total']} 条（突增 {w['surge']}、持续高发 {w['persistent']}），"
           f"已反馈措施 {w['answered']} 条；次周回落 {w['fell']} 条、未回落 {w['not_fallen']} 条。", ""]  # fmt: skip
    rows = [[x["week"], x["street"], x["place"], x["category"], x["kind_zh"], x["received"],
             x["requesters"], _answer(x),
             "—" if x["fell"] is None else ("回落" if x["fell"] else "未回落")] for x in w["items"]]  # fmt: skip
    out += _table(
        ["周", "街道乡镇", "地点", "诉求类别", "类型", "件数", "人数", "措施", "次周"], rows
    )
    group = [[x["week"], x["place"], x["category"], x["received"], x["requesters"]]
             for x in w["group_complaints"]]  # fmt: skip
    return out + [f"**群体诉求**（同一地点、同一事项、同一周不少于 {w['group_min_requesters']} 位诉求人）", ""] + \
        _table(["周", "地点", "诉求类别", "件数", "人数"], group)  # fmt: skip


def markdown(r: Report) -> str:
    c = r.content
    assert c is not None
    a = c["analysis"]
    lines = [f"# {c['scope']['name']} {c['month']} 接诉即办月度工作报告", "",
             f"第 {r.version} 版，{r.issued_at:%Y-%m-%d %H:%M} UTC 由 {r.issued_by} 生成"
             + (f"；重新生成理由：{r.reason}" if r.reason else "") + "。", ""]  # fmt: skip
    lines += [f"> {n}" for n in c["history"]["notes"]] + ([""] if c["history"]["notes"] else [])
    lines += ["## 一、工作建议", ""]
    for x in c["recommendations"]:
        lines += [f"{x['rank']}. **{x['title_zh']}**（{x['kind_zh']}）——{x['reason_zh']}"]
    lines += ["", "（本月没有需要提请的事项。）", ""] if not c["recommendations"] else [""]
    lines += ["## 二、受理概况", ""] + _volume(c["volume"], c["history"])
    lines += ["## 三、办理成效（三率）", ""] + _assessment(c["assessment"])
    lines += ["## 四、热点诉求与热点区域", ""]
    lines += _table(["诉求类别", "本月", "上月", "变化", "诉求人"],
                    [[m["category"], m["count"], m["previous"], change(m["count"], m["previous"]),
                      m["requesters"]] for m in a["matters"]])  # fmt: skip
    lines += _table(["街道乡镇", "本月", "上月", "最集中的诉求"],
                    [[x["street_name"], x["count"], x["previous"],
                      f"{x['top_category']}（{x['top_count']} 件）"] for x in a["areas"]])  # fmt: skip
    if a["frequent_requesters"] is not None:
        lines += [f"**高频诉求人**（本月不少于 {a['frequent_threshold']} 件）", ""]
        lines += _table(["诉求人", "电话", "本月诉求", "涉及类别", "最多的诉求"],
                        [[f["name"], f["phone"], f["count"], f["categories"], f["top_category"]]
                         for f in a["frequent_requesters"]])  # fmt: skip
    lines += ["## 五、高频预警（七天一预警）", ""] + _warnings(c["warnings"])
    lines += ["## 六、每月一题", ""]
    lines += _table(["题目", "状态", "主责单位", "最近整月", "较基线", "任务（完成/全部，逾期）", "进展"],
                    [[x["title"], x["state_zh"], x["lead"], num(x["latest_month"]),
                      "—" if x["change"] is None else f"{x['change'] * 100:+.0f}%",
                      f"{x['tasks']['done']}/{x['tasks']['total']}，逾期 {x['tasks']['overdue']}",
                      x["reason_zh"]] for x in c["topics"]])  # fmt: skip
    s = c["seasonal"]
    lines += [f"## 七、{s['month']} 季节预判", ""]
    if not s["known"]:
        lines += ["历史记录不足，无法预判。", ""]
    else:
        lines += _table(["诉求类别", "预计", "近三月月均", "去年同月", "周期性"],
                        [[x["category"], num(x["expected"]), num(x["recent"]), x["last_year"],
                          "是" if x["periodic"] else ""] for x in s["items"]])  # fmt: skip
    k = c["candidates"]
    lines += [f"## 八、候选题目（{k['months'][0]} 至 {k['months'][-1]}，全市）", ""]
    lines += _table(["诉求类别", "诉求", "未解决", "解决率", "已有题目"],
                    [[x["category"], x["requests"], x["unsolved"], pct(x["resolution"]),
                      len(x["open_topics"])] for x in k["items"]])  # fmt: skip
    return "\n".join(lines).rstrip() + "\n"


def _answer(x: dict) -> str:
    """A warning's answer as the report words it: on time, late, overdue or still due."""
    if x["answered"]:
        return "已反馈（逾期）" if x.get("overdue") else "已反馈"
    return "逾期未反馈" if x.get("overdue") else "待反馈"
