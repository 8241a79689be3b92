"""The keyboard-friendly score grid (targets of one category × applicable leaves) and the
JSON endpoint its cells save through (static/grid.js); services/scoring/grid.py reads and saves."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import abort, jsonify, render_template, request
from flask_login import login_required
from markupsafe import Markup, escape

from scorecard.domain.numbers import fmt, parse_id, plain
from scorecard.domain.rules import RULE_LABELS
from scorecard.models import Category, Indicator, Round, RoundTarget
from scorecard.services.scoring import grid as grid_svc
from scorecard.services.scoring.score_page import explain
from scorecard.web.common import actor, get_db, get_or_404
from scorecard.web.scores import bp

SHORT_NAME = 8


@dataclass
class RowHtml:
    target: RoundTarget
    avoided: bool
    cells_html: Markup = Markup("")
    total: str = ""
    scored: tuple[int, ...] = ()  # column indexes of the cells with an own score


def short_name(name: str) -> str:
    return name if len(name) <= SHORT_NAME else name[: SHORT_NAME - 1] + "…"


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


def _rows(page: grid_svc.GridPage) -> list[RowHtml]:
    """Each row's cells as one HTML string (the grid has thousands of inputs; rendering them
    one by one through Jinja took most of the page time). Markup read by static/grid.js."""
    parts = _cell_parts(page.leaves, page.editable)
    rows = []
    for row in page.rows:
        t = row.target
        if row.avoided:
            rows.append(RowHtml(t, True))
            continue
        org = escape(t.org.name)
        html, scored, total = [], [], Decimal(0)
        for i, ind in enumerate(page.leaves):
            score = page.own.get((t.id, ind.id))
            middle, tail = parts[i]
            if score is None:
                value, version, title = "", "", ""
            else:
                value, version, title = fmt(score.points), score.version, escape(explain(page.rules[i], score))
                scored.append(i)
                total += score.points
            html.append(f'<td><input class="cell" type="text" inputmode="decimal" autocomplete="off" '
                        f'spellcheck="false" value="{value}" data-saved="{value}" data-version="{version}'
                        f'{middle}{title}" title="{title}" aria-label="{org}{tail}')
        rows.append(RowHtml(t, False, Markup("\n".join(html)), fmt(total) if scored else "", tuple(scored)))
    return rows


@bp.route("/rounds/<int:round_id>/grid/<int:category_id>")
@login_required
def grid(round_id: int, category_id: int):
    db = get_db()
    rnd = get_or_404(db, Round, round_id)
    category = get_or_404(db, Category, category_id)
    page = grid_svc.grid_page(db, actor(), rnd, category)
    if page is None:
        abort(404)
    rows = _rows(page)
    counts = [0] * len(page.leaves)
    for r in rows:
        for i in r.scored:
            counts[i] += 1
    return render_template(
        "scores/grid.html", rnd=rnd, category=category, categories=page.categories, leaves=page.leaves,
        rows=rows, counts=counts, editable=page.editable, short_name=short_name,
        rule_labels=RULE_LABELS, pts=plain,
    )


def _fail(message: str, status: int):
    return jsonify(ok=False, error=message, field=None), status


def _request_fields(data: dict) -> tuple[str, int | None, str] | str:
    """(value, version, reason) from the JSON body, or a Chinese error message."""
    value = data.get("value")
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return "分值格式不正确"
    version = data.get("version")
    if version is not None:
        version = parse_id(version)
    if version is None and data.get("version") is not None:
        return "版本号格式不正确，请刷新页面"
    return str(value).strip(), version, str(data.get("reason") or "").strip()


@bp.route("/api/scores", methods=["POST"])
@login_required
def save_cell():
    """JSON {target_id, leaf_code, value, version, reason?} → {ok, points, version, row_total}.
    A refusal reaches the app's error handler, which answers JSON under /api/ (status and field)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _fail("请求格式不正确", 400)
    db = get_db()
    target_id = parse_id(data["target_id"]) if isinstance(data.get("target_id"), int) else None
    tgt = db.get(RoundTarget, target_id) if target_id is not None else None
    if tgt is None:
        return _fail("考核对象不存在", 404)
    fields = _request_fields(data)
    if isinstance(fields, str):
        return _fail(fields, 400)
    value, version, reason = fields
    # Not unit_of_work: its flash would turn up on the next page; the handler answers in JSON.
    saved = grid_svc.save_cell(db, actor(), tgt, str(data.get("leaf_code") or ""), value, version, reason)
    db.commit()
    return jsonify(ok=True, points=saved.points, version=saved.version, row_total=saved.row_total,
                   title=saved.title)
