"""`scorecard export loss-analysis|groups|score-cards|compare --round R --out FILE`."""
from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from scorecard.cli import main


@pytest.fixture
def cli(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SCORECARD_DATABASE_URL", db_url)
    monkeypatch.setenv("SCORECARD_INSTANCE", str(tmp_path / "instance"))
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_every_export(cli, committed, make, tmp_path):
    make.round(committed.scheme, committed.w["root"], [committed.w["a"]], code="R2")
    committed.session.commit()
    cases = [("loss-analysis", "失分分析", "5个末级指标"), ("groups", "片组汇总", "3个片组"),
             ("score-cards", "A 甲局机关党委", "5个考核对象")]
    for name, sheet, said in cases:
        out = tmp_path / f"{name}.xlsx"
        result = cli("export", name, "--round", "R1", "--out", out, "--as", "leader")
        assert result.exit_code == 0 and said in result.output, result.output
        assert sheet in openpyxl.load_workbook(out).sheetnames
    out = tmp_path / "cmp.xlsx"
    result = cli("export", "compare", "--round", "R2", "--against", "R1", "--out", out, "--as", "leader")
    assert result.exit_code == 0 and "5个组织" in result.output
    result = cli("export", "score-cards", "--round", "R1", "--category", "机关", "--out", out, "--as", "admin")
    assert "3个考核对象" in result.output


def test_refusals_exit_nonzero_with_chinese(cli, committed, tmp_path):
    out = tmp_path / "x.xlsx"
    result = cli("export", "loss-analysis", "--round", "R1", "--out", out, "--as", "unit_a")
    assert result.exit_code == 1 and "没有权限" in result.output and not out.exists()
    result = cli("export", "groups", "--round", "NOPE", "--out", out, "--as", "leader")
    assert result.exit_code == 1 and "轮次“NOPE”不存在" in result.output
    result = cli("export", "groups", "--round", "R1", "--out", tmp_path / "no" / "dir" / "x.xlsx", "--as", "leader")
    assert result.exit_code == 1 and "无法写入文件" in result.output
