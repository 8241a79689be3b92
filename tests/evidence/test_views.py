"""Evidence library pages: upload attacks, downloads with Chinese names, inline previews and
who may see which library (other unit → 403)."""
from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from scorecard.models import Evidence
from scorecard.services import evidence as ev_svc
from tests.conftest import login
from tests.evidence import samples
from tests.evidence.conftest import blobs


@pytest.fixture
def lib(world, app, store):
    app.extensions["scorecard.storage"] = store
    return world


def up(client, org, data, name, **extra):
    return client.post("/evidence/upload", data={"org": str(org.id), "file": (io.BytesIO(data), name), **extra},
                       content_type="multipart/form-data")


def count(session):
    return session.scalar(select(func.count()).select_from(Evidence))


def test_upload_and_list(client, session, lib, store):
    login(client, "unit_a")
    resp = up(client, lib["a"], samples.pdf(), "2025年党建工作总结.pdf", title="年度总结", doc_type="工作总结")
    assert resp.status_code == 302
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已上传“2025年党建工作总结.pdf”" in html and "年度总结" in html
    # twice: recognised, one blob
    resp = up(client, lib["a"], samples.pdf(), "again.pdf")
    assert "内容完全相同" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert count(session) == 1 and len(blobs(store)) == 1


@pytest.mark.parametrize("data, name, message", [
    (samples.exe(), "病毒.pdf", "识别为 exe"),
    (samples.html(), "x.pdf", "仅支持"),
])
def test_upload_attacks_refused(client, session, lib, store, data, name, message):
    login(client, "unit_a")
    resp = up(client, lib["a"], data, name)
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert count(session) == 0 and blobs(store) == []


def test_oversized_upload_has_a_clear_message(client, session, lib, app, store):
    app.config["MAX_EVIDENCE_MB"] = 1
    login(client, "unit_a")
    resp = up(client, lib["a"], samples.pdf() + b"0" * (1024 * 1024 + 10), "大.pdf")
    assert resp.status_code == 400 and "超过上限 1 MB" in resp.get_data(as_text=True)
    assert count(session) == 0 and blobs(store) == []


def test_far_oversized_request_is_413(client, lib, app):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    login(client, "unit_a")
    resp = up(client, lib["a"], samples.pdf() + b"0" * 4096, "大.pdf")
    assert resp.status_code == 413 and "不超过20 MB" in resp.get_data(as_text=True)


def test_path_traversal_name_is_only_a_label(client, session, lib, store):
    login(client, "unit_a")
    assert up(client, lib["a"], samples.pdf(), "../../x.pdf").status_code == 302
    ev = session.scalars(select(Evidence)).one()
    assert ev.original_name == "x.pdf"
    assert blobs(store) == [ev.storage_key]


def test_download_and_preview_headers(client, session, lib, store):
    ev = ev_svc.upload(session, lib["unit_a"], store, lib["a"], samples.pdf(), "考核材料.pdf").evidence
    png = ev_svc.upload(session, lib["unit_a"], store, lib["a"], samples.png(), "照片.png").evidence
    docx = ev_svc.upload(session, lib["unit_a"], store, lib["a"], samples.docx(), "制度.docx").evidence
    session.commit()
    login(client, "unit_a")
    resp = client.get(f"/evidence/{ev.id}/download")
    assert resp.status_code == 200 and resp.data == samples.pdf()
    cd = resp.headers["Content-Disposition"]
    assert cd.startswith("attachment") and f"filename*=UTF-8''{quote('考核材料.pdf')}" in cd
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    resp = client.get(f"/evidence/{png.id}/preview")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert resp.headers["Content-Disposition"].startswith("inline")
    assert resp.headers["Content-Security-Policy"].startswith("sandbox")
    assert client.get(f"/evidence/{docx.id}/preview").status_code == 302  # no inline for Office files
    assert "制度" in client.get(f"/evidence/{docx.id}").get_data(as_text=True)


@pytest.mark.parametrize("who, code", [("unit_a", 200), ("assessor", 200), ("leader", 200), ("admin", 200),
                                       ("unit_b", 403), ("assessor_a", 403)])
def test_download_permission_matrix(client, session, lib, store, who, code):
    ev = ev_svc.upload(session, lib["unit_a"], store, lib["a"], samples.pdf(), "x.pdf").evidence
    session.commit()
    login(client, who)
    for url in (f"/evidence/{ev.id}/download", f"/evidence/{ev.id}/preview", f"/evidence/{ev.id}",
                f"/evidence/?org={lib['a'].id}"):
        assert client.get(url).status_code == code, url


