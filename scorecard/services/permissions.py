"""Permissions as named predicates, used alike by views, services and templates.

Data scope: an account sees its scope organisation and the subtree under it. Conflict of
interest: an assessor never scores their home unit (所在单位) or anything under it.

Roles are only ever tested here. Where a refusal is shown to people, `why_not_<action>(...)`
says why in Chinese (None: allowed) and `can_<action>` is its yes/no; `ensure(reason)` turns a
reason into PermissionDenied. Views, services and templates (`can.<name>`) use the same ones.
"""
from __future__ import annotations

from scorecard.domain.phases import RESULT_PHASES, SCORING_PHASES
from scorecard.models import Organisation, Round, RoundTarget, Scheme, User
from scorecard.services.errors import PermissionDenied

NO_PERMISSION = "您没有权限执行此操作"
HOME_UNIT = "您所在单位需回避"


def ensure(reason: str | None) -> None:
    """Raise PermissionDenied with the reason a why_not_ predicate gave (None: allowed)."""
    if reason is not None:
        raise PermissionDenied(reason)


def _phase_refusal(rnd: Round, what: str) -> str | None:
    if rnd.phase in SCORING_PHASES:
        return None
    return f"本轮考核处于“{rnd.phase_label}”阶段，不能{what}"


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


def can_manage_user(user: User, account: User) -> bool:
    """An administrator manages the accounts whose scope lies in their own sub-tree."""
    return can_manage_users(user) and in_scope(user, account.scope_org)


# -- roles' areas (navigation and landing pages)

def can_list_rounds(user: User) -> bool:
    """Rounds pages are for assessors, leaders and admins (units and clerks never see them)."""
    return user.role in ("admin", "assessor", "leader")


def is_assessor(user: User) -> bool:
    """Scores, reviews, verifies and answers appeals (each action checks its target too)."""
    return user.role == "assessor"


def assessor_accounts():
    """is_assessor as a query condition (which accounts score)."""
    return User.role == "assessor"


def is_leader(user: User) -> bool:
    """Reads results first (the dashboard puts them on top for leaders)."""
    return user.role == "leader"


def is_unit(user: User) -> bool:
    """A 填报员: fills in its unit's self-assessments, sees its results, appeals."""
    return user.role == "unit"


def can_use_library(user: User) -> bool:
    """Has an evidence library of its own (佐证材料) to upload into."""
    return user.role in ("unit", "clerk")


def can_list_cards(user: User) -> bool:
    """The 评分卡 list (a unit sees its own once results are published)."""
    return user.role in ("admin", "assessor", "leader", "unit")


def can_view_schemes(user: User) -> bool:
    return user.role in ("admin", "assessor", "leader")


def can_create_schemes(user: User) -> bool:
    """May import a new scheme at all (it is then owned by an organisation in the user's scope)."""
    return user.role in ("admin", "assessor")


def why_not_manage_scheme(user: User, scheme: Scheme) -> str | None:
    """Edit, publish or make a new version of a scheme: the role allows it and the scheme's
    owner organisation lies within the user's scope (a sub-unit never manages the 工委's)."""
    if not can_create_schemes(user):
        return NO_PERMISSION
    if not in_scope(user, scheme.owner_org):
        return f"方案由“{scheme.owner_org.name}”制定，不在您的管理范围内，只能查看"
    return None


def can_manage_scheme(user: User, scheme: Scheme) -> bool:
    return why_not_manage_scheme(user, scheme) is None


def why_not_use_scheme(user: User, scheme: Scheme) -> str | None:
    """Open a round (owned by the user's scope organisation) with a scheme: the scheme belongs
    to that organisation or to one above it (a unit follows its superiors' rules, never a
    sibling's or a sub-unit's)."""
    if not user.scope_org.is_within(scheme.owner_org):
        return f"方案由“{scheme.owner_org.name}”制定，不适用于“{user.scope_org.name}”开展的考核"
    return None


def can_manage_rounds(user: User) -> bool:
    return user.role == "assessor"


def can_view_round(user: User, rnd: Round) -> bool:
    if user.role in ("admin", "assessor", "leader"):
        return in_scope(user, rnd.owner_org)
    return False


def can_change_round(user: User, rnd: Round) -> bool:
    return can_manage_rounds(user) and in_scope(user, rnd.owner_org)


