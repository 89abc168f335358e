"""How the embedded SQLite database runs transactions (dispatch.db): readers never hold the
write lock, a unit of work that writes takes it at its first statement, savepoints work and
foreign keys hold. Each test has a database file of its own."""

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from dispatch.db import for_writing, make_engine


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with Session(for_writing(engine)) as session:
        session.execute(text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
        session.execute(
            text("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id REFERENCES parent(id))")
        )
        session.execute(text("CREATE TABLE counter (n INTEGER)"))
        session.execute(text("INSERT INTO counter VALUES (0)"))
        session.commit()
    return engine


def _can_take_write_lock(path: str) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            raise
        return False
    finally:
        other.close()


def test_a_reader_leaves_the_write_lock_and_a_writer_holds_it_from_its_first_read(
    sqlite_engine: Engine,
) -> None:
    path = str(sqlite_engine.url.database)
    with Session(sqlite_engine) as reading:
        assert reading.execute(text("SELECT n FROM counter")).scalar() == 0
        assert _can_take_write_lock(path)
    with Session(for_writing(sqlite_engine)) as writing:
        assert writing.execute(text("SELECT n FROM counter")).scalar() == 0
        assert not _can_take_write_lock(path)
    assert _can_take_write_lock(path)  # the writer's end let it go


def test_a_writer_that_reads_first_waits_for_another_writer_instead_of_failing(
    sqlite_engine: Engine,
) -> None:
    """Deferred, the second would read, then fail to write: "database is locked"."""
    first_wrote, failures = threading.Event(), []

    def add_one(hold: float, signal: threading.Event | None) -> None:
        try:
            with Session(for_writing(sqlite_engine)) as session:
                n = session.execute(text("SELECT n FROM counter")).scalar_one()
                session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
                if signal is not None:
                    signal.set()
                time.sleep(hold)
                session.commit()
        except Exception as error:  # reported below, not lost in the thread
            failures.append(error)

    first = threading.Thread(target=add_one, args=(0.5, first_wrote))
    first.start()
    assert first_wrote.wait(10)
    second = threading.Thread(target=add_one, args=(0.0, None))
    second.start()
    first.join()
    second.join()
    assert failures == []
    with Session(sqlite_engine) as session:
        assert session.execute(text("SELECT n FROM counter")).scalar() == 2  # no update lost


def test_savepoints_roll_back_alone_and_foreign_keys_hold(sqlite_engine: Engine) -> None:
    with Session(for_writing(sqlite_engine)) as session:
        session.execute(text("INSERT INTO parent (id) VALUES (1)"))
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(text("INSERT INTO child (id, parent_id) VALUES (1, 99)"))
        session.execute(text("INSERT INTO child (id, parent_id) VALUES (2, 1)"))
        session.commit()
    with Session(sqlite_engine) as session:
        assert session.execute(text("SELECT id FROM child")).scalars().all() == [2]
        assert session.execute(text("SELECT id FROM parent")).scalars().all() == [1]
