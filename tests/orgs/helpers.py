"""Shared by the organisation and account tests: workbooks, database dumps, the CLI."""
from __future__ import annotations

import io

from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import select

from scorecard.importers.orgs import OrgRow
from scorecard.models import AuditEntry, Category, Organisation, OrgGroup, User
from scorecard.services.accounts.security import SECURITY_ENTITIES

HEADER = ["编码", "名称", "上级编码", "类别", "片组", "组织类型"]


def org_xlsx(rows, header=HEADER, sheet="组织") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row(n, code, name, parent=None, category=None, group=None, kind=None) -> OrgRow:
    return OrgRow(row=n, code=code, name=name, parent_code=parent, category=category, group=group, kind=kind)


def dump(session) -> dict:
    """Everything an organisation import or account change could touch, as plain tuples."""
    session.rollback()  # a fresh read; the fixture session has nothing pending by then
    o = Organisation
    return {
        "orgs": session.execute(select(o.id, o.code, o.name, o.kind, o.parent_id, o.category_id,
                                       o.group_id, o.path, o.active).order_by(o.id)).all(),
        "categories": session.execute(select(Category.id, Category.name).order_by(Category.id)).all(),
        "groups": session.execute(select(OrgGroup.id, OrgGroup.name).order_by(OrgGroup.id)).all(),
        "users": session.execute(select(User.id, User.username, User.active).order_by(User.id)).all(),
        "audit": session.execute(select(AuditEntry.id).where(AuditEntry.entity.not_in(SECURITY_ENTITIES))
                                  .order_by(AuditEntry.id)).all(),
    }


def org_by_code(session, code: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.code == code))


def audits(session, entity: str, action: str | None = None) -> list[AuditEntry]:
    q = select(AuditEntry).where(AuditEntry.entity == entity)
    if action:
        q = q.where(AuditEntry.action == action)
    return list(session.scalars(q.order_by(AuditEntry.id)))


class Cli:
    """Runs the `scorecard` console script against the test database."""

    def __init__(self, monkeypatch, db_url: str, instance) -> None:
        monkeypatch.setenv("SCORECARD_DATABASE_URL", db_url)
        monkeypatch.setenv("SCORECARD_INSTANCE", str(instance))
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        from scorecard.cli import main

        return self.runner.invoke(main, list(args), input=input, catch_exceptions=False)
