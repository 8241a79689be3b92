"""Analysis workbooks of a round (失分分析, 片组汇总, 评分卡, 两轮对比, 进度与逾期), written like the ranking
workbook: red-head title, merged group headers, CJK-fitted widths, frozen panes, A4 landscape
with repeated header rows and page numbers, numbers as numbers and user text as text."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from scorecard.domain.ranking import Ranking
from scorecard.exports.columns import Column
from scorecard.exports.report_columns import (
    DELTA_FORMAT,
    MOVE_FORMAT,
    card_columns,
    card_lines,
    card_summary_columns,
    compare_columns,
    group_columns,
    group_member_columns,
    loss_columns,
    overdue_columns,
    progress_columns,
    scoring_columns,
)
from scorecard.exports.xlsx import (
    BORDER,
    PrintSetup,
    Styles,
    chinese_date,
    fit_widths,
    header_rows,
    new_workbook,
    points_text,
    safe_sheet_name,
    set_print,
    set_widths,
    write_header,
    write_table,
    write_title,
)
from scorecard.models import Round, User
from scorecard.services.cards.model import CardTop, ScoreCard
from scorecard.services.reports import analysis
from scorecard.services.reports.progress import ProgressReport, totals

TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 0, 1, 2
Tick = Callable[[], None]


@dataclass
class Sheet:
    name: str
    title: str
    scope: str
    columns: Sequence[Column]
    items: Sequence
    freeze_after: str | None = None  # freeze columns up to and including this key
    style_for: Callable | None = None
    subtitle: str | None = None  # instead of the ranking report's line (issuer, date, phase, full marks)


def subtitle(ranking: Ranking, scope: str = "") -> str:
    lead = f"{scope}　　" if scope else ""
    return (f"{lead}发布单位：{ranking.issuer}　　日期：{chinese_date(ranking.date)}　　阶段：{ranking.phase}"
            f"　　满分{points_text(ranking.full_marks)}分")


def write_sheets(path: str | Path, source: Ranking | ProgressReport, title: str, sheets: Sequence[Sheet],
                 tick: Tick | None = None) -> None:
    """`source` (a ranking or the progress report) gives the issuer, date and phase."""
    wb = new_workbook(path, created=dt.date.fromisoformat(source.date), title=title,
                      author=source.issuer, company=source.issuer)
    try:
        styles = Styles(wb)
        formats = _Special(wb)
        for sheet in sheets:
            table_sheet(wb, styles, formats, source, sheet, tick)
    finally:
        wb.close()


class _Special:
    """Number formats some columns need beyond the kind's default."""

    def __init__(self, wb) -> None:
        self.move = wb.add_format({**BORDER, "font_name": "宋体", "num_format": MOVE_FORMAT, "align": "center"})
        self.delta = wb.add_format({**BORDER, "font_name": "宋体", "num_format": DELTA_FORMAT})

    def for_column(self, column: Column, styles: Styles):
        if column.key == "rank_move":
            return self.move
        if column.key == "delta":
            return self.delta
        if column.kind == "text" and column.width >= 24:
            return styles.wrap
        return styles.for_kind(column.kind)


def table_sheet(wb, styles: Styles, special: _Special, source: Ranking | ProgressReport, sheet: Sheet, tick: Tick | None) -> None:
    ws = wb.add_worksheet(sheet.name)
    columns, n = sheet.columns, len(sheet.columns)
    set_widths(ws, columns, fit_widths(columns, sheet.items))
    write_title(ws, TITLE_ROW, n, sheet.title, styles.redhead, 32)
    write_title(ws, SUBTITLE_ROW, n, sheet.subtitle or subtitle(source, sheet.scope), styles.redline, 20)
    levels = header_rows(columns)
    for offset in range(levels):
        ws.set_row(HEADER_ROW + offset, 22 if levels == 2 and offset == 0 else 36)
    write_header(ws, HEADER_ROW, columns, styles)
    first = HEADER_ROW + levels
    end = write_table(ws, first, columns, sheet.items, styles, sheet.style_for, tick=tick,
                      formats=[special.for_column(c, styles) for c in columns])
    keys = [c.key for c in columns]
    ws.freeze_panes(first, keys.index(sheet.freeze_after) + 1 if sheet.freeze_after else 0)
    ws.autofilter(first - 1, 0, max(end - 1, first - 1), n - 1)
    set_print(ws, PrintSetup(HEADER_ROW, first - 1))


def write_loss_workbook(ranking: Ranking, rows, path: str | Path) -> None:
    title = f"{ranking.round_name}指标失分分析"
    write_sheets(path, ranking, title, [Sheet("失分分析", title, "按末级指标统计得分与失分", loss_columns(), rows,
                                             freeze_after="name")])


def write_group_workbook(ranking: Ranking, rows, path: str | Path) -> None:
    title = f"{ranking.round_name}片组汇总"
    members = [(g.name, m) for g in rows for m in g.members]
    write_sheets(path, ranking, title, [
        Sheet("片组汇总", title, "各片组成员数、平均总分、最高与最低", group_columns(), rows, freeze_after="name"),
        Sheet("片组成员", f"{ranking.round_name}片组成员得分", "各片组成员按总分排列", group_member_columns(),
              members, freeze_after="org_name"),
    ])


