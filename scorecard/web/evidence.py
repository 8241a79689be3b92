"""Evidence library (佐证材料库): list, upload, download and inline preview.

Files are only ever served through these permission-checked views, looked up by id; previews
are limited to images and PDF and carry `Content-Security-Policy: sandbox`."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required
from sqlalchemy import func, select

from scorecard.models import DOC_TYPES, Evidence, EvidenceCitation, Organisation
from scorecard.services import evidence as ev_svc
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.storage import storage_for
from scorecard.web.common import actor, get_db, get_or_404, require, status_of

bp = Blueprint("evidence", __name__, url_prefix="/evidence")


def library_orgs(db, user) -> list[Organisation]:
    """Organisations whose library the user may open (their scope subtree)."""
    return list(db.scalars(select(Organisation).where(Organisation.path.startswith(user.scope_org.path),
                                                      Organisation.active).order_by(Organisation.path)))


def read_upload(file_storage) -> tuple[bytes, str]:
    """The uploaded bytes (bounded by MAX_CONTENT_LENGTH) and the browser-supplied name."""
    return file_storage.read(), file_storage.filename or ""


def upload_from_request(db, org: Organisation, prefix: str = ""):
    """Upload the request's file (field `<prefix>file`) into org's library → UploadResult or None."""
    fs = request.files.get(prefix + "file")
    if fs is None or not fs.filename:
        return None
    data, name = read_upload(fs)
    return ev_svc.upload(db, actor(), storage_for(current_app), org, data, name,
                         title=request.form.get(prefix + "title", ""),
                         doc_type=request.form.get(prefix + "doc_type", "其他"),
                         max_mb=current_app.config["MAX_EVIDENCE_MB"])


def uploaded_message(res) -> tuple[str, str]:
    if res.created:
        return f"已上传“{res.evidence.original_name}”到佐证材料库", "success"
    return (f"该文件与资料库中的“{res.evidence.title}”内容完全相同（{res.evidence.uploaded_at:%Y-%m-%d}上传），"
            "未重复保存，将直接引用原文件", "info")


@bp.route("/")
@login_required
def index():
    db = get_db()
    org_id = request.args.get("org", type=int)
    org = get_or_404(db, Organisation, org_id) if org_id else actor().scope_org
    require(permissions.can_view_library(actor(), org))
    return _page(db, org)


def _page(db, org: Organisation, error: str | None = None, status: int = 200):
    files = ev_svc.library(db, actor(), org)
    counts = dict(db.execute(select(EvidenceCitation.evidence_id, func.count())
                             .where(EvidenceCitation.evidence_id.in_([f.id for f in files]))
                             .group_by(EvidenceCitation.evidence_id)).all()) if files else {}
    return render_template("evidence/index.html", org=org, files=files, counts=counts, error=error,
                           orgs=library_orgs(db, actor()), doc_types=DOC_TYPES,
                           can_upload=permissions.can_manage_evidence(actor(), org),
                           max_mb=current_app.config["MAX_EVIDENCE_MB"], allowed=ev_svc.ALLOWED_TEXT), status


@bp.route("/upload", methods=["POST"])
@login_required
def upload():
    db = get_db()
    org = get_or_404(db, Organisation, request.form.get("org", type=int) or 0)
    require(permissions.can_manage_evidence(actor(), org))
    try:
        res = upload_from_request(db, org)
        if res is None:
            raise ServiceError("请选择要上传的文件", "file")
    except PermissionDenied:
        abort(403)
    except ServiceError as exc:
        db.rollback()
        return _page(db, org, exc.message, status_of(exc))
    db.commit()  # if this fails, the stored file is deleted again (services/evidence.py)
    flash(*uploaded_message(res))
    return redirect(url_for("evidence.index", org=org.id))


@bp.route("/<int:evidence_id>")
@login_required
def show(evidence_id: int):
    db = get_db()
    ev = get_or_404(db, Evidence, evidence_id)
    require(permissions.can_view_evidence(actor(), ev))
    return render_template("evidence/show.html", ev=ev, citations=ev_svc.citations_of(db, ev), doc_types=DOC_TYPES,
                           can_edit=permissions.can_manage_evidence(actor(), ev.org))


@bp.route("/<int:evidence_id>/edit", methods=["POST"])
@login_required
def edit(evidence_id: int):
    db = get_db()
    ev = get_or_404(db, Evidence, evidence_id)
    require(permissions.can_manage_evidence(actor(), ev.org))
    try:
        ev_svc.update_meta(db, actor(), ev, request.form.get("title", ""), request.form.get("doc_type", ""))
    except ServiceError as exc:
        db.rollback()
        flash(exc.message, "danger")
        return render_template("evidence/show.html", ev=ev, citations=ev_svc.citations_of(db, ev),
                               doc_types=DOC_TYPES, can_edit=True), 400
    db.commit()
    flash("已保存材料信息", "success")
    return redirect(url_for("evidence.show", evidence_id=ev.id))


def _send(ev: Evidence, inline: bool):
    try:
        stream = storage_for(current_app).open(ev.storage_key)
    except FileNotFoundError:
        current_app.logger.error("evidence %s: stored object %s is missing", ev.id, ev.storage_key)
        return render_template("error.html", code=404,
                               message=f"材料“{ev.title}”的文件在存储中找不到，请联系系统管理员"), 404
    except OSError:  # StorageError: the store is down or refused
        current_app.logger.exception("evidence %s: storage failed", ev.id)
        return render_template("error.html", code=503,
                               message="佐证材料存储服务暂时不可用，请稍后重试；如持续出现，请联系系统管理员"), 503
    resp = send_file(stream, mimetype=ev.mime, as_attachment=not inline, download_name=ev.original_name,
                     max_age=0, etag=ev.sha256)
    resp.headers["Cache-Control"] = "private, no-store"
    if inline:
        resp.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'"
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    return resp


@bp.route("/<int:evidence_id>/download")
@login_required
def download(evidence_id: int):
    ev = get_or_404(get_db(), Evidence, evidence_id)
    require(permissions.can_view_evidence(actor(), ev))
    return _send(ev, inline=False)


@bp.route("/<int:evidence_id>/preview")
@login_required
def preview(evidence_id: int):
    ev = get_or_404(get_db(), Evidence, evidence_id)
    require(permissions.can_view_evidence(actor(), ev))
    if not ev.previewable:
        return redirect(url_for("evidence.download", evidence_id=ev.id))
    return _send(ev, inline=True)
