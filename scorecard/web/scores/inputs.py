"""Per-target score page: typed form fields → leaf inputs, and the page's view model.

Every leaf has its own <form>; field names are per rule type (see templates/scores/_inputs.html):
direct value · deduct d_times/d_points/d_reason (repeated rows) · count count · grade level ·
ratio actual/target · check met (1/0) · vote vote_<i> (i = option index) · tasks done/due.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scorecard.domain.numbers import fmt, plain
from scorecard.domain.rules import RULE_LABELS, LeafRule, RuleError, describe_input
from scorecard.models import Indicator, RoundTarget, Score, User
from scorecard.services import permissions
from scorecard.services.schemes.structure import Structure

HOME_UNIT_MESSAGE = "您所在单位需回避，不能查看或录入其评分"


def forbidden(message: str):
    """A 403 page that says why (the generic handler cannot)."""
    return render_template("error.html", code=403, message=message), 403


def target_access(actor: User, target: RoundTarget):
    """None when the actor may open the target's score page, else a 403 response."""
    rnd = target.round
    if actor.role != "assessor" or not permissions.in_scope(actor, rnd.owner_org) \
            or not permissions.in_scope(actor, target.org):
        return forbidden("您没有权限访问该页面或数据")
    if permissions.is_home_unit(actor, target.org):
        return forbidden(HOME_UNIT_MESSAGE)
    return None


def _rows(form) -> list[dict]:
    times, points, reasons = (form.getlist(k) for k in ("d_times", "d_points", "d_reason"))
    rows = []
    for i in range(max(len(times), len(points), len(reasons))):
        row = {
            "times": times[i].strip() if i < len(times) else "",
            "points": points[i].strip() if i < len(points) else "",
            "reason": reasons[i].strip() if i < len(reasons) else "",
        }
        if any(row.values()):
            rows.append({k: v for k, v in row.items() if v})
    return rows


def raw_from_form(rule: LeafRule, form) -> dict:
    """The raw input (parse_input's shape) of one leaf's submitted form."""
    get = lambda key: (form.get(key) or "").strip()  # noqa: E731
    kind = rule.type
    if kind == "direct":
        return {"value": get("value")}
    if kind == "deduct":
        return {"deductions": _rows(form)}
    if kind == "count":
        return {"count": get("count")}
    if kind == "grade":
        return {"level": get("level")}
    if kind == "ratio":
        return {"actual": get("actual"), "target": get("target")}
    if kind == "check":
        return {"met": {"1": True, "0": False}.get(get("met"), "")}
    if kind == "vote":
        names = [name for name, _ in rule.params["weights"]]
        return {"votes": {name: get(f"vote_{i}") for i, name in enumerate(names)}}
    return {"done": get("done"), "due": get("due")}


