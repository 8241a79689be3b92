"""Authorization proved by a matrix generated from the app's own URL map: every endpoint × method
× role × scope (own unit, its subtree, a sibling unit, another committee) against the explicit
table in matrix_table.py. Refusals are 403/404 and write nothing; no 200 shows a name from outside
the role's scope (HTML and xlsx alike). Ids passed in query strings, forms and JSON are checked too.
"""
from __future__ import annotations

import io
import shutil

import pytest
from sqlalchemy import event, select

from scorecard.models import AuditEntry, Base, EvidenceCitation
from scorecard.services.accounts.security import SECURITY_ENTITIES, SECURITY_TABLES
from tests.conftest import PG_URL, login
from tests.evidence import samples

from . import matrix
from .matrix_table import (
    EXPECT,
    HOME_UNIT_EXPECT,
    HOME_UNIT_HIDDEN,
    HOME_UNIT_ROLE,
    LEAK_ALLOWED,
    ROLE_ORDER,
    SCHEME_OWNER_EXPECT,
    SCHEME_OWNER_ROLES,
    SCHEME_OWNERS,
)
from .matrix_world import MARK, ROLES, USERNAMES, build

STATUS = {"2": 200, "3": 302, "4": 400, "9": 409, "F": 403, "N": 404, "L": 302}
ALLOWED = set("2349")
DENIED = set("FNL")
LAST = {"auth.logout"}  # would end the session: run after everything else


def _app_cells():
    import tempfile

    from scorecard.web import create_app

    tmp = tempfile.mkdtemp()
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/x.sqlite3", "INSTANCE_PATH": tmp,
                      "SECRET_KEY": "x", "TESTING": True})
    cells = matrix.cells(app)
    app.extensions["scorecard.engine"].dispose()
    return cells


CELLS = _app_cells()


def _fast_sqlite(app) -> None:
    """Tests only: no fsync per commit (every refusal commits an audit row)."""
    engine = app.extensions["scorecard.engine"]
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", lambda conn, _r: conn.execute("PRAGMA synchronous=OFF"))
        engine.dispose()


@pytest.fixture(scope="module")
def _world_template(_template_db, tmp_path_factory):
    """SQLite: build the world once per module and copy its database and instance folder into
    each test. PostgreSQL: None (each test builds the world in its own database)."""
    if PG_URL:
        yield None
        return
    from scorecard.web import create_app

    root = tmp_path_factory.mktemp("matrix_world")
    shutil.copy(_template_db, root / "world.sqlite3")
    app = create_app({"DATABASE_URL": f"sqlite:///{root / 'world.sqlite3'}",
                      "INSTANCE_PATH": str(root / "instance"), "SECRET_KEY": "x", "TESTING": True})
    s = app.extensions["scorecard.sessions"]()
    from tests.factories import Factory

    world = build(app, s, Factory(s))
    s.close()
    app.extensions["scorecard.engine"].dispose()
    yield root, world


if not PG_URL:
    @pytest.fixture
    def db_url(_world_template, tmp_path):  # overrides tests/conftest.py: a copy of the world
        root, _world = _world_template
        shutil.copy(root / "world.sqlite3", tmp_path / "test.sqlite3")
        shutil.copytree(root / "instance", tmp_path / "instance")
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def world(app, session, make, _world_template):
    app.config["EXPORT_JOBS_INLINE"] = True
    _fast_sqlite(app)
    if _world_template is not None:
        return _world_template[1]
    return build(app, session, make)


def dump(session) -> dict:
    """Every row of every table (security audit rows excepted: refusals are logged on purpose)."""
    session.expire_all()
    out = {}
    for table in Base.metadata.sorted_tables:
        if table.name in SECURITY_TABLES:
            continue
        q = select(table)
        if table.name == "audit_entry":
            q = q.where(table.c.entity.not_in(SECURITY_ENTITIES))
        out[table.name] = sorted(map(repr, session.execute(q).all()))
    return out


def codes_for(key: str, role: str) -> str:
    return EXPECT[key][ROLE_ORDER.index(role)]


