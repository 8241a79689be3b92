"""alembic environment: the URL comes from the caller (scorecard.migrate), never from a file."""
from alembic import context
from sqlalchemy import event

from scorecard.db import make_engine
from scorecard.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    if engine.dialect.name == "sqlite":
        _sqlite_for_migrations(engine)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _sqlite_for_migrations(engine) -> None:
    """pysqlite commits DDL as it goes, so a failed revision would leave half a schema; and batch
    mode re-creates tables, which foreign keys to them forbid once rows exist. Take over the
    transaction (SQLAlchemy's documented pysqlite recipe) and switch foreign keys off meanwhile."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
