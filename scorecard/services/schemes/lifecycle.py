"""Schemes (考核方案): import, validation before publish, publish, new versions.

Editing a draft lives in schemes_edit.py; comparing versions and the burden in schemes_diff.py. Every
function takes (session, actor, ...); actor None means the console (`scorecard` CLI, run by
someone with direct database access). Services flush and never commit.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scorecard.domain.numbers import fmt, places, plain, to_decimal
from scorecard.domain.tree import validate_tree
from scorecard.importers.common import split_list
from scorecard.importers.scheme import parse_scheme
from scorecard.models import Category, Indicator, Organisation, Scheme, SchemeItem, Tier, User, utcnow
from scorecard.services import audit, permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.schemes.structure import node_specs

IMMUTABLE = "已发布的方案不能修改，请创建新版本"
DEFAULT_TIERS = (("好", Decimal(90)), ("较好", Decimal(80)), ("一般", Decimal(60)), ("差", Decimal(0)))
DEFAULT_FULL_MARKS = Decimal(100)
MAX_CODE, MAX_NAME, MAX_CATEGORY = 32, 200, 50
LAYOUT_LABELS = {"template": "本系统方案模板", "rulebook": "考核细则原表"}
FORBIDDEN_IN_CODE = set("、,，;；/／|｜")


class PublishRefused(ServiceError):
    """Publishing refused; ``messages`` lists every validation problem."""

    def __init__(self, scheme: Scheme, messages: list[str]):
        self.messages = list(messages)
        head = (f"方案「{scheme.name}」（{scheme.code} 第{scheme.version}版）未通过发布前检查，"
                f"共{len(self.messages)}处问题，未发布：")
        super().__init__(head + "\n" + "\n".join(f"  - {m}" for m in self.messages), "publish")


# --- guards and look-ups ------------------------------------------------------------------

def require_create(actor: User | None) -> None:
    """May import a scheme at all (the console may)."""
    if actor is not None and not permissions.can_create_schemes(actor):
        raise PermissionDenied()


def require_manage(actor: User | None, scheme: Scheme) -> None:
    """May change this scheme: its owner organisation lies within the actor's scope."""
    if actor is not None:
        permissions.ensure(permissions.why_not_manage_scheme(actor, scheme))


def root_org(session: Session) -> Organisation:
    """The top of the organisation tree (the first root by id): owner of console imports."""
    org = session.scalar(select(Organisation).where(Organisation.parent_id.is_(None)).order_by(Organisation.id))
    if org is None:
        raise ServiceError("还没有组织：请先导入组织架构，再导入方案", "owner")
    return org


def owner_for(session: Session, actor: User | None, owner_code: str | None = None) -> Organisation:
    """The organisation a new scheme belongs to: the named one (which must lie in the actor's
    scope), else the actor's scope organisation, else (console) the root organisation."""
    if owner_code and owner_code.strip():
        org = session.scalar(select(Organisation).where(Organisation.code == owner_code.strip()))
        if org is None:
            raise ServiceError(f"所属组织编码「{owner_code.strip()}」不存在", "owner")
    elif actor is not None:
        org = actor.scope_org
    else:
        org = root_org(session)
    if actor is not None and not permissions.in_scope(actor, org):
        raise PermissionDenied(f"所属组织“{org.name}”不在您的管理范围内")
    return org


def require_draft(scheme: Scheme) -> None:
    if not scheme.is_draft:
        raise ServiceError(IMMUTABLE, "status")


def require_editable(actor: User | None, scheme: Scheme) -> None:
    require_manage(actor, scheme)
    require_draft(scheme)


def label(scheme: Scheme) -> str:
    return f"{scheme.code} 第{scheme.version}版"


def families(session: Session) -> list[tuple[str, list[Scheme]]]:
    """Schemes grouped by code (a family of versions), newest version first."""
    rows = session.scalars(select(Scheme).order_by(Scheme.code, Scheme.version.desc())).all()
    grouped: dict[str, list[Scheme]] = {}
    for s in rows:
        grouped.setdefault(s.code, []).append(s)
    return list(grouped.items())


