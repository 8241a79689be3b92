"""`scorecard backup --out FILE` / `scorecard restore FILE` round-trip the whole database: after
changes and a restore, the dump is the one taken at backup time and the finalized round's
ranking workbook re-exports byte for byte. A wrong file is refused with the database unchanged."""
from __future__ import annotations

from click.testing import CliRunner

from scorecard.cli import main
from tests.finalizing import finalize

from .conftest import dump
from .test_kill9 import _finalizable_round


def _cli(db_url, tmp_path, monkeypatch, *args):
    monkeypatch.setenv("SCORECARD_DATABASE_URL", db_url)
    monkeypatch.setenv("SCORECARD_INSTANCE", str(tmp_path / "inst"))
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_backup_restore_round_trip_gives_identical_workbook(db_url, session, make, tmp_path, monkeypatch):
    rnd = _finalizable_round(session, make, n_targets=30)
    assessor = rnd.targets[0].scores[0].assessor
    finalize(session, assessor, rnd)
    session.commit()
    code = rnd.code

    first = tmp_path / "first.xlsx"
    res = _cli(db_url, tmp_path, monkeypatch, "export", "ranking", "--round", code, "--out", str(first), "--as", "assessor")
    assert res.exit_code == 0, res.output
    bak = tmp_path / "backup" / "scorecard.bak"
    res = _cli(db_url, tmp_path, monkeypatch, "backup", "--out", str(bak))
    assert res.exit_code == 0 and "已备份到" in res.output, res.output
    at_backup = dump(db_url)

    # Later changes: a renamed round, a new organisation, a deleted target.
    rnd.name = "改过的名称"
    make.org("NEW", "备份后新建的组织", rnd.owner_org)
    session.delete(rnd.targets[-1])
    session.commit()
    session.close()
    assert dump(db_url) != at_backup

    res = _cli(db_url, tmp_path, monkeypatch, "restore", str(bak), "--yes")
    assert res.exit_code == 0 and "已从备份恢复" in res.output, res.output
    assert dump(db_url) == at_backup

    again = tmp_path / "again.xlsx"
    res = _cli(db_url, tmp_path, monkeypatch, "export", "ranking", "--round", code, "--out", str(again), "--as", "assessor")
    assert res.exit_code == 0, res.output
    assert again.read_bytes() == first.read_bytes()


def test_restore_refuses_wrong_file_and_keeps_database(db_url, session, make, tmp_path, monkeypatch):
    make.world()
    session.commit()
    before = dump(db_url)
    bogus = tmp_path / "not-a-backup.bak"
    bogus.write_bytes(b"PK\x03\x04 this is a zip, not a backup")
    res = _cli(db_url, tmp_path, monkeypatch, "restore", str(bogus), "--yes")
    assert res.exit_code == 1 and "恢复失败，数据库未作修改" in res.output and "not-a-backup.bak" in res.output
    missing = _cli(db_url, tmp_path, monkeypatch, "restore", str(tmp_path / "nope.bak"), "--yes")
    assert missing.exit_code == 1 and "不存在" in missing.output
    assert dump(db_url) == before


def test_restore_asks_for_confirmation(db_url, session, make, tmp_path, monkeypatch):
    make.world()
    session.commit()
    bak = tmp_path / "b.bak"
    assert _cli(db_url, tmp_path, monkeypatch, "backup", "--out", str(bak)).exit_code == 0
    monkeypatch.setenv("SCORECARD_DATABASE_URL", db_url)
    res = CliRunner().invoke(main, ["restore", str(bak)], input="n\n")
    assert res.exit_code == 1 and "确定继续吗" in res.output
