"""公示 for units: their own targets, the published result with its breakdown, appeals (申诉)
and 绩优推报 nominations. Assessors' pages (round overview, 复核, nomination decisions) are in
publicity_assess.py; verification and vote entry in publicity_inputs.py (same blueprint).
"""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from scorecard.domain.numbers import fmt
from scorecard.models import Indicator, Nomination, Organisation, Round, RoundTarget, SchemeItem
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.publicity import appeals as appeals_svc
from scorecard.services.publicity import nominations as nom_svc
from scorecard.services.publicity.citations import cited, library_for, parse_ids
from scorecard.services.rounds.ranking import ranking_for, round_structure
from scorecard.services.scoring import votes as votes_svc
from scorecard.services.scoring.leaf_sources import collect
from scorecard.web.common import actor, get_db, get_or_404, require
from scorecard.web.publicity import bp


def today() -> dt.date:
    return dt.date.today()


def posted() -> bool:
    """CSRF check for the plain forms of these pages."""
    return FlaskForm().validate_on_submit()


@bp.route("/")
@login_required
def index():
    """我的考核: the unit's targets in every round."""
    require(current_user.role == "unit")
    db = get_db()
    targets = db.scalars(
        select(RoundTarget).join(Organisation, RoundTarget.org_id == Organisation.id)
        .join(Round, RoundTarget.round_id == Round.id)
        .where(Organisation.path.startswith(current_user.scope_org.path)).order_by(Round.id.desc(), Organisation.path)
    ).all()
    return render_template("publicity/index.html", targets=targets, today=today(),
                           window_state=appeals_svc.window_state)


def _target(target_id: int) -> RoundTarget:
    target = get_or_404(get_db(), RoundTarget, target_id)
    require(permissions.can_view_result(current_user, target) or permissions.can_nominate(current_user, target)
            or permissions.is_own_unit(current_user, target))
    return target


def _breakdown(db, target: RoundTarget, row) -> list[dict]:
    """Every applicable leaf: max, final score, where it comes from, vote counts, appeal."""
    st = round_structure(target.round)
    sources = collect(db, target.round, st)
    tallies = votes_svc.tally(db, target, st)
    appeals = {a.indicator_id: a for a in appeals_svc.for_target(db, target)}
    out = []
    for leaf in st.leaves_for(target.category.name):
        final = row.leaf_scores.get(leaf.code) if row else None
        outcome = sources.outcome(target.id, leaf.code, final)
        out.append({"leaf": leaf, "final": final, "source": outcome.source_label if outcome.replaced else "",
                    "tally": tallies.get(leaf.code), "appeal": appeals.get(leaf.id)})
    return out


def render_target(target: RoundTarget, status: int = 200, form: dict | None = None):
    db = get_db()
    rnd = target.round
    published = rnd.phase in ("publicity", "final")
    row = None
    adjustments = []
    if published:
        report = ranking_for(db, rnd)
        row = next((r for r in report.rows if r.target_id == target.id), None)
        if row is not None:
            adjustments = [a for a in report.adjustments if a.org_code == row.org_code and a.category == row.category]
    bonus_items = [i for i in rnd.scheme.items if i.kind == "bonus"]
    noms = nom_svc.for_target(db, target)
    target_appeals = appeals_svc.for_target(db, target)
    return render_template(
        "publicity/target.html", target=target, rnd=rnd, row=row, published=published,
        leaves=_breakdown(db, target, row) if published else [], adjustments=adjustments,
        nominations=noms, bonus_items=bonus_items,
        library=library_for(db, current_user, target) if current_user.role == "unit" else [],
        nom_evidence=cited(db, "nomination", [n.id for n in noms]),
        appeal_evidence=cited(db, "appeal", [a.id for a in target_appeals]),
        window=appeals_svc.window_state(rnd, today()), today=today(),
        can_appeal=permissions.can_appeal(current_user, target, today()),
        can_nominate=permissions.can_nominate(current_user, target), form=form or {}, fmt=fmt,
    ), status


@bp.route("/targets/<int:target_id>")
@login_required
def target(target_id: int):
    return render_target(_target(target_id))


def run_service(action, done: str, rerender, success_url: str):
    """Call a service; commit and redirect, or re-render with the message (nothing written)."""
    db = get_db()
    if not posted():
        abort(400)
    try:
        action()
    except PermissionDenied as exc:
        db.rollback()
        if exc.message == PermissionDenied().message:
            abort(403)
        flash(exc.message, "danger")
        return rerender(403)
    except ServiceError as exc:
        db.rollback()
        flash(exc.message, "danger")
        return rerender(400)
    db.commit()
    flash(done, "success")
    return redirect(success_url)


def _run(target: RoundTarget, action, done: str, form: dict):
    return run_service(action, done, lambda status: render_target(target, status, form),
                       url_for("publicity.target", target_id=target.id))


@bp.route("/targets/<int:target_id>/appeals", methods=["POST"])
@login_required
def appeal(target_id: int):
    target = get_or_404(get_db(), RoundTarget, target_id)
    require(permissions.is_own_unit(current_user, target))
    form = {"indicator": request.form.get("indicator", ""), "reason": request.form.get("reason", "")}
    ind = None
    if form["indicator"].isdigit():
        ind = get_db().get(Indicator, int(form["indicator"]))

    def action():
        if ind is None:
            raise ServiceError("请选择要申诉的指标", "indicator")
        appeals_svc.submit(get_db(), actor(), target, ind, form["reason"], today(),
                           evidence_ids=parse_ids(request.form.getlist("evidence")))

    return _run(target, action, "申诉已提交，请等待考核员复核", {"appeal": form})


@bp.route("/targets/<int:target_id>/nominations", methods=["POST"])
@login_required
def nominate(target_id: int):
    target = get_or_404(get_db(), RoundTarget, target_id)
    require(permissions.is_own_unit(current_user, target))
    form = {k: request.form.get(k, "") for k in ("item", "title", "claimed", "description")}
    item = get_db().get(SchemeItem, int(form["item"])) if form["item"].isdigit() else None
    done = "推报已提交，请等待考核员审核"
    return _run(target, lambda: nom_svc.nominate(
        get_db(), actor(), target, item, form["title"], form["claimed"], form["description"],
        evidence_ids=parse_ids(request.form.getlist("evidence"))), done, {"nominate": form})


@bp.route("/nominations/<int:nomination_id>/withdraw", methods=["POST"])
@login_required
def withdraw(nomination_id: int):
    nom = get_or_404(get_db(), Nomination, nomination_id)
    require(permissions.is_own_unit(current_user, nom.target))
    target = nom.target
    return _run(target, lambda: nom_svc.withdraw(get_db(), actor(), nom), "已撤回推报", {})