def by_code(session: Session, code: str, status: str | None = None, version: int | None = None) -> Scheme:
    """The latest version of a code (optionally with a given status), or the given version."""
    query = select(Scheme).where(Scheme.code == code.strip())
    if status:
        query = query.where(Scheme.status == status)
    if version is not None:
        query = query.where(Scheme.version == version)
    scheme = session.scalar(query.order_by(Scheme.version.desc()))
    if scheme is None:
        what = {"draft": "草稿版本", "published": "已发布版本"}.get(status or "", "")
        what = f"第{version}版" if version is not None else what
        raise ServiceError(f"方案「{code}」不存在{what}", "code")
    return scheme


def previous_version(session: Session, scheme: Scheme) -> Scheme | None:
    return session.scalar(
        select(Scheme).where(Scheme.code == scheme.code, Scheme.version < scheme.version)
        .order_by(Scheme.version.desc())
    )


def later_version(session: Session, scheme: Scheme) -> Scheme | None:
    """The newest version of the same code after this one (the page points to it)."""
    return session.scalar(
        select(Scheme).where(Scheme.code == scheme.code, Scheme.version > scheme.version)
        .order_by(Scheme.version.desc())
    )


def other_versions(session: Session, scheme: Scheme) -> list[Scheme]:
    """The other versions of the scheme's code, newest first (to compare against)."""
    return list(session.scalars(
        select(Scheme).where(Scheme.code == scheme.code, Scheme.id != scheme.id)
        .order_by(Scheme.version.desc())
    ))


def category_names(session: Session) -> list[str]:
    """Every category known, in creation order (the choices of a scheme's categories)."""
    return list(session.scalars(select(Category.name).order_by(Category.id)))


def _next_version(session: Session, code: str) -> int:
    top = session.scalar(select(func.max(Scheme.version)).where(Scheme.code == code))
    return (top or 0) + 1


def categories_named(session: Session, names: Iterable[str]) -> list[Category]:
    """Category rows for the names, created on demand, in the given order."""
    out: list[Category] = []
    for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
        if len(name) > MAX_CATEGORY:
            raise ServiceError(f"类别名称「{name}」超过{MAX_CATEGORY}个字符", "categories")
        cat = session.scalar(select(Category).where(Category.name == name))
        if cat is None:
            cat = Category(name=name)
            session.add(cat)
            session.flush()
        out.append(cat)
    return out


def check_identity(code: str, name: str, year) -> tuple[str, str, int]:
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        raise ServiceError("方案编码不能为空", "code")
    if len(code) > MAX_CODE or any(c.isspace() for c in code):
        raise ServiceError(f"方案编码「{code}」不能超过{MAX_CODE}个字符且不能含空格", "code")
    if not name:
        raise ServiceError("方案名称不能为空", "name")
    if len(name) > MAX_NAME:
        raise ServiceError(f"方案名称不能超过{MAX_NAME}个字符", "name")
    try:
        number = int(str(year).strip())
    except (TypeError, ValueError):
        raise ServiceError(f"年度「{year}」不是有效的年份", "year") from None
    if not 2000 <= number <= 2100:
        raise ServiceError(f"年度「{number}」应在2000到2100之间", "year")
    return code, name, number


# --- small readers ---------------------------------------------------------------------------

def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_points(value: Any, what: str, field: str, *, prefix: str = "", optional: bool = False,
                zero_ok: bool = False, upper: Decimal | None = None) -> Decimal | None:
    """A points value typed by a person: positive (or ≥ 0), at most two decimals."""
    if _blank(value):
        if optional:
            return None
        raise ServiceError(f"{prefix}请填写{what}", field)
    try:
        number = to_decimal(value)
    except ValueError:
        raise ServiceError(f"{prefix}{what}不是有效的数字：{value}", field) from None
    if number < 0 or (number == 0 and not zero_ok):
        raise ServiceError(f"{prefix}{what}必须{'不小于' if zero_ok else '大于'}0（当前{plain(number)}）", field)
    if upper is not None and number > upper:
        raise ServiceError(f"{prefix}{what}不能超过{plain(upper)}（当前{plain(number)}）", field)
    if places(number) > 2:
        raise ServiceError(f"{prefix}{what}最多保留两位小数（当前{plain(number)}）", field)
    return number


