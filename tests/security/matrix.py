"""Building the matrix's requests from the app's own URL map, and checking responses for leaks."""
from __future__ import annotations

import io
import zipfile

from .matrix_world import MARK, SCOPES

# URL parameters that belong to a unit's data: the cell is repeated for every scope
SCOPED = {"round_id", "target_id", "org_id", "user_id", "evidence_id", "item_id", "citation_id",
          "adjustment_id", "job_id", "visit_id", "nomination_id", "appeal_id"}
# (endpoint, parameter) → value or key of world["common"]
PARAMS = {
    ("schemes.new_version", "scheme_id"): "published_scheme_id",
    ("schemes.item", "obj_id"): "scheme_item_id",
    ("schemes.tier", "obj_id"): "tier_id",
    ("schemes.delete", "obj_id"): "tier_id",
    ("schemes.delete", "kind"): "=tiers",
    ("reports.start_job", "kind"): "=ranking",
    ("rounds.advance", "action"): "=start_review",
    ("schemes.move", "direction"): "=down",
}
PUBLIC = {"auth.login", "static"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def cells(app):
    """Every (endpoint, method, rule) the app serves; a rule string distinguishes endpoints
    registered on two URLs (e.g. new/edit forms)."""
    out = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - IGNORED_METHODS):
            out.append((rule.endpoint, method, rule))
    return sorted(out, key=lambda c: (c[0], c[1], c[2].rule))


def key(endpoint: str, method: str, rule) -> str:
    """The expectation table's key: endpoint and method, plus the rule when ambiguous."""
    return f"{endpoint} {method} {rule.rule}"


def scopes_of(rule) -> tuple[str, ...]:
    return SCOPES if set(rule.arguments) & SCOPED else ("-",)


def url_for_cell(rule, role: str, scope: str, world: dict) -> str:
    values = {}
    for arg in sorted(rule.arguments):
        values[arg] = _value(rule.endpoint, arg, role, scope, world)
    return rule.build(values, append_unknown=False)[1]


def _value(endpoint, arg, role, scope, world):
    spec = PARAMS.get((endpoint, arg))
    if isinstance(spec, str) and spec.startswith("="):
        return spec[1:]
    if spec is not None:
        return world["common"][spec]
    if arg == "job_id":
        jobs = world["jobs"]
        if scope == "foreign":
            return jobs["foreign"]
        if scope == "sibling":  # another user's job in the same committee
            return jobs["leader" if role == "admin" else "admin"]
        return jobs.get(role, jobs["assessor"])
    if arg in SCOPED:
        return world["ids"][scope if scope != "-" else "own"][arg]
    if arg in world["common"]:
        return world["common"][arg]
    raise AssertionError(f"the matrix does not know how to fill URL parameter {arg!r} of {endpoint}: "
                         "add it to tests/security/matrix.py PARAMS or the world")


def visible_text(resp) -> str:
    """Body text to search for leaked names (XML parts of xlsx downloads included)."""
    data = resp.get_data()
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist()
                               if n.endswith(".xml"))
        except zipfile.BadZipFile:
            return ""
    return data.decode("utf-8", "replace")


def outside(role: str) -> list[str]:
    """Markers of organisations outside the role's data scope."""
    if role in ("unit", "clerk"):
        return [MARK["sibling"], MARK["foreign"]]
    return [MARK["foreign"]]