@pytest.mark.parametrize("who", ["unit_b", "assessor", "leader"])
def test_upload_into_another_library_is_403(client, session, lib, store, who):
    login(client, who)
    assert up(client, lib["a"], samples.pdf(), "x.pdf").status_code == 403
    assert count(session) == 0 and blobs(store) == []


def test_storage_is_outside_static_and_keys_checked(app, store):
    from scorecard.storage import check_key, make_storage

    default = make_storage({**app.config, "EVIDENCE_STORAGE": "local", "EVIDENCE_DIR": ""})
    static = Path(app.static_folder).resolve()
    assert static not in Path(default.root).resolve().parents
    assert str(default.root).startswith(app.config["DATA_DIR"])
    for bad in ("../x.pdf", "2025/../../etc/passwd", "/etc/passwd"):
        with pytest.raises(ValueError):
            check_key(bad)
        for op in (store.open, store.delete, store.exists):  # the configured backend checks too
            with pytest.raises(ValueError):
                op(bad)


def test_edit_title_and_type(client, session, lib, store):
    ev = ev_svc.upload(session, lib["unit_a"], store, lib["a"], samples.pdf(), "x.pdf").evidence
    session.commit()
    login(client, "unit_a")
    resp = client.post(f"/evidence/{ev.id}/edit", data={"title": " ", "doc_type": "会议记录"})
    assert resp.status_code == 400 and "材料标题不能为空" in resp.get_data(as_text=True)
    assert client.post(f"/evidence/{ev.id}/edit", data={"title": "支委会记录", "doc_type": "会议记录"}).status_code == 302
    session.expire_all()
    assert (session.get(Evidence, ev.id).title, session.get(Evidence, ev.id).doc_type) == ("支委会记录", "会议记录")
    client.post("/logout")
    login(client, "assessor")
    assert client.post(f"/evidence/{ev.id}/edit", data={"title": "改", "doc_type": "其他"}).status_code == 403


@pytest.mark.parametrize("data, mime, name, served", [
    (samples.pdf(), "application/pdf", "整改报告.hta", "整改报告.pdf"),
    (samples.pdf(), "application/pdf", "整改报告.html", "整改报告.pdf"),
    (samples.png(), "image/png", "照片.HTML", "照片.png"),
    (samples.pdf(), "application/pdf", "总结\u202efdp.exe", "总结fdp.pdf"),
    (samples.pdf(), "application/pdf", "\u2066报\u200b告\u2069\x07", "报告.pdf"),
    (samples.pdf(), "application/pdf", "\u202e.hta", "hta.pdf"),
])
def test_download_name_follows_detected_type(client, session, lib, store, data, mime, name, served):
    """The name a file is served under ends with the detected type's extension and has no
    bidi/control characters, through the real download and preview views (filename and filename*)."""
    login(client, "unit_a")
    assert up(client, lib["a"], data, name).status_code == 302
    ev = session.scalar(select(Evidence))
    assert ev.original_name == served
    assert served in client.get(f"/evidence/{ev.id}").get_data(as_text=True)
    for action in ("download", "preview"):
        resp = client.get(f"/evidence/{ev.id}/{action}")
        assert resp.status_code == 200 and resp.mimetype == mime
        cd = resp.headers["Content-Disposition"]
        if not served.isascii():
            assert f"filename*=UTF-8''{quote(served)}" in cd, cd
        fallback = cd.split("filename=", 1)[1].split(";", 1)[0].strip('"')
        ext = served.rsplit(".", 1)[1]
        assert fallback.endswith("." + ext) and fallback.isascii() and "%E2%80" not in cd, cd
        for bad in (".hta", ".html", ".HTML", ".exe", "\u202e"):
            assert bad not in cd


def test_legacy_dangerous_name_is_served_with_the_detected_extension(client, session, lib, store):
    """A row stored before the fix (original name kept verbatim) is still served safely."""
    ev = ev_svc.upload(session, lib["unit_a"], store, lib["a"], samples.pdf(), "x.pdf").evidence
    ev.original_name = "总结\u202efdp.hta"
    session.commit()
    login(client, "unit_a")
    cd = client.get(f"/evidence/{ev.id}/download").headers["Content-Disposition"]
    assert f"filename*=UTF-8''{quote('总结fdp.pdf')}" in cd and ".hta" not in cd
