"""Statements run on the driver's cursor (dispatch.precompiled) give what SQLAlchemy gives:
the same values both ways (enums, dates, zoned times, JSON, NULL), the same errors, in the
same transaction; on the suite's database (SQLite, or PostgreSQL when configured)."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from dispatch.db import for_writing
from dispatch.precompiled import PrecompiledStatement
from models.common import EnumText, UtcDateTime
from models.enums import StopKind

metadata = MetaData()
probe = Table(
    "precompiled_probe",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event", String(20), unique=True, nullable=False),
    Column("kind", EnumText(StopKind, 10), nullable=False),
    Column("day", Date, nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Column("data", JSON, nullable=True),
)
with_python_default = Table(
    "precompiled_default",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, default=lambda: datetime.now(UTC)),
)

ADD = PrecompiledStatement(
    insert(probe).returning(probe.c.id), ["event", "kind", "day", "at", "data"]
)
ADD_MANY = PrecompiledStatement(insert(probe), ["event", "kind", "day", "at", "data"])
# A constant enum in the statement: converted once, as SQLAlchemy would at each run.
doors_on = (
    select(probe.c.id, probe.c.kind, probe.c.day, probe.c.at, probe.c.data)
    .where(probe.c.kind == StopKind.DOOR, probe.c.day == bindparam("day"))
    .order_by(probe.c.id)
)
DOORS_ON = PrecompiledStatement(doors_on)
RENAME = PrecompiledStatement(
    update(probe).where(probe.c.id == bindparam("row")).values(event=bindparam("event"))
)


@pytest.fixture
def tables(engine: Engine) -> Iterator[Engine]:
    metadata.create_all(engine)
    yield engine
    metadata.drop_all(engine)


def _row(
    event: str, kind: StopKind, day: date | None, at: datetime, data: object
) -> dict[str, object]:
    return {"event": event, "kind": kind, "day": day, "at": at, "data": data}


def test_values_go_in_and_come_back_as_sqlalchemy_converts_them(tables: Engine) -> None:
    day = date(2026, 11, 30)
    at = datetime(2026, 11, 30, 11, 30, tzinfo=timezone(timedelta(hours=8)))
    with Session(for_writing(tables)) as session:
        connection = session.connection()
        first = ADD.first(connection, _row("a", StopKind.DOOR, day, at, {"餐": [1, None]}))
        ADD_MANY.run_many(
            connection,
            [
                _row("b", StopKind.PICKUP, day, at, None),
                _row("c", StopKind.DOOR, day, at + timedelta(minutes=5), None),
                _row("d", StopKind.DOOR, None, at, [2]),
            ],
        )
        RENAME.rows(connection, {"row": first[0], "event": "a2"})
        ours = DOORS_ON.rows(connection, {"day": day})
        session.commit()
    with tables.connect() as connection:
        theirs = [tuple(row) for row in connection.execute(doors_on, {"day": day})]
        events = connection.execute(select(probe.c.event).order_by(probe.c.id)).scalars().all()
    assert ours == theirs
    assert [row[1] for row in ours] == [StopKind.DOOR, StopKind.DOOR]
    assert isinstance(ours[0][1], StopKind)
    assert ours[0][2] == day
    assert ours[0][3] == at  # stored in UTC: the same instant
    assert ours[0][3].tzinfo is not None
    assert ours[0][4] == {"餐": [1, None]}
    assert ours[1][4] is None
    assert events == ["a2", "b", "c", "d"]


def test_an_error_is_sqlalchemys_and_the_transaction_goes_on_after_its_savepoint(
    tables: Engine,
) -> None:
    at = datetime.now(UTC)
    with Session(for_writing(tables)) as session:
        connection = session.connection()
        ADD.first(connection, _row("same", StopKind.DOOR, None, at, None))
        with pytest.raises(IntegrityError), connection.begin_nested():
            ADD.first(connection, _row("same", StopKind.PICKUP, None, at, None))
        ADD.first(connection, _row("other", StopKind.PICKUP, None, at, None))
        session.commit()
    with tables.connect() as connection:
        stored = connection.execute(select(probe.c.event, probe.c.kind).order_by(probe.c.id))
        assert [tuple(row) for row in stored] == [
            ("same", StopKind.DOOR),
            ("other", StopKind.PICKUP),
        ]


def test_a_rolled_back_transaction_takes_what_was_run_on_the_cursor(tables: Engine) -> None:
    with Session(for_writing(tables)) as session:
        ADD.first(session.connection(), _row("gone", StopKind.DOOR, None, datetime.now(UTC), 1))
        session.rollback()
    with tables.connect() as connection:
        assert connection.execute(select(probe.c.id)).all() == []


def test_what_would_differ_from_sqlalchemy_is_refused(engine: Engine) -> None:
    in_list = PrecompiledStatement(
        select(probe.c.id).where(probe.c.id.in_(bindparam("ids", expanding=True)))
    )
    defaulted = PrecompiledStatement(insert(with_python_default), ["id"])
    with engine.connect() as connection:
        with pytest.raises(ValueError, match="IN list"):
            in_list.rows(connection, {"ids": [1, 2]})
        with pytest.raises(ValueError, match="default computed in Python"):
            defaulted.rows(connection, {"id": 1})
