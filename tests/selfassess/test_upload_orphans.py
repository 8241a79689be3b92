"""A file uploaded with a self-assessment item whose save is then refused is not left behind
in the store (and a file cited from an earlier upload is never deleted)."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from scorecard.models import Evidence, SelfItem
from tests.conftest import login
from tests.evidence import samples


def stored(sx) -> list:
    return sorted(p for p in sx.store.root.rglob("*") if p.is_file())


def test_refused_save_deletes_the_new_upload(client, session, sx, app):
    app.extensions["scorecard.storage"] = sx.store
    login(client, "unit_a")
    resp = client.post(f"/self/targets/{sx.ta.id}/items/1.1",
                       data={"value": "45", "version": "", "new_file": (io.BytesIO(samples.pdf("新")), "记录.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and "1.1 第一议题" in resp.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert session.scalar(select(func.count()).select_from(SelfItem)) == 0
    assert stored(sx) == []


def test_refused_save_keeps_an_existing_identical_file(client, session, sx, app):
    app.extensions["scorecard.storage"] = sx.store
    login(client, "unit_a")
    ok = client.post(f"/self/targets/{sx.ta.id}/items/1.1",
                     data={"value": "30", "version": "", "new_file": (io.BytesIO(samples.pdf("旧")), "旧.pdf")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302
    assert len(stored(sx)) == 1
    # the same bytes again (recognised, not stored again) with a refused score
    resp = client.post(f"/self/targets/{sx.ta.id}/items/1.2",
                       data={"d_times": "99", "version": "", "new_file": (io.BytesIO(samples.pdf("旧")), "again.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400
    assert session.scalar(select(func.count()).select_from(Evidence)) == 1 and len(stored(sx)) == 1


def test_store_down_on_the_self_assessment_page_is_503_and_saves_nothing(client, session, sx, app, tmp_path):
    from scorecard.storage import LocalStorage

    not_a_dir = tmp_path / "evidence"
    not_a_dir.write_text("a file where the folder should be")
    app.extensions["scorecard.storage"] = LocalStorage(not_a_dir)
    login(client, "unit_a")
    resp = client.post(f"/self/targets/{sx.ta.id}/items/1.1",
                       data={"value": "30", "version": "", "new_file": (io.BytesIO(samples.pdf("新")), "记录.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 503
    assert "佐证材料存储服务暂时不可用" in resp.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert session.scalar(select(func.count()).select_from(SelfItem)) == 0
