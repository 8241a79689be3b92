"""Nobody can edit history: no service function or route changes or removes an audit row, and
the ORM refuses it (unit-of-work flushes and bulk statements alike)."""
from __future__ import annotations

import inspect

import pytest
from sqlalchemy import delete, select, update

from scorecard.models import AuditEntry
from scorecard.models.audit import AuditImmutable
from scorecard.services import audit


def _snapshot(session):
    session.expire_all()
    return [(e.id, e.action, e.entity, e.reason, e.old, e.new) for e in
            session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_service_layer_has_no_update_or_delete_path():
    public = {name for name, obj in vars(audit).items()
              if callable(obj) and not name.startswith("_") and getattr(obj, "__module__", "") == audit.__name__}
    assert public == {"record", "record_many", "search", "filter_choices", "describe_change", "AuditFilter", "AuditPage"}
    forbidden = ("update", "delete", "remove", "edit", "purge", "erase", "clear", "set_")
    assert not [n for n in public if any(word in n.lower() for word in forbidden)]
    source = inspect.getsource(audit)
    assert "session.delete" not in source and "delete(" not in source and "update(" not in source


def test_no_route_changes_the_audit_log(app, client):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/audit")]
    assert rules and all(set(r.methods) <= {"GET", "HEAD", "OPTIONS"} for r in rules)
    for method in (client.post, client.put, client.delete, client.patch):
        assert method("/audit/").status_code in (302, 405)  # login redirect or method not allowed


def test_unit_of_work_update_is_refused(session, logged):
    before = _snapshot(session)
    entry = session.get(AuditEntry, logged["entries"][1].id)
    entry.reason = "改写历史"
    with pytest.raises(AuditImmutable, match="审计记录不可修改"):
        session.commit()
    session.rollback()
    assert _snapshot(session) == before


def test_unit_of_work_delete_is_refused(session, logged):
    before = _snapshot(session)
    session.delete(session.get(AuditEntry, logged["entries"][0].id))
    with pytest.raises(AuditImmutable, match="审计记录不可删除"):
        session.flush()
    session.rollback()
    assert _snapshot(session) == before


@pytest.mark.parametrize("statement", [
    lambda: update(AuditEntry).values(reason="x"),
    lambda: update(AuditEntry).where(AuditEntry.id > 0).values(user_id=None),
    lambda: delete(AuditEntry),
    lambda: delete(AuditEntry).where(AuditEntry.entity == "score"),
])
def test_bulk_statements_are_refused(session, logged, statement):
    before = _snapshot(session)
    with pytest.raises(AuditImmutable):
        session.execute(statement())
    session.rollback()
    assert _snapshot(session) == before


def test_appending_still_works(session, logged):
    n = len(_snapshot(session))
    audit.record(session, logged["admin"], "update", "scheme", 1, old={"a": 1}, new={"a": 2}, reason="追加")
    session.commit()
    assert len(_snapshot(session)) == n + 1


@pytest.mark.parametrize("sql", [
    "UPDATE audit_entry SET reason = '改写历史'",
    "UPDATE audit_entry SET user_id = NULL WHERE id > 0",
    "DELETE FROM audit_entry",
    "DELETE FROM audit_entry WHERE entity = 'score'",
])
def test_raw_sql_is_refused_by_the_database(session, logged, sql):
    """The ORM guards are bypassed by plain SQL; the database's own triggers still refuse it."""
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    before = _snapshot(session)
    assert before
    with pytest.raises(DatabaseError, match="audit rows are immutable"):
        session.execute(text(sql))
    session.rollback()
    assert _snapshot(session) == before
