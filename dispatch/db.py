"""The engine, one transaction per request, and session_scope() for commands and jobs."""

import select
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from psycopg import pq as psycopg_pq
from sqlalchemy import Engine, Table, event
from sqlalchemy.dialects import postgresql, registry, sqlite
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, SQLModel, create_engine

from dispatch.precompiled import PrecompiledStatement

# Connections an engine may open; the app admits fewer requests at once (dispatch.admission).
POOL_SIZE, POOL_OVERFLOW = 10, 10
POOL_CONNECTIONS = POOL_SIZE + POOL_OVERFLOW

# Each SQLite engine's twin for units of work that write (see make_engine).
_writers: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


def for_writing(engine: Engine) -> Engine:
    """The engine for a unit of work that writes: on SQLite, one whose transactions take
    the write lock at BEGIN; elsewhere the engine itself."""
    return _writers.get(engine, engine)


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        # psycopg's connections are checked at checkout without a round trip; another
        # driver's with the pool's pre-ping.
        psycopg = make_url(url).get_driver_name() == "psycopg"
        engine = create_engine(
            url, pool_pre_ping=not psycopg, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW
        )
        if psycopg:
            event.listen(engine, "checkout", _refuse_if_closed_by_server)
        return engine
    sqlite_url = make_url(url).set(drivername=f"sqlite+{_DRIVER}")
    connect_args = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(
        sqlite_url, connect_args=connect_args, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW
    )
    # The same connections, begun another way. Both engines exist before the pool's first
    # connection, which sets both dialects up.
    _writers[engine] = create_engine(sqlite_url, pool=engine.pool, begin="BEGIN IMMEDIATE")
    return engine


def _refuse_if_closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """The pool's pre-ping without its round trip (the pre-ping made one at every
    checkout: an outcome's first). A server that ends a connection (a restart, an
    administrator, an idle timeout) says so and closes it: an idle connection with
    something to read is one the server has left. The pool then opens another in its place
    (DisconnectionError), so no request fails on it. A server that vanished without a
    word is found by neither check before the connection's first statement times out."""
    pgconn = dbapi_connection.pgconn
    if pgconn.status != psycopg_pq.ConnStatus.OK or _readable(pgconn.socket):
        raise DisconnectionError("the server closed this pooled connection")


def _readable(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


class SQLiteDialect(SQLiteDialect_pysqlite):
    """pysqlite with foreign keys enforced, WAL, and SQLAlchemy owning BEGIN so that
    savepoints work (pysqlite's own transaction handling breaks SAVEPOINT).

    `begin`: deferred for transactions that only read, which then never hold the write lock
    (WAL lets readers and the one writer run side by side); IMMEDIATE for those that write,
    which take the lock at once: one that read first and then wrote while another writer
    committed would fail with "database is locked" instead of waiting its turn.

    SQLAlchemy's documented recipe emits BEGIN from an engine's "begin" event; an engine with
    a listener dispatches events around every statement, 13% of an outcome's instructions
    in the server. Here the dialect does it.
    """

    supports_statement_cache = True

    def __init__(self, begin: str = "BEGIN", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.begin = begin

    def on_connect(self) -> Callable[[Any], None]:
        set_up = super().on_connect()

        def connect(dbapi_connection: Any) -> None:
            set_up(dbapi_connection)
            dbapi_connection.isolation_level = None  # pysqlite never begins by itself
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.close()

        return connect

    def do_begin(self, dbapi_connection: Any) -> None:
        dbapi_connection.execute(self.begin)


_DRIVER = "careroute"
registry.register(f"sqlite.{_DRIVER}", __name__, "SQLiteDialect")


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


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A unit of work that only reads. It ends with a commit, not a rollback: at every
    rollback psycopg forgets the connection's prepared statements (DEALLOCATE ALL, a round
    trip), and its next statements, an outcome's among them, are parsed and planned anew.
    Rolled back if the block raises."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.commit()


def insert_unless_present(
    session: Session, table: type[SQLModel], values: Mapping[str, Any], key: str
) -> int | None:
    """Insert a row unless a row with the same `key` (a unique column) is there: the new
    row's id, or None. Concurrent inserts of one key wait for each other: one row."""
    connection = session.connection()
    columns = tuple(values)
    statement = _insert_or_nothing(connection.dialect.name, table.__table__, key, columns)  # type: ignore[attr-defined]
    found = statement.first(connection, values)
    return None if found is None else int(found[0])


@cache
def _insert_or_nothing(
    dialect: str, table: Table, key: str, columns: tuple[str, ...]
) -> PrecompiledStatement:
    # Compiled once for each set of columns (a table's inserts give the same ones): the
    # outcome's, run with every outcome recorded.
    insert = insert_with_conflicts(dialect)
    statement = insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c.id)
    return PrecompiledStatement(statement, columns)


def insert_with_conflicts(dialect: str) -> Callable[[Any], postgresql.Insert | sqlite.Insert]:
    """The database's own INSERT, the one that takes ON CONFLICT (both databases have it)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert
