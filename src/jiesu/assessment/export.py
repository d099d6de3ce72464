"""The monthly assessment as an Excel workbook (A4), in the layout assessment offices use:
one sheet per group (区, 街道乡镇, 市级部门, 公共服务企业), a title row naming the month and the
rule set, then 序号, 单位名称, 诉求量, 响应率, 解决率, 满意率, 主动治理加减分, 综合成绩, 排名, 名次变化, 约谈,
万人诉求比, 基数诉求比 (with the base's orders), 说明. Rates are percentages with one decimal; units not ranked are listed last."""

from __future__ import annotations

from io import BytesIO

from jiesu.context import Context

from .rankings import GROUP_LABELS_ZH, Period, assess

HEADER = ("序号", "单位名称", "诉求量", "响应率", "解决率", "满意率", "主动治理加减分", "综合成绩", "排名",
          "名次变化", "约谈", "万人诉求比", "基数诉求比", "基期诉求量", "说明")  # fmt: skip


def workbook(ctx: Context, period: Period, rules: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    talk_fill = PatternFill("solid", fgColor="FDE2E1")
    for group, data in assess(ctx, period, rules).items():
        sheet = book.create_sheet(GROUP_LABELS_ZH[group])
        sheet.append(
            [f"{period.label} 接诉即办考评结果（{GROUP_LABELS_ZH[group]}，规则：{rules}）"]
        )
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A1"].alignment = Alignment(horizontal="center")
        sheet.append(HEADER)
        for cell in sheet[2]:
            cell.font = bold
        for i, u in enumerate(data["units"], start=1):
            change = u["change"]
            sheet.append(
                [
                    i,
                    u["unit_name"],
                    u["counts"]["orders"],
                    _pct(u["response_rate"]),
                    _pct(u["resolution_rate"]),
                    _pct(u["satisfaction_rate"]),
                    u["governance"]["points"] or None,
                    round(u["score"], 2) if u["score"] is not None else None,
                    u["rank"],
                    (f"+{change}" if change > 0 else str(change)) if change else None,
                    "是" if u["talk"] else None,
                    u["per_10k_residents"],
                    u["base_ratio"],
                    u["base_orders"],
                    "；".join(u["notes"]) or None,
                ]
            )
            if u["talk"]:
                for cell in sheet[sheet.max_row]:
                    cell.fill = talk_fill
        for column, width in zip(
            "ABCDEFGHIJKLMNO", (6, 28, 8, 8, 8, 8, 10, 9, 6, 8, 6, 10, 10, 10, 30), strict=True
        ):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A3"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _pct(rate: float | None) -> float | None:
    return round(rate * 100, 1) if rate is not None else None
