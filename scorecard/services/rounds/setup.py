"""Creating a round from the web form: the schemes and categories it offers, and the targets
the chosen categories stand for (lifecycle.create_round does the rest)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scorecard.models import Category, Organisation, Round, Scheme, User
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.rounds.lifecycle import create_round


def _ensure_manager(actor: User) -> None:
    if not permissions.can_manage_rounds(actor):
        raise PermissionDenied()


def published_schemes(session: Session, actor: User) -> list[Scheme]:
    """The latest published version of every scheme code the actor's rounds may use (owned by the
    actor's scope organisation or one above it: permissions.why_not_use_scheme)."""
    _ensure_manager(actor)
    latest: dict[str, Scheme] = {}
    for s in session.scalars(select(Scheme).where(Scheme.status == "published")
                             .order_by(Scheme.code, Scheme.version)):
        latest[s.code] = s
    return [s for s in latest.values() if permissions.why_not_use_scheme(actor, s) is None]


def category_choices(session: Session, actor: User) -> list[tuple[int, str]]:
    """The categories of the active organisations in the actor's scope, with their sizes."""
    _ensure_manager(actor)
    counts = session.execute(
        select(Category.id, Category.name, func.count(Organisation.id))
        .join(Organisation, Organisation.category_id == Category.id)
        .where(Organisation.active, Organisation.path.startswith(actor.scope_org.path))
        .group_by(Category.id, Category.name).order_by(Category.id)
    ).all()
    return [(cid, f"{name}（{n}个组织）") for cid, name, n in counts]


def create_for_categories(session: Session, actor: User, scheme_id: int, code: str, name: str,
                          category_ids: list[int] | None, trimmed: bool = False) -> Round:
    """A round over every org in scope with a category (none chosen) or of the chosen ones."""
    _ensure_manager(actor)
    scheme = session.get(Scheme, scheme_id)
    if scheme is None:
        raise ServiceError("所选方案不存在", "scheme")
    codes = _target_codes(session, actor, scheme, category_ids)
    return create_round(session, actor, scheme, code, name, codes, trimmed=trimmed)


def _target_codes(session: Session, actor: User, scheme: Scheme, category_ids: list[int] | None) -> list[str] | None:
    """None: every org with a category in scope (create_round's default); else the chosen categories'."""
    if not category_ids:
        return None
    allowed = {c.id for c in scheme.categories}
    outside = [session.get(Category, cid).name for cid in category_ids if allowed and cid not in allowed]
    if outside:
        raise ServiceError(f"类别“{'、'.join(outside)}”不在所选方案的适用类别中", "targets")
    orgs = session.scalars(
        select(Organisation).where(Organisation.category_id.in_(category_ids), Organisation.active,
                                   Organisation.path.startswith(actor.scope_org.path))
        .order_by(Organisation.path)).all()
    if not orgs:
        raise ServiceError("所选类别下没有可考核的组织", "targets")
    return [o.code for o in orgs]
