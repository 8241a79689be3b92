"""A scored round with two categories, hostile text, a deduction and adjustments."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from scorecard.models import Indicator, RoundTarget
from scorecard.services.rounds import adjustments
from scorecard.services.scoring import scores as scoring

LEAVES = [
    ("1.1", "第一议题", "40", "direct", {}, "1", "政治建设", ()),
    ("1.2", "三会一课", "20", "deduct", {"per": "2"}, "1", "政治建设", ()),
    ("2.1", "主题党日", "30", "grade", {}, "2", "组织建设", ()),
    ("2.2", "医德医风", "10", "direct", {}, "2", "组织建设", ("医疗卫生",)),
    ("2.3", "机关作风", "10", "direct", {}, "2", "组织建设", ("机关",)),
]
HOSTILE_NAME = "=1+1"
HOSTILE_REASON = "@SUM(1)"
URL_NAME = "http://x.invalid"


@dataclass
class World:
    session: object
    w: dict
    scheme: object
    rnd: object

    def target(self, org_code: str) -> RoundTarget:
        return next(t for t in self.rnd.targets if t.org.code == org_code)

    def indicator(self, code: str) -> Indicator:
        return self.session.scalar(select(Indicator).where(Indicator.scheme_id == self.scheme.id,
                                                           Indicator.code == code))

    def score(self, org_code, leaf_code, raw, user="assessor", comment=""):
        t, ind = self.target(org_code), self.indicator(leaf_code)
        existing = scoring.own_score(self.session, self.w[user], t, ind)
        return scoring.save_score(self.session, self.w[user], t, ind, raw, comment,
                                  expected_version=existing.version if existing else None)


def build_world(make, session, phase="review", extra_orgs=True) -> World:
    w = make.world()
    orgs = [w["a"], w["b"]]
    if extra_orgs:
        orgs.append(make.org("C", "丙医院党委", w["root"], "医疗卫生", "第二片组"))
        orgs.append(make.org("X1", HOSTILE_NAME, w["root"], "机关"))
        orgs.append(make.org("X2", URL_NAME, w["root"], "医疗卫生"))
    scheme = make.scheme(leaves=LEAVES, categories=("机关", "医疗卫生"), bonus_cap=Decimal("3"))
    rnd = make.round(scheme, w["root"], orgs, phase=phase)
    return World(session, w, scheme, rnd)


@pytest.fixture
def world(make, session) -> World:
    return build_world(make, session)


@pytest.fixture
def scored(world) -> World:
    """A: 40+16+30+10 = 96; B: 36+20+24+8 = 88; X1: 10+20+12+5 = 47 (plus bonus/penalty);
    C: 40+20+30+10 = 100; X2: 20+18 (2.1 and 2.2 unscored)."""
    s = world.score
    s("A", "1.1", {"value": "40"})
    s("A", "1.2", {"deductions": [{"times": 2, "reason": "未按期召开支委会"}]})
    s("A", "2.1", {"level": "好"})
    s("A", "2.3", {"value": "10"})
    s("B", "1.1", {"value": "36"}, comment="学习记录不全")
    s("B", "1.2", {"deductions": []})
    s("B", "2.1", {"points": "24"})
    s("B", "2.3", {"value": "8"})
    s("X1", "1.1", {"value": "10"})
    s("X1", "1.2", {"deductions": []})
    s("X1", "2.1", {"points": "12"})
    s("X1", "2.3", {"value": "5"})
    s("C", "1.1", {"value": "40"})
    s("C", "1.2", {"deductions": []})
    s("C", "2.1", {"level": "好"})
    s("C", "2.2", {"value": "10"})
    s("X2", "1.1", {"value": "20"})
    s("X2", "1.2", {"deductions": [{"times": 1, "reason": HOSTILE_REASON}]})
    bonus = next(i for i in world.scheme.items if i.kind == "bonus")
    penalty = next(i for i in world.scheme.items if i.kind == "penalty")
    adjustments.add_adjustment(world.session, world.w["assessor"], world.target("B"), bonus, "1", "获评先进党组织")
    adjustments.add_adjustment(world.session, world.w["assessor"], world.target("X1"), penalty, "2", HOSTILE_REASON)
    world.session.flush()
    return world


# -- reading workbooks back ----------------------------------------------------------------

def sheet_xml(path, sheet_name: str) -> str:
    """The raw XML of a worksheet, found through workbook.xml and its rels."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet name="{re.escape(_xml_escape(sheet_name))}" sheetId="\d+" r:id="(rId\d+)"', wb).group(1)
        target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels) or \
            re.search(rf'Target="([^"]+)"[^>]*Id="{rid}"', rels)
        return z.read("xl/" + target.group(1)).decode()


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def zip_names(path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return z.namelist()


def read_bytes(path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def as_bytes_io(path) -> io.BytesIO:
    return io.BytesIO(read_bytes(path))
