"""`scorecard export votes-template ROUND` and `scorecard import votes ROUND FILE`: the web page's
template, importer and service on the command line; a bad file names its row, writes nothing."""
from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from scorecard.cli import main
from scorecard.models import PanelVote
from scorecard.services.rounds.ranking import compute_ranking
from scorecard.services.scoring import votes

from .conftest import D, row_of


@pytest.fixture
def cli(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SCORECARD_DATABASE_URL", db_url)
    monkeypatch.setenv("SCORECARD_INSTANCE", str(tmp_path / "instance"))
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def _stored(session):
    session.expire_all()
    return sorted((v.rater, v.choice) for v in session.query(PanelVote))


def _filled(template, path, *rows):
    wb = openpyxl.load_workbook(template)
    ws = wb["评议票"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["组织编码", "组织名称", "指标编码", "评议人", "评价"]
    for r in ws.iter_rows(min_row=2):  # the template lists targets × leaves; keep only our rows
        for c in r:
            c.value = None
    for i, r in enumerate(rows, start=2):
        for j, v in enumerate(r, start=1):
            ws.cell(i, j, v)
    wb.save(path)
    return path


def test_template_then_import_dry_run_and_for_real(cli, session, w, tmp_path):
    out = tmp_path / "votes.xlsx"
    result = cli("export", "votes-template", "R1", "--out", out, "--as", "assessor")
    assert result.exit_code == 0, result.output
    assert "已导出述职评议票模板" in result.output and out.exists()
    path = _filled(out, tmp_path / "filled.xlsx", ("A", "甲", "2.2", "评委1", "满意"),
                   ("A", "甲", "2.2", "评委2", "不满意"), ("B", "乙", "2.2", "评委1", "基本满意"))
    result = cli("import", "votes", "R1", path, "--dry-run", "--as", "assessor")
    assert result.exit_code == 0 and "将导入评议票3张" in result.output and "试运行" in result.output
    assert _stored(session) == []
    result = cli("import", "votes", "R1", path, "--as", "assessor")
    assert result.exit_code == 0 and "已导入评议票3张" in result.output
    assert _stored(session) == [("评委1", "基本满意"), ("评委1", "满意"), ("评委2", "不满意")]
    report = compute_ranking(session, w["round"])
    assert row_of(report, w["ta"]).leaf_scores["2.2"] == D("10.00")  # the web import's numbers


def test_bad_file_names_the_row_and_changes_nothing(cli, session, w, tmp_path):
    votes.save_grid(session, w["assessor"], w["ta"], [votes.GridRow("原评委", {"2.2": "满意"})])
    session.commit()
    out = tmp_path / "votes.xlsx"
    assert cli("export", "votes-template", "R1", "--out", out, "--as", "assessor").exit_code == 0
    path = _filled(out, tmp_path / "bad.xlsx", ("B", "乙", "2.2", "评委9", "满意"),
                   ("A", "甲", "2.2", "评委1", "很满意"))
    result = cli("import", "votes", "R1", path, "--as", "assessor")
    assert result.exit_code == 1
    assert "导入失败，共1处问题，数据库未作任何修改" in result.output
    assert "第3行E列：评价“很满意”无效，可选：满意、基本满意、不满意" in result.output
    assert _stored(session) == [("原评委", "满意")]


def test_other_committee_and_unknown_round_are_refused(cli, session, w, tmp_path):
    out = tmp_path / "votes.xlsx"
    result = cli("export", "votes-template", "R1", "--out", out, "--as", "other_assessor")
    assert result.exit_code == 1 and "没有权限" in result.output and not out.exists()
    result = cli("export", "votes-template", "NOPE", "--out", out, "--as", "assessor")
    assert result.exit_code == 1 and "轮次“NOPE”不存在" in result.output
