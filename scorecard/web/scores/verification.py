"""实地核验: the visits of a target (record one, withdraw one); services/scoring/verification.py
reads and writes. On the scores blueprint, under the /publicity/ URLs it always had."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from scorecard.models import RoundTarget, VerificationVisit
from scorecard.services.clock import local_today
from scorecard.services.scoring import verification as verify_svc
from scorecard.web.common import actor, get_db, get_or_404, unit_of_work
from scorecard.web.scores import bp


def _page(target: RoundTarget, status: int = 200, form=None):
    page = verify_svc.verify_page(get_db(), actor(), target)
    return render_template("scores/verify.html", target=target, rnd=target.round, leaves=page.leaves,
                           visits=page.visits, editable=page.editable, form=form or {},
                           today=local_today()), status


def _picks(form) -> dict[str, tuple[str, str]]:
    """The sampled leaves' codes → (verified points, reason) as typed."""
    codes = [key[len("sample-"):] for key in form if key.startswith("sample-") and form.get(key)]
    return {c: (form.get(f"points-{c}", ""), form.get(f"reason-{c}", "")) for c in codes}


@bp.route("/publicity/targets/<int:target_id>/verify", methods=["GET", "POST"])
@login_required
def verify(target_id: int):
    db = get_db()
    target = get_or_404(db, RoundTarget, target_id)
    if request.method == "GET":
        return _page(target)
    f = request.form
    with unit_of_work() as done:
        visit = verify_svc.record_visit_form(db, actor(), target, f.get("visit_date", ""), f.get("team", ""),
                                             f.get("findings", ""), _picks(f))
    if not done:
        return _page(target, 400, f)
    flash(f"已记录实地核验（抽查{len(visit.items)}项）", "success")
    return redirect(url_for("scores.verify", target_id=target.id))


@bp.route("/publicity/visits/<int:visit_id>/delete", methods=["POST"])
@login_required
def delete_visit(visit_id: int):
    db = get_db()
    visit = get_or_404(db, VerificationVisit, visit_id)
    target = get_or_404(db, RoundTarget, visit.target_id)
    with unit_of_work() as done:
        verify_svc.delete_visit(db, actor(), visit, request.form.get("reason", ""))
    if not done:
        return _page(target, 400)
    flash("已撤销该次核验记录", "success")
    return redirect(url_for("scores.verify", target_id=target.id))