def test_every_endpoint_is_classified(app):
    keys = {matrix.key(*c) for c in matrix.cells(app)}
    missing = sorted(keys - EXPECT.keys())
    stale = sorted(EXPECT.keys() - keys)
    assert not missing, ("endpoints without an expectation in tests/security/matrix_table.py "
                         "(classify them):\n  " + "\n  ".join(missing))
    assert not stale, "expectations for endpoints that no longer exist:\n  " + "\n  ".join(stale)


def test_table_policy():
    """The table itself encodes the data-scope rules, so it cannot silently bless a leak."""
    for key, codes in EXPECT.items():
        endpoint = key.split()[0]
        assert len(codes) == len(ROLE_ORDER), key
        width = len(codes[0])
        assert width in (1, 4), key
        for role, c in zip(ROLE_ORDER, codes):
            assert len(c) == width and set(c) <= ALLOWED | DENIED, (key, role)
            if role == "anonymous" and endpoint not in matrix.PUBLIC:
                assert set(c) == {"L"}, (key, "anonymous must be sent to the login page")
            if width == 4:
                assert c[3] in DENIED, (key, role, "another committee's data must be refused")
                if role in ("unit", "clerk"):
                    assert c[2] in DENIED, (key, role, "a sibling unit's data must be refused")


def _check(client, method, url, expected: str, role: str, key: str, data=None) -> str | None:
    resp = client.open(url, method=method, data=data or {})
    want = STATUS[expected]
    got = resp.status_code
    location = resp.headers.get("Location", "")
    if got != want:
        return f"{role:9} {method} {url}: expected {want} ({expected}), got {got} {location}"
    if expected == "L" and not location.startswith("/login"):
        return f"{role:9} {method} {url}: expected a redirect to login, got {location}"
    if expected == "3" and location.startswith("/login"):
        return f"{role:9} {method} {url}: redirected to login"
    if 200 <= got < 300 and role != "anonymous" and (key, role) not in LEAK_ALLOWED:
        body = matrix.visible_text(resp)
        leaked = [m for m in matrix.outside(role) if m in body]
        if leaked:
            return f"{role:9} {method} {url}: shows data outside the scope: {leaked}"
    return None


@pytest.mark.parametrize("role", ROLES)
def test_matrix(app, client, session, world, role):
    """GETs and refused POSTs for one role; allowed POSTs are in test_allowed_post."""
    if role != "anonymous":
        login(client, USERNAMES[role])
    before = dump(session)
    failures, done = [], 0
    for endpoint, method, rule in sorted(CELLS, key=lambda c: c[0] in LAST):
        key = matrix.key(endpoint, method, rule)
        if key not in EXPECT:
            failures.append(f"unclassified endpoint {key} (add it to matrix_table.py)")
            continue
        for scope, expected in zip(matrix.scopes_of(rule), codes_for(key, role)):
            if method != "GET" and expected in ALLOWED:
                continue
            url = matrix.url_for_cell(rule, role, scope, world)
            problem = _check(client, method, url, expected, role, key)
            done += 1
            if problem:
                failures.append(f"[{scope}] {problem}")
    assert not failures, f"{len(failures)} of {done} cells differ:\n" + "\n".join(failures)
    assert dump(session) == before, "a GET or a refused request changed the database"


def _allowed_posts():
    out = []
    for endpoint, method, rule in CELLS:
        if method != "POST":
            continue
        key = matrix.key(endpoint, method, rule)
        if key not in EXPECT:  # test_every_endpoint_is_classified names it
            continue
        for role in ROLES:
            expected = codes_for(key, role)[0]
            if expected in ALLOWED:
                out.append(pytest.param(key, role, id=f"{key.split()[0]}-{role}"))
    return out


@pytest.mark.parametrize("key, role", _allowed_posts())
def test_allowed_post(app, client, session, world, key, role):
    """Each allowed POST on the own scope, with an empty form: reaches validation, never 403/404/500."""
    endpoint, method, rule = next(c for c in CELLS if matrix.key(*c) == key)
    if role != "anonymous":
        login(client, USERNAMES[role])
    url = matrix.url_for_cell(rule, role, matrix.scopes_of(rule)[0], world)
    problem = _check(client, "POST", url, codes_for(key, role)[0], role, key)
    assert problem is None, problem


