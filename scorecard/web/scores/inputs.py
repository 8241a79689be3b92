"""Per-target score page: typed form fields → leaf inputs, and the template helpers of its view model.

Every leaf has its own <form>; field names are per rule type (see templates/scores/_inputs.html):
direct value · deduct d_times/d_points/d_reason (repeated rows) · count count · grade level ·
ratio actual/target · check met (1/0) · vote vote_<i> (i = option index) · tasks done/due.
"""
from __future__ import annotations

from scorecard.domain.numbers import parse_id
from scorecard.domain.rules import LeafRule
from scorecard.services.scoring.score_page import LeafView


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
    return parse_id(text)


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
