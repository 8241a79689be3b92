"""`scorecard demo` loads the example from imports/ through the real importers and services:
the organisation tree, the 27-leaf scheme, a round in review with two assessors' scores and
a bonus and a penalty, and a ranking that can be computed and exported."""
from __future__ import annotations

from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import func, select

from scorecard.cli import main
from scorecard.models import Category, Organisation, OrgGroup, Round, Score, User


def test_demo_loads_and_ranks(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SCORECARD_DATABASE_URL", db_url)
    runner = CliRunner()
    result = runner.invoke(main, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "访问地址：http://127.0.0.1:5000/" in result.output
    for username in ("admin", "kaohe_a", "lingdao", "tianbao", "jifen"):
        assert username in result.output

    from scorecard.db import make_engine, make_session_factory

    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Organisation)) == 192
        assert session.scalar(select(func.count()).select_from(OrgGroup)) == 9
        assert {c.name for c in session.scalars(select(Category))} >= {"党政机关", "事业单位", "国有企业", "医疗卫生"}
        rnd = session.scalar(select(Round).where(Round.code == "2025-ZZJG"))
        assert rnd.phase == "review" and len(rnd.targets) == 91
        parents = {i.parent_id for i in rnd.scheme.indicators}
        assert len([i for i in rnd.scheme.indicators if i.id not in parents]) == 27
        assessors = session.scalars(select(User.username).join(Score, Score.assessor_id == User.id).distinct())
        assert set(assessors) == {"kaohe_a", "kaohe_b"}
        assert {u.role for u in session.scalars(select(User))} == {"admin", "assessor", "leader", "unit", "clerk"}
    engine.dispose()

    # Loading twice is harmless; the round's workbook exports with every target ranked.
    again = runner.invoke(main, ["demo", "--no-serve"])
    assert again.exit_code == 0 and "已存在" in again.output
    out = tmp_path / "ranking.xlsx"
    exported = runner.invoke(main, ["export", "ranking", "--round", "2025-ZZJG", "--out", str(out), "--as", "lingdao"])
    assert exported.exit_code == 0, exported.output
    overall = load_workbook(out)["总体"]
    ranked = [row for row in overall.iter_rows(min_row=5, values_only=True) if isinstance(row[0], int)]
    assert len(ranked) == 91
    assert all(isinstance(row[15], (int, float)) for row in ranked)


def test_address_in_use_gives_a_clear_chinese_message(db_url, monkeypatch):
    """`scorecard demo` / `serve` a second time on a taken port: one sentence, not a traceback,
    and the demo does not print logins for a server that cannot start."""
    import socket

    monkeypatch.setenv("SCORECARD_DATABASE_URL", db_url)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for args in (["demo", "--port", str(port)], ["serve", "--port", str(port)]):
            result = CliRunner().invoke(main, args)
            assert result.exit_code != 0, args
            assert f"地址 127.0.0.1:{port} 已被占用" in result.output and f"--port {port + 1}" in result.output
            assert "Traceback" not in result.output and "访问地址" not in result.output
