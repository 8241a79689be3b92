"""A committee with units A (with branch A-1) and B, a published three-leaf scheme (1.2 needs
evidence) and a round in the 自评填报 phase over A, A-1 and B."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from scorecard.models import Indicator
from scorecard.services import evidence as ev_svc
from scorecard.storage import LocalStorage
from tests.evidence import samples

FULL = {"1.1": {"value": "38"}, "1.2": {"deductions": []}, "2.1": {"level": "好"}}


@pytest.fixture
def sx(make, session, tmp_path):
    w = make.world()
    w["a1"].category = make.category("机关")
    scheme = make.scheme()
    leaves = {i.code: i for i in session.scalars(select(Indicator).where(Indicator.scheme_id == scheme.id))}
    leaves["1.2"].evidence_required = True
    rnd = make.round(scheme, w["root"], [w["a"], w["a1"], w["b"]], phase="self")
    session.commit()
    ta, ta1, tb = rnd.targets
    store = LocalStorage(tmp_path / "evidence")
    return SimpleNamespace(**w, rnd=rnd, ta=ta, ta1=ta1, tb=tb, leaf=leaves, store=store,
                           today=dt.date(2025, 12, 1))


def upload(sx, session, who="unit_a", org="a", data=None, name="会议记录.pdf"):
    return ev_svc.upload(session, getattr(sx, who), sx.store, getattr(sx, org),
                         data or samples.pdf(name), name).evidence


def fill_all(sx, session, target=None, who="unit_a"):
    """Save every leaf (with one cited file on 1.2) as the unit."""
    from scorecard.services.selfassess import fill as selfassess

    target = target or sx.ta
    ev = upload(sx, session, who, "a" if target is sx.ta else ("a1" if target is sx.ta1 else "b"),
                name=f"材料{target.id}.pdf")
    out = {}
    for code, raw in FULL.items():
        out[code] = selfassess.save_item(session, getattr(sx, who), target, sx.leaf[code], raw,
                                         narrative=f"{code}情况说明", evidence_ids=[ev.id] if code == "1.2" else [],
                                         check_version=False, today=sx.today)
    return out, ev
