"""Background export jobs kept in the file system, so that any app process can answer a job's
status and serve its file, and nothing lives in process memory:

    <instance>/exports/<job id>/job.json      who, what, state, progress (replaced atomically)
    <instance>/exports/<job id>/result.xlsx   the workbook, once done

A job is started by a view (in a daemon thread of the process that took the request) and runs
with its own database session, acting as the user who asked (permissions are checked again).
A job whose state has not changed for STALE is reported as interrupted (its process died)."""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import re
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, ContextManager

from scorecard.models import Round, User
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.slots import SlotsBusy

log = logging.getLogger(__name__)

KINDS = {"ranking": "考核结果排名表", "cards": "考核评分卡"}
STATES = {"queued": "排队中", "running": "正在生成", "done": "已完成", "failed": "失败"}
STALE = dt.timedelta(minutes=15)
KEEP = dt.timedelta(days=1)
RESULT = "result.xlsx"
_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class Job:
    id: str
    kind: str
    round_id: int
    user_id: int
    filename: str
    state: str = "queued"
    done: int = 0
    total: int = 0
    message: str = "排队中"
    created: str = ""
    updated: str = ""
    params: dict = field(default_factory=dict)

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    def public(self) -> dict:
        return {"id": self.id, "state": self.state, "state_label": STATES.get(self.state, self.state),
                "done": self.done, "total": self.total, "percent": self.percent, "message": self.message,
                "filename": self.filename}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def job_dir(root: Path, job_id: str) -> Path:
    if not _ID.match(job_id):
        raise FileNotFoundError(job_id)
    return Path(root) / job_id


def save(root: Path, job: Job) -> None:
    job.updated = _now().isoformat()
    folder = job_dir(root, job.id)
    tmp = folder / f"job.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(asdict(job), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / "job.json")


def load(root: Path, job_id: str) -> Job | None:
    try:
        data = json.loads((job_dir(root, job_id) / "job.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    job = Job(**data)
    if job.state in ("queued", "running") and _now() - dt.datetime.fromisoformat(job.updated) > STALE:
        job.state, job.message = "failed", "任务已中断（服务可能已重启），请重新生成"
    return job


def own_job(root: Path, user: User, job_id: str) -> Job | None:
    """A job of `user` (None: no such job); someone else's job is refused."""
    try:
        job = load(root, job_id)
    except FileNotFoundError:  # not a job id
        return None
    if job is not None and job.user_id != user.id:
        raise PermissionDenied()
    return job


def result_path(root: Path, job: Job) -> Path:
    return job_dir(root, job.id) / RESULT


def create(root: Path, user: User, rnd: Round, kind: str, filename: str, params: dict | None = None,
           limit: int | None = None) -> Job:
    """A queued job of `user`; refused while the user already has `limit` jobs queued or running
    (counted and created under a per-user file lock, so a burst of requests from any number of
    app processes cannot get past the limit)."""
    if kind not in KINDS:
        raise ServiceError("未知的导出类型", "kind")
    cleanup(root)
    Path(root).mkdir(parents=True, exist_ok=True)
    with _user_lock(root, user.id):
        if limit is not None:
            active = active_jobs(root, user)
            if len(active) >= limit:
                raise ServiceError(f"您已有{len(active)}个导出正在进行（每人同时最多{limit}个），"
                                   "请等待完成后再开始新的导出", "kind")
        job = Job(id=uuid.uuid4().hex, kind=kind, round_id=rnd.id, user_id=user.id, filename=filename,
                  created=_now().isoformat(), params=params or {})
        job_dir(root, job.id).mkdir(parents=True)
        save(root, job)
    return job


@contextlib.contextmanager
def _user_lock(root: Path, user_id: int):
    fd = os.open(Path(root) / f".user-{int(user_id)}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def active_jobs(root: Path, user: User) -> list[Job]:
    """The user's jobs still queued or running (an interrupted one no longer counts)."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        if _ID.match(folder.name):
            job = load(root, folder.name)
            if job is not None and job.user_id == user.id and job.state in ("queued", "running"):
                found.append(job)
    return found


def cleanup(root: Path, keep: dt.timedelta = KEEP) -> None:
    """Remove job folders older than keep (best effort)."""
    root = Path(root)
    if not root.is_dir():
        return
    limit = time.time() - keep.total_seconds()
    for folder in root.iterdir():
        if _ID.match(folder.name) and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


Progress = Callable[[int, int], None]


# A job's writer: fn(session, user, round, path, progress, params) checks permissions and writes
# the workbook to path (the exports layer provides them; the web layer passes them in).
Writer = Callable[..., None]


def run(root: Path, job_id: str, sessions, writers: dict[str, Writer], min_interval: float = 0.5,
        slot: Callable[[], ContextManager] = contextlib.nullcontext) -> None:
    """Run a queued job to the end with writers[job.kind]; never raises (failures are recorded
    in job.json). It stays queued until `slot()` (one of the machine's export slots) is entered."""
    job = load(root, job_id)
    if job is None or job.state != "queued":
        return
    session = sessions()
    last = [0.0]

    def update(**changes) -> None:
        for key, value in changes.items():
            setattr(job, key, value)
        save(root, job)

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= min_interval or done >= total:
            last[0] = now
            update(done=done, total=total, message=f"正在写入 {done}/{total} 行")

    try:
        with slot():
            update(state="running", message="正在计算排名…")
            user, rnd = session.get(User, job.user_id), session.get(Round, job.round_id)
            if user is None or not user.active or rnd is None:
                raise PermissionDenied()
            part = job_dir(root, job.id) / "result.part"
            writers[job.kind](session, user, rnd, part, progress, job.params)
            os.replace(part, result_path(root, job))
        update(state="done", done=job.total, message="已完成，可以下载")
    except SlotsBusy as exc:
        update(state="failed", message=str(exc))
    except ServiceError as exc:
        update(state="failed", message=exc.message)
    except Exception:  # noqa: BLE001  (recorded for the user; details in the log)
        log.exception("export job %s failed", job.id)
        update(state="failed", message="生成失败，请稍后重试或联系管理员")
    finally:
        session.rollback()
        session.close()
