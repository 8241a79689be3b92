"""Rounds (考核轮次): list, create, overview with phases, ranking and its workbook.

The per-target breakdown and the adjustment forms live in rounds_target.py; they are
registered on this same blueprint (endpoints rounds.target, rounds.target_*).
"""
from __future__ import annotations

from collections import defaultdict

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from scorecard.domain.numbers import plain
from scorecard.exports.columns import ranking_columns
from scorecard.exports.ranking import export_ranking, ranking_title
from scorecard.models import PHASE_ORDER, PHASES, Category, Organisation, Round, RoundTarget, Scheme, Score
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.rounds import lifecycle as rounds_svc
from scorecard.services.rounds.ranking import (
    compute_ranking,
    frozen_category_name,
    ranking_for,
    round_structure,
)
from scorecard.web.common import (
    actor,
    cell_text,
    exporting,
    get_db,
    get_or_404,
    require,
    send_workbook,
    table_header,
)
from scorecard.web.rounds import bp

# action → (button label, phases it may start from, what it means for users)
ACTIONS = {
    "start_review": ("开始审核评分", ("self",),
                     "自评填报结束，进入审核评分阶段：考核员审核各单位材料并评分。"),
    "publish": ("发布公示", ("self", "review"),
                "发布后进入公示阶段：评分不能再修改，结果在公示期内接受申诉复核。"),
    "finalize": ("定档", ("review", "publicity"),
                 "定档后冻结快照：方案版本、组织名称、每项得分、排名和等次全部锁定，之后的导出与页面均以快照为准，不可再修改。"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RoundForm(FlaskForm):
    scheme = SelectField("考核方案", coerce=int, validate_choice=False,
                         invalid_value_message="请选择考核方案",
                         validators=[DataRequired("请选择考核方案")])
    code = StringField("轮次编码", validators=[DataRequired("请填写轮次编码"),
                                            Length(max=32, message="轮次编码不能超过32个字符")])
    name = StringField("轮次名称", validators=[DataRequired("请填写轮次名称"),
                                            Length(max=200, message="轮次名称不能超过200个字符")])
    trimmed = BooleanField("去掉一个最高分和一个最低分（考核员不少于5人时）")
    categories = MultiCheckboxField("只考核以下类别", coerce=int,
                                    invalid_value_message="所选类别无效",
                                    invalid_choice_message="所选类别不在您的管理范围内")


def field_error(field, message: str) -> None:
    field.errors = [*field.errors, message]


def _load_round(round_id: int, predicate) -> Round:
    rnd = get_or_404(get_db(), Round, round_id)
    require(predicate(current_user, rnd))
    return rnd


@bp.route("/")
@login_required
def index():
    require(permissions.can_list_rounds(current_user))
    return render_template("rounds/index.html", rounds=rounds_svc.visible_rounds(get_db(), actor()))


def _published_schemes(db) -> list[Scheme]:
    """The latest published version of every scheme code."""
    latest: dict[str, Scheme] = {}
    for s in db.scalars(select(Scheme).where(Scheme.status == "published").order_by(Scheme.code, Scheme.version)):
        latest[s.code] = s
    return list(latest.values())


def _scope_orgs(db, user, category_ids=None) -> list[Organisation]:
    query = select(Organisation).where(Organisation.category_id.is_not(None), Organisation.active,
                                       Organisation.path.startswith(user.scope_org.path))
    if category_ids is not None:
        query = query.where(Organisation.category_id.in_(category_ids))
    return list(db.scalars(query.order_by(Organisation.path)))


def _category_choices(db, user) -> list[tuple[int, str]]:
    counts = db.execute(
        select(Category.id, Category.name, func.count(Organisation.id))
        .join(Organisation, Organisation.category_id == Category.id)
        .where(Organisation.active, Organisation.path.startswith(user.scope_org.path))
        .group_by(Category.id, Category.name).order_by(Category.id)
    ).all()
    return [(cid, f"{name}（{n}个组织）") for cid, name, n in counts]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(permissions.can_manage_rounds(current_user))
    db = get_db()
    form = RoundForm()
    form.scheme.choices = [(s.id, f"{s.code} {s.name}（{s.year}年，第{s.version}版）")
                           for s in _published_schemes(db)]
    form.categories.choices = _category_choices(db, current_user)
    if form.validate_on_submit():
        rnd = _create(db, form)
        if rnd is not None:
            db.commit()
            flash(f"已创建考核轮次“{rnd.name}”，共{len(rnd.targets)}个考核对象", "success")
            return redirect(url_for("rounds.show", round_id=rnd.id))
    return render_template("rounds/new.html", form=form)


def _create(db, form: RoundForm) -> Round | None:
    scheme = db.get(Scheme, form.scheme.data)
    if scheme is None:
        field_error(form.scheme, "所选方案不存在")
        return None
    fields = {"scheme": form.scheme, "code": form.code, "targets": form.categories}
    try:
        codes = _target_codes(db, actor(), scheme, form.categories.data)
        return rounds_svc.create_round(db, actor(), scheme, form.code.data, form.name.data,
                                       codes, trimmed=form.trimmed.data)
    except PermissionDenied:
        abort(403)
    except ServiceError as exc:
        db.rollback()
        field_error(fields.get(exc.field, form.code), exc.message)
    return None


def _target_codes(db, user, scheme: Scheme, category_ids: list[int] | None) -> list[str] | None:
    """None: every org with a category in scope (the service default); else the chosen categories'."""
    if not category_ids:
        return None
    allowed = {c.id for c in scheme.categories}
    outside = [db.get(Category, cid).name for cid in category_ids if allowed and cid not in allowed]
    if outside:
        raise ServiceError(f"类别“{'、'.join(outside)}”不在所选方案的适用类别中", "targets")
    orgs = _scope_orgs(db, user, category_ids)
    if not orgs:
        raise ServiceError("所选类别下没有可考核的组织", "targets")
    return [o.code for o in orgs]


@bp.route("/<int:round_id>")
@login_required
def show(round_id: int):
    """The round with one category's targets and scoring progress per request (?category=<id>):
    a round may have thousands of targets."""
    rnd = _load_round(round_id, permissions.can_view_round)
    db = get_db()
    steps = [(PHASES[p], "done" if PHASE_ORDER.index(p) < PHASE_ORDER.index(rnd.phase)
              else "current" if p == rnd.phase else "todo") for p in PHASE_ORDER]
    actions = [(key, label) for key, (label, phases, _) in ACTIONS.items() if rnd.phase in phases]
    tabs = _category_tabs(db, rnd, frozen_names=False)
    current = _current_tab(tabs)
    return render_template("rounds/show.html", rnd=rnd, steps=steps, actions=actions, tabs=tabs, current=current,
                           total=sum(t["count"] for t in tabs),
                           section=_progress(db, rnd, current_user, current) if current else None)


def _current_tab(tabs: list[dict]) -> dict | None:
    """The tab asked for by ?category=<id> (404 when the round has no such category), else the first."""
    wanted = request.args.get("category")
    if wanted is None:
        return tabs[0] if tabs else None
    current = next((t for t in tabs if str(t["id"]) == wanted), None)
    if current is None:
        abort(404)
    return current


def _progress(db, rnd: Round, user, tab: dict) -> dict:
    """One category: its targets and scored cells (applicable leaves × targets), mine and anyone's."""
    st = round_structure(rnd)
    where = (RoundTarget.round_id == rnd.id, RoundTarget.category_id == tab["id"])
    targets = db.scalars(select(RoundTarget).join(Organisation, RoundTarget.org_id == Organisation.id)
                         .where(*where).options(contains_eager(RoundTarget.org))
                         .order_by(Organisation.code)).all()
    cells = db.execute(select(Score.target_id, Score.indicator_id, Score.assessor_id)
                       .join(RoundTarget, Score.target_id == RoundTarget.id).where(*where)).all()
    mine, anyone = defaultdict(set), defaultdict(set)
    for target_id, indicator_id, assessor_id in cells:
        anyone[target_id].add(indicator_id)
        if assessor_id == user.id:
            mine[target_id].add(indicator_id)
    leaf_ids = {leaf.id for leaf in st.leaves_for(targets[0].category.name)} if targets else set()
    out = {"id": tab["id"], "name": tab["name"], "targets": [], "expected": 0, "mine": 0, "all": 0}
    for t in targets:
        row = {"target": t, "expected": len(leaf_ids), "mine": len(mine[t.id] & leaf_ids),
               "all": len(anyone[t.id] & leaf_ids)}
        out["targets"].append(row)
        for key in ("expected", "mine", "all"):
            out[key] += row[key]
    return out


@bp.route("/<int:round_id>/advance/<action>", methods=["GET", "POST"])
@login_required
def advance(round_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    rnd = _load_round(round_id, permissions.can_change_round)
    db = get_db()
    label, phases, explain = ACTIONS[action]
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            rounds_svc.advance(db, actor(), rnd, action)
        except PermissionDenied:
            abort(403)
        except ServiceError as exc:
            db.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("rounds.show", round_id=round_id))
        db.commit()
        flash(f"已{label}，当前阶段：{rnd.phase_label}", "success")
        return redirect(url_for("rounds.show", round_id=round_id))
    if rnd.phase not in phases:
        flash(f"当前阶段为“{rnd.phase_label}”，不能{label}", "danger")
        return redirect(url_for("rounds.show", round_id=round_id))
    missing = sum(r.missing for r in compute_ranking(db, rnd).rows)
    return render_template("rounds/confirm.html", rnd=rnd, form=form, action=action, label=label,
                           explain=explain, missing=missing)


@bp.route("/<int:round_id>/ranking")
@login_required
def ranking(round_id: int):
    """One category per request (?category=<id>, default the first): a round may have thousands
    of targets, and ranks are only ever compared within a category."""
    rnd = _load_round(round_id, permissions.can_view_ranking)
    db = get_db()
    tabs = _category_tabs(db, rnd)
    current = _current_tab(tabs)
    report = ranking_for(db, rnd, category_id=current["id"] if current else None)
    cols = ranking_columns(report)
    section = _section(report, cols, current["name"]) if current else None
    return render_template("rounds/ranking.html", rnd=rnd, report=report, cols=cols,
                           header=table_header(cols), tabs=tabs, current=current, section=section,
                           total=sum(t["count"] for t in tabs), rules=rules_note(rnd))


def _category_tabs(db, rnd: Round, frozen_names: bool = True) -> list[dict]:
    """The round's categories in order of their first target, with ids and sizes, from one
    grouped query (not the report: a round may have 10,000 targets). The ranking of a 定档 round
    shows its snapshot's own category names (services.ranking.frozen_category_name)."""
    found = db.execute(select(RoundTarget.category_id, Category.name, func.count(), func.min(RoundTarget.id))
                       .join(Category, RoundTarget.category_id == Category.id)
                       .where(RoundTarget.round_id == rnd.id)
                       .group_by(RoundTarget.category_id, Category.name).order_by(func.min(RoundTarget.id))).all()
    if frozen_names and rnd.is_final:
        found = [(cid, frozen_category_name(db, rnd, cid) or name, count, first) for cid, name, count, first in found]
    return [{"id": cid, "name": name, "count": count} for cid, name, count, _first in found]


def _section(report, cols, category: str) -> dict:
    rows = report.rows_of(category)
    return {
        "name": category,
        "rows": [{"target_id": r.target_id, "tier": r.tier,
                  "cells": [(c.key, c.kind, cell_text(c, r)) for c in cols]} for r in rows],
        "notes": [(r.org_name, r.notes_text) for r in rows if r.notes],
        "adjustments": [a for a in report.adjustments if a.category == category],
    }


def rules_note(rnd: Round) -> list[str]:
    """How the numbers on the page are computed, in the scheme's own terms."""
    s = rnd.scheme
    trim = "（考核员不少于5人时去掉一个最高分和一个最低分）" if rnd.trimmed else ""
    lines = [f"末级指标得分 = 各考核员评分的平均值{trim}，四舍五入保留两位小数；未评分的指标按0分计并在备注中注明。",
             "测评类指标有述职评议票时按票数折算（得分 = 分值 × Σ(权重 × 票数) ÷ 总票数）；"
             "实地核验调整了得分的，以核验得分为准；公示期申诉复核改分的，以复核后得分为准（备注中注明原分→新分）。",
             "一级指标得分 = 其下适用于本类别的末级指标得分之和。"]
    base = "基础分 = 各一级指标得分之和"
    if s.convert:
        base += f"；适用满分不是{plain(s.full_marks)}分的类别折算：基础分 = 原始分 × {plain(s.full_marks)} ÷ 适用满分"
    lines.append(base + "。")
    bonus = "总分 = 基础分 + 加分 − 减分；每个加分项不超过其上限"
    if s.bonus_cap is not None:
        bonus += f"，加分合计不超过{plain(s.bonus_cap)}分"
    lines.append(bonus + "。")
    tops = {i.code: i.name for i in s.indicators if i.parent_id is None}
    tie = "；总分相同时依次比较：" + "、".join(tops.get(c, c) for c in s.tie_break) if s.tie_break else ""
    lines.append(f"只在同一类别内排名，按总分从高到低；同分同名次，下一名次顺延（如1、2、2、4）{tie}。")
    tiers = []
    for i, t in enumerate(s.tiers):
        quota = f"（不超过本类别的{plain(t.quota_pct)}%，向下取整）" if t.quota_pct is not None else ""
        bound = f"< {plain(s.tiers[i - 1].threshold)}" if i and t.threshold == 0 else f"≥ {plain(t.threshold)}"
        tiers.append(f"{t.name} {bound}分{quota}")
    if tiers:
        cap = s.veto_cap or s.tiers[-1].name
        lines.append(f"等次：{'、'.join(tiers)}；被一票否决的对象等次最高为“{cap}”；手动调整等次须注明原因。")
    return lines


@bp.route("/<int:round_id>/ranking.xlsx")
@login_required
@exporting
def ranking_xlsx(round_id: int):
    rnd = _load_round(round_id, permissions.can_view_ranking)
    db = get_db()
    try:
        resp = send_workbook(ranking_title(rnd.name), lambda path: export_ranking(db, actor(), rnd, path))
    except PermissionDenied:
        abort(403)
    except ServiceError as exc:
        db.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("rounds.ranking", round_id=round_id))
    db.commit()  # the export may record its use (audit)
    return resp

