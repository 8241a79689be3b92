"""Organisation tree: browse (own scope), detail, edit, import from Excel, blank template."""
from __future__ import annotations

import io

import xlsxwriter
from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import select
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from scorecard.importers.common import ImportFailed
from scorecard.importers.orgs import parse_orgs
from scorecard.models import Organisation, User
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.orgs import tree as org_service
from scorecard.web.common import actor, form_error, get_db, get_or_404, require

bp = Blueprint("orgs", __name__, url_prefix="/orgs")

TEMPLATE_HEADER = ["编码", "名称", "上级编码", "类别", "片组", "组织类型"]
TEMPLATE_EXAMPLE = ["GW-01", "示例局机关党委", "GW", "党政机关", "第一片组", "机关党委"]
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OrgForm(FlaskForm):
    name = StringField("名称", validators=[DataRequired("请填写名称"),
                                         Length(max=100, message="名称不能超过100个字符")])
    parent_code = StringField("上级编码", validators=[Length(max=32, message="上级编码不能超过32个字符")])
    category = StringField("类别（考核类别）", validators=[Length(max=50, message="类别不能超过50个字符")])
    group = StringField("片组", validators=[Length(max=50, message="片组不能超过50个字符")])
    kind = StringField("组织类型", validators=[Length(max=20, message="组织类型不能超过20个字符")])
    active = BooleanField("启用")


class ImportForm(FlaskForm):
    file = FileField("组织表（.xlsx）", validators=[FileRequired("请选择要上传的Excel文件"),
                                               FileAllowed(["xlsx"], "只能上传.xlsx格式的Excel文件")])
    dry_run = BooleanField("仅检查（试运行）")


@bp.route("/")
@login_required
def index():
    db = get_db()
    tree = org_service.org_tree(db, current_user.scope_org)
    by_category, by_group = org_service.tree_counts(tree)
    return render_template("orgs/index.html", tree=tree, by_category=by_category,
                           by_group=by_group, total=sum(n for _k, n in by_category))


@bp.route("/<int:org_id>")
@login_required
def show(org_id: int):
    db = get_db()
    org = get_or_404(db, Organisation, org_id)
    require(permissions.in_scope(current_user, org))
    users = []
    if permissions.can_manage_users(current_user):
        users = db.scalars(select(User).where(User.scope_org_id == org.id).order_by(User.username)).all()
    return render_template("orgs/show.html", org=org, users=users,
                           crumbs=org_service.ancestors(org, current_user.scope_org))


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id: int):
    db = get_db()
    org = get_or_404(db, Organisation, org_id)
    require(permissions.can_edit_org(current_user, org))
    form = OrgForm(data=_form_data(org))  # posted fields take precedence
    if form.validate_on_submit():
        try:
            changes = org_service.update_org(
                db, actor(), org, form.name.data, form.parent_code.data, form.category.data,
                form.group.data, form.kind.data, form.active.data)
        except PermissionDenied:
            require(False)
        except ServiceError as exc:
            db.rollback()
            form_error(form, exc)
        else:
            db.commit()
            if changes:
                flash(f"已保存：{org_service.describe_changes(changes)}", "success")
            else:
                flash("没有修改任何内容", "info")
            return redirect(url_for("orgs.show", org_id=org.id))
    return render_template("orgs/edit.html", form=form, org=org,
                           categories=org_service.categories(db), groups=org_service.groups(db))


def _form_data(org: Organisation) -> dict:
    return {
        "name": org.name,
        "parent_code": org.parent.code if org.parent else "",
        "category": org.category.name if org.category else "",
        "group": org.group.name if org.group else "",
        "kind": org.kind or "",
        "active": org.active,
    }


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_orgs():
    require(permissions.can_manage_orgs(current_user))
    form = ImportForm()
    issues, summary, dry_run = [], None, bool(form.dry_run.data)
    if form.validate_on_submit():
        db = get_db()
        try:
            existing = db.scalars(select(Organisation.code)).all()
            rows = parse_orgs(form.file.data.stream, existing)
            summary = org_service.apply_org_import(db, actor(), rows)
        except ImportFailed as exc:
            db.rollback()
            issues = exc.issues
        except PermissionDenied:
            db.rollback()
            require(False)
        else:
            if dry_run:
                db.rollback()
                flash(summary.text(dry_run=True), "info")
            else:
                db.commit()
                flash(summary.text(), "success")
    return render_template("orgs/import.html", form=form, issues=issues, summary=summary,
                           dry_run=dry_run)


@bp.route("/template.xlsx")
@login_required
def template():
    require(permissions.can_manage_orgs(current_user))
    return send_file(io.BytesIO(template_workbook()), mimetype=XLSX_MIME, as_attachment=True,
                     download_name="组织导入模板.xlsx", max_age=0)


def template_workbook() -> bytes:
    """A blank organisation sheet: header plus one example row; code columns are text."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False,
                                   "in_memory": True})
    ws = wb.add_worksheet("组织")
    head = wb.add_format({"bold": True, "bg_color": "#F0EEEA", "border": 1})
    text = wb.add_format({"num_format": "@"})
    for col, width in enumerate([14, 28, 14, 14, 14, 14]):
        ws.set_column(col, col, width, text if col in (0, 2) else None)
    ws.write_row(0, 0, TEMPLATE_HEADER, head)
    ws.write_row(1, 0, TEMPLATE_EXAMPLE)
    ws.freeze_panes(1, 0)
    ws.write_comment(0, 0, "编码唯一，作为导入时识别组织的依据；已存在的编码将被更新")
    ws.write_comment(0, 2, "顶级组织留空；上级须已存在或在本表中出现")
    wb.close()
    return out.getvalue()