def why_not_open_scores(user: User, target: RoundTarget) -> str | None:
    """Open a target's score page and its in-progress scores: an assessor of the round, free of
    conflict of interest (any phase; saving needs why_not_score)."""
    if not (user.role == "assessor" and in_scope(user, target.round.owner_org) and in_scope(user, target.org)):
        return NO_PERMISSION
    if is_home_unit(user, target.org):
        return f"{HOME_UNIT}，不能为其评分"
    return None


def why_not_score(user: User, target: RoundTarget) -> str | None:
    return why_not_open_scores(user, target) or _phase_refusal(target.round, "修改评分")


def can_score(user: User, target: RoundTarget) -> bool:
    return why_not_score(user, target) is None


def can_view_ranking(user: User, rnd: Round) -> bool:
    return user.role in ("assessor", "leader", "admin") and in_scope(user, rnd.owner_org)


def can_view_dashboards(user: User) -> bool:
    """数据看板 and 考核负担统计: assessors, leaders and admins (each within their scope)."""
    return user.role in ("assessor", "leader", "admin")


def can_view_dashboard(user: User, rnd: Round) -> bool:
    """A round's dashboard compares units, so units and clerks never see it."""
    return can_view_dashboards(user) and in_scope(user, rnd.owner_org)


def why_not_adjust(user: User, target: RoundTarget) -> str | None:
    """Bonus/penalty items, veto and tier override (assessors, before 定档)."""
    if not (user.role == "assessor" and in_scope(user, target.round.owner_org)):
        return NO_PERMISSION
    if is_home_unit(user, target.org):
        return f"{HOME_UNIT}，不能调整其加减分和等次"
    if target.round.is_final:
        return "本轮考核已定档，不能再调整"
    return None


def can_adjust(user: User, target: RoundTarget) -> bool:
    return why_not_adjust(user, target) is None


# -- 自评 / 审核 / 佐证材料 (services/selfassess, review, evidence)

def can_view_self(user: User, target: RoundTarget) -> bool:
    """A target's self-assessment: its own unit (or a unit above it), the round's assessors
    (never their home unit), leaders and admins within scope."""
    if user.role == "unit":
        return in_scope(user, target.org)
    if user.role == "assessor":
        return (in_scope(user, target.round.owner_org) and in_scope(user, target.org)
                and not is_home_unit(user, target.org))
    if user.role in ("leader", "admin"):
        return in_scope(user, target.org) or in_scope(user, target.round.owner_org)
    return False


def why_not_self_assess(user: User, target: RoundTarget) -> str | None:
    """Fill in and submit the self-assessment (deadlines are checked by the service)."""
    if not (user.role == "unit" and in_scope(user, target.org)):
        return NO_PERMISSION
    return _phase_refusal(target.round, "修改自评")


def can_self_assess(user: User, target: RoundTarget) -> bool:
    return why_not_self_assess(user, target) is None


def why_not_review(user: User, target: RoundTarget) -> str | None:
    """Confirm or return self-assessment items, reject evidence, reopen after the deadline."""
    if not (user.role == "assessor" and in_scope(user, target.round.owner_org) and in_scope(user, target.org)):
        return NO_PERMISSION
    if is_home_unit(user, target.org):
        return f"{HOME_UNIT}，不能审核其自评"
    return _phase_refusal(target.round, "审核自评")


def can_review(user: User, target: RoundTarget) -> bool:
    return why_not_review(user, target) is None


def can_view_progress(user: User, rnd: Round) -> bool:
    return user.role in ("assessor", "leader", "admin") and in_scope(user, rnd.owner_org)


def can_manage_evidence(user: User, org: Organisation) -> bool:
    """Upload into (and cite from) an organisation's evidence library."""
    return user.role in ("unit", "clerk") and in_scope(user, org)


def can_view_library(user: User, org: Organisation) -> bool:
    """See an organisation's evidence library (assessors: never their home unit's)."""
    if user.role in ("unit", "clerk", "leader", "admin"):
        return in_scope(user, org)
    if user.role == "assessor":
        return in_scope(user, org) and not is_home_unit(user, org)
    return False


def can_view_evidence(user: User, evidence) -> bool:
    """Download / preview one evidence file (and cite it)."""
    return can_view_library(user, evidence.org)


# -- 实地核验, 述职评议, 绩优推报, 公示/申诉 (services/verification, votes, nominations, appeals)

