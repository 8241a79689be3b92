"""The ranking workbook (考核结果排名表), DESIGN §3: a sheet per category, 总体, 等次分布 (a native
Excel chart), 得分明细, 扣分原因, 加减分 and 说明. Built from the column specs the HTML ranking
page uses, written row by row in XlsxWriter's constant-memory mode (a 5,000-target round stays
flat in memory); an optional progress callback receives (rows written, rows in all)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from sqlalchemy.orm import Session

from scorecard.domain.ranking import Ranking, RankingAdjustment, RankingRow, RankingRules
from scorecard.domain.ranking_rules import explain
from scorecard.exports.columns import Column, deduction_columns, detail_columns, ranking_columns
from scorecard.exports.ranking_chart import CHART, tier_names, write_tier_chart
from scorecard.exports.xlsx import (
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
    writing,
)
from scorecard.models import Round, User
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied
from scorecard.services.rounds.ranking import ranking_for, ranking_rules

OVERALL = "总体"
DETAIL = "得分明细"
DEDUCTIONS = "扣分原因"
ADJUSTMENTS = "加减分"
NOTES = "说明"
FIXED_SHEETS = (OVERALL, CHART, DETAIL, DEDUCTIONS, ADJUSTMENTS, NOTES)
ProgressFn = Callable[[int, int], None]
TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 0, 1, 2


def adjustment_columns() -> list[Column]:
    return [
        Column("category", "类别", "text", 10, lambda a: a.category),
        Column("org_code", "组织编码", "text", 10, lambda a: a.org_code),
        Column("org_name", "组织名称", "text", 34, lambda a: a.org_name),
        Column("item", "项目", "text", 30, lambda a: f"{a.item_code} {a.item_name}"),
        Column("kind", "加分/减分", "text", 10, lambda a: a.kind),
        Column("points", "分值", "num", 8, lambda a: a.points),
        Column("reason", "原因", "text", 50, lambda a: a.reason),
    ]


def write_ranking_workbook(report: Ranking, path: str | Path, rules: RankingRules | None = None,
                           progress: ProgressFn | None = None) -> None:
    """Write the whole workbook; the same report (and rules) always gives the same bytes."""
    rules = completed(rules or RankingRules(), report)
    wb = new_workbook(path, created=dt.date.fromisoformat(report.date),
                      title=ranking_title(report.round_name), author=report.issuer,
                      company=report.issuer)
    try:
        styles = Styles(wb)
        total = 3 * len(report.rows) + len(report.deductions) + len(report.adjustments)
        sheet = _SheetWriter(wb, styles, report, rules, Progress(total, progress))
        taken = list(FIXED_SHEETS)
        for category in report.categories:
            name = safe_sheet_name(category, taken, fallback="类别")
            taken.append(name)
            sheet.ranking(name, report.rows_of(category), f"考核类别：{category}")
        sheet.ranking(OVERALL, overall_rows(report), "全部考核对象")
        write_tier_chart(wb, styles, report, sheet.tiers, sheet.subtitle())
        sheet.detail()
        sheet.deductions()
        sheet.adjustments()
        _notes_sheet(wb, styles, report, rules)
        sheet.progress.finish()
    finally:
        wb.close()


class Progress:
    """Counts rows written and reports (done, total) to callback every `every` rows."""

    def __init__(self, total: int, callback: ProgressFn | None, every: int = 250) -> None:
        self.total, self.callback, self.every, self.done = max(total, 1), callback, every, 0

    def tick(self) -> None:
        self.done += 1
        if self.callback is not None and self.done % self.every == 0:
            self.callback(min(self.done, self.total), self.total)

    def finish(self) -> None:
        if self.callback is not None:
            self.callback(self.total, self.total)


def ranking_title(round_name: str) -> str:
    """"2025年度党建考核" → "2025年度党建考核结果排名表"; otherwise name + "考核结果排名表"."""
    name = round_name.strip()
    return f"{name}结果排名表" if name.endswith("考核") else f"{name}考核结果排名表"


def overall_rows(report: Ranking) -> list[RankingRow]:
    """All targets by category (report order), then rank; ties keep the report's order."""
    order = {c: i for i, c in enumerate(report.categories)}
    return sorted(report.rows, key=lambda r: (order.get(r.category, len(order)), r.rank))