# --- ids in query strings, forms and JSON bodies ----------------------------------------------

def _refused(resp, role="unit"):
    assert resp.status_code in (403, 404), resp.status_code
    body = matrix.visible_text(resp)
    assert not [m for m in matrix.outside(role) if m in body]


def test_library_of_another_unit_by_query(client, session, world):
    login(client, "unit_a")
    _refused(client.get(f"/evidence/?org={world['ids']['sibling']['org_id']}"))
    _refused(client.get(f"/evidence/?org={world['ids']['foreign']['org_id']}"))
    page = client.get(f"/evidence/?org={world['ids']['sub']['org_id']}")
    assert page.status_code == 200 and MARK["sub"] in page.get_data(as_text=True)


def test_upload_into_another_unit_by_form(client, session, world):
    login(client, "unit_a")
    before = dump(session)
    for scope in ("sibling", "foreign"):
        resp = client.post("/evidence/upload", data={
            "org": str(world["ids"][scope]["org_id"]),
            "file": (io.BytesIO(samples.pdf("x")), "x.pdf")},
            content_type="multipart/form-data")
        _refused(resp)
    assert dump(session) == before


def test_cite_another_units_evidence_by_form(client, session, world):
    """Saving one's own item while citing B's or Q's file: refused, nothing cited."""
    login(client, "unit_a")
    own = world["ids"]["own"]
    before = dump(session)
    for scope in ("sibling", "foreign"):
        resp = client.post(f"/self/targets/{own['target_id']}/items/1.1", data={
            "value": "30", "narrative": "x", "version": "1",
            "evidence": [str(own["evidence_id"]), str(world["ids"][scope]["evidence_id"])]})
        assert resp.status_code in (400, 403, 404, 409), resp.status_code
        assert MARK[scope] not in resp.get_data(as_text=True)
    assert dump(session) == before
    cited = session.scalars(select(EvidenceCitation.evidence_id)).all()
    assert world["ids"]["sibling"]["evidence_id"] in cited  # B's own citation only
    assert cited.count(world["ids"]["sibling"]["evidence_id"]) == 1


def test_compare_against_a_foreign_round_by_query(client, world):
    login(client, "assessor")
    own, foreign = world["ids"]["own"]["round_id"], world["ids"]["foreign"]["round_id"]
    _refused(client.get(f"/reports/rounds/{own}/compare?against={foreign}"), "assessor")
    _refused(client.get(f"/reports/rounds/{own}/compare.xlsx?against={foreign}"), "assessor")


@pytest.mark.parametrize("role, scope", [("assessor", "foreign"), ("unit", "own"), ("unit", "sibling"),
                                         ("leader", "own"), ("admin", "own"), ("clerk", "own")])
def test_score_api_with_a_target_id_in_json(client, session, world, role, scope):
    login(client, USERNAMES[role])
    before = dump(session)
    resp = client.post("/api/scores", json={"target_id": world["ids"][scope]["target_id"],
                                            "leaf_code": "1.1", "value": "30", "version": None})
    assert resp.status_code in (403, 404)
    assert resp.get_json()["ok"] is False
    assert dump(session) == before


def test_refusals_are_audited(client, session, world):
    login(client, "unit_a")
    client.get(f"/orgs/{world['ids']['sibling']['org_id']}")
    session.expire_all()
    rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "forbidden")).all()
    assert [r.new["path"] for r in rows] == [f"/orgs/{world['ids']['sibling']['org_id']}"]


# --- schemes owned above / within a sub-unit account's scope -------------------------------------

def _cell(key: str):
    return next(c for c in CELLS if matrix.key(*c) == key)


def _scheme_world(world: dict, owner: str) -> dict:
    return {**world, "common": {**world["common"], **world["schemes"][owner]}}


