"""`scorecard import scheme`, `scorecard scheme publish`, `scorecard scheme show`."""
from __future__ import annotations

import pytest

from scorecard.services.schemes import lifecycle as schemes

from .helpers import DEMO, Cli, audits, counts, template_rows, workbook


@pytest.fixture
def cli(monkeypatch, db_url, tmp_path):
    return Cli(monkeypatch, db_url, tmp_path / "cli-instance")


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "坏方案.xlsx"
    path.write_bytes(workbook({"指标": template_rows(extra=[["1.1", "1", "重复", "十分"]])}))
    return str(path)


@pytest.fixture
def unbalanced(tmp_path):
    """Parses fine, but 1 says 60 while its children sum to 70: cannot be published."""
    rows = template_rows()
    rows[2][3] = 50
    path = tmp_path / "不平衡.xlsx"
    path.write_bytes(workbook({"指标": rows}))
    return str(path)


def test_dry_run_shows_the_scheme_and_writes_nothing(cli, session, w):
    before = counts(session)
    result = cli("import", "scheme", str(DEMO), "--code", "CJ", "--name", "演示", "--year", "2025", "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "文件版式：本系统方案模板" in out
    assert "指标 35 个，末级指标 27 个；满分 100.00" in out
    assert "一级指标：1 政治建设 17.00分；2 组织建设 24.00分" in out
    assert "发布前检查：通过，可以发布" in out and "（试运行：未写入数据库）" in out
    assert "已导入" not in out
    assert counts(session) == before


def test_import_publish_show(cli, session, w):
    result = cli("import", "scheme", str(DEMO), "--code", "CJ", "--name", "演示", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "已导入方案 CJ 第1版（草稿）" in result.output
    result = cli("scheme", "publish", "CJ")
    assert result.exit_code == 0, result.output
    assert "已发布方案 CJ 第1版「演示」" in result.output
    session.expire_all()
    scheme = schemes.by_code(session, "CJ")
    assert scheme.status == "published" and scheme.categories
    assert [a.action for a in audits(session, "scheme")] == ["import", "publish"]
    assert audits(session, "scheme")[0].user_id is None  # the console
    shown = cli("scheme", "show", "CJ")
    assert shown.exit_code == 0
    assert "演示（CJ 第1版，已发布，2025年度）" in shown.output
    assert "  1.1 落实“第一议题”制度  4.00分  [扣分 每次=1]" in shown.output
    assert "发布前检查" not in shown.output
    # nothing left to publish
    again = cli("scheme", "publish", "CJ")
    assert again.exit_code == 1 and "方案「CJ」不存在草稿版本" in again.output


def test_import_errors_exit_1_and_write_nothing(cli, session, w, bad_file):
    before = counts(session)
    result = cli("import", "scheme", bad_file, "--code", "X", "--name", "坏", "--year", "2025")
    assert result.exit_code == 1
    assert "导入失败" in result.output and "数据库未作任何修改" in result.output
    assert "工作表「指标」第7行" in result.output and "指标编码重复" in result.output
    assert counts(session) == before


def test_import_reports_blocking_problems_and_publish_fails(cli, session, w, unbalanced):
    result = cli("import", "scheme", unbalanced, "--code", "U", "--name", "不平衡", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "发布前检查：共" in result.output and "指标 1「政治建设」" in result.output
    before = counts(session)
    result = cli("scheme", "publish", "U")
    assert result.exit_code == 1
    assert "未通过发布前检查" in result.output and "  - 指标 1「政治建设」" in result.output
    assert counts(session) == before
    session.expire_all()
    assert schemes.by_code(session, "U").status == "draft"


def test_bad_arguments(cli, session, w):
    result = cli("import", "scheme", str(DEMO), "--code", "", "--name", "x", "--year", "2025")
    assert result.exit_code == 1 and "方案编码不能为空" in result.output
    result = cli("scheme", "show", "NOPE")
    assert result.exit_code == 1 and "方案「NOPE」不存在" in result.output
    result = cli("scheme", "show", "NOPE", "--version", "3")
    assert result.exit_code == 1 and "不存在第3版" in result.output