def write_compare_workbook(current: Ranking, previous: Ranking, rows, path: str | Path) -> None:
    title = f"{current.round_name}与{previous.round_name}对比"
    write_sheets(path, current, title, [
        Sheet("两轮对比", title, f"本轮：{current.round_name}　上轮：{previous.round_name}　（按组织编码对应）",
              compare_columns(), rows, freeze_after="org_name"),
    ])


def write_progress_workbook(report: ProgressReport, path: str | Path) -> None:
    """进度与逾期: per category the self-assessment states and scoring progress (with a 合计 row),
    per target each assessor's scored cells, and the units overdue with their self-assessment."""
    def line(scope: str) -> str:
        return (f"{scope}　　发布单位：{report.issuer}　　日期：{chinese_date(report.date)}　　阶段：{report.phase}"
                f"　　自评截止：{report.deadline_text}")

    name = report.round_name
    write_sheets(path, report, f"{name}进度与逾期", [
        Sheet("进度汇总", f"{name}自评与评分进度", "", progress_columns(), [*report.categories, totals(report)],
              freeze_after="category", subtitle=line("按考核类别统计自评状态和考核员评分单元格")),
        Sheet("评分进度", f"{name}考核员评分进度", "", scoring_columns(report.assessors), report.targets,
              freeze_after="org_name", subtitle=line("每个考核对象各考核员已评的单元格（空白：回避）")),
        Sheet("逾期未提交", f"{name}逾期未提交自评单位", "", overdue_columns(), report.overdue,
              freeze_after="org_name", subtitle=line("已过自评截止日期仍未提交自评的单位")),
    ])


WITHHELD_NOTE = ("按回避规定，本人所在单位及其下属单位的评分卡（{n}份）在结果公布前不予查看，"
                 "本工作簿未包含。")


def write_cards_workbook(ranking: Ranking, cards: Sequence[ScoreCard], path: str | Path,
                         tick: Tick | None = None, withheld: int = 0) -> None:
    """One printable sheet per target: summary row, then each first level (bold, its subtotal)
    followed by its applicable leaves with points lost and deduction reasons, then 备注.
    withheld: cards left out (the reader's home unit while scores are in progress), said on a
    first sheet 说明."""
    wb = new_workbook(path, created=dt.date.fromisoformat(ranking.date),
                      title=f"{ranking.round_name}考核评分卡", author=ranking.issuer, company=ranking.issuer)
    try:
        styles = Styles(wb)
        special = _Special(wb)
        if withheld:
            ws = wb.add_worksheet("说明")
            ws.set_column(0, 0, 90)
            ws.write_string(0, 0, f"{ranking.round_name}考核评分卡", styles.wrap)
            ws.write_string(1, 0, WITHHELD_NOTE.format(n=withheld), styles.wrap)
        top = {"text": wb.add_format({**BORDER, "font_name": "宋体", "bold": True, "bg_color": "#F2F2F2"}),
               "num": styles.subtotal}
        taken: list[str] = []
        for card in cards:
            name = safe_sheet_name(f"{card.org_code} {card.org_name}", taken, fallback="评分卡")
            taken.append(name)
            _card_sheet(wb, styles, special, top, ranking, card, name)
            if tick:
                tick()
    finally:
        wb.close()


def _card_sheet(wb, styles: Styles, special: _Special, top: dict, ranking: Ranking, card: ScoreCard,
                name: str) -> None:
    ws = wb.add_worksheet(name)
    columns, summary, lines = card_columns(), card_summary_columns(), card_lines(card)
    n = len(columns)
    set_widths(ws, columns, fit_widths(columns, lines))
    write_title(ws, TITLE_ROW, n, f"{card.org_name}考核评分卡", styles.redhead, 32)
    write_title(ws, SUBTITLE_ROW, n, subtitle(ranking, f"{ranking.round_name}　　类别：{card.category}"),
                styles.redline, 20)
    write_header(ws, 2, summary, styles)
    write_table(ws, 3, summary, [card], styles, formats=[special.for_column(c, styles) for c in summary])
    header = 5
    write_header(ws, header, columns, styles)
    formats = [special.for_column(c, styles) for c in columns]

    def style_for(column, line, _value):
        if isinstance(line, CardTop):
            return top["num"] if column.kind == "num" else top["text"]
        return None

    end = write_table(ws, header + 1, columns, lines, styles, style_for, formats=formats)
    note = card.notes_text or "无"
    ws.merge_range(end + 1, 0, end + 1, n - 1, "", styles.wrap)
    ws.write_string(end + 1, 0, f"备注：{note}", styles.wrap)
    ws.freeze_panes(header + 1, 0)
    set_print(ws, PrintSetup(header, header))


def cards_job(session, user: User, rnd: Round, path: Path, progress, params: dict) -> None:
    """The score cards workbook of a round (or one category) as a background export job."""
    ranking, cards = analysis.score_cards(session, user, rnd, params.get("category"))
    left_out = analysis.withheld_cards(user, rnd, params.get("category"))
    count = {"n": 0}

    def tick() -> None:
        count["n"] += 1
        if count["n"] % 20 == 0 or count["n"] == len(cards):
            progress(count["n"], len(cards))

    write_cards_workbook(ranking, cards, path, tick=tick, withheld=left_out)
