"""A pooled connection the database server has closed is replaced at checkout: the next
unit of work runs on a fresh one and does not fail (PostgreSQL; SQLite has no server)."""

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from dispatch.db import make_engine, reading
from tests.conftest import POSTGRES_URL


@pytest.fixture
def own_engine(database_url: str) -> Iterator[Engine]:
    if not POSTGRES_URL:
        pytest.skip("a database server closing connections needs PostgreSQL")
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _backend(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _end_backend(database_url: str, pid: int) -> None:
    """As a restart or an administrator does: the server ends the session's backend (asked
    on a connection of another pool)."""
    admin_engine = make_engine(database_url)
    with admin_engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        for _ in range(100):
            gone = admin.execute(
                text("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar_one()
            admin.commit()
            if gone:
                admin_engine.dispose()
                return
            time.sleep(0.05)
    admin_engine.dispose()
    raise AssertionError(f"backend {pid} still there")


def test_a_unit_of_work_after_the_server_closed_its_pooled_connection_succeeds(
    own_engine: Engine, database_url: str
) -> None:
    first = _backend(own_engine)  # back in the pool, idle
    _end_backend(database_url, first)
    # The ended connection waits in the pool; the next checkout must not hand it out.
    second = _backend(own_engine)
    assert second != first
    assert _backend(own_engine) == second  # the new one is kept


def _prepared_statements(engine: Engine) -> int:
    """On the pool's one connection; committed, not rolled back."""
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM pg_prepared_statements"))
        found = int(count.scalar_one())
        connection.commit()
    return found


def test_a_unit_of_work_that_only_reads_leaves_the_connections_prepared_statements(
    own_engine: Engine,
) -> None:
    """psycopg prepares a statement run five times on a connection, and forgets them all at
    a rollback: a unit of work that only reads ends with a commit."""
    with own_engine.connect() as connection:  # the pool's one connection from here on
        for _ in range(6):
            connection.execute(text("SELECT CAST(:n AS integer) + 1"), {"n": 1})
        connection.commit()
    prepared = _prepared_statements(own_engine)
    assert prepared >= 1
    with reading(own_engine) as session:
        assert session.execute(text("SELECT 1")).scalar_one() == 1
    assert _prepared_statements(own_engine) == prepared

    with Session(own_engine) as session:  # what it avoids: a session closed uncommitted
        session.execute(text("SELECT 1"))
    assert _prepared_statements(own_engine) == 0
