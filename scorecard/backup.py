"""Whole-database backup and restore.

SQLite: the online backup API (a consistent copy while the app keeps running; restoring copies
the backup into the live file page by page under SQLite's own locking, so it is all-or-nothing).
PostgreSQL: ``pg_dump --format=custom`` and, to restore, the dump's SQL (``pg_restore -f -``)
applied by ``psql --single-transaction`` after dropping the public schema: either the whole
backup is in place afterwards or nothing changed.

The file format is recognised by its first bytes, so a SQLite backup cannot be restored into
PostgreSQL by mistake (or the other way round).
"""
from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A refused or failed backup/restore, with a Chinese message."""


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份")
    return Path(database)


def backup(url: str, out: str | Path) -> Path:
    """Write a consistent copy of the database at `url` to `out` (replaced atomically)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        if is_sqlite(url):
            _sqlite_backup(sqlite_path(url), tmp)
        else:
            _pg_run(url, ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(tmp)])
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def restore(url: str, src: str | Path) -> None:
    """Replace the whole content of the database at `url` with the backup `src`."""
    src = Path(src)
    if not src.is_file():
        raise BackupError(f"备份文件“{src}”不存在")
    head = src.open("rb").read(16)
    if is_sqlite(url):
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"“{src.name}”不是 SQLite 备份文件（当前数据库为 SQLite）")
        _sqlite_restore(src, sqlite_path(url))
    else:
        if not head.startswith(PGDUMP_MAGIC):
            raise BackupError(f"“{src.name}”不是 PostgreSQL 备份文件（pg_dump 自定义格式）")
        _pg_restore(url, src)


def _sqlite_backup(path: Path, dest: Path) -> None:
    if not path.exists():
        raise BackupError(f"数据库文件“{path}”不存在")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _sqlite_restore(src: Path, path: Path) -> None:
    backup_db = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        if backup_db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"备份文件“{src.name}”已损坏（完整性检查未通过）")
        tables = {r[0] for r in backup_db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            raise BackupError(f"“{src.name}”不是本系统的数据库备份（缺少 alembic_version 表）")
        live = sqlite3.connect(path, timeout=30)
        try:
            backup_db.backup(live)  # one locked copy: readers see the old or the new database
        finally:
            live.close()
    finally:
        backup_db.close()


# -- PostgreSQL ---------------------------------------------------------------------------

def pg_tool(name: str) -> str:
    """pg_dump/pg_restore/psql: $SCORECARD_PG_BIN, else the newest Debian server's, else PATH."""
    dirs = [os.environ.get("SCORECARD_PG_BIN", "")]
    dirs += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for d in dirs:
        if d and os.access(os.path.join(d, name), os.X_OK):
            return os.path.join(d, name)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"找不到 PostgreSQL 工具 {name}（请安装 postgresql-client 或设置 SCORECARD_PG_BIN）")
    return found


def _version_key(path: str) -> tuple:
    part = Path(path).parent.name
    return tuple(int(x) for x in part.split(".") if x.isascii() and x.isdigit()) or (0,)


def pg_conn_args(url: str) -> tuple[list[str], dict[str, str]]:
    """libpq command-line arguments and environment (password) for a SQLAlchemy URL."""
    u = make_url(url)
    args = ["--dbname", u.database or "postgres"]
    if u.host:
        args += ["--host", u.host]
    if u.port:
        args += ["--port", str(u.port)]
    if u.username:
        args += ["--username", u.username]
    env = dict(os.environ)
    if u.password is not None:
        env["PGPASSWORD"] = str(u.password)
    return args, env


def _pg_run(url: str, cmd: list[str], **kw) -> subprocess.CompletedProcess:
    args, env = pg_conn_args(url)
    cmd = [pg_tool(cmd[0]), *cmd[1:], *args]
    proc = subprocess.run(cmd, env=env, stdout=kw.pop("stdout", subprocess.PIPE), stderr=subprocess.PIPE, **kw)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise BackupError(f"{Path(cmd[0]).name} 执行失败：{err[-2000:]}")
    return proc


def _pg_restore(url: str, src: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "restore.sql"
        with script.open("wb") as f:
            f.write(_PG_CLEAR.encode())
            f.flush()
            proc = subprocess.run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file", "-", str(src)],
                                  stdout=f, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise BackupError(f"备份文件“{src.name}”无法读取：{proc.stderr.decode('utf-8', 'replace').strip()[-1000:]}")
        _pg_run(url, ["psql", "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1",
                      "--file", str(script)], stdout=subprocess.DEVNULL)


# Drop every table, view, sequence, enum/domain type and function of schema public (the schema itself stays,
# with its owner and grants), inside the same transaction as the restore.
_PG_CLEAR = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') LOOP
    EXECUTE format('DROP %s IF EXISTS public.%I CASCADE',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                     WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.relname);
  END LOOP;
  FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') LOOP
    EXECUTE format('DROP TYPE IF EXISTS public.%I CASCADE', r.typname);
  END LOOP;
  -- functions of the schema (the audit guard's trigger function), not those of an extension
  FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' AND p.prokind = 'f' AND NOT EXISTS (SELECT 1 FROM pg_depend d
                 WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.sig);
  END LOOP;
END $$;
"""
