"""Rounds (考核轮次): list, create, overview with phases, ranking and its workbook.

The per-target breakdown and the adjustment forms live in target.py; they are registered on
this same blueprint (endpoints rounds.target, rounds.target_*).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from scorecard.domain.phases import MAX_EARLY_REASON, TRANSITIONS, available, is_early_close, steps, why_not_advance
from scorecard.exports.columns import ranking_columns
from scorecard.exports.ranking import export_ranking, ranking_title
from scorecard.models import Round
from scorecard.services import permissions
from scorecard.services.clock import local_today
from scorecard.services.rounds import lifecycle as rounds_svc
from scorecard.services.rounds import overview as overview_svc
from scorecard.services.rounds import setup as setup_svc
from scorecard.web.common import (
    actor,
    cell_text,
    exporting,
    get_db,
    get_or_404,
    require,
    send_workbook,
    status_of,
    table_header,
    unit_of_work,
)
from scorecard.web.rounds import bp


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

    @property
    def targets(self):
        """The service's name for the categories field (its refusals name "targets")."""
        return self.categories


def _load_round(round_id: int, predicate) -> Round:
    rnd = get_or_404(get_db(), Round, round_id)
    require(predicate(current_user, rnd))
    return rnd


@bp.route("/")
@login_required
def index():
    require(permissions.can_list_rounds(current_user))
    return render_template("rounds/index.html", rounds=rounds_svc.visible_rounds(get_db(), actor()))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(permissions.can_manage_rounds(current_user))
    db = get_db()
    form = RoundForm()
    form.scheme.choices = [(s.id, f"{s.code} {s.name}（{s.year}年，第{s.version}版）")
                           for s in setup_svc.published_schemes(db, actor())]
    form.categories.choices = setup_svc.category_choices(db, actor())
    if form.validate_on_submit():
        with unit_of_work(form) as done:
            rnd = setup_svc.create_for_categories(db, actor(), form.scheme.data, form.code.data, form.name.data,
                                                  form.categories.data, trimmed=form.trimmed.data)
        if done:
            flash(f"已创建考核轮次“{rnd.name}”，共{len(rnd.targets)}个考核对象", "success")
            return redirect(url_for("rounds.show", round_id=rnd.id))
    return render_template("rounds/new.html", form=form)


@bp.route("/<int:round_id>")
@login_required
def show(round_id: int):
    """The round with one category's targets and scoring progress per request (?category=<id>):
    a round may have thousands of targets."""
    rnd = _load_round(round_id, permissions.can_view_round)
    db = get_db()
    tabs = overview_svc.category_tabs(db, actor(), rnd, frozen_names=False)
    current = _current_tab(tabs)
    return render_template("rounds/show.html", rnd=rnd, steps=steps(rnd.phase), actions=available(rnd.phase),
                           tabs=tabs, current=current, total=sum(t["count"] for t in tabs),
                           section=overview_svc.progress(db, actor(), rnd, current) if current else None)


def _current_tab(tabs: list[dict]) -> dict | None:
    """The tab asked for by ?category=<id> (404 when the round has no such category), else the first."""
    wanted = request.args.get("category")
    if wanted is None:
        return tabs[0] if tabs else None
    current = next((t for t in tabs if str(t["id"]) == wanted), None)
    if current is None:
        abort(404)
    return current


class AdvanceForm(FlaskForm):
    early_reason = TextAreaField("提前结束公示的原因", validators=[Length(max=MAX_EARLY_REASON)])


@bp.route("/<int:round_id>/advance/<action>", methods=["GET", "POST"])
@login_required
def advance(round_id: int, action: str):
    if action not in TRANSITIONS:
        abort(404)
    rnd = _load_round(round_id, permissions.can_change_round)
    transition = TRANSITIONS[action]
    back = redirect(url_for("rounds.show", round_id=round_id))
    form = AdvanceForm()
    status = 200
    if form.validate_on_submit():
        with unit_of_work(form) as done:
            rounds_svc.advance(get_db(), actor(), rnd, action, early_reason=form.early_reason.data)
        if done:
            flash(f"已{transition.label}，当前阶段：{rnd.phase_label}", "success")
            return back
        if getattr(done.error, "field", None) != "early_reason":
            return back
        status = status_of(done.error)
    elif form.is_submitted():
        status = 400
    refusal = why_not_advance(rnd.phase, action)
    if refusal:
        flash(refusal, "danger")
        return back
    early = action == "finalize" and is_early_close(rnd.publicity_end, local_today())
    return render_template("rounds/confirm.html", rnd=rnd, form=form, action=action, label=transition.label,
                           explain=transition.explain, early=early,
                           missing=overview_svc.unscored(get_db(), actor(), rnd)), status


@bp.route("/<int:round_id>/ranking")
@login_required
def ranking(round_id: int):
    """One category per request (?category=<id>, default the first): a round may have thousands
    of targets, and ranks are only ever compared within a category."""
    rnd = _load_round(round_id, permissions.can_view_ranking)
    db = get_db()
    tabs = overview_svc.category_tabs(db, actor(), rnd)
    current = _current_tab(tabs)
    page = overview_svc.ranking_page(db, actor(), rnd, current["id"] if current else None)
    cols = ranking_columns(page.report)
    section = _section(page.report, cols, current["name"]) if current else None
    return render_template("rounds/ranking.html", rnd=rnd, report=page.report, cols=cols,
                           header=table_header(cols), tabs=tabs, current=current, section=section,
                           total=sum(t["count"] for t in tabs), rules=page.rules)


def _section(report, cols, category: str) -> dict:
    rows = report.rows_of(category)
    return {
        "name": category,
        "rows": [{"target_id": r.target_id, "tier": r.tier,
                  "cells": [(c.key, c.kind, cell_text(c, r)) for c in cols]} for r in rows],
        "notes": [(r.org_name, r.notes_text) for r in rows if r.notes],
        "adjustments": [a for a in report.adjustments if a.category == category],
    }


@bp.route("/<int:round_id>/ranking.xlsx")
@login_required
@exporting
def ranking_xlsx(round_id: int):
    rnd = _load_round(round_id, permissions.can_view_ranking)
    with unit_of_work() as done:  # the export may record its use (audit)
        resp = send_workbook(ranking_title(rnd.name), lambda path: export_ranking(get_db(), actor(), rnd, path))
    if not done:
        return redirect(url_for("rounds.ranking", round_id=round_id))
    return resp
