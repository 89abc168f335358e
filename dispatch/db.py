"""The engine, one transaction per request, and session_scope() for commands and jobs."""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import Engine, Insert, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, create_engine

# An execution option: the transaction will write (SQLite then takes the write lock first).
WRITES = "careroute_writes"


def for_writing(engine: Engine) -> Engine:
    """The engine for a unit of work that writes."""
    return engine.execution_options(**{WRITES: True})


# Connections an engine may open; the app admits fewer requests at once (dispatch.admission).
POOL_SIZE, POOL_OVERFLOW = 10, 10
POOL_CONNECTIONS = POOL_SIZE + POOL_OVERFLOW


def make_engine(url: str) -> Engine:
    pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **pool
        )
        _sqlite_pragmas(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def _sqlite_pragmas(engine: Engine) -> None:
    """Enforce foreign keys, use WAL, and let SQLAlchemy own BEGIN so savepoints work.

    pysqlite's own transaction handling breaks SAVEPOINT; this is SQLAlchemy's documented
    recipe for it.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Deferred: a transaction that only reads never holds the write lock (WAL lets
        # readers and the one writer run side by side). A transaction that will write takes
        # the lock at once: one that read first and then wrote while another writer committed
        # would fail with "database is locked" instead of waiting its turn.
        writes = connection.get_execution_options().get(WRITES, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    with Session(for_writing(engine), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def insert_unless_present(
    session: Session, table: type[SQLModel], values: Mapping[str, Any], key: str
) -> int | None:
    """Insert a row unless a row with the same `key` (a unique column) is there: the new
    row's id, or None. Concurrent inserts of one key wait for each other: one row."""
    connection = session.connection()
    statement = _insert_or_nothing(connection.dialect.name, table.__table__, key)  # type: ignore[attr-defined]
    id_: int | None = connection.execute(statement, dict(values)).scalar_one_or_none()
    return id_


@cache
def _insert_or_nothing(dialect: str, table: Table, key: str) -> Insert:
    insert = insert_with_conflicts(dialect)
    return insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c.id)


def insert_with_conflicts(dialect: str) -> Callable[[Any], postgresql.Insert | sqlite.Insert]:
    """The database's own INSERT, the one that takes ON CONFLICT (both databases have it)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert
