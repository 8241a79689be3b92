"""Export slots (scorecard/slots.py): at most N workbook exports compute at once on a machine,
across processes; a request that finds none free in time gets a Chinese “retry” page (503), a
background job stays queued and then fails with the same message; a killed holder frees its slot."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pytest

from scorecard.slots import BUSY_MESSAGE, SlotsBusy, default_slots, slot
from tests.conftest import login

from .test_views import _status, url


def test_at_most_n_holders_at_once(tmp_path):
    active, peak, lock = [0], [0], threading.Lock()

    def work():
        with slot(tmp_path, 2, wait=30, poll=0.005):
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            time.sleep(0.05)
            with lock:
                active[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert peak[0] == 2 and active[0] == 0


def test_busy_after_wait_and_free_again(tmp_path):
    with slot(tmp_path, 1, wait=1) as number:
        assert number == 0
        started = time.monotonic()
        with pytest.raises(SlotsBusy, match=BUSY_MESSAGE):
            with slot(tmp_path, 1, wait=0.2):
                pass
        assert time.monotonic() - started >= 0.2
    with slot(tmp_path, 1, wait=0):
        pass


def test_a_killed_holder_frees_its_slot(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, %r)\n"
        "from scorecard.slots import slot\n"
        "with slot(%r, 1, wait=5):\n"
        "    print('held', flush=True); time.sleep(60)\n") % (str(Path(__file__).parents[2]), str(tmp_path))],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(SlotsBusy):
            with slot(tmp_path, 1, wait=0.1):
                pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        with slot(tmp_path, 1, wait=5):
            pass
    finally:
        holder.kill()


def test_default_is_half_the_cores():
    assert default_slots() == max(1, (os.cpu_count() or 2) // 2)


def _slots_dir(app) -> Path:
    return Path(app.instance_path) / "slots"


def test_download_waits_for_a_slot_then_answers(client, committed, app):
    app.config.update(EXPORT_SLOTS=1, EXPORT_SLOT_WAIT=10)
    login(client, "leader")
    released = []

    def release_soon(held: threading.Event):
        with slot(_slots_dir(app), 1, wait=1):
            held.set()
            time.sleep(0.3)
            released.append(time.monotonic())

    held = threading.Event()
    holder = threading.Thread(target=release_soon, args=(held,))
    holder.start()
    held.wait(5)
    resp = client.get(f"/rounds/{committed.rnd.id}/ranking.xlsx")
    done = time.monotonic()
    holder.join()
    assert resp.status_code == 200 and openpyxl.load_workbook(io.BytesIO(resp.data)).sheetnames
    assert released and done >= released[0]  # it waited for the slot, then computed


@pytest.mark.parametrize("path", ["/rounds/{id}/ranking.xlsx", "/reports/rounds/{id}/loss.xlsx",
                                  "/reports/rounds/{id}/groups.xlsx", "/reports/rounds/{id}/cards.xlsx"])
def test_no_slot_in_time_gives_a_chinese_retry_page(client, committed, app, path):
    app.config.update(EXPORT_SLOTS=1, EXPORT_SLOT_WAIT=0.2)
    login(client, "leader")
    with slot(_slots_dir(app), 1, wait=1):
        resp = client.get(path.format(id=committed.rnd.id))
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "30"
    assert BUSY_MESSAGE in resp.get_data(as_text=True)
    assert client.get(path.format(id=committed.rnd.id)).status_code == 200  # free again


def test_target_card_download_uses_a_slot(client, committed, app):
    app.config.update(EXPORT_SLOTS=1, EXPORT_SLOT_WAIT=0.1)
    login(client, "leader")
    target = committed.rnd.targets[0]
    with slot(_slots_dir(app), 1, wait=1):
        assert client.get(f"/cards/targets/{target.id}.xlsx").status_code == 503
    assert client.get(f"/cards/targets/{target.id}.xlsx").status_code == 200


def test_background_job_queues_for_a_slot_and_fails_clearly_when_none_frees(client, committed, app, monkeypatch):
    from scorecard.services.reports import jobs

    app.config.update(EXPORT_JOBS_INLINE=True, EXPORT_SLOTS=1)
    monkeypatch.setattr(jobs, "STALE", jobs.STALE.__class__(seconds=0.4))  # waits STALE / 2
    login(client, "leader")
    with slot(_slots_dir(app), 1, wait=1):
        page = client.post(url(committed, "jobs/ranking")).headers["Location"]
    status = _status(client, page)
    assert status["state"] == "failed" and status["message"] == BUSY_MESSAGE
    page = client.post(url(committed, "jobs/ranking")).headers["Location"]
    assert _status(client, page)["state"] == "done"
