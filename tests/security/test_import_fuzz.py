"""Fuzz every importer end to end (parse + the service that applies it) with generated bad
workbooks: each ends in ImportFailed with located messages (or a ServiceError refusal, or a
success), never another exception, and a failure leaves every table exactly as it was: the
rows are counted inside the same transaction, before any rollback, so a flush-then-fail would
show up."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select

from scorecard.importers.common import ImportFailed
from scorecard.importers.orgs import parse_orgs
from scorecard.importers.scheme import parse_scheme
from scorecard.importers.votes import parse_votes
from scorecard.models import Base, Organisation
from scorecard.services.errors import ServiceError
from scorecard.services.orgs import tree as orgs
from scorecard.services.schemes import lifecycle as schemes
from scorecard.services.scoring import exchange, votes
from tests.importers.test_hostile import workbooks


@pytest.fixture
def fz(make, session):
    w = make.world()
    scheme = make.scheme()
    rnd = make.round(scheme, w["root"], [w["a"], w["b"]], phase="review")
    session.commit()
    return {**w, "rnd": rnd}


def importers(session, fz):
    def org_import(data):
        existing = session.scalars(select(Organisation.code)).all()
        orgs.apply_org_import(session, fz["admin"], parse_orgs(data, existing))

    def scheme_import(data):  # own template or a published rulebook (parse_scheme dispatches)
        schemes.import_scheme(session, fz["admin"], parse_scheme(data), "FZ", "模糊测试方案", 2025)

    def score_import(data):
        exchange.import_score_file(session, fz["assessor"], fz["rnd"], data)

    def vote_import(data):
        rows = parse_votes(data, votes.import_context(session, fz["assessor"], fz["rnd"]))
        votes.apply_import(session, fz["assessor"], fz["rnd"], rows)

    return {"orgs": org_import, "scheme": scheme_import, "scores": score_import, "votes": vote_import}


def counts(session) -> dict[str, int]:
    return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def test_every_importer_is_fuzzed():
    """A new importer module must be added to importers() above."""
    from pathlib import Path

    import scorecard.importers as pkg

    modules = {p.stem for p in Path(pkg.__file__).parent.glob("*.py")} - {"__init__", "common", "parsed_scheme"}
    covered = {"orgs", "scheme", "rulebook", "scores", "votes"}
    assert modules <= covered, f"importers without a fuzz entry: {sorted(modules - covered)}"


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=workbooks())
def test_fuzzed_imports_are_all_or_nothing(session, fz, data):
    before = counts(session)
    for name, run in importers(session, fz).items():
        try:
            run(data)
        except ImportFailed as exc:
            assert exc.issues and all(i.message for i in exc.issues), name
            assert counts(session) == before, f"{name}: rows written before ImportFailed"
        except ServiceError as exc:
            assert exc.message, name
            assert counts(session) == before, f"{name}: rows written before a refusal"
        session.rollback()
        assert counts(session) == before
