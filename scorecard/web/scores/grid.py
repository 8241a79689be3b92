"""The keyboard-friendly score grid (targets of one category × applicable leaves) and the
JSON endpoint its cells save through (static/grid.js)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import abort, jsonify, render_template, request
from flask_login import login_required
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from scorecard.domain.numbers import fmt, plain
from scorecard.domain.rules import RULE_LABELS
from scorecard.models import Category, Indicator, Round, RoundTarget, Score, User
from scorecard.services import permissions
from scorecard.services.errors import ServiceError
from scorecard.services.rounds.ranking import round_structure, target_structure
from scorecard.services.schemes.structure import Structure
from scorecard.services.scoring.scores import own_score, save_score
from scorecard.web.common import actor, get_db, get_or_404, require, status_of
from scorecard.web.scores import bp
from scorecard.web.scores.inputs import explain

SHORT_NAME = 8


@dataclass
class GridRow:
    target: RoundTarget
    avoided: bool
    cells_html: Markup = Markup("")
    total: str = ""
    scored: tuple[int, ...] = ()  # column indexes of the cells with an own score


def short_name(name: str) -> str:
    return name if len(name) <= SHORT_NAME else name[: SHORT_NAME - 1] + "…"


def _own_scores(db, user: User, target_ids: list[int]) -> dict[tuple[int, int], object]:
    """Plain rows (points, version, input), not ORM objects: a page holds thousands of cells."""
    rows = db.execute(select(Score.target_id, Score.indicator_id, Score.points, Score.version, Score.input)
                      .where(Score.assessor_id == user.id, Score.target_id.in_(target_ids)))
    return {(r.target_id, r.indicator_id): r for r in rows}


def _cell_parts(leaves: list[Indicator], editable: bool) -> list[tuple[str, str]]:
    """Per leaf, the escaped attribute text after data-version and the tail after the row's
    organisation name, computed once per page instead of once per cell."""
    tail = ">" if editable else " readonly>"
    parts = []
    for ind in leaves:
        code, name = escape(ind.code), escape(ind.name)
        parts.append((f'" data-leaf="{code}" data-name="{name}" data-rule="{escape(ind.rule_type)}" '
                      f'data-max="{escape(str(ind.max_points))}" data-hint="',
                      f' {code} {name}"{tail}</td>'))
    return parts


def _rows(db, user: User, st: Structure, targets: list[RoundTarget], leaves: list[Indicator],
          editable: bool) -> list[GridRow]:
    """Each row's cells as one HTML string (the grid has thousands of inputs; rendering them
    one by one through Jinja took most of the page time). Markup read by static/grid.js."""
    own = _own_scores(db, user, [t.id for t in targets])
    parts = _cell_parts(leaves, editable)
    rules = [st.rule(ind.code) for ind in leaves]
    rows = []
    for t in targets:
        if permissions.is_home_unit(user, t.org):
            rows.append(GridRow(t, True))
            continue
        org = escape(t.org.name)
        html, scored, total = [], [], Decimal(0)
        for i, ind in enumerate(leaves):
            score = own.get((t.id, ind.id))
            middle, tail = parts[i]
            if score is None:
                value, version, title = "", "", ""
            else:
                value, version, title = fmt(score.points), score.version, escape(explain(rules[i], score))
                scored.append(i)
                total += score.points
            html.append(f'<td><input class="cell" type="text" inputmode="decimal" autocomplete="off" '
                        f'spellcheck="false" value="{value}" data-saved="{value}" data-version="{version}'
                        f'{middle}{title}" title="{title}" aria-label="{org}{tail}')
        rows.append(GridRow(t, False, Markup("\n".join(html)), fmt(total) if scored else "", tuple(scored)))
    return rows


def _categories(db, rnd: Round) -> list[Category]:
    """The round's categories in order of their first target (one query, not every target)."""
    first = func.min(RoundTarget.id)
    return list(db.scalars(
        select(Category).join(RoundTarget, RoundTarget.category_id == Category.id)
        .where(RoundTarget.round_id == rnd.id).group_by(Category.id).order_by(first)))


