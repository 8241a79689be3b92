"""Long exports as background jobs (registered on the reports blueprint): start → a page whose
static script (static/export_jobs.js) polls the JSON status and offers the file when done.
Job state lives in the instance folder (services/reports/jobs.py), never in process memory; only the
user who started a job can see or download it."""
from __future__ import annotations

import threading
from pathlib import Path

from flask import (
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import login_required

from scorecard.exports.ranking import ranking_job, ranking_title
from scorecard.exports.reports import cards_job
from scorecard.services.reports import jobs
from scorecard.web.common import actor, export_slot, safe_filename, unit_of_work
from scorecard.web.reports import bp
from scorecard.web.reports.tables import load_round

# What each kind of job writes (the exports layer's workbooks).
WRITERS = {"ranking": ranking_job, "cards": cards_job}


def jobs_root() -> Path:
    return Path(current_app.instance_path) / "exports"


def _own_job(job_id: str) -> jobs.Job:
    """The signed-in user's job (404 for no such job; someone else's: PermissionDenied, 403)."""
    job = jobs.own_job(jobs_root(), actor(), job_id)
    if job is None:
        abort(404)
    return job


def _filename(rnd, kind: str, category: str | None) -> str:
    title = ranking_title(rnd.name) if kind == "ranking" else f"{rnd.name}考核评分卡"
    if category:
        title += f"（{category}）"
    return safe_filename(title) + ".xlsx"


@bp.route("/rounds/<int:round_id>/jobs/<kind>", methods=["POST"])
@login_required
def start_job(round_id: int, kind: str):
    if kind not in jobs.KINDS:
        abort(404)
    rnd = load_round(round_id)
    category = request.form.get("category") or None
    # The job reads with its own session: ours ends (the unit of work) before it starts.
    with unit_of_work() as outcome:
        job = jobs.create(jobs_root(), actor(), rnd, kind, _filename(rnd, kind, category),
                          {"category": category} if category else {},
                          limit=current_app.config["MAX_JOBS_PER_USER"])
    if not outcome:
        return redirect(url_for("reports.index", round_id=rnd.id))
    sessions = current_app.extensions["scorecard.sessions"]
    wait = export_slot(jobs.STALE.total_seconds() / 2)  # queued until a slot frees up
    if current_app.config.get("EXPORT_JOBS_INLINE"):
        jobs.run(jobs_root(), job.id, sessions, WRITERS, slot=wait)
    else:
        threading.Thread(target=jobs.run, args=(jobs_root(), job.id, sessions, WRITERS), kwargs={"slot": wait},
                         name=f"export-{job.id}", daemon=True).start()
    return redirect(url_for("reports.job", job_id=job.id))


@bp.route("/jobs/<job_id>")
@login_required
def job(job_id: str):
    item = _own_job(job_id)
    return render_template("reports/job.html", job=item, kind=jobs.KINDS[item.kind],
                           rnd_id=item.round_id)


@bp.route("/jobs/<job_id>/status")
@login_required
def job_status(job_id: str):
    item = _own_job(job_id)
    data = item.public()
    data["download"] = url_for("reports.job_download", job_id=item.id) if item.state == "done" else None
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/jobs/<job_id>/download")
@login_required
def job_download(job_id: str):
    item = _own_job(job_id)
    path = jobs.result_path(jobs_root(), item)
    if item.state != "done" or not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     as_attachment=True, download_name=item.filename)
