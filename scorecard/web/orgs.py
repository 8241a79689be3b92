"""Organisation tree: browse (own scope), detail, edit, import from Excel, blank template."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from scorecard.exports.org_template import write_org_template
from scorecard.models import Organisation
from scorecard.services import permissions
from scorecard.services.accounts import users as accounts
from scorecard.services.orgs import importing as org_import
from scorecard.services.orgs import tree as org_service
from scorecard.web.common import actor, get_db, get_or_404, require, send_workbook, unit_of_work

bp = Blueprint("orgs", __name__, url_prefix="/orgs")


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
    tree = org_service.org_tree(get_db(), current_user.scope_org)
    by_category, by_group = org_service.tree_counts(tree)
    return render_template("orgs/index.html", tree=tree, by_category=by_category,
                           by_group=by_group, total=sum(n for _k, n in by_category))


@bp.route("/<int:org_id>")
@login_required
def show(org_id: int):
    db = get_db()
    org = get_or_404(db, Organisation, org_id)
    require(permissions.in_scope(current_user, org))
    return render_template("orgs/show.html", org=org, users=accounts.users_scoped_at(db, actor(), org),
                           crumbs=org_service.ancestors(org, current_user.scope_org))


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id: int):
    db = get_db()
    org = get_or_404(db, Organisation, org_id)
    require(permissions.can_edit_org(current_user, org))
    form = OrgForm(data=_form_data(org))  # posted fields take precedence
    if form.validate_on_submit():
        with unit_of_work(form) as done:
            changes = org_service.update_org(
                db, actor(), org, form.name.data, form.parent_code.data, form.category.data,
                form.group.data, form.kind.data, form.active.data)
        if done:
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
        with unit_of_work() as done:
            summary = org_import.import_org_file(get_db(), actor(), form.file.data.stream)
            if dry_run:
                get_db().rollback()  # a trial run: checked and counted, nothing written
        issues = done.issues
        if done:
            flash(summary.text(dry_run=dry_run), "info" if dry_run else "success")
    return render_template("orgs/import.html", form=form, issues=issues, summary=summary,
                           dry_run=dry_run)


@bp.route("/template.xlsx")
@login_required
def template():
    require(permissions.can_manage_orgs(current_user))
    return send_workbook("组织导入模板", write_org_template)
