"""Schemes (考核方案): list, import, the scheme page with its pre-publish check, publish,
new version, diff between versions and the blank import template (the draft's edit forms are
in edit.py). Leaders read; admins and assessors manage the schemes owned within their scope
(a scheme imported on the web belongs to the importer's scope organisation); everyone else gets 403."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from scorecard.domain.numbers import parse_id
from scorecard.exports.scheme_template import write_scheme_template
from scorecard.models import Scheme
from scorecard.services import permissions
from scorecard.services.dashboard import burden as burden_svc
from scorecard.services.schemes import diff as schemes_diff
from scorecard.services.schemes import lifecycle as schemes
from scorecard.web.common import actor, get_db, get_or_404, require, send_workbook, unit_of_work
from scorecard.web.schemes import bp
from scorecard.web.schemes.forms import ImportForm


def load_scheme(scheme_id: int, manage: bool = False) -> Scheme:
    require(permissions.can_view_schemes(actor()))
    scheme = get_or_404(get_db(), Scheme, scheme_id)
    if manage:
        permissions.ensure(permissions.why_not_manage_scheme(actor(), scheme))
    return scheme


def back(scheme: Scheme, anchor: str = ""):
    return redirect(url_for("schemes.show", scheme_id=scheme.id) + (f"#{anchor}" if anchor else ""))


# --- list, import, template -------------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    require(permissions.can_view_schemes(actor()))
    return render_template("schemes/index.html", families=schemes.families(get_db()))


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_scheme():
    require(permissions.can_create_schemes(actor()))
    form, issues = ImportForm(), []
    if form.validate_on_submit():
        with unit_of_work(form) as done:
            scheme = schemes.import_scheme_file(get_db(), actor(), form.file.data.stream, form.code.data,
                                                form.name.data, form.year.data)
        if done:
            flash(f"已导入方案 {schemes.label(scheme)}（草稿，{len(scheme.indicators)}个指标）。"
                  "请查看“发布前检查”后发布。", "success")
            return back(scheme)
        issues = done.issues
    return render_template("schemes/import.html", form=form, issues=issues)


@bp.route("/template.xlsx")
@login_required
def template():
    require(permissions.can_view_schemes(actor()))
    return send_workbook("考核方案导入模板", write_scheme_template)


# --- one scheme ------------------------------------------------------------------------------

@bp.route("/<int:scheme_id>")
@login_required
def show(scheme_id: int):
    scheme, db = load_scheme(scheme_id), get_db()
    previous = schemes.previous_version(db, scheme)
    return render_template(
        "schemes/show.html", scheme=scheme, rows=schemes_diff.tree_rows(scheme),
        burden=burden_svc.scheme_burden(db, scheme, previous),
        previous=previous, problems=schemes.validate_scheme(scheme) if scheme.is_draft else [],
        manage=permissions.can_manage_scheme(actor(), scheme), later=schemes.later_version(db, scheme))


@bp.route("/<int:scheme_id>/publish", methods=["POST"])
@login_required
def publish(scheme_id: int):
    scheme = load_scheme(scheme_id, manage=True)
    # The page lists the problems; the flash only counts them (publish would refuse the same).
    problems = schemes.validate_scheme(scheme) if scheme.is_draft else []
    if problems:
        flash(f"未发布：方案未通过发布前检查，共{len(problems)}处问题，请按“发布前检查”逐项修正。", "danger")
        return back(scheme)
    with unit_of_work() as done:
        schemes.publish(get_db(), actor(), scheme)
    if done:
        flash(f"方案 {schemes.label(scheme)} 已发布，此后不能再修改；如需调整请创建新版本。", "success")
    return back(scheme)


@bp.route("/<int:scheme_id>/new-version", methods=["POST"])
@login_required
def new_version(scheme_id: int):
    scheme = load_scheme(scheme_id, manage=True)
    with unit_of_work() as done:
        copy = schemes.new_version(get_db(), actor(), scheme)
    if not done:
        return back(scheme)
    flash(f"已创建新版本 {schemes.label(copy)}（草稿），可以修改后发布。", "success")
    return back(copy)


@bp.route("/<int:scheme_id>/diff")
@login_required
def diff(scheme_id: int):
    scheme, db = load_scheme(scheme_id), get_db()
    other_id = request.args.get("against", type=parse_id)
    other = db.get(Scheme, other_id) if other_id else schemes.previous_version(db, scheme)
    if other is not None and other.code != scheme.code:
        abort(404)
    old, new = (other, scheme) if other is None or other.version < scheme.version else (scheme, other)
    lines = schemes_diff.diff_versions(old, new) if other is not None else []
    return render_template("schemes/diff.html", scheme=scheme, old=old, new=new, other=other,
                           lines=lines, versions=schemes.other_versions(db, scheme))


@bp.app_template_filter("scheme_time")
def scheme_time(value: dt.datetime | None) -> str:
    """Stored times are UTC; users read Beijing time."""
    return (value + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") if value else ""
