"""The 述职评议 vote sheet template: one row per vote (组织编码 | 组织名称 | 指标编码 | 评议人 |
评价), pre-filled with one blank line per target and vote leaf the user may enter, and a
说明 sheet listing the options. importers/votes.py reads it back."""
from __future__ import annotations

from pathlib import Path

from scorecard.exports.xlsx import Styles, new_workbook
from scorecard.importers.votes import VoteContext

HEADER = ["组织编码", "组织名称", "指标编码", "评议人", "评价"]
WIDTHS = [14, 30, 12, 16, 12]


def write_votes_template(path: str | Path, round_name: str, ctx: VoteContext) -> None:
    wb = new_workbook(path, title=f"{round_name} 述职评议票")
    styles = Styles(wb)
    ws = wb.add_worksheet("评议票")
    for col, (text, width) in enumerate(zip(HEADER, WIDTHS)):
        ws.set_column(col, col, width)
        ws.write_string(0, col, text, styles.header)
    row = 1
    options: list[str] = []
    for code, (name, category, allowed) in ctx.targets.items():
        if not allowed:
            continue
        for leaf_code, (_leaf_name, choices) in ctx.leaves.items():
            if leaf_code not in ctx.applicable.get(category, set()):
                continue
            options += [c for c in choices if c not in options]
            ws.write_string(row, 0, code, styles.text)
            ws.write_string(row, 1, name, styles.text)
            ws.write_string(row, 2, leaf_code, styles.text)
            ws.write_blank(row, 3, None, styles.entry)
            ws.write_blank(row, 4, None, styles.entry)
            row += 1
    if options:
        ws.data_validation(1, 4, max(row, 2000), 4, {
            "validate": "list", "source": options[:20],
            "error_message": "请从下拉列表中选择：" + "、".join(options)[:200]})
    ws.freeze_panes(1, 0)
    help_ws = wb.add_worksheet("说明")
    help_ws.set_column(0, 0, 100)
    lines = [
        "每行一张评议票：组织编码、指标编码、评议人、评价四列必填；组织名称仅供核对。",
        "同一考核对象的同一指标，需要多少位评议人就复制多少行；评议人名称在同一对象同一指标内不能重复。",
        "导入时，文件中出现的每个“考核对象 + 指标”的评议票将整体替换系统中已有的评议票。",
        "只有“评议人”和“评价”都留空的行会被忽略。文件有任何错误都不会写入，并列出每处错误的行和列。",
        "测评指标与可选评价：",
    ]
    lines += [f"  {code} {name}：{'、'.join(choices)}" for code, (name, choices) in ctx.leaves.items()]
    for i, text in enumerate(lines):
        help_ws.write_string(i, 0, text, styles.paragraph)
    wb.close()
