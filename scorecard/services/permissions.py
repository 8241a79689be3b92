"""Permissions as named predicates, used alike by views, services and templates.

Data scope: an account sees its scope organisation and the subtree under it. Conflict of
interest: an assessor never scores their home unit (所在单位) or anything under it.
"""
from __future__ import annotations

from ..models import Organisation, Round, RoundTarget, User


def in_scope(user: User, org: Organisation) -> bool:
    return org.is_within(user.scope_org)


def is_home_unit(user: User, org: Organisation) -> bool:
    return user.home_org is not None and org.is_within(user.home_org)


def can_manage_orgs(user: User) -> bool:
    return user.role == "admin"


def can_edit_org(user: User, org: Organisation) -> bool:
    return can_manage_orgs(user) and in_scope(user, org)


def can_manage_users(user: User) -> bool:
    return user.role == "admin"


def can_view_schemes(user: User) -> bool:
    return user.role in ("admin", "assessor", "leader")


def can_manage_schemes(user: User) -> bool:
    return user.role in ("admin", "assessor")


def can_manage_rounds(user: User) -> bool:
    return user.role == "assessor"


def can_view_round(user: User, rnd: Round) -> bool:
    if user.role in ("admin", "assessor", "leader"):
        return in_scope(user, rnd.owner_org)
    return False


def can_change_round(user: User, rnd: Round) -> bool:
    return can_manage_rounds(user) and in_scope(user, rnd.owner_org)


def can_score(user: User, target: RoundTarget) -> bool:
    return (
        user.role == "assessor"
        and target.round.phase in ("self", "review")
        and in_scope(user, target.round.owner_org)
        and in_scope(user, target.org)
        and not is_home_unit(user, target.org)
    )


def can_view_ranking(user: User, rnd: Round) -> bool:
    return user.role in ("assessor", "leader", "admin") and in_scope(user, rnd.owner_org)


def can_view_dashboards(user: User) -> bool:
    """数据看板 and 考核负担统计: assessors, leaders and admins (each within their scope)."""
    return user.role in ("assessor", "leader", "admin")


def can_view_dashboard(user: User, rnd: Round) -> bool:
    """A round's dashboard compares units, so units and clerks never see it."""
    return can_view_dashboards(user) and in_scope(user, rnd.owner_org)


def can_adjust(user: User, target: RoundTarget) -> bool:
    """Bonus/penalty items, veto and tier override (assessors, before 定档)."""
    return (
        user.role == "assessor"
        and not target.round.is_final
        and in_scope(user, target.round.owner_org)
        and not is_home_unit(user, target.org)
    )


PREDICATES = {
    name: fn
    for name, fn in globals().items()
    if name.startswith(("can_", "in_scope", "is_home")) and callable(fn)
}