class _SheetWriter:
    def __init__(self, wb, styles: Styles, report: Ranking, rules: RankingRules, progress: Progress) -> None:
        self.wb, self.styles, self.report, self.rules, self.progress = wb, styles, report, rules, progress
        self.tiers = tier_names(report, rules.tiers)
        self.tier_index = {name: i for i, name in enumerate(self.tiers)}

    def ranking(self, name: str, rows: Sequence[RankingRow], scope: str) -> None:
        columns = ranking_columns(self.report)
        self._table(name, ranking_title(self.report.round_name), scope, columns, rows,
                    freeze_after="org_name", style_for=self._tier_style)

    def detail(self) -> None:
        self._table(DETAIL, f"{self.report.round_name}指标得分明细", "各末级指标最终得分（灰色为不适用）",
                    detail_columns(self.report), overall_rows(self.report),
                    freeze_after="org_name", style_for=self._detail_style)

    def deductions(self) -> None:
        self._table(DEDUCTIONS, f"{self.report.round_name}扣分原因", "每条扣分及其原因",
                    deduction_columns(), self.report.deductions, freeze_after="org_name")

    def adjustments(self) -> None:
        items: list[RankingAdjustment] = self.report.adjustments
        self._table(ADJUSTMENTS, f"{self.report.round_name}加减分明细", "加分项与减分项",
                    adjustment_columns(), items, freeze_after="org_name")

    def _table(self, name, title, scope, columns, items, freeze_after, style_for=None) -> None:
        ws = self.wb.add_worksheet(name)
        styles, n = self.styles, len(columns)
        set_widths(ws, columns, fit_widths(columns, items))
        write_title(ws, TITLE_ROW, n, title, styles.redhead, 32)
        write_title(ws, SUBTITLE_ROW, n, f"{scope}　　{self.subtitle()}", styles.redline, 20)
        levels = header_rows(columns)
        for offset in range(levels):
            ws.set_row(HEADER_ROW + offset, 22 if levels == 2 and offset == 0 else 36)
        write_header(ws, HEADER_ROW, columns, styles)
        first = HEADER_ROW + levels
        end = write_table(ws, first, columns, items, styles, style_for, tick=self.progress.tick)
        keys = [c.key for c in columns]
        ws.freeze_panes(first, keys.index(freeze_after) + 1)
        ws.autofilter(first - 1, 0, max(end - 1, first - 1), n - 1)
        set_print(ws, PrintSetup(HEADER_ROW, first - 1))

    def subtitle(self) -> str:
        r = self.report
        return (f"发布单位：{r.issuer}　　日期：{chinese_date(r.date)}　　阶段：{r.phase}"
                f"　　满分{points_text(r.full_marks)}分")

    def _tier_style(self, column: Column, _row, value):
        if column.key == "tier" and value in self.tier_index:
            return self.styles.tier(self.tier_index[value], len(self.tiers))
        if column.key == "notes":
            return self.styles.wrap
        return None

    def _detail_style(self, column: Column, row: RankingRow, value):
        if column.key in ("tier", "notes"):
            return self._tier_style(column, row, value)
        if column.key.startswith("leaf:") and column.key[5:] not in row.leaf_scores:
            return self.styles.grey
        if column.key.startswith("sub:"):
            return self.styles.subtotal
        return None


def _notes_sheet(wb, styles: Styles, report: Ranking, rules: RankingRules) -> None:
    ws = wb.add_worksheet(NOTES)
    ws.set_column(0, 0, 100)
    ws.set_row(0, 30)
    ws.write_string(0, 0, "计分与排名说明", styles.title)
    row = 1
    for heading, lines in explanation(report, rules):
        ws.set_row(row, 22)
        ws.write_string(row, 0, heading, styles.heading)
        row += 1
        for line in lines:
            ws.set_row(row, 15 * (1 + len(line) // 48))
            ws.write_string(row, 0, line, styles.paragraph)
            row += 1
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_footer("&C第 &P 页，共 &N 页")


def explanation(report: Ranking, rules: RankingRules) -> list[tuple[str, list[str]]]:
    """The 说明 sheet as (heading, lines): the rules as the ranking page shows them
    (domain/ranking_rules.explain), then where this workbook's data comes from and its sheets."""
    return [*explain(rules), ("六、数据来源", _source(report)), ("七、各工作表", SHEETS_NOTE)]


SHEETS_NOTE = [
    "各类别工作表：该类别考核对象的排名；“总体”：全部考核对象，按类别、再按名次排列。等次单元格按等次着色。",
    "“等次分布”：各类别获得各等次的考核对象数及图表。",
    "“得分明细”：每个考核对象各末级指标的最终得分，每个一级指标后为其“小计”；灰色单元格表示该指标不适用于其类别，空白表示未评分。",
    "“扣分原因”：每一条扣分及考核员填写的原因；“加减分”：加分项、减分项及其原因。",
]


def completed(rules: RankingRules, report: Ranking) -> RankingRules:
    """The rules with what the report knows filled in (full marks, first-level names)."""
    return replace(rules, full_marks=report.full_marks if rules.full_marks is None else rules.full_marks,
                   top_names=rules.top_names or tuple((t.code, t.name) for t in report.tops))


def _source(report: Ranking) -> list[str]:
    if report.final:
        return ["本轮考核已定档，本表数据取自定档时冻结的快照（组织名称为定档时的名称），每次导出内容一致。"]
    return [f"本轮考核处于“{report.phase}”阶段，本表按导出时的评分实时计算，定档前数据可能变化。"]


def export_ranking(session: Session, actor: User, rnd: Round, path: str | Path,
                   today: dt.date | None = None, progress: Callable[[int, int], None] | None = None) -> Ranking:
    """The ranking workbook; a finalized round comes from its frozen snapshot."""
    if not permissions.can_view_ranking(actor, rnd):
        raise PermissionDenied()
    report = ranking_for(session, rnd, today)
    with writing(path):
        write_ranking_workbook(report, path, ranking_rules(rnd), progress=progress)
    return report


def ranking_job(session: Session, user: User, rnd: Round, path: Path, progress: Callable[[int, int], None],
                params: dict) -> None:
    """The ranking workbook as a background export job (services/reports/jobs.py)."""
    export_ranking(session, user, rnd, path, progress=progress)