def parse_version(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


@dataclass
class LeafView:
    ind: Indicator
    rule: LeafRule
    own: Score | None
    others: list[Score]
    values: dict
    comment: str
    version: str
    error: str | None = None
    error_field: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.ind.code

    @property
    def rule_label(self) -> str:
        return RULE_LABELS.get(self.rule.type, self.rule.type)

    @property
    def points(self) -> Decimal | None:
        return self.own.points if self.own else None

    @property
    def explained(self) -> str:
        return explain(self.rule, self.own)

    @property
    def below_full(self) -> bool:
        return self.points is not None and self.points < self.ind.max_points

    @property
    def grade_options(self) -> list[tuple[str, str, str]]:
        """(level, percent, points) for each grade level."""
        top = self.ind.max_points
        return [(name, f"{plain(Decimal(frac) * 100)}%", fmt(top * Decimal(frac)))
                for name, frac in self.rule.params.get("levels", [])]

    @property
    def vote_options(self) -> list[tuple[int, str, str, str]]:
        """(index, option, weight, entered votes) for each vote option."""
        votes = self.values.get("votes") or {}
        votes = votes if isinstance(votes, dict) else {}
        return [(i, name, weight, str(votes.get(name, "") or ""))
                for i, (name, weight) in enumerate(self.rule.params.get("weights", []))]

    @property
    def other_rows(self) -> list[tuple[str, str, str, str]]:
        """(assessor, points, explanation, comment) of the other assessors' scores."""
        return [(s.assessor.display_name, fmt(s.points), explain(self.rule, s), s.comment or "")
                for s in self.others]

    @property
    def warn_comment(self) -> bool:
        return self.below_full and not self.comment and self.rule.type != "deduct"

    @property
    def direct_points(self) -> bool:
        """The saved input is a plain score (grid / import), not the typed fields."""
        return bool(self.own) and "points" in (self.own.input or {}) and self.rule.type != "direct"


def explain(rule: LeafRule, score: Score | None) -> str:
    if score is None:
        return ""
    try:
        return describe_input(rule, score.input)
    except RuleError:
        return ""


@dataclass
class LeafGroup:
    top: Indicator
    leaves: list[LeafView]


def load_scores(session: Session, target: RoundTarget) -> dict[int, list[Score]]:
    rows = session.scalars(
        select(Score).where(Score.target_id == target.id)
        .options(selectinload(Score.assessor)).order_by(Score.id)
    ).all()
    out: dict[int, list[Score]] = {}
    for s in rows:
        out.setdefault(s.indicator_id, []).append(s)
    return out


def leaf_view(st: Structure, ind: Indicator, scores: list[Score], actor: User, kept: dict | None) -> LeafView:
    own = next((s for s in scores if s.assessor_id == actor.id), None)
    others = [s for s in scores if s.assessor_id != actor.id]
    if kept:  # the user's rejected submission stays on screen
        return LeafView(ind, st.rule(ind.code), own, others, kept["values"], kept["comment"],
                        kept["version"], kept.get("error"), kept.get("field"))
    values = dict(own.input) if own and "points" not in (own.input or {}) else {}
    if own and ind.rule_type == "direct" and "points" in own.input:
        values = {"value": own.input["points"]}
    return LeafView(ind, st.rule(ind.code), own, others, values, own.comment if own else "",
                    str(own.version) if own else "")


def leaf_groups(session: Session, st: Structure, target: RoundTarget, actor: User,
                kept: dict | None = None) -> list[LeafGroup]:
    """Applicable leaves of the target's category, grouped by first level (scheme order)."""
    kept = kept or {}
    scores = load_scores(session, target)
    groups: dict[str, LeafGroup] = {t.code: LeafGroup(t, []) for t in st.tops}
    for ind in st.leaves_for(target.category.name):
        view = leaf_view(st, ind, scores.get(ind.id, []), actor, kept.get(ind.code))
        groups[st.top_of[ind.code]].leaves.append(view)
    return [g for g in groups.values() if g.leaves]


def deduct_rows(view: LeafView) -> list[dict]:
    """Rows to show for a deduct leaf: the kept/saved deductions plus one empty row."""
    rows = [dict(r) for r in view.values.get("deductions") or [] if isinstance(r, dict)]
    return rows + [{}]


def check_value(view: LeafView) -> str:
    met = view.values.get("met")
    if met is True or met == "1":
        return "1"
    if met is False or met == "0":
        return "0"
    return ""


def summary(groups: list[LeafGroup]) -> dict:
    """The actor's own total on this target and how many leaves they have scored."""
    views = [v for g in groups for v in g.leaves]
    scored = [v.points for v in views if v.points is not None]
    return {"total": fmt(sum(scored, Decimal(0))) if scored else "", "scored": len(scored),
            "count": len(views), "full": fmt(sum((v.ind.max_points for v in views), Decimal(0)))}


def neighbours(actor: User, target: RoundTarget) -> tuple[RoundTarget | None, RoundTarget | None]:
    """Previous and next target of the same category that the actor may score (not 回避)."""
    same = [t for t in target.round.targets if t.category_id == target.category_id
            and permissions.in_scope(actor, t.org) and not permissions.is_home_unit(actor, t.org)]
    i = next((k for k, t in enumerate(same) if t.id == target.id), None)
    if i is None:
        return None, None
    return (same[i - 1] if i > 0 else None), (same[i + 1] if i + 1 < len(same) else None)
