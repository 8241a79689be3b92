"""Evidence storage backends (local folder, S3-compatible) through the web app: the whole
upload → download → preview → dedupe → delete flow, a missing object (404), the store down
(clear Chinese message, database unchanged) and no orphaned objects when the transaction that
stored a file does not commit. Each test runs on both backends (tests/evidence/conftest.py)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import event, func, select

from scorecard.config import load_config
from scorecard.models import AuditEntry, Evidence
from scorecard.services import audit
from scorecard.services import evidence as ev_svc
from scorecard.storage import LocalStorage, StorageError, make_storage, storage_for
from scorecard.storage.s3 import S3Storage
from tests.conftest import login
from tests.evidence import samples
from tests.evidence.conftest import S3_PREFIX, blobs
from tests.evidence.s3server import MotoServer


def up(client, org, data, name, **extra):
    return client.post("/evidence/upload", data={"org": str(org.id), "file": (io.BytesIO(data), name), **extra},
                       content_type="multipart/form-data")


def rows(session) -> tuple[int, int]:
    session.expire_all()
    return (session.scalar(select(func.count()).select_from(Evidence)),
            session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "evidence")))


def test_backend_comes_from_the_environment(app, backend, store, evidence_env):
    assert app.config["EVIDENCE_STORAGE"] == backend
    assert storage_for(app) is store  # one storage (and one boto3 client) per app
    if backend == "s3":
        assert isinstance(store, S3Storage) and store.prefix == S3_PREFIX + "/"
        assert store.bucket == evidence_env["SCORECARD_S3_BUCKET"]
        assert store.client.meta.endpoint_url == evidence_env["SCORECARD_S3_ENDPOINT_URL"]
        assert store.client.meta.config.s3["addressing_style"] == "path"
    else:
        assert isinstance(store, LocalStorage) and str(store.root) == evidence_env["SCORECARD_EVIDENCE_DIR"]


def test_s3_settings_and_their_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("SCORECARD_EVIDENCE_STORAGE", "s3")
    monkeypatch.setenv("SCORECARD_S3_ENDPOINT_URL", "https://oss-cn-hangzhou.aliyuncs.com")
    monkeypatch.setenv("SCORECARD_S3_BUCKET", "dangjian")
    monkeypatch.setenv("SCORECARD_S3_ADDRESSING_STYLE", "virtual")
    config = load_config({"INSTANCE_PATH": str(tmp_path)})
    assert (config["S3_REGION"], config["S3_PREFIX"]) == ("us-east-1", "")
    store = make_storage(config)
    assert (store.bucket, store.prefix, store.client.meta.region_name) == ("dangjian", "", "us-east-1")
    assert store.client.meta.config.s3["addressing_style"] == "virtual"
    with pytest.raises(RuntimeError, match="SCORECARD_S3_BUCKET"):
        make_storage({**config, "S3_BUCKET": ""})
    with pytest.raises(RuntimeError, match="ADDRESSING_STYLE"):
        make_storage({**config, "S3_ADDRESSING_STYLE": "dns"})
    with pytest.raises(RuntimeError, match="unknown evidence storage backend 'ftp'"):
        make_storage({**config, "EVIDENCE_STORAGE": "ftp"})


def test_upload_download_preview_dedupe_delete(client, session, world, store):
    login(client, "unit_a")
    resp = up(client, world["a"], samples.pdf("总结"), "2025年党建工作总结.pdf", title="年度总结")
    assert resp.status_code == 302
    assert "已上传“2025年党建工作总结.pdf”" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert up(client, world["a"], samples.png(3), "支部活动.png").status_code == 302
    pdf, png = session.scalars(select(Evidence).order_by(Evidence.id)).all()
    assert blobs(store) == sorted([pdf.storage_key, png.storage_key])
    assert store.exists(pdf.storage_key) and store.exists(png.storage_key)

    resp = client.get(f"/evidence/{pdf.id}/download")
    assert resp.status_code == 200 and resp.data == samples.pdf("总结")
    assert resp.headers["Content-Disposition"].startswith("attachment") and resp.mimetype == "application/pdf"
    resp = client.get(f"/evidence/{png.id}/preview")
    assert resp.status_code == 200 and resp.data == samples.png(3) and resp.mimetype == "image/png"
    assert resp.headers["Content-Security-Policy"].startswith("sandbox")

    # the same bytes again: recognised, nothing new stored
    resp = up(client, world["a"], samples.pdf("总结"), "副本.pdf")
    assert "内容完全相同" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert rows(session)[0] == 2 and len(blobs(store)) == 2

    store.delete(png.storage_key)
    store.delete(png.storage_key)  # deleting twice is fine
    assert not store.exists(png.storage_key) and blobs(store) == [pdf.storage_key]


def test_missing_object_is_a_clean_404(client, session, world, store):
    ev = ev_svc.upload(session, world["unit_a"], store, world["a"], samples.png(), "照片.png").evidence
    session.commit()
    store.delete(ev.storage_key)
    with pytest.raises(FileNotFoundError):
        store.open(ev.storage_key)
    login(client, "unit_a")
    for url in (f"/evidence/{ev.id}/download", f"/evidence/{ev.id}/preview"):
        resp = client.get(url)
        assert resp.status_code == 404 and "的文件在存储中找不到" in resp.get_data(as_text=True)


def break_store(backend, app, tmp_path_factory):
    """Replace the app's store by one whose server went away (s3) or whose folder is unusable (local)."""
    if backend == "s3":
        server = MotoServer(tmp_path_factory.mktemp("moto-down"))
        try:
            server.client().create_bucket(Bucket="down")
            dead = make_storage({**app.config, "S3_ENDPOINT_URL": server.url, "S3_BUCKET": "down"})
            dead.client.list_objects_v2(Bucket="down")  # it was reachable
        finally:
            server.stop()
    else:
        not_a_dir = tmp_path_factory.mktemp("bad") / "evidence"
        not_a_dir.write_text("a file where the folder should be")
        dead = LocalStorage(not_a_dir)
    app.extensions["scorecard.storage"] = dead
    return dead