@bp.route("/rounds/<int:round_id>/grid/<int:category_id>")
@login_required
def grid(round_id: int, category_id: int):
    db = get_db()
    user = actor()
    rnd = get_or_404(db, Round, round_id)
    require(permissions.can_change_round(user, rnd))
    category = get_or_404(db, Category, category_id)
    # Only this category's targets, with their organisations in one query (a round may have
    # thousands of targets in dozens of categories).
    in_category = db.scalars(
        select(RoundTarget).where(RoundTarget.round_id == rnd.id, RoundTarget.category_id == category.id)
        .options(selectinload(RoundTarget.org)).order_by(RoundTarget.id))
    targets = [t for t in in_category if permissions.in_scope(user, t.org)]
    if not targets:
        abort(404)
    st = round_structure(rnd)
    leaves = st.leaves_for(category.name)
    editable = rnd.phase in ("self", "review")
    rows = _rows(db, user, st, targets, leaves, editable)
    counts = [0] * len(leaves)
    for r in rows:
        for i in r.scored:
            counts[i] += 1
    return render_template(
        "scores/grid.html", rnd=rnd, category=category, categories=_categories(db, rnd), leaves=leaves,
        rows=rows, counts=counts, editable=editable, short_name=short_name,
        rule_labels=RULE_LABELS, pts=plain,
    )


def _fail(message: str, status: int, field: str | None = None):
    return jsonify(ok=False, error=message, field=field), status


def deny_message(user: User, tgt: RoundTarget) -> str:
    """Why permissions.can_score said no (same wording as services.scoring)."""
    if user.role == "assessor" and permissions.in_scope(user, tgt.round.owner_org) \
            and permissions.in_scope(user, tgt.org):
        if permissions.is_home_unit(user, tgt.org):
            return "您所在单位需回避，不能为其评分"
        if tgt.round.phase not in ("self", "review"):
            return f"本轮考核处于“{tgt.round.phase_label}”阶段，不能修改评分"
    return "您没有权限执行此操作"


def _request_fields(data: dict) -> tuple[str, int | None, str] | str:
    """(value, version, reason) from the JSON body, or a Chinese error message."""
    value = data.get("value")
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return "分值格式不正确"
    version = data.get("version")
    if isinstance(version, str) and version.strip().isdigit():
        version = int(version)
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        return "版本号格式不正确，请刷新页面"
    return str(value).strip(), version, str(data.get("reason") or "").strip()


def _raw(rule_type: str, value: str, reason: str) -> dict | None:
    """The grid enters points: direct stores the value, deduct needs a reason below max."""
    if value == "":
        return None
    if rule_type == "direct":
        return {"value": value}
    if rule_type == "deduct":
        return {"points": value, "reason": reason}
    return {"points": value}


def _row_total(db, user: User, tgt: RoundTarget) -> str:
    scores = db.scalars(select(Score).where(Score.target_id == tgt.id, Score.assessor_id == user.id)).all()
    return fmt(sum((s.points for s in scores), Decimal(0))) if scores else ""


@bp.route("/api/scores", methods=["POST"])
@login_required
def save_cell():
    """JSON {target_id, leaf_code, value, version, reason?} → {ok, points, version, row_total}."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _fail("请求格式不正确", 400)
    db, user = get_db(), actor()
    target_id = data.get("target_id")
    tgt = db.get(RoundTarget, target_id) if isinstance(target_id, int) and not isinstance(target_id, bool) else None
    if tgt is None:
        return _fail("考核对象不存在", 404)
    if not permissions.can_score(user, tgt):
        return _fail(deny_message(user, tgt), 403)
    fields = _request_fields(data)
    if isinstance(fields, str):
        return _fail(fields, 400)
    value, version, reason = fields
    st = target_structure(tgt)
    code = str(data.get("leaf_code") or "")
    if code not in st.leaf_codes:
        return _fail(f"指标“{code}”不存在", 400)
    ind = st.leaf(code)
    existing = own_score(db, user, tgt, ind)
    try:
        res = save_score(db, user, tgt, ind, _raw(ind.rule_type, value, reason),
                         comment=existing.comment if existing else "", expected_version=version,
                         st=st, existing=existing)
    except ServiceError as exc:
        db.rollback()
        return _fail(exc.message, status_of(exc), exc.field)
    db.commit()
    return jsonify(ok=True, points=fmt(res.points), version=res.version,
                   row_total=_row_total(db, user, tgt), title=explain(st.rule(code), res.score))
