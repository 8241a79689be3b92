"""Evidence library (佐证材料): upload once into an organisation's library, cite from anywhere.

Stable API used by other areas (appeals, nominations, tasks …):
    upload(session, actor, storage, org, data, filename, title="", doc_type="其他", max_mb=20)
        -> UploadResult(evidence, created)       # same bytes in the same library: created=False
    cite(session, actor, evidence, subject, subject_id, org=None) -> EvidenceCitation  (idempotent)
    uncite(session, actor, evidence, subject, subject_id) -> bool
    citations_for(session, subject, subject_id) -> list[EvidenceCitation]
    mark_not_relevant(session, actor, citation, reason)   # caller checks its own predicate (C19)
`subject` is a short name of the citing record kind ("self_item", "appeal", "nomination", …).

The file type is decided by content (filetype), never by the name; the stored name is a
server-generated key; the original Chinese name is kept for display and download, but
its extension always follows the detected type and bidi/control/format characters are
stripped (`safe_name`), so "整改报告.hta" holding a PDF is stored and served as "整改报告.pdf" and
"总结\u202efdp.exe" cannot pose as "总结exe.pdf".

A stored file lives only as long as the transaction that recorded it: if that transaction ends
without a commit (a later service refused, the commit itself failed, the request ended), the
stored object is deleted again (best effort), whatever the backend.
"""
from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass

import filetype
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, SessionTransaction

from scorecard.models import DOC_TYPES, Evidence, EvidenceCitation, Organisation, User, utcnow
from scorecard.services import audit, permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.limits import REASON, TITLE, check_length
from scorecard.storage import Storage, StorageError

