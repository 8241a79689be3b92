"""Evidence library service: content-type checks, size limit, names, de-duplication, citations."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from scorecard.models import AuditEntry, Evidence, EvidenceCitation
from scorecard.services import evidence as ev_svc
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.storage import check_key
from tests.evidence import samples
from tests.evidence.conftest import blobs


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_upload_keeps_chinese_name_and_metadata(session, world, store):
    res = ev_svc.upload(session, world["unit_a"], store, world["a"], samples.pdf(), "2025年度党建工作总结.pdf",
                        doc_type="工作总结")
    session.commit()
    ev = res.evidence
    assert res.created
    assert (ev.original_name, ev.title, ev.mime, ev.ext) == (
        "2025年度党建工作总结.pdf", "2025年度党建工作总结", "application/pdf", "pdf")
    assert ev.size == len(samples.pdf()) and len(ev.sha256) == 64
    assert ev.uploaded_by.username == "unit_a" and ev.doc_type == "工作总结"
    # stored under a server-generated key, never the user's name
    assert "党建" not in ev.storage_key and ev.storage_key.endswith(".pdf")
    assert blobs(store) == [ev.storage_key]
    with store.open(ev.storage_key) as fh:
        assert fh.read() == samples.pdf()
    row = session.scalars(select(AuditEntry).where(AuditEntry.entity == "evidence")).one()
    assert row.action == "upload" and row.new["sha256"] == ev.sha256


def test_same_file_twice_is_stored_once(session, world, store):
    first = ev_svc.upload(session, world["unit_a"], store, world["a"], samples.png(), "照片1.png")
    again = ev_svc.upload(session, world["unit_a"], store, world["a"], samples.png(), "另一个名字.png")
    assert first.created and not again.created
    assert again.evidence.id == first.evidence.id
    assert count(session, Evidence) == 1 and len(blobs(store)) == 1
    # another unit's library is separate
    other = ev_svc.upload(session, world["unit_b"], store, world["b"], samples.png(), "照片1.png")
    assert other.created and count(session, Evidence) == 2


@pytest.mark.parametrize("data, name, fragment", [
    (samples.exe(), "汇报材料.pdf", "识别为 exe"),
    (samples.elf(), "统计表.xlsx", "识别为 elf"),
    (samples.html(), "页面.pdf", "仅支持"),
    (b"just some text", "说明.docx", "仅支持"),
    (b"", "空.pdf", "空文件"),
])
def test_bad_content_is_refused_and_nothing_stored(session, world, store, data, name, fragment):
    with pytest.raises(ServiceError) as exc:
        ev_svc.upload(session, world["unit_a"], store, world["a"], data, name)
    assert fragment in exc.value.message and exc.value.field == "file"
    assert count(session, Evidence) == 0 and blobs(store) == []


def test_oversized_file_is_refused_with_the_limit(session, world, store):
    data = samples.pdf() + b"0" * (1024 * 1024)
    with pytest.raises(ServiceError) as exc:
        ev_svc.upload(session, world["unit_a"], store, world["a"], data, "大文件.pdf", max_mb=1)
    assert "超过上限 1 MB" in exc.value.message and "大文件.pdf" in exc.value.message
    assert count(session, Evidence) == 0 and blobs(store) == []


@pytest.mark.parametrize("name, shown", [
    ("../../x.pdf", "x.pdf"),
    ("..\\..\\windows\\x.pdf", "x.pdf"),
    ("/etc/passwd", "passwd.pdf"),  # the extension follows the detected type
    ("会议\x00记录.pdf", "会议记录.pdf"),
    ("....", "未命名文件.pdf"),
])
def test_path_traversal_names_are_display_only(session, world, store, name, shown):
    ev = ev_svc.upload(session, world["unit_a"], store, world["a"], samples.pdf(name), name).evidence
    assert ev.original_name == shown
    assert blobs(store) == [check_key(ev.storage_key)]
    assert ".." not in ev.storage_key


def test_docx_is_recognised_by_content(session, world, store):
    ev = ev_svc.upload(session, world["unit_a"], store, world["a"], samples.docx(), "制度.docx").evidence
    assert ev.ext == "docx" and not ev.previewable


def test_upload_permissions(session, world, store):
    for who, org in [("unit_a", "b"), ("assessor", "a"), ("leader", "a"), ("unit_a", "root")]:
        with pytest.raises(PermissionDenied):
            ev_svc.upload(session, world[who], store, world[org], samples.pdf(), "x.pdf")
    # a unit may upload into its subtree (branch)
    assert ev_svc.upload(session, world["unit_a"], store, world["a1"], samples.pdf(), "x.pdf").created


def test_cite_is_idempotent_and_checked(session, world, store):
    ev = ev_svc.upload(session, world["unit_a"], store, world["a"], samples.pdf(), "x.pdf").evidence
    c1 = ev_svc.cite(session, world["unit_a"], ev, "self_item", 7, org=world["a"])
    c2 = ev_svc.cite(session, world["unit_a"], ev, "self_item", 7, org=world["a"])
    ev_svc.cite(session, world["unit_a"], ev, "appeal", 3)
    assert c1.id == c2.id and count(session, EvidenceCitation) == 2
    assert [c.subject for c in ev_svc.citations_for(session, "self_item", 7)] == ["self_item"]
    with pytest.raises(PermissionDenied):
        ev_svc.cite(session, world["unit_b"], ev, "self_item", 8)
    with pytest.raises(ServiceError, match="不属于"):
        ev_svc.cite(session, world["unit_a"], ev, "self_item", 9, org=world["a1"])
    assert ev_svc.uncite(session, world["unit_a"], ev, "appeal", 3)
    assert not ev_svc.uncite(session, world["unit_a"], ev, "appeal", 3)
    cit = ev_svc.mark_not_relevant(session, world["assessor"], c1, "与本指标无关")
    assert cit.rejected and cit.rejected_by.username == "assessor"
    with pytest.raises(ServiceError):
        ev_svc.mark_not_relevant(session, world["assessor"], c1, " ")
    actions = session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity.in_(["evidence", "evidence_citation"])).order_by(AuditEntry.id)).all()
    assert actions == ["upload", "cite", "cite", "uncite", "reject"]


def test_library_scope(session, world, store):
    ev_svc.upload(session, world["unit_a"], store, world["a"], samples.pdf(), "x.pdf")
    assert len(ev_svc.library(session, world["unit_a"], world["a"])) == 1
    assert len(ev_svc.library(session, world["assessor"], world["a"])) == 1
    assert len(ev_svc.library(session, world["leader"], world["a"])) == 1
    for who in ("unit_b", "assessor_a"):
        with pytest.raises(PermissionDenied):
            ev_svc.library(session, world[who], world["a"])