def test_store_down_at_upload_gives_a_clear_message_and_changes_nothing(client, session, world, app, backend,
                                                                         tmp_path_factory):
    break_store(backend, app, tmp_path_factory)
    login(client, "unit_a")
    resp = up(client, world["a"], samples.pdf(), "会议记录.pdf")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 503
    assert "文件“会议记录.pdf”未能保存：佐证材料存储服务暂时不可用" in html and "本次操作未作任何修改" in html
    assert rows(session) == (0, 0)


def test_store_down_at_download_is_503(client, session, world, store, app, backend, tmp_path_factory):
    ev = ev_svc.upload(session, world["unit_a"], store, world["a"], samples.pdf(), "x.pdf").evidence
    session.commit()
    dead = break_store(backend, app, tmp_path_factory)
    login(client, "unit_a")
    resp = client.get(f"/evidence/{ev.id}/download")
    assert resp.status_code == 503 and "存储服务暂时不可用" in resp.get_data(as_text=True)
    if backend == "s3":
        with pytest.raises(StorageError):
            dead.exists(ev.storage_key)


def test_failed_commit_deletes_the_stored_file(client, session, world, app, store):
    """The upload view's commit fails after the file was stored: the object is deleted again."""
    sessions = app.extensions["scorecard.sessions"]

    def boom(_session):
        raise RuntimeError("database went away during COMMIT")

    login(client, "unit_a")
    event.listen(sessions, "before_commit", boom)
    try:
        with pytest.raises(RuntimeError, match="went away"):
            up(client, world["a"], samples.pdf(), "x.pdf")
    finally:
        event.remove(sessions, "before_commit", boom)
    assert rows(session) == (0, 0) and blobs(store) == []
    # and a normal upload afterwards is kept
    assert up(client, world["a"], samples.pdf(), "x.pdf").status_code == 302
    assert rows(session) == (1, 1) and len(blobs(store)) == 1


def test_service_failure_after_put_deletes_the_stored_file(session, world, store, monkeypatch):
    def broken(*_a, **_k):
        raise RuntimeError("audit insert failed")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        ev_svc.upload(session, world["unit_a"], store, world["a"], samples.pdf(), "x.pdf")
    assert len(blobs(store)) == 1  # stored, not yet committed
    session.rollback()
    assert blobs(store) == [] and rows(session) == (0, 0)


def test_only_uncommitted_files_are_deleted(session, world, store):
    kept = ev_svc.upload(session, world["unit_a"], store, world["a"], samples.pdf("kept"), "a.pdf").evidence
    session.commit()
    ev_svc.upload(session, world["unit_a"], store, world["a"], samples.pdf("dropped"), "b.pdf")
    session.close()  # the unit of work ends without a commit (e.g. the request ended)
    assert blobs(store) == [kept.storage_key]


def test_cleanup_is_best_effort(session, world, store, caplog):
    """A store that fails while cleaning up does not hide the original error."""
    ev_svc.upload(session, world["unit_a"], store, world["a"], samples.pdf(), "x.pdf")

    class Failing:
        def delete(self, key):
            raise StorageError("store down")

    session.info[ev_svc._PENDING] = [(Failing(), k) for _, k in session.info[ev_svc._PENDING]]
    session.rollback()
    assert "could not delete uncommitted evidence object" in caplog.text
    assert len(blobs(store)) == 1  # left behind, logged
