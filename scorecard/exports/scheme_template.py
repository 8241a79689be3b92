"""The blank scheme import template (考核方案导入模板.xlsx): one sheet per part of a scheme
with its header row, the setting names to fill in, and a sheet explaining the rule parameters."""
from __future__ import annotations

from pathlib import Path

import xlsxwriter

from scorecard.domain.rules import RULE_LABELS, RULE_TYPES
from scorecard.services.schemes.edit import RULE_HINTS

TEMPLATE_SHEETS = {
    "指标": ["编码", "上级编码", "名称", "分值", "考核内容", "评分标准", "考核方式", "适用类别", "计分类型",
           "计分参数", "佐证提示"],
    "加减分项": ["编码", "名称", "类型", "每项分值", "单项上限"],
    "等次": ["等次", "最低分", "名额比例(%)"],
    "设置": ["项目", "值"],
}
SETTING_ROWS = ["方案名称", "满分", "加分上限", "折算", "一票否决封顶等次", "并列排序依据"]


def write_scheme_template(path: str | Path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    bold = wb.add_format({"bold": True})
    for title, headers in TEMPLATE_SHEETS.items():
        ws = wb.add_worksheet(title)
        ws.write_row(0, 0, headers, bold)
        ws.set_column(0, len(headers) - 1, 14)
        ws.freeze_panes(1, 0)
        if title == "设置":
            ws.write_column(1, 0, SETTING_ROWS)
    notes = wb.add_worksheet("说明")
    notes.set_column(0, 1, 40)
    notes.write_row(0, 0, ["计分类型", "计分参数的写法"], bold)
    for row, rule_type in enumerate(RULE_TYPES, start=1):
        notes.write_row(row, 0, [RULE_LABELS[rule_type], RULE_HINTS[rule_type]])
    wb.close()