def test_scheme_owner_table_covers_every_scheme_url():
    schemes = {k for k in EXPECT if k.startswith("schemes.")}
    assert schemes == set(SCHEME_OWNER_EXPECT), sorted(schemes ^ set(SCHEME_OWNER_EXPECT))
    for key, codes in SCHEME_OWNER_EXPECT.items():
        assert len(codes) == len(SCHEME_OWNERS) and set("".join(codes)) <= ALLOWED | DENIED, key
        if codes[0] in ALLOWED:  # what a sub-unit may do to the 工委's scheme: only read it
            assert key.split()[0] in {"schemes.show", "schemes.diff", "schemes.index", "schemes.template",
                                      "schemes.import_scheme"}, key


@pytest.mark.parametrize("role", SCHEME_OWNER_ROLES)
def test_scheme_owner_matrix(app, client, session, world, role):
    """An admin/assessor scoped at unit A: 403 on every manage URL of the 工委's scheme (GETs and
    POSTs, nothing written); the same URLs of A's own scheme answer (allowed POSTs:
    test_scheme_owner_allowed_post)."""
    login(client, role)
    before = dump(session)
    failures, done = [], 0
    for key, codes in SCHEME_OWNER_EXPECT.items():
        _endpoint, method, rule = _cell(key)
        for owner, expected in zip(SCHEME_OWNERS, codes):
            if method != "GET" and expected in ALLOWED:
                continue
            url = matrix.url_for_cell(rule, role, "-", _scheme_world(world, owner))
            problem = _check(client, method, url, expected, role, key)
            done += 1
            if problem:
                failures.append(f"[{owner}] {problem}")
    assert not failures, f"{len(failures)} of {done} cells differ:\n" + "\n".join(failures)
    assert dump(session) == before, "a GET or a refused request changed the database"


@pytest.mark.parametrize("key, role", [
    pytest.param(k, r, id=f"{k.split()[0]}-{r}") for k, codes in SCHEME_OWNER_EXPECT.items()
    for r in SCHEME_OWNER_ROLES if k.split()[1] == "POST" and codes[1] in ALLOWED])
def test_scheme_owner_allowed_post(app, client, session, world, key, role):
    """Each manage POST on A's own scheme, empty form: reaches validation or acts, never 403."""
    rule = _cell(key)[2]
    login(client, role)
    url = matrix.url_for_cell(rule, role, "-", _scheme_world(world, "within"))
    problem = _check(client, "POST", url, SCHEME_OWNER_EXPECT[key][1], role, key)
    assert problem is None, problem


# --- conflict of interest on reading: the home-unit assessor ----------------------------------------

def test_home_unit_assessor_matrix(app, client, session, world):
    """assessor_home (工委, home unit A) while R1 is in progress: A's and A-1's per-target pages,
    cards and score views are 403 with the reason; the round's 评分卡 report leaves them out."""
    login(client, HOME_UNIT_ROLE)
    before = dump(session)
    failures, done = [], 0
    for key, codes in HOME_UNIT_EXPECT.items():
        endpoint, method, rule = _cell(key)
        for scope, expected in zip(matrix.scopes_of(rule), codes):
            url = matrix.url_for_cell(rule, "assessor", scope, world)
            resp = client.open(url, method=method)
            done += 1
            if resp.status_code != STATUS[expected]:
                failures.append(f"[{scope}] {key}: expected {STATUS[expected]}, got {resp.status_code}")
                continue
            body = matrix.visible_text(resp)
            if expected == "F" and scope in ("own", "sub") and "回避" not in body:
                failures.append(f"[{scope}] {key}: the 403 does not say why (回避)")
            if expected == "2" and endpoint in HOME_UNIT_HIDDEN:
                shown = [MARK[s] for s in ("own", "sub", "foreign") if MARK[s] in body]
                if shown:
                    failures.append(f"[{scope}] {key}: shows the home unit's cards: {shown}")
                if MARK["sibling"] not in body:
                    failures.append(f"[{scope}] {key}: the other unit's card is missing")
                if "回避" not in body:
                    failures.append(f"[{scope}] {key}: does not say that cards were left out")
    assert not failures, f"{len(failures)} of {done} cells differ:\n" + "\n".join(failures)
    assert dump(session) == before

