"""`scorecard round …`, `scorecard export …`, `scorecard import scores` through click's CliRunner."""
from __future__ import annotations

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from sqlalchemy import select

from scorecard.cli import main
from scorecard.models import Round, Score
from tests.exports.conftest import build_world
from tests.exports.test_score_template import fill


@pytest.fixture
def cli(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SCORECARD_DATABASE_URL", db_url)
    monkeypatch.setenv("SCORECARD_INSTANCE", str(tmp_path / "instance"))
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    return run


@pytest.fixture
def world(make, session):
    w = build_world(make, session, phase="self")
    session.commit()
    return w


def _round(session, code):
    session.expire_all()
    return session.scalar(select(Round).where(Round.code == code))


def _targets_file(path, header, codes):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_string(0, 0, "考核对象名单")
    ws.write_string(1, 0, header)
    for i, code in enumerate(codes, start=2):
        ws.write_string(i, 0, code)
    wb.close()
    return path


def test_round_create_default_targets(cli, world, session):
    result = cli("round", "create", "--scheme", "S1", "--code", "R9", "--name", "2025年度考核", "--as", "assessor")
    assert result.exit_code == 0, result.output
    assert "已创建考核轮次“R9 2025年度考核”" in result.output and "考核对象5个" in result.output
    rnd = _round(session, "R9")
    assert sorted(t.org.code for t in rnd.targets) == ["A", "B", "C", "X1", "X2"]
    assert rnd.phase == "self" and not rnd.trimmed


def test_round_create_with_targets_file_and_trimmed(cli, world, session, tmp_path):
    path = _targets_file(tmp_path / "targets.xlsx", "单位编码", ["B", "A", "A"])
    result = cli("round", "create", "--scheme", "S1", "--code", "R9", "--name", "专项", "--targets", path,
                 "--trimmed", "--as", "assessor")
    assert result.exit_code == 0, result.output
    rnd = _round(session, "R9")
    assert [t.org.code for t in rnd.targets] == ["B", "A"] and rnd.trimmed


def test_round_create_failures_exit_1(cli, world, session, tmp_path):
    bad = _targets_file(tmp_path / "bad.xlsx", "组织编码", ["A", "NOPE"])
    result = cli("round", "create", "--scheme", "S1", "--code", "R9", "--name", "x", "--targets", bad, "--as", "assessor")
    assert result.exit_code == 1 and "组织编码“NOPE”不存在" in result.output
    no_header = _targets_file(tmp_path / "nh.xlsx", "名单", ["A"])
    result = cli("round", "create", "--scheme", "S1", "--code", "R9", "--name", "x", "--targets", no_header,
                 "--as", "assessor")
    assert result.exit_code == 1 and "组织编码" in result.output
    result = cli("round", "create", "--scheme", "S1", "--code", "R9", "--name", "x")
    assert result.exit_code == 1 and "请用 --as 指定操作账号" in result.output
    result = cli("round", "create", "--scheme", "S1", "--code", "R9", "--name", "x", "--as", "leader")
    assert result.exit_code == 1 and "没有权限" in result.output
    result = cli("round", "create", "--scheme", "NOPE", "--code", "R9", "--name", "x", "--as", "assessor")
    assert result.exit_code == 1 and "方案“NOPE”不存在" in result.output
    result = cli("round", "create", "--scheme", "S1", "--code", "R9", "--name", "x", "--as", "ghost")
    assert result.exit_code == 1 and "账号“ghost”不存在" in result.output
    assert _round(session, "R9") is None


def test_default_actor_is_the_only_active_assessor(cli, world, session):
    world.w["assessor_a"].active = False
    session.commit()
    result = cli("round", "create", "--scheme", "S1", "--code", "R9", "--name", "x")
    assert result.exit_code == 0, result.output
    assert "--as" in cli("round", "create", "--help").output


def test_phases(cli, world, session):
    assert cli("round", "start-review", "R1", "--as", "assessor").exit_code == 0
    assert _round(session, "R1").phase == "review"
    result = cli("round", "publish", "R1", "--as", "assessor")
    assert result.exit_code == 0 and "公示" in result.output
    result = cli("round", "finalize", "R1", "--as", "assessor")  # 公示 has only just opened
    assert result.exit_code == 1 and "尚未期满，不能定档" in result.output and "--early-reason" not in result.output
    assert _round(session, "R1").phase == "publicity"
    result = cli("round", "finalize", "R1", "--as", "assessor", "--early-reason", "经研究提前结束公示")
    assert result.exit_code == 0 and "结果已冻结" in result.output and "经研究提前结束公示" in result.output
    rnd = _round(session, "R1")
    assert rnd.publicity_close_reason == "经研究提前结束公示"
    assert rnd.phase == "final" and rnd.snapshot
    result = cli("round", "finalize", "R1", "--as", "assessor")
    assert result.exit_code == 1 and "不能定档" in result.output
    result = cli("round", "publish", "NOPE", "--as", "assessor")
    assert result.exit_code == 1 and "轮次“NOPE”不存在" in result.output


def test_template_import_and_ranking(cli, world, session, tmp_path):
    template = tmp_path / "t.xlsx"
    result = cli("export", "score-template", "--round", "R1", "--out", template, "--as", "assessor")
    assert result.exit_code == 0 and "5个考核对象" in result.output
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(fill(template, {("A", "1.1"): 30, ("B", "1.1"): 20, ("B", "2.3"): 7}))

    result = cli("import", "scores", filled, "--round", "R1", "--assessor", "assessor", "--dry-run")
    assert result.exit_code == 0 and "将导入3个评分（2个考核对象，2个指标）" in result.output
    assert "试运行" in result.output
    session.expire_all()
    assert session.scalars(select(Score)).all() == []

    result = cli("import", "scores", filled, "--round", "R1", "--assessor", "assessor")
    assert result.exit_code == 0 and "已导入3个评分" in result.output
    session.expire_all()
    assert len(session.scalars(select(Score)).all()) == 3

    out = tmp_path / "ranking.xlsx"
    result = cli("export", "ranking", "--round", "R1", "--out", out, "--as", "leader")
    assert result.exit_code == 0 and "5个考核对象" in result.output
    ws = openpyxl.load_workbook(out)["机关"]
    assert [ws.cell(r, 2).value for r in (5, 6, 7)] == ["A", "B", "X1"] and ws["J5"].value == 30


def test_import_errors_exit_1_and_write_nothing(cli, world, session, tmp_path):
    template = tmp_path / "t.xlsx"
    assert cli("export", "score-template", "--round", "R1", "--out", template, "--as", "assessor").exit_code == 0
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(fill(template, {("A", "1.1"): 30, ("B", "1.1"): 99, ("A", "1.2"): 10}))
    result = cli("import", "scores", bad, "--round", "R1", "--assessor", "assessor")
    assert result.exit_code == 1
    assert "共2处问题" in result.output and "第5行" in result.output and "第4行" in result.output
    session.expire_all()
    assert session.scalars(select(Score)).all() == []
    home = tmp_path / "home.xlsx"
    home.write_bytes(fill(template, {("A", "1.1"): 30}))
    result = cli("import", "scores", home, "--round", "R1", "--assessor", "assessor_a")
    assert result.exit_code == 1 and "回避" in result.output and "第4行" in result.output
    result = cli("import", "scores", home, "--round", "R1", "--assessor", "leader")
    assert result.exit_code == 1 and "没有权限" in result.output
    not_xlsx = tmp_path / "x.xlsx"
    not_xlsx.write_bytes(b"not a workbook")
    result = cli("import", "scores", not_xlsx, "--round", "R1", "--assessor", "assessor")
    assert result.exit_code == 1 and "不是有效的Excel" in result.output
    assert cli("import", "scores", template, "--round", "R1").exit_code == 2  # --assessor is required


def test_export_failures_exit_1(cli, world, tmp_path):
    result = cli("export", "ranking", "--round", "R1", "--out", tmp_path / "r.xlsx", "--as", "unit_a")
    assert result.exit_code == 1 and "没有权限" in result.output
    assert not (tmp_path / "r.xlsx").exists()
    result = cli("export", "ranking", "--round", "R1", "--out", tmp_path / "missing" / "r.xlsx", "--as", "leader")
    assert result.exit_code == 1 and "无法写入文件" in result.output
    result = cli("export", "score-template", "--round", "NOPE", "--out", tmp_path / "t.xlsx", "--as", "assessor")
    assert result.exit_code == 1 and "轮次“NOPE”不存在" in result.output