def read_text(value: Any, what: str, field: str, limit: int | None, *, prefix: str = "",
              required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ServiceError(f"{prefix}{what}不能为空", field)
    if limit is not None and len(text) > limit:
        raise ServiceError(f"{prefix}{what}不能超过{limit}个字符（当前{len(text)}个）", field)
    return text


def read_code(value: Any, what: str, field: str, taken: set[str], prefix: str = "") -> str:
    code = read_text(value, what, field, MAX_CODE, prefix=prefix)
    if any(c.isspace() or c in FORBIDDEN_IN_CODE for c in code):
        raise ServiceError(f"{prefix}{what}「{code}」不能包含空格或、，；/等分隔符", field)
    if code in taken:
        raise ServiceError(f"{prefix}{what}「{code}」已存在", field)
    return code


def read_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return split_list(value)
    return [str(v).strip() for v in value if v is not None and str(v).strip()]


def _shown(value: Any) -> Any:
    """A value as the audit trail records it: category names, numbers without padding."""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, list) and value and hasattr(value[0], "name") and not isinstance(value[0], str):
        return [c.name for c in value]
    return value


def assign(obj: Any, values: dict) -> tuple[dict, dict]:
    """Set the values that differ; return (old, new) of those fields for the audit row."""
    old, new = {}, {}
    for key, value in values.items():
        current = getattr(obj, key)
        if _shown(list(current) if isinstance(current, list) else current) == _shown(value):
            continue
        old[key], new[key] = _shown(list(current) if isinstance(current, list) else current), _shown(value)
        setattr(obj, key, value)
    return old, new


def record_update(session: Session, actor: User | None, entity: str, obj: Any, old: dict, new: dict,
            where: str) -> None:
    if new:
        session.flush()
        audit.record(session, actor, "update", entity, obj.id, old=old, new=new, reason=where)


# --- a plain picture of a scheme (audit, diff, copies) -----------------------------------

def dump(scheme: Scheme) -> dict:
    """Everything that defines a scheme, as plain values in display order."""
    parent = {i.id: i.code for i in scheme.indicators}
    return {
        "settings": {
            "name": scheme.name, "year": scheme.year, "full_marks": scheme.full_marks,
            "bonus_cap": scheme.bonus_cap, "convert": scheme.convert, "veto_cap": scheme.veto_cap,
            "tie_break": list(scheme.tie_break or []), "categories": [c.name for c in scheme.categories],
        },
        "indicators": [dump_indicator(i, parent.get(i.parent_id)) for i in scheme.indicators],
        "items": [{"code": t.code, "name": t.name, "kind": t.kind, "points": t.points, "cap": t.cap}
                  for t in scheme.items],
        "tiers": [{"name": t.name, "threshold": t.threshold, "quota_pct": t.quota_pct} for t in scheme.tiers],
    }


def dump_indicator(ind: Indicator, parent_code: str | None = None) -> dict:
    if parent_code is None and ind.parent is not None:
        parent_code = ind.parent.code
    return {
        "code": ind.code, "parent": parent_code, "name": ind.name, "max_points": ind.max_points,
        "content": ind.content or "", "rule_text": ind.rule_text or "", "methods": list(ind.methods or []),
        "categories": [c.name for c in ind.categories], "evidence_hint": ind.evidence_hint or "",
        "evidence_required": bool(ind.evidence_required),
        "rule_type": ind.rule_type, "rule_params": dict(ind.rule_params or {}),
    }


# --- import ---------------------------------------------------------------------------------

