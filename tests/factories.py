"""Small builders for tests: organisations, users, a published scheme and a round."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from scorecard.models import (
    Category,
    Indicator,
    Organisation,
    OrgGroup,
    Round,
    RoundTarget,
    Scheme,
    SchemeItem,
    Tier,
    User,
)
from scorecard.services.accounts.passwords import hash_password

PASSWORD = "Passw0rd!"


class Factory:
    def __init__(self, session):
        self.s = session

    def category(self, name: str) -> Category:
        cat = self.s.scalar(select(Category).where(Category.name == name))
        if cat is None:
            cat = Category(name=name)
            self.s.add(cat)
            self.s.flush()
        return cat

    def group(self, name: str) -> OrgGroup:
        grp = self.s.scalar(select(OrgGroup).where(OrgGroup.name == name))
        if grp is None:
            grp = OrgGroup(name=name)
            self.s.add(grp)
            self.s.flush()
        return grp

    def org(self, code, name=None, parent=None, category=None, group=None, kind=None) -> Organisation:
        org = Organisation(code=code, name=name or f"组织{code}", parent=parent, kind=kind,
                           category=self.category(category) if category else None,
                           group=self.group(group) if group else None)
        self.s.add(org)
        self.s.flush()
        org.refresh_path()
        self.s.flush()
        return org

    def root_org(self) -> Organisation:
        """The first root organisation (a scheme's default owner); created when there is none."""
        root = self.s.scalar(select(Organisation).where(Organisation.parent_id.is_(None))
                             .order_by(Organisation.id))
        return root or self.org("ROOT", "根组织", kind="党工委")

    def user(self, username, role, org, home=None, display_name=None) -> User:
        user = User(username=username, display_name=display_name or username, role=role,
                    password_hash=hash_password(PASSWORD), scope_org=org, home_org=home)
        self.s.add(user)
        self.s.flush()
        return user

    def scheme(self, code="S1", leaves=None, categories=("机关",), status="published", **kw) -> Scheme:
        """leaves: list of (code, name, max, rule_type, params, top_code, top_name, categories)."""
        cats = [self.category(c) for c in categories]
        kw.setdefault("owner_org", kw.pop("owner", None) or self.root_org())
        scheme = Scheme(code=code, name=kw.pop("name", "测试方案"), year=2025, status=status,
                        full_marks=kw.pop("full_marks", Decimal("100")), categories=cats, **kw)
        self.s.add(scheme)
        leaves = leaves or [
            ("1.1", "第一议题", "40", "direct", {}, "1", "政治建设", ()),
            ("1.2", "三会一课", "20", "deduct", {"per": "2"}, "1", "政治建设", ()),
            ("2.1", "主题党日", "40", "grade", {}, "2", "组织建设", ()),
        ]
        tops: dict[str, Indicator] = {}
        pos = 0
        for code_, name, mx, rtype, params, top_code, top_name, leaf_cats in leaves:
            if top_code not in tops:
                pos += 1
                tops[top_code] = Indicator(code=top_code, name=top_name, max_points=Decimal(0),
                                           position=pos, scheme=scheme)
            pos += 1
            top = tops[top_code]
            top.max_points += Decimal(mx)
            self.s.add(Indicator(code=code_, name=name, max_points=Decimal(mx), parent=top, scheme=scheme,
                                 position=pos, rule_type=rtype, rule_params=params,
                                 categories=[self.category(c) for c in leaf_cats]))
        for i, (name, threshold, quota) in enumerate([("好", 90, None), ("较好", 80, None),
                                                      ("一般", 60, None), ("差", 0, None)]):
            scheme.tiers.append(Tier(name=name, threshold=Decimal(threshold), quota_pct=quota, position=i))
        scheme.items.append(SchemeItem(code="B1", name="获得表彰", kind="bonus", points=Decimal("1"),
                                       cap=Decimal("2"), position=1))
        scheme.items.append(SchemeItem(code="P1", name="未按期换届", kind="penalty", points=Decimal("2"),
                                       cap=None, position=2))
        self.s.flush()
        return scheme

    def round(self, scheme, owner, targets, code="R1", phase="review", trimmed=False) -> Round:
        rnd = Round(code=code, name=f"{code}轮考核", scheme=scheme, owner_org=owner, phase=phase, trimmed=trimmed)
        rnd.targets = [RoundTarget(org=o, category=o.category) for o in targets]
        self.s.add(rnd)
        self.s.flush()
        return rnd

    def world(self):
        """A committee with two units (one with a branch) and one account per role."""
        root = self.org("GW", "机关工委", kind="党工委")
        a = self.org("A", "甲局机关党委", root, "机关", "第一片组")
        a1 = self.org("A-1", "甲局第一党支部", a, kind="党支部")
        b = self.org("B", "乙局机关党委", root, "机关", "第一片组")
        users = {
            "admin": self.user("admin", "admin", root),
            "assessor": self.user("assessor", "assessor", root),
            "leader": self.user("leader", "leader", root),
            "unit_a": self.user("unit_a", "unit", a),
            "unit_b": self.user("unit_b", "unit", b),
            "clerk": self.user("clerk", "clerk", a),
            "assessor_a": self.user("assessor_a", "assessor", root, home=a),
        }
        return {"root": root, "a": a, "a1": a1, "b": b, **users}
