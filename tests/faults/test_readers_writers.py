"""A long read (a ranking export reading a whole round) never holds up a score save: SQLite runs
in write-ahead-log mode (scorecard/db.py), PostgreSQL reads from MVCC snapshots."""
from __future__ import annotations

import threading
import time

from sqlalchemy import func, select, text

from scorecard.backup import is_sqlite
from scorecard.db import make_engine, make_session_factory
from scorecard.models import Score
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.scoring.scores import save_score


def test_open_read_transaction_does_not_block_a_save(db_url, session, make):
    w = make.world()
    rnd = make.round(make.scheme(), w["root"], [w["a"], w["b"]])
    st = round_structure(rnd)
    ta, tb = rnd.targets
    leaf = st.leaf(st.leaf_codes[0])
    save_score(session, w["assessor"], ta, leaf, {"value": "1"}, check_version=False)
    session.commit()
    ids = (w["assessor"].id, tb.id, leaf.id)

    engine = make_engine(db_url)
    if is_sqlite(db_url):
        with engine.connect() as conn:
            assert conn.scalar(text("PRAGMA journal_mode")) == "wal"
    # A statement still being read (a cursor over a long result), as an export streaming a
    # round's scores holds one: each row repeats the count of scores in its snapshot.
    reader = engine.connect()
    rows = reader.execution_options(stream_results=True, yield_per=1).execute(text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) "
        "SELECT i, (SELECT count(*) FROM score) FROM n"))
    assert next(rows)[1] == 1

    finished = []

    def write():
        with make_session_factory(engine)() as s:
            from scorecard.models import Indicator, RoundTarget, User

            save_score(s, s.get(User, ids[0]), s.get(RoundTarget, ids[1]), s.get(Indicator, ids[2]),
                       {"value": "2"}, check_version=False)
            s.commit()
            finished.append(time.monotonic())

    started = time.monotonic()
    writer = threading.Thread(target=write)
    writer.start()
    writer.join(timeout=10)
    try:
        assert finished and finished[0] - started < 5, "the save waited for the reader"
        assert next(rows)[1] == 1  # the reader goes on in its own snapshot
    finally:
        rows.close()
        reader.close()
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Score)) == 2
    engine.dispose()
