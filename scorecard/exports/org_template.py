"""The blank organisation import template (组织导入模板.xlsx): header plus one example row;
the code columns are formatted as text so that Excel keeps leading zeros."""
from __future__ import annotations

from pathlib import Path

import xlsxwriter

TEMPLATE_HEADER = ["编码", "名称", "上级编码", "类别", "片组", "组织类型"]
TEMPLATE_EXAMPLE = ["GW-01", "示例局机关党委", "GW", "党政机关", "第一片组", "机关党委"]
WIDTHS = [14, 28, 14, 14, 14, 14]
TEXT_COLUMNS = (0, 2)


def write_org_template(path: str | Path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("组织")
    head = wb.add_format({"bold": True, "bg_color": "#F0EEEA", "border": 1})
    text = wb.add_format({"num_format": "@"})
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width, text if col in TEXT_COLUMNS else None)
    ws.write_row(0, 0, TEMPLATE_HEADER, head)
    ws.write_row(1, 0, TEMPLATE_EXAMPLE)
    ws.freeze_panes(1, 0)
    ws.write_comment(0, 0, "编码唯一，作为导入时识别组织的依据；已存在的编码将被更新")
    ws.write_comment(0, 2, "顶级组织留空；上级须已存在或在本表中出现")
    wb.close()
