"""Background export jobs are capped per user (MAX_JOBS_PER_USER, default 2 queued or running at
once): a burst of requests from one leader cannot fill the machine's export slots and make
everyone else's downloads wait (the issue: 60 jobs in 2 s, another user's download 41–60 s)."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from scorecard.services.errors import ServiceError
from scorecard.services.reports import jobs
from scorecard.web.reports import jobs as job_views
from tests.conftest import login

from .test_views import _status, url

BURST = 60


def test_a_burst_of_creates_gets_exactly_the_limit(committed, tmp_path):
    leader, rnd = committed.w["leader"], committed.rnd
    made, refused, start = [], [], threading.Barrier(BURST)

    def ask():
        start.wait(timeout=30)
        try:
            made.append(jobs.create(tmp_path, leader, rnd, "ranking", "x.xlsx", limit=2))
        except ServiceError as exc:
            refused.append(exc.message)

    threads = [threading.Thread(target=ask) for _ in range(BURST)]
    [t.start() for t in threads]
    [t.join(timeout=60) for t in threads]
    assert len(made) == 2 and len(refused) == BURST - 2
    assert refused[0].startswith("您已有2个导出正在进行（每人同时最多2个）")
    # another user is not limited by the leader's jobs; a finished job frees a place
    assert jobs.create(tmp_path, committed.w["assessor"], rnd, "ranking", "x.xlsx", limit=2)
    made[0].state = "done"
    jobs.save(tmp_path, made[0])
    assert jobs.create(tmp_path, leader, rnd, "ranking", "x.xlsx", limit=2)


def _slow(monkeypatch, seconds: float) -> None:
    real = job_views.WRITERS["ranking"]

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return real(*args, **kwargs)

    monkeypatch.setitem(job_views.WRITERS, "ranking", slow)


def burst_then_download(app, committed, monkeypatch, seconds: float):
    """BURST job requests from the leader, then the assessor's ranking download: (accepted,
    refused with the message, the burst's duration, the download's duration, its status)."""
    app.config.update(EXPORT_SLOTS=1, EXPORT_SLOT_WAIT=60)
    _slow(monkeypatch, seconds)
    leader = app.test_client()
    login(leader, "leader")
    accepted = refused = 0
    began = time.monotonic()
    for _ in range(BURST):
        resp = leader.post(url(committed, "jobs/ranking"))
        if "/reports/jobs/" in resp.headers["Location"]:
            accepted += 1
        else:
            refused += "您已有2个导出正在进行" in leader.get(resp.headers["Location"]).get_data(as_text=True)
    burst = time.monotonic() - began
    other = app.test_client()
    login(other, "assessor")
    began = time.monotonic()
    resp = other.get(f"/rounds/{committed.rnd.id}/ranking.xlsx")
    return accepted, refused, burst, time.monotonic() - began, resp.status_code


def test_a_burst_of_requests_does_not_starve_other_users(app, committed, monkeypatch):
    accepted, refused, burst, download, status = burst_then_download(app, committed, monkeypatch, 2.0)
    print(f"\n{BURST} job requests in {burst:.1f} s: {accepted} accepted, {refused} refused; "
          f"another user's download {download:.2f} s ({status})")
    assert accepted == 2 and refused == BURST - 2
    assert status == 200 and download < 10  # at most the leader's two jobs ahead of it (2 s each)


def test_the_refusal_is_shown_on_the_reports_page(client, committed, app, monkeypatch):
    monkeypatch.setattr(job_views.threading, "Thread", _Idle)  # the jobs stay queued
    app.config["MAX_JOBS_PER_USER"] = 1
    login(client, "leader")
    assert "/reports/jobs/" in client.post(url(committed, "jobs/ranking")).headers["Location"]
    resp = client.post(url(committed, "jobs/cards"), follow_redirects=True)
    assert "您已有1个导出正在进行（每人同时最多1个）" in resp.get_data(as_text=True)
    assert len(list(Path(app.instance_path, "exports").glob("*/job.json"))) == 1


class _Idle:
    def __init__(self, *args, **kwargs):
        pass

    def start(self):
        pass