def import_scheme(session: Session, actor: User | None, parsed, code: str, name: str, year,
                  owner: Organisation | None = None) -> Scheme:
    """A new draft from a parsed workbook (importers.scheme.ParsedScheme): version 1, or the
    next version of an existing code (then the actor must manage that code's latest version,
    and the new version keeps its owner). Owner: given (within the actor's scope), else the
    actor's scope organisation, else (console) the root organisation."""
    require_create(actor)
    code, name, year = check_identity(code, name, year)
    existing = session.scalar(select(Scheme).where(Scheme.code == code).order_by(Scheme.version.desc()))
    if existing is not None:
        require_manage(actor, existing)
        owner = existing.owner_org
    elif owner is None:
        owner = owner_for(session, actor)
    elif actor is not None and not permissions.in_scope(actor, owner):
        raise PermissionDenied(f"所属组织“{owner.name}”不在您的管理范围内")
    settings = dict(parsed.settings or {})
    scheme = Scheme(
        code=code, version=_next_version(session, code), name=name, year=year, status="draft",
        owner_org=owner,
        full_marks=to_decimal(settings.get("full_marks") or DEFAULT_FULL_MARKS),
        bonus_cap=settings.get("bonus_cap"), convert=bool(settings.get("convert", False)),
        veto_cap=settings.get("veto_cap") or None, tie_break=list(settings.get("tie_break") or []),
    )
    named = [c for ind in parsed.indicators for c in ind.categories]
    scheme.categories = (categories_named(session, named) if named
                         else list(session.scalars(select(Category).order_by(Category.id))))
    session.add(scheme)
    _import_indicators(session, scheme, parsed.indicators)
    for pos, it in enumerate(parsed.items, start=1):
        scheme.items.append(SchemeItem(code=it.code, name=it.name, kind=it.kind, points=it.points,
                                       cap=it.cap, position=pos))
    tiers = [(t.name, t.threshold, t.quota_pct) for t in parsed.tiers] or [(n, t, None) for n, t in DEFAULT_TIERS]
    for pos, (tier_name, threshold, quota) in enumerate(tiers):
        scheme.tiers.append(Tier(name=tier_name, threshold=threshold, quota_pct=quota, position=pos))
    session.flush()
    audit.record(session, actor, "import", "scheme", scheme.id,
                 new={"code": code, "version": scheme.version, "layout": parsed.layout,
                      "owner": owner.code, **dump(scheme)})
    return scheme


def import_scheme_file(session: Session, actor: User | None, source, code: str, name: str | None,
                       year, owner: Organisation | None = None) -> Scheme:
    """Parse a workbook (ImportFailed lists its problems) and import it as a draft; a blank
    name takes the workbook's own title (设置 → 方案名称)."""
    require_create(actor)
    parsed = parse_scheme(source)
    return import_scheme(session, actor, parsed, code, (name or "").strip() or (parsed.title or ""), year,
                         owner)


def _import_indicators(session: Session, scheme: Scheme, parsed_indicators) -> None:
    by_code: dict[str, Indicator] = {}
    for pos, p in enumerate(parsed_indicators, start=1):
        parent = by_code.get(p.parent_code) if p.parent_code else None
        if p.parent_code and parent is None:
            raise ServiceError(f"指标 {p.code}「{p.name}」：上级指标 {p.parent_code} 不存在或排在其后", "parent")
        ind = Indicator(
            code=p.code, name=p.name, max_points=p.max_points, position=pos, parent=parent,
            content=p.content or "", rule_text=p.rule_text or "", methods=list(p.methods or []),
            evidence_hint=p.evidence_hint or "", rule_type=p.rule_type or "direct",
            evidence_required=bool(getattr(p, "evidence_required", False)),
            rule_params=dict(p.params or {}), categories=categories_named(session, p.categories or []),
        )
        scheme.indicators.append(ind)
        by_code[p.code] = ind


# --- validation and publishing ----------------------------------------------------------------

def validate_scheme(scheme: Scheme) -> list[str]:
    """Every problem that blocks publishing, as Chinese messages (empty = can publish)."""
    errors = validate_tree(node_specs(scheme), scheme.full_marks,
                           [c.name for c in scheme.categories], scheme.convert)
    errors += _check_tiers(scheme)
    tops = {i.code for i in scheme.indicators if i.parent_id is None}
    for code in scheme.tie_break or []:
        if code not in tops:
            errors.append(f"并列排序依据「{code}」不是一级指标编码（可用：{'、'.join(sorted(tops)) or '无'}）")
    errors += _check_items(scheme)
    if scheme.bonus_cap is not None and scheme.bonus_cap <= 0:
        errors.append(f"加分上限必须大于0（当前{fmt(scheme.bonus_cap)}）")
    return errors


