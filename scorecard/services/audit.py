"""Audit rows are written by services in the same unit of work as the change itself.

This module is append-only on purpose: it can `record` a row and `search` rows, nothing else.
There is no update or delete path (tests/audit checks that), and the model refuses both.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import String, and_, cast, func, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from scorecard.models import AuditEntry, Base, Organisation, Round, RoundTarget, User, utcnow
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied

ENTITY_LABELS = {
    "scheme": "考核方案", "indicator": "指标", "scheme_item": "加减分项", "tier": "等次",
    "round": "考核轮次", "round_target": "考核对象", "score": "评分", "adjustment": "加减分",
    "organisation": "组织", "user": "账号", "login": "登录", "request": "访问",
    "self_assessment": "自评", "self_item": "自评项", "evidence": "佐证材料",
    "evidence_citation": "材料引用", "appeal": "申诉", "nomination": "绩优推报",
    "verification_visit": "实地核验", "panel_vote": "述职评议投票",
}
ACTION_LABELS = {
    "create": "新建", "update": "修改", "delete": "删除", "clear": "清除", "import": "导入",
    "move": "移动", "publish": "发布", "archive": "归档", "new_version": "新版本",
    "veto": "一票否决", "unveto": "取消一票否决", "override_tier": "调整等次",
    "start_review": "开始审核评分", "finalize": "定档", "activate": "启用", "deactivate": "停用",
    "login": "登录", "login_failed": "登录失败", "login_locked": "登录锁定", "logout": "退出",
    "forbidden": "拒绝访问", "change_password": "修改密码", "reset_password": "重置密码", "unlock": "解锁",
    "submit": "提交", "confirm": "确认", "return": "退回", "reopen": "重新开放", "upload": "上传",
    "cite": "引用", "uncite": "取消引用", "reject": "标记无关", "answer": "答复", "decide": "审核",
    "deadlines": "设置期限", "set_publicity_window": "设置公示期", "set_votes": "录入投票",
    "close_publicity_early": "提前结束公示",
}
PAGE_SIZE = 50


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value):
    if type(value) is dict and all(type(v) in _JSON_SCALARS for v in value.values()):
        return value  # the common flat case, already JSON-ready (bulk imports)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity: str,
    entity_id: int | None,
    old: dict | None = None,
    new: dict | None = None,
    reason: str | None = None,
    round_id: int | None = None,
) -> AuditEntry:
    """Add one audit row. round_id: the round the change belongs to; when not given it is inferred
    for "round", "round_target" and any entity whose table has a target_id (score, adjustment,
    self_item, appeal, …), so the log can be filtered by round."""
    if round_id is None:
        round_id = _infer_round(session, entity, entity_id)
    entry = AuditEntry(
        user_id=actor.id if actor else None,
        action=action,
        entity=entity,
        entity_id=entity_id,
        round_id=round_id,
        old=_plain(old),
        new=_plain(new),
        reason=reason,
    )
    session.add(entry)
    return entry


def record_many(session: Session, actor: User | None, entries: list[dict]) -> None:
    """Add many audit rows in one INSERT (bulk imports). Each entry: action, entity, entity_id,
    optional old/new/reason/round_id; round_id is not inferred, so pass it where it matters."""
    if not entries:
        return
    user_id = actor.id if actor else None
    now = utcnow()
    session.execute(insert(AuditEntry.__table__), [  # Core: no per-row ORM bookkeeping
        {"at": now, "user_id": user_id, "action": e["action"], "entity": e["entity"],
         "entity_id": e.get("entity_id"), "round_id": e.get("round_id"), "old": _plain(e.get("old")),
         "new": _plain(e.get("new")), "reason": e.get("reason")} for e in entries])


def _infer_round(session: Session, entity: str, entity_id: int | None) -> int | None:
    if entity_id is None:
        return None
    if entity == "round":
        return entity_id
    mapper = next((m for m in Base.registry.mappers if getattr(m.class_, "__tablename__", None) == entity), None)
    if mapper is None or not (entity == "round_target" or "target_id" in mapper.columns):
        return None
    with session.no_autoflush:
        obj = session.get(mapper.class_, entity_id)
        if obj is None:
            return None
        if isinstance(obj, RoundTarget):
            return obj.round_id
        target = session.get(RoundTarget, obj.target_id) if obj.target_id is not None else None
    return target.round_id if target is not None else None


# --- browsing (read only) -------------------------------------------------------------------

@dataclass(frozen=True)
class AuditFilter:
    entity: str | None = None
    user_id: int | None = None
    round_id: int | None = None
    date_from: dt.date | None = None  # inclusive, UTC day
    date_to: dt.date | None = None  # inclusive, UTC day
    text: str | None = None


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    total: int
    page: int
    pages: int
    per_page: int


def _conditions(f: AuditFilter) -> list:
    cond = []
    if f.entity:
        cond.append(AuditEntry.entity == f.entity)
    if f.user_id:
        cond.append(AuditEntry.user_id == f.user_id)
    if f.round_id:
        cond.append(AuditEntry.round_id == f.round_id)
    if f.date_from:
        cond.append(AuditEntry.at >= dt.datetime.combine(f.date_from, dt.time.min))
    if f.date_to:
        cond.append(AuditEntry.at < dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min))
    text = (f.text or "").strip()
    if text:
        cond.append(_text_condition(text))
    return cond


def _text_condition(text: str):
    """Free text in action, entity, reason, old and new. JSON is stored with non-ASCII escaped
    (\\uXXXX), so the old/new columns are searched for both spellings."""
    escaped = json.dumps(text)[1:-1]
    columns = [AuditEntry.action, AuditEntry.entity, AuditEntry.reason]
    parts = [c.contains(text, autoescape=True) for c in columns]
    for col in (AuditEntry.old, AuditEntry.new):
        as_text = cast(col, String)
        parts.append(as_text.contains(text, autoescape=True))
        if escaped != text:
            parts.append(as_text.contains(escaped, autoescape=True))
    return or_(*parts)


def search(session: Session, actor: User, f: AuditFilter, page: int = 1,
           per_page: int = PAGE_SIZE) -> AuditPage:
    """Newest first, one page of entries matching every given filter."""
    if not permissions.can_view_audit(actor):
        raise PermissionDenied()
    cond = _conditions(f) + _scope_conditions(actor)
    total = session.scalar(select(func.count(AuditEntry.id)).where(*cond)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    entries = session.scalars(
        select(AuditEntry).where(*cond).options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return AuditPage(list(entries), total, page, pages, per_page)


def _scope_conditions(actor: User) -> list:
    """An administrator sees what the accounts of their sub-tree did and what happened in rounds
    their sub-tree runs; entries of no account and no round (e.g. failed logins of unknown names)
    only administrators of a top-level organisation."""
    parts = [AuditEntry.user_id.in_(_users_within(actor)), AuditEntry.round_id.in_(_rounds_within(actor))]
    if actor.scope_org.parent_id is None:
        parts.append(and_(AuditEntry.user_id.is_(None), AuditEntry.round_id.is_(None)))
    return [or_(*parts)]


def _users_within(actor: User):
    return select(User.id).join(Organisation, User.scope_org_id == Organisation.id).where(
        Organisation.path.startswith(actor.scope_org.path, autoescape=True))


def _rounds_within(actor: User):
    return select(Round.id).join(Organisation, Round.owner_org_id == Organisation.id).where(
        Organisation.path.startswith(actor.scope_org.path, autoescape=True))


def filter_choices(session: Session, actor: User) -> dict:
    """Entity types, users and rounds that occur in the actor's part of the log (filter form)."""
    scope = _scope_conditions(actor)
    entities = session.scalars(select(AuditEntry.entity).where(*scope).distinct().order_by(AuditEntry.entity)).all()
    user_ids = select(AuditEntry.user_id).where(AuditEntry.user_id.is_not(None), *scope).distinct()
    users = session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.username)).all()
    rounds = session.scalars(select(Round).order_by(Round.id.desc())).all()
    rounds = [r for r in rounds if r.owner_org.is_within(actor.scope_org)]
    return {"entities": [(e, ENTITY_LABELS.get(e, e)) for e in entities],
            "users": list(users), "rounds": list(rounds)}


def describe_change(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(field, old, new) for every key in old or new, for display."""
    old, new = entry.old or {}, entry.new or {}
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [("", _shown(old), _shown(new))]
    keys = list(dict.fromkeys([*old.keys(), *new.keys()]))
    return [(k, _shown(old.get(k)) if k in old else "", _shown(new.get(k)) if k in new else "") for k in keys]


def _shown(value) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
