"""Writes that arrive together are committed together (dispatch.batches), on the test
database: one transaction for the lot, and one's failure stays its own."""

import asyncio
import threading
from collections.abc import Callable
from itertools import count

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dispatch.admission import WriteTurns
from dispatch.batches import WriteBatches
from dispatch.db import for_writing
from dispatch.errors import NotFound
from models import Station
from tests.conftest import POSTGRES_URL

Work = Callable[[Session], int]
_sessions = count()  # a number for each session a work runs in


def batches_on(engine: Engine) -> WriteBatches:
    turns = WriteTurns(serial_writes=engine.dialect.name == "sqlite")
    return WriteBatches(for_writing(engine), turns)


def add_station(code: str, transactions: list[int], fail: bool = False) -> Work:
    def work(session: Session) -> int:
        station = Station(name=code, code=code, lat=32.04, lon=118.78)
        session.add(station)
        session.flush()
        transactions.append(session.info.setdefault("n", next(_sessions)))
        if fail:
            raise NotFound("station", 0)
        assert station.id is not None
        return station.id

    return work


def stored_codes(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.exec(select(Station.code)).all())


def test_writes_that_arrive_together_share_one_transaction(engine: Engine) -> None:
    batches, transactions = batches_on(engine), list[int]()

    async def arrive_together() -> list[int]:
        works = [add_station(f"s{n}", transactions) for n in range(6)]
        return [
            result
            for result, _info in await asyncio.gather(
                *(batches.write(work, together=1) for work in works)
            )
        ]

    ids = asyncio.run(arrive_together())

    assert len(set(transactions)) == 1  # all six in one
    assert len(set(ids)) == 6
    assert stored_codes(engine) == [f"s{n}" for n in range(6)]
    with Session(engine) as session:  # each answer is its own row's
        rows = session.exec(select(Station).where(col(Station.id).in_(ids))).all()
        assert {row.id: row.code for row in rows} == {ids[n]: f"s{n}" for n in range(6)}


def test_one_failing_write_fails_alone_and_the_others_are_stored(engine: Engine) -> None:
    batches, transactions = batches_on(engine), list[int]()

    async def arrive_together() -> list[object]:
        works = [add_station(f"s{n}", transactions, fail=n == 2) for n in range(5)]
        return await asyncio.gather(
            *(batches.write(work, together=1) for work in works), return_exceptions=True
        )

    answers = asyncio.run(arrive_together())

    assert isinstance(answers[2], NotFound)
    assert all(isinstance(answer, tuple) for n, answer in enumerate(answers) if n != 2)
    assert stored_codes(engine) == ["s0", "s1", "s3", "s4"]  # not the failed one's row
    # Together first (rolled back at the failure), then each in a transaction of its own.
    assert len(set(transactions[3:])) == 5


def test_a_write_alone_goes_at_once_and_its_error_reaches_its_caller(engine: Engine) -> None:
    batches, transactions = batches_on(engine), list[int]()

    _result, _info = asyncio.run(batches.write(add_station("alone", transactions)))
    with pytest.raises(NotFound):
        asyncio.run(batches.write(add_station("failing", transactions, fail=True)))

    assert stored_codes(engine) == ["alone"]
    assert len(transactions) == 2


@pytest.mark.skipif(
    not POSTGRES_URL, reason="SQLite has one writer: every write waits for the one before"
)
def test_writes_of_another_station_do_not_wait_for_one_held_up(engine: Engine) -> None:
    batches, transactions = batches_on(engine), list[int]()
    held = threading.Event()

    def held_up(session: Session) -> int:
        assert held.wait(timeout=20)
        return add_station("held", transactions)(session)

    async def two_stations() -> None:
        first = asyncio.ensure_future(batches.write(held_up, together=1))
        await asyncio.sleep(0.05)  # writing, and held up
        await asyncio.wait_for(batches.write(add_station("other", transactions), together=2), 10)
        assert not first.done()
        held.set()
        await first

    asyncio.run(two_stations())

    assert stored_codes(engine) == ["held", "other"]
