"""Shared by the scheme tests: parsed schemes built in code, workbooks, dumps, the CLI."""
from __future__ import annotations

import io
from decimal import Decimal as D
from pathlib import Path

from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import func, select

from scorecard.importers.scheme import ParsedIndicator, ParsedItem, ParsedScheme
from scorecard.models import AuditEntry, Category, Indicator, Scheme, SchemeItem, Tier
from scorecard.models.schemes import indicator_category, scheme_category
from scorecard.services.accounts.security import SECURITY_ENTITIES

DEMO = Path(__file__).resolve().parents[2] / "imports" / "demo_scheme.xlsx"
TEMPLATE_HEADER = ["编码", "上级编码", "名称", "分值", "考核内容", "评分标准", "考核方式", "适用类别",
                   "计分类型", "计分参数", "佐证提示"]


def ind(code, parent, name, points, rule_type="", params=None, categories=(), **kw) -> ParsedIndicator:
    return ParsedIndicator(
        row=kw.pop("row", 0), code=code, parent_code=parent, name=name, max_points=D(str(points)),
        content=kw.pop("content", ""), rule_text=kw.pop("rule_text", ""), methods=list(kw.pop("methods", [])),
        categories=list(categories), rule_type=rule_type, params=params or {},
        evidence_hint=kw.pop("evidence_hint", ""))


def parsed(indicators=None, items=None, tiers=None, settings=None, layout="template", title=None) -> ParsedScheme:
    """A small valid scheme: 1 政治建设 60 (1.1 40 direct, 1.2 20 deduct), 2 组织建设 40 (2.1 grade)."""
    if indicators is None:
        indicators = [
            ind("1", None, "政治建设", 60),
            ind("1.1", "1", "第一议题", 40, "direct", methods=["日常考核"], content="学习传达",
                rule_text="未学习的不得分", evidence_hint="学习记录"),
            ind("1.2", "1", "三会一课", 20, "deduct", {"per": "2"}, methods=["实地核验", "日常考核"]),
            ind("2", None, "组织建设", 40),
            ind("2.1", "2", "主题党日", 40, "grade",
                {"levels": [["好", "1"], ["较好", "0.8"], ["一般", "0.6"], ["差", "0"]]}),
        ]
    if items is None:
        items = [ParsedItem(2, "B1", "获得表彰", "bonus", D(1), D(2)),
                 ParsedItem(3, "P1", "未按期换届", "penalty", D(2), None)]
    return ParsedScheme(layout, title, indicators, items, list(tiers or []), dict(settings or {}))


def workbook(sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
        for ref in (merges or {}).get(title, []):
            ws.merge_cells(ref)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_rows(extra=()) -> list[list]:
    return [TEMPLATE_HEADER,
            ["1", "", "政治建设", 60],
            ["1.1", "1", "第一议题", 40, "学习传达", "未学习不得分", "日常考核", "机关、事业单位", "直接打分", "", "学习记录"],
            ["1.2", "1", "三会一课", 20, "", "每缺1次扣2分", "实地核验", "", "扣分", "每次=2"],
            ["2", "", "组织建设", 40],
            ["2.1", "2", "主题党日", 40, "", "", "", "", "档次", ""],
            *extra]


def counts(session) -> dict:
    """Row counts of every table a scheme import or edit touches, plus the audit ids."""
    session.rollback()
    tables = {"scheme": Scheme, "indicator": Indicator, "item": SchemeItem, "tier": Tier, "category": Category}
    out = {name: session.scalar(select(func.count()).select_from(model)) for name, model in tables.items()}
    out["scheme_category"] = session.scalar(select(func.count()).select_from(scheme_category))
    out["indicator_category"] = session.scalar(select(func.count()).select_from(indicator_category))
    out["audit"] = session.scalars(select(AuditEntry.id).where(AuditEntry.entity.not_in(SECURITY_ENTITIES))
                                   .order_by(AuditEntry.id)).all()
    return out


def audits(session, entity=None, action=None) -> list[AuditEntry]:
    q = select(AuditEntry)
    if entity:
        q = q.where(AuditEntry.entity == entity)
    if action:
        q = q.where(AuditEntry.action == action)
    return list(session.scalars(q.order_by(AuditEntry.id)))


class Cli:
    """Runs the `scorecard` console script against the test database."""

    def __init__(self, monkeypatch, db_url: str, instance) -> None:
        monkeypatch.setenv("SCORECARD_DATABASE_URL", db_url)
        monkeypatch.setenv("SCORECARD_INSTANCE", str(instance))
        self.runner = CliRunner()

    def __call__(self, *args: str):
        from scorecard.cli import main

        return self.runner.invoke(main, list(args), catch_exceptions=False)