def _assessor_of(user: User, target: RoundTarget) -> bool:
    """An assessor responsible for the target and free of conflict of interest."""
    return (
        user.role == "assessor"
        and in_scope(user, target.round.owner_org)
        and in_scope(user, target.org)
        and not is_home_unit(user, target.org)
    )


def why_not_verify(user: User, target: RoundTarget) -> str | None:
    """Record a 实地核验 visit (before 公示)."""
    return why_not_open_scores(user, target) or _phase_refusal(target.round, "实地核验")


def can_verify(user: User, target: RoundTarget) -> bool:
    return why_not_verify(user, target) is None


def why_not_enter_votes(user: User, target: RoundTarget) -> str | None:
    """Enter or import 述职评议 votes (before 公示)."""
    return why_not_open_scores(user, target) or _phase_refusal(target.round, "录入述职评议票")


def can_enter_votes(user: User, target: RoundTarget) -> bool:
    return why_not_enter_votes(user, target) is None


def can_view_votes(user: User, target: RoundTarget) -> bool:
    """Individual raters' votes: assessors only (never the unit or a leader)."""
    return _assessor_of(user, target)


def is_own_unit(user: User, target: RoundTarget) -> bool:
    """A 填报员 whose scope covers the target."""
    return user.role == "unit" and in_scope(user, target.org)


def can_nominate(user: User, target: RoundTarget) -> bool:
    """Submit or withdraw a 绩优推报 nomination (自评填报 / 审核评分)."""
    return is_own_unit(user, target) and target.round.phase in SCORING_PHASES


def can_decide_nomination(user: User, target: RoundTarget) -> bool:
    """Approve or reject a nomination (it becomes a 加分 Adjustment)."""
    return can_adjust(user, target)


def can_view_result(user: User, target: RoundTarget) -> bool:
    """A unit sees its own result and breakdown once published; assessors, leaders and
    admins in scope see every target's."""
    if is_own_unit(user, target):
        return target.round.phase in RESULT_PHASES
    return can_view_ranking(user, target.round)


def can_appeal(user: User, target: RoundTarget, today) -> bool:
    """A unit appeals (申诉) during the publicity window (start..end inclusive)."""
    rnd = target.round
    return (
        is_own_unit(user, target)
        and rnd.phase == "publicity"
        and rnd.publicity_start is not None and rnd.publicity_end is not None
        and rnd.publicity_start <= today <= rnd.publicity_end
    )


def can_answer_appeal(user: User, target: RoundTarget) -> bool:
    """复核 an appeal: an assessor free of conflict of interest, during 公示."""
    return _assessor_of(user, target) and target.round.phase == "publicity"


def can_manage_publicity(user: User, rnd: Round) -> bool:
    """Set the publicity window and see the round's appeals, nominations and votes."""
    return can_change_round(user, rnd)


def why_not_view_scores(user: User, target: RoundTarget) -> str | None:
    """Conflict of interest on reading: until the round's results are published (自评填报 /
    审核评分, scores may still change) an assessor never sees the in-progress scores of their
    home unit or anything under it: not the per-target page, the score card, nor the round's
    评分卡 report (which leaves those targets out). Shared by every view of a target's scores."""
    if is_assessor(user) and not target.round.results_published and is_home_unit(user, target.org):
        return f"{HOME_UNIT}：结果公布前不能查看其评分"
    return None


def can_view_scores(user: User, target: RoundTarget) -> bool:
    return why_not_view_scores(user, target) is None


def why_not_view_card(user: User, target: RoundTarget) -> str | None:
    """The explainable score card of one target. Assessors, leaders and admins: within their
    scope (an assessor's home unit only once results are published: why_not_view_scores). A
    unit: its own organisation or its subtree, once results are published (公示/定档)."""
    if user.role in ("admin", "assessor", "leader"):
        if not (in_scope(user, target.org) or in_scope(user, target.round.owner_org)):
            return NO_PERMISSION
        return why_not_view_scores(user, target)
    if user.role == "unit":
        return None if in_scope(user, target.org) and target.round.phase in RESULT_PHASES else NO_PERMISSION
    return NO_PERMISSION


def can_view_card(user: User, target: RoundTarget) -> bool:
    return why_not_view_card(user, target) is None


def can_view_audit(user: User) -> bool:
    """The audit log is browsed by administrators (read only for everyone)."""
    return user.role == "admin"


PREDICATES = {
    name: fn
    for name, fn in globals().items()
    if name.startswith(("can_", "why_not_", "in_scope", "is_")) and callable(fn)
}