# sniffed MIME type → (extension, label)
ALLOWED = {
    "application/pdf": ("pdf", "PDF"),
    "image/png": ("png", "PNG图片"),
    "image/jpeg": ("jpg", "JPEG图片"),
    "image/gif": ("gif", "GIF图片"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", "Word文档"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", "Excel表格"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx", "PowerPoint演示文稿"),
    "application/msword": ("doc", "Word 97-2003文档"),
    "application/vnd.ms-excel": ("xls", "Excel 97-2003表格"),
}
ALLOWED_TEXT = "PDF、图片（PNG/JPEG/GIF）、Word（docx/doc）、Excel（xlsx/xls）、PowerPoint（pptx）"
INLINE = ("application/pdf", "image/png", "image/jpeg", "image/gif")
_CONTROL = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")
_PENDING = "scorecard.evidence.pending"  # session.info: [(storage, key)] stored in this transaction
log = logging.getLogger(__name__)


class StorageUnavailable(ServiceError):
    """The evidence store could not be reached or refused the file; nothing was saved."""


@dataclass
class UploadResult:
    evidence: Evidence
    created: bool


def _strip_invisible(text: str) -> str:
    """Drop control and format characters (Unicode Cc, Cf: bidi overrides U+202A–U+202E and
    isolates U+2066–U+2069, zero-width characters …) and line/paragraph separators."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))


def clean_name(name: str | None) -> str:
    """The original file name for display: no directories, no control or bidi characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _CONTROL.sub("", _strip_invisible(base)).strip().lstrip(".").strip()
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else base[:200]
    return base


def safe_name(name: str | None, ext: str) -> str:
    """The name a file is shown and downloaded under: the cleaned original stem plus the
    extension of the type detected from its content ("整改报告.hta" holding a PDF → "整改报告.pdf")."""
    base = clean_name(name)
    stem = base.rpartition(".")[0] if "." in base else base
    stem = stem.rstrip(". ").strip() or "未命名文件"
    return f"{stem[:200]}.{ext}"


def sniff(data: bytes, name: str) -> tuple[str, str]:
    """(mime, ext) by content, or a ServiceError naming the file."""
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in ALLOWED:
        found = f"（识别为 {kind.extension} 文件）" if kind is not None else ""
        raise ServiceError(f"文件“{name}”的内容不是允许的类型{found}，仅支持{ALLOWED_TEXT}。"
                           "系统按文件内容识别类型，修改扩展名无效。", "file")
    return kind.mime, ALLOWED[kind.mime][0]


def upload(session: Session, actor: User, storage: Storage, org: Organisation, data: bytes,
           filename: str | None, title: str = "", doc_type: str = "其他", max_mb: int = 20) -> UploadResult:
    if not permissions.can_manage_evidence(actor, org):
        raise PermissionDenied("您没有权限向该单位的佐证材料库上传文件")
    name = clean_name(filename)
    shown = name or "未命名文件"
    if not data:
        raise ServiceError(f"文件“{shown}”是空文件，请重新选择", "file")
    limit = max_mb * 1024 * 1024
    if len(data) > limit:
        raise ServiceError(f"文件“{shown}”大小为 {len(data) / 1024 / 1024:.1f} MB，超过上限 {max_mb} MB，"
                           "请压缩或拆分后再上传", "file")
    mime, ext = sniff(data, shown)
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(Evidence).where(Evidence.org_id == org.id, Evidence.sha256 == digest))
    if existing is not None:
        return UploadResult(existing, False)
    submitted = name
    name = safe_name(name, ext)
    title = check_length(_strip_invisible(title or ""), "材料标题", TITLE, "title") or name.rsplit(".", 1)[0]
    doc_type = doc_type if doc_type in DOC_TYPES else "其他"
    try:
        key = storage.put(data, ext)
    except (StorageError, OSError):
        log.exception("evidence store refused %s (%d bytes) for org %s", name, len(data), org.code)
        raise StorageUnavailable(f"文件“{shown}”未能保存：佐证材料存储服务暂时不可用，"
                                 "本次操作未作任何修改。请稍后重试；如持续出现，请联系系统管理员检查存储服务。",
                                 "file") from None
    session.info.setdefault(_PENDING, []).append((storage, key))
    ev = Evidence(org=org, title=title, doc_type=doc_type, original_name=name, mime=mime, ext=ext,
                  size=len(data), sha256=digest, storage_key=key, uploaded_by=actor)
    session.add(ev)
    session.flush()
    audit.record(session, actor, "upload", "evidence", ev.id,
                 new={"org": org.code, "title": title, "name": name, "type": mime, "size": len(data),
                      "sha256": digest, **({"submitted_name": submitted} if submitted != name else {})})
    return UploadResult(ev, True)