def _check_tiers(scheme: Scheme) -> list[str]:
    tiers = list(scheme.tiers)
    if not tiers:
        return ["至少需要设置一个等次"]
    errors, seen = [], set()
    for prev, tier in zip([None] + tiers, tiers):
        if not (tier.name or "").strip():
            errors.append("等次名称不能为空")
        elif tier.name in seen:
            errors.append(f"等次名称「{tier.name}」重复")
        seen.add(tier.name)
        if prev is not None and tier.threshold >= prev.threshold:
            errors.append(f"等次「{tier.name}」的最低分 {fmt(tier.threshold)} 应低于上一等次"
                          f"「{prev.name}」的 {fmt(prev.threshold)}（须从高到低排列）")
        if tier.quota_pct is not None and not Decimal(0) <= tier.quota_pct <= Decimal(100):
            errors.append(f"等次「{tier.name}」的名额比例 {fmt(tier.quota_pct)} 应在0到100之间")
    if tiers[-1].threshold != 0:
        errors.append(f"最低等次「{tiers[-1].name}」的最低分应为0（当前{fmt(tiers[-1].threshold)}）")
    if scheme.veto_cap and scheme.veto_cap not in seen:
        errors.append(f"一票否决封顶等次「{scheme.veto_cap}」不是方案中的等次")
    return errors


def _check_items(scheme: Scheme) -> list[str]:
    errors, seen = [], set()
    for it in scheme.items:
        who = f"加减分项 {it.code}「{it.name}」"
        if it.code in seen:
            errors.append(f"{who}：编码重复")
        seen.add(it.code)
        if it.kind not in ("bonus", "penalty"):
            errors.append(f"{who}：类型应为加分或减分")
        for value, what in ((it.points, "每项分值"), (it.cap, "单项上限")):
            if value is not None and value <= 0:
                errors.append(f"{who}：{what}必须大于0（当前{fmt(value)}）")
    return errors


def publish(session: Session, actor: User | None, scheme: Scheme) -> Scheme:
    """Publish a valid draft; the previously published version of the code is archived."""
    require_manage(actor, scheme)
    if not scheme.is_draft:
        raise ServiceError(f"方案 {label(scheme)} 的状态为「{scheme.status_label}」，只有草稿可以发布", "status")
    messages = validate_scheme(scheme)
    if messages:
        raise PublishRefused(scheme, messages)
    earlier = session.scalars(select(Scheme).where(
        Scheme.code == scheme.code, Scheme.status == "published", Scheme.id != scheme.id)).all()
    for old in earlier:
        old.status = "archived"
        audit.record(session, actor, "archive", "scheme", old.id,
                     old={"status": "published"}, new={"status": "archived"},
                     reason=f"已发布新版本 第{scheme.version}版")
    scheme.status = "published"
    scheme.published_at = utcnow()
    session.flush()
    audit.record(session, actor, "publish", "scheme", scheme.id, old={"status": "draft"},
                 new={"status": "published", "version": scheme.version})
    return scheme


def new_version(session: Session, actor: User | None, scheme: Scheme) -> Scheme:
    """A draft copy of the scheme (indicators, categories, rules, items, tiers, settings); it
    keeps the scheme's owner."""
    require_manage(actor, scheme)
    copy = Scheme(code=scheme.code, version=_next_version(session, scheme.code), name=scheme.name,
                  owner_org=scheme.owner_org,
                  year=scheme.year, status="draft", full_marks=scheme.full_marks,
                  bonus_cap=scheme.bonus_cap, convert=scheme.convert, veto_cap=scheme.veto_cap,
                  tie_break=list(scheme.tie_break or []), categories=list(scheme.categories))
    session.add(copy)
    mapped: dict[int, Indicator] = {}
    for ind in sorted(scheme.indicators, key=lambda i: i.position):
        new = Indicator(code=ind.code, name=ind.name, max_points=ind.max_points, position=ind.position,
                        parent=mapped.get(ind.parent_id) if ind.parent_id else None,
                        content=ind.content, rule_text=ind.rule_text, methods=list(ind.methods or []),
                        evidence_hint=ind.evidence_hint, evidence_required=ind.evidence_required,
                        rule_type=ind.rule_type,
                        rule_params=dict(ind.rule_params or {}), categories=list(ind.categories))
        copy.indicators.append(new)
        mapped[ind.id] = new
    for it in scheme.items:
        copy.items.append(SchemeItem(code=it.code, name=it.name, kind=it.kind, points=it.points,
                                     cap=it.cap, position=it.position))
    for t in scheme.tiers:
        copy.tiers.append(Tier(name=t.name, threshold=t.threshold, quota_pct=t.quota_pct, position=t.position))
    session.flush()
    audit.record(session, actor, "new_version", "scheme", copy.id,
                 old={"from": label(scheme)}, new={"code": copy.code, "version": copy.version})
    return copy
