"""Evidence library (佐证材料库): list, upload, download and inline preview.

Files are only ever served through these permission-checked views, looked up by id; previews
are limited to images and PDF and carry `Content-Security-Policy: sandbox`."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from scorecard.domain.numbers import parse_id
from scorecard.models import DOC_TYPES, Evidence, Organisation
from scorecard.services import evidence as ev_svc
from scorecard.services import permissions
from scorecard.services.errors import ServiceError
from scorecard.storage import storage_for
from scorecard.web.common import actor, get_db, get_or_404, require, status_of, unit_of_work

bp = Blueprint("evidence", __name__, url_prefix="/evidence")


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
    org_id = request.args.get("org", type=parse_id)
    org = get_or_404(get_db(), Organisation, org_id) if org_id else actor().scope_org
    return _page(org)


def _page(org: Organisation, status: int = 200):
    data = ev_svc.library_page(get_db(), actor(), org)
    return render_template("evidence/index.html", org=org, files=data.files, counts=data.counts,
                           orgs=data.orgs, doc_types=DOC_TYPES, can_upload=data.can_upload,
                           max_mb=current_app.config["MAX_EVIDENCE_MB"], allowed=ev_svc.ALLOWED_TEXT), status


@bp.route("/upload", methods=["POST"])
@login_required
def upload():
    org = get_or_404(get_db(), Organisation, request.form.get("org", type=parse_id) or 0)
    # a failed commit deletes the stored file again (services/evidence.py)
    with unit_of_work() as done:
        res = upload_from_request(get_db(), org)
        if res is None:
            raise ServiceError("请选择要上传的文件", "file")
    if not done:
        return _page(org, status_of(done.error))
    flash(*uploaded_message(res))
    return redirect(url_for("evidence.index", org=org.id))


def _show(ev: Evidence, status: int = 200):
    return render_template("evidence/show.html", ev=ev, citations=ev_svc.citations_of(get_db(), actor(), ev),
                           doc_types=DOC_TYPES, can_edit=permissions.can_manage_evidence(actor(), ev.org)), status


@bp.route("/<int:evidence_id>")
@login_required
def show(evidence_id: int):
    return _show(get_or_404(get_db(), Evidence, evidence_id))


@bp.route("/<int:evidence_id>/edit", methods=["POST"])
@login_required
def edit(evidence_id: int):
    ev = get_or_404(get_db(), Evidence, evidence_id)
    with unit_of_work() as done:
        ev_svc.update_meta(get_db(), actor(), ev, request.form.get("title", ""), request.form.get("doc_type", ""))
    if not done:
        return _show(ev, status_of(done.error))
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
    # the served name ends with the detected type's extension, without bidi/control characters
    name = ev_svc.safe_name(ev.original_name, ev.ext)
    resp = send_file(stream, mimetype=ev.mime, as_attachment=not inline, download_name=name,
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