@event.listens_for(Session, "after_commit")
def _keep_committed(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _discard_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """The transaction that stored files ended without a commit: delete them again."""
    if transaction.parent is not None or not session.info.get(_PENDING):
        return
    for storage, key in session.info.pop(_PENDING):
        try:
            storage.delete(key)
        except Exception:  # best effort: an orphaned object is harmless, a hidden error is not
            log.warning("could not delete uncommitted evidence object %s", key, exc_info=True)


@dataclass
class LibraryPage:
    org: Organisation
    files: list[Evidence]
    counts: dict[int, int]          # citations per file id
    orgs: list[Organisation]        # libraries the actor may switch to
    can_upload: bool


def library_page(session: Session, actor: User, org: Organisation) -> LibraryPage:
    """An organisation's library page: its files, how often each is cited, the other libraries."""
    files = library(session, actor, org)
    counts = dict(session.execute(
        select(EvidenceCitation.evidence_id, func.count())
        .where(EvidenceCitation.evidence_id.in_([f.id for f in files]))
        .group_by(EvidenceCitation.evidence_id)).all()) if files else {}
    orgs = list(session.scalars(select(Organisation).where(
        Organisation.path.startswith(actor.scope_org.path), Organisation.active).order_by(Organisation.path)))
    return LibraryPage(org, files, counts, orgs, permissions.can_manage_evidence(actor, org))


def library(session: Session, actor: User, org: Organisation) -> list[Evidence]:
    if not permissions.can_view_library(actor, org):
        raise PermissionDenied()
    return list(session.scalars(select(Evidence).where(Evidence.org_id == org.id)
                                .order_by(Evidence.uploaded_at.desc(), Evidence.id.desc())))


def update_meta(session: Session, actor: User, ev: Evidence, title: str, doc_type: str) -> Evidence:
    if not permissions.can_manage_evidence(actor, ev.org):
        raise PermissionDenied()
    title = check_length(title, "材料标题", TITLE, "title")
    if not title:
        raise ServiceError("材料标题不能为空", "title")
    if doc_type not in DOC_TYPES:
        raise ServiceError("材料类型无效", "doc_type")
    old = {"title": ev.title, "doc_type": ev.doc_type}
    ev.title, ev.doc_type = title[:200], doc_type
    session.flush()
    audit.record(session, actor, "update", "evidence", ev.id, old=old,
                 new={"title": ev.title, "doc_type": ev.doc_type})
    return ev


def cite(session: Session, actor: User, evidence: Evidence, subject: str, subject_id: int,
         org: Organisation | None = None) -> EvidenceCitation:
    """Cite a library file from a record; citing the same file twice is a no-op.

    org: the organisation whose library the file must come from (the record's owner).
    Whether the actor may change the citing record is the caller's check."""
    if not permissions.can_view_evidence(actor, evidence):
        raise PermissionDenied("您没有权限引用该佐证材料")
    if org is not None and evidence.org_id != org.id:
        raise ServiceError(f"材料“{evidence.title}”不属于“{org.name}”的佐证材料库，不能引用", "evidence")
    found = session.scalar(select(EvidenceCitation).where(
        EvidenceCitation.evidence_id == evidence.id, EvidenceCitation.subject == subject,
        EvidenceCitation.subject_id == subject_id))
    if found is not None:
        return found
    cit = EvidenceCitation(evidence=evidence, subject=subject, subject_id=subject_id, cited_by=actor)
    session.add(cit)
    session.flush()
    audit.record(session, actor, "cite", "evidence", evidence.id,
                 new={"subject": subject, "subject_id": subject_id, "title": evidence.title})
    return cit


def uncite(session: Session, actor: User, evidence: Evidence, subject: str, subject_id: int) -> bool:
    found = session.scalar(select(EvidenceCitation).where(
        EvidenceCitation.evidence_id == evidence.id, EvidenceCitation.subject == subject,
        EvidenceCitation.subject_id == subject_id))
    if found is None:
        return False
    session.delete(found)
    session.flush()
    audit.record(session, actor, "uncite", "evidence", evidence.id,
                 old={"subject": subject, "subject_id": subject_id, "title": evidence.title,
                      "rejected": found.rejected})
    return True


def citations_for(session: Session, subject: str, subject_id: int) -> list[EvidenceCitation]:
    return list(session.scalars(select(EvidenceCitation).where(
        EvidenceCitation.subject == subject, EvidenceCitation.subject_id == subject_id)
        .order_by(EvidenceCitation.id)))


def citations_of(session: Session, actor: User, evidence: Evidence) -> list[EvidenceCitation]:
    """Where a file is cited (its page)."""
    if not permissions.can_view_evidence(actor, evidence):
        raise PermissionDenied()
    return list(evidence.citations)


def mark_not_relevant(session: Session, actor: User, citation: EvidenceCitation, reason: str) -> EvidenceCitation:
    """C19: an assessor marks a cited file not relevant to the record (reason required)."""
    reason = check_length(reason, "不相关理由", REASON, "reason")
    if not reason:
        raise ServiceError("请填写认定材料不相关的理由", "reason")
    old = {"rejected": citation.rejected, "reason": citation.rejected_reason}
    citation.rejected, citation.rejected_reason = True, reason
    citation.rejected_by, citation.rejected_at = actor, utcnow()
    session.flush()
    audit.record(session, actor, "reject", "evidence_citation", citation.id, old=old,
                 new={"rejected": True, "subject": citation.subject, "subject_id": citation.subject_id,
                      "evidence": citation.evidence_id}, reason=reason)
    return citation
