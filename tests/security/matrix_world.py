"""The fixture world of the authorization matrix and the ids that fill each URL.

Two trees: 机关工委 GW (units A with branch A-1, and B) where the admin, assessor and leader are
scoped, and a foreign committee QT (unit Q). unit_a and clerk are scoped at A. Every scoped object
exists four times: for A ("own"), A-1 ("sub", the subtree of A), B ("sibling": outside A's scope,
inside GW) and Q ("foreign": outside everyone's scope in the matrix).

Accounts scoped at A (admin_a, assessor_a) face schemes owned above them (the 工委's: world["schemes"]
["above"]) and owned by A ("within"); assessor_home (工委, home unit A) must not see A's or A-1's
in-progress scores.

Each org name carries a marker (MARK) so that responses can be searched for leaked names.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from scorecard.models import Appeal, Indicator, Nomination, Scheme, SchemeItem, Tier, VerificationVisit
from scorecard.services import evidence as ev_svc
from scorecard.services.reports import jobs
from scorecard.services.rounds import adjustments
from scorecard.services.selfassess import fill as selfassess
from scorecard.storage import storage_for
from tests.evidence import samples

SCOPES = ("own", "sub", "sibling", "foreign")
ROLES = ("admin", "assessor", "leader", "unit", "clerk", "anonymous")
USERNAMES = {"admin": "admin", "assessor": "assessor", "leader": "leader", "unit": "unit_a", "clerk": "clerk"}
# org names: the leak check looks for these markers in responses
MARK = {"own": "甲局机关党委", "sub": "甲局第一党支部", "sibling": "乙局机关党委", "foreign": "丙委下属单位"}
TODAY = dt.date(2025, 12, 1)


def build(app, session, make) -> dict:
    """Create the world; returns {"ids": {scope: {param: value}}, "common": {...}, "jobs": {...}}."""
    root = make.org("GW", "机关工委", kind="党工委")
    a = make.org("A", MARK["own"], root, "机关", "第一片组")
    a1 = make.org("A-1", MARK["sub"], a, "机关", kind="党支部")
    b = make.org("B", MARK["sibling"], root, "机关", "第一片组")
    qt = make.org("QT", "丙委", kind="党工委")
    q = make.org("Q", MARK["foreign"], qt, "机关", "第二片组")
    orgs = {"own": a, "sub": a1, "sibling": b, "foreign": q}
    users = {
        "admin": make.user("admin", "admin", root),
        "assessor": make.user("assessor", "assessor", root),
        "leader": make.user("leader", "leader", root),
        "unit": make.user("unit_a", "unit", a),
        "clerk": make.user("clerk", "clerk", a),
    }
    owners = {"own": users["unit"], "sub": make.user("unit_a1", "unit", a1),
              "sibling": make.user("unit_b", "unit", b), "foreign": make.user("unit_q", "unit", q)}
    assessor_q = make.user("assessor_q", "assessor", qt)
    # accounts scoped at unit A (schemes owned above them: 403; owned by A: theirs to manage)
    make.user("admin_a", "admin", a)
    make.user("assessor_a", "assessor", a)
    # an assessor of the 工委 whose home unit (所在单位) is A: never sees A's in-progress scores
    make.user("assessor_home", "assessor", root, home=a)
    scheme = make.scheme()
    draft = make.scheme(code="S2", status="draft", name="草稿方案")
    a_published = make.scheme(code="SA", name="甲局方案", owner=a)
    a_draft = make.scheme(code="SA2", status="draft", name="甲局草稿方案", owner=a)
    leaves = {i.code: i for i in session.scalars(select(Indicator).where(Indicator.scheme_id == scheme.id))}
    r1 = make.round(scheme, root, [a, a1, b], code="R1", phase="self")
    r2 = make.round(scheme, qt, [q], code="R2", phase="self")
    session.flush()
    targets = {"own": r1.targets[0], "sub": r1.targets[1], "sibling": r1.targets[2], "foreign": r2.targets[0]}
    bonus = next(i for i in scheme.items if i.kind == "bonus")
    store = storage_for(app)
    ids: dict[str, dict] = {}
    for scope in SCOPES:
        target, org, owner = targets[scope], orgs[scope], owners[scope]
        assessor = assessor_q if scope == "foreign" else users["assessor"]
        ev = ev_svc.upload(session, owner, store, org, samples.pdf(f"材料{scope}"),
                           f"{MARK[scope]}材料.pdf").evidence
        item = selfassess.save_item(session, owner, target, leaves["1.1"], {"value": "30"},
                                    narrative=f"{MARK[scope]}自评说明", evidence_ids=[ev.id],
                                    check_version=False, today=TODAY)
        session.flush()
        citation = ev_svc.citations_for(session, "self_item", item.id)[0]
        adj = adjustments.add_adjustment(session, assessor, target, bonus, bonus.points,
                                         f"{MARK[scope]}表彰")
        rnd = r2 if scope == "foreign" else r1
        # publicity rows are inserted directly: the services would need the round in 公示
        visit = VerificationVisit(target_id=target.id, visit_date=TODAY, team=f"{MARK[scope]}核验组",
                                  created_by_id=assessor.id)
        nomination = Nomination(target_id=target.id, item_id=bonus.id, title=f"{MARK[scope]}推报",
                                claimed_points=bonus.points, created_by_id=owner.id)
        appeal = Appeal(target_id=target.id, indicator_id=leaves["1.1"].id, reason=f"{MARK[scope]}申诉",
                        created_by_id=owner.id)
        session.add_all([visit, nomination, appeal])
        session.flush()
        ids[scope] = {
            "round_id": rnd.id, "target_id": target.id, "org_id": org.id, "user_id": owner.id,
            "evidence_id": ev.id, "item_id": item.id, "citation_id": citation.id,
            "adjustment_id": adj.id, "visit_id": visit.id, "nomination_id": nomination.id,
            "appeal_id": appeal.id,
        }
    session.commit()
    root_dir = Path(app.instance_path) / "exports"
    job_ids = {role: jobs.create(root_dir, u, r1, "ranking", "排名.xlsx").id for role, u in users.items()}
    job_ids["foreign"] = jobs.create(root_dir, assessor_q, r2, "ranking", "排名.xlsx").id
    d_leaf = session.scalar(select(Indicator).where(Indicator.scheme_id == draft.id,
                                                    Indicator.parent_id.is_not(None)))
    common = {
        "scheme_id": draft.id, "published_scheme_id": scheme.id, "ind_id": d_leaf.id,
        "tier_id": session.scalar(select(Tier.id).where(Tier.scheme_id == draft.id)),
        "scheme_item_id": session.scalar(select(SchemeItem.id).where(SchemeItem.scheme_id == draft.id)),
        "category_id": a.category_id, "code": "1.1", "filename": "app.css",
    }
    assert session.scalar(select(Scheme.status).where(Scheme.id == draft.id)) == "draft"
    schemes = {"above": _scheme_ids(session, draft, scheme), "within": _scheme_ids(session, a_draft, a_published)}
    return {"ids": ids, "common": common, "jobs": job_ids, "schemes": schemes}


def _scheme_ids(session, draft: Scheme, published: Scheme) -> dict:
    """The scheme ids of world["common"] for a draft and a published scheme of one owner."""
    leaf = session.scalar(select(Indicator).where(Indicator.scheme_id == draft.id, Indicator.parent_id.is_not(None)))
    return {
        "scheme_id": draft.id, "published_scheme_id": published.id, "ind_id": leaf.id,
        "tier_id": session.scalar(select(Tier.id).where(Tier.scheme_id == draft.id)),
        "scheme_item_id": session.scalar(select(SchemeItem.id).where(SchemeItem.scheme_id == draft.id)),
    }
