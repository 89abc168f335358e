"""Short writes that arrive together are written together: one transaction, one commit.

A volunteer's outcome is a few statements; its transaction's begin, the audit chain's head,
the commit (on SQLite, the write to disk) and the trip to a worker thread cost as much again.
Outcomes that arrive while another one's transaction runs wait for it in the event loop (on
SQLite they would wait for the one writer anyway), then go together, in arrival order, in
one transaction. If any of them fails, that transaction is rolled back and each is written
again on its own, so that one's error is its own and the others are stored as if alone.
A write that finds nobody writing goes at once: nothing waits for company.

On PostgreSQL, where writers run side by side, only writes of one station go together
(`together`): each station's audit chain has its own lock, and a station whose chain is held
must not hold up the others' writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlmodel import Session

from dispatch.admission import WriteTurns
from dispatch.db import POOL_CONNECTIONS
from dispatch.worker_threads import WorkerThreads

T = TypeVar("T")
Work = Callable[[Session], Any]
# What a transaction noted for after its commit (dispatch.deps: auth changes, messages).
Info = dict[Any, Any]
Done = tuple[Any, BaseException | None]  # a work's result, or its error

MOST = 32  # writes in one transaction
_ALL = "all"  # the one queue where the database has one writer


@dataclass
class _Queue:
    """Writes waiting for their turn, and the task writing them (while it runs, the queue
    is in its loop's queues)."""

    waiting: list[tuple[Work, asyncio.Future[tuple[Any, Info]]]] = field(default_factory=list)
    writer: asyncio.Task[None] | None = None


class WriteBatches:
    """The queues of each event loop (tests may serve the app from more than one)."""

    def __init__(self, engine: Engine, turns: WriteTurns) -> None:
        """`engine`: one whose transactions write (dispatch.db.for_writing)."""
        self.engine = engine
        self.turns = turns
        # SQLite writes one transaction at a time; more threads than connections would wait.
        self.threads = WorkerThreads(1 if turns.serial_writes else POOL_CONNECTIONS, "writer")
        self._queues: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, _Queue]] = (
            WeakKeyDictionary()
        )

    def close(self) -> None:
        """At the server's end: the writes under way are finished, then the threads end."""
        self.threads.close()

    async def write(
        self, work: Callable[[Session], T], together: Hashable | None = None
    ) -> tuple[T, Info]:
        """`work`'s result once committed, with what its transaction noted; or its error.
        `together`: what the writes that may share a transaction have in common (a station);
        None: this one goes alone, unless the database has one writer (SQLite), where all
        writes wait for each other anyway."""
        if self.turns.serial_writes:
            together = _ALL
        elif together is None:
            [(result, error)], info = await self._in_turn([work])
            if error is not None:
                raise error
            return result, info
        loop = asyncio.get_running_loop()
        queues = self._queues.get(loop)
        if queues is None:
            queues = self._queues[loop] = {}
        queue = queues.get(together)
        if queue is None:  # nobody writing: a writer for this write and those that follow
            queue = queues[together] = _Queue()
            queue.writer = loop.create_task(self._write_all(queues, together))
        done: asyncio.Future[tuple[Any, Info]] = loop.create_future()
        queue.waiting.append((work, done))
        written: tuple[T, Info] = await done
        return written

    async def _write_all(self, queues: dict[Hashable, _Queue], together: Hashable) -> None:
        queue = queues[together]
        batch: list[tuple[Work, asyncio.Future[tuple[Any, Info]]]] = []
        try:
            while queue.waiting:
                batch, queue.waiting = queue.waiting[:MOST], queue.waiting[MOST:]
                try:
                    finished, info = await self._in_turn([work for work, _ in batch])
                except Exception as error:  # told to each writer of the batch
                    finished, info = [(None, error)] * len(batch), {}
                for (_work, future), (result, failure) in zip(batch, finished, strict=True):
                    if future.done():  # its request went away
                        continue
                    if failure is None:
                        future.set_result((result, info))
                    else:
                        future.set_exception(failure)
        except BaseException:  # the server stops: nobody is left waiting for ever
            for _work, future in batch + queue.waiting:
                future.cancel()
            queue.waiting = []
            raise
        finally:
            del queues[together]  # empty: the next write starts another

    async def _in_turn(self, works: list[Work]) -> tuple[list[Done], Info]:
        if not self.turns.serial_writes:
            return await self.threads.run(_write, self.engine, works)
        async with self.turns.here().writing:  # SQLite: the one writer's turn
            return await self.threads.run(_write, self.engine, works)


def _write(engine: Engine, works: list[Work]) -> tuple[list[Done], Info]:
    if len(works) > 1:
        try:
            with Session(engine, expire_on_commit=False) as session:
                results = [work(session) for work in works]
                session.commit()
            return [(result, None) for result in results], session.info
        except Exception:  # each is written again on its own, below
            pass
    finished: list[Done] = []
    info: Info = {}
    for work in works:
        session = Session(engine, expire_on_commit=False)
        try:
            with session:  # closed whatever happens: what was not committed is rolled back
                result = work(session)
                session.commit()
        except Exception as error:  # the error of this work's request
            finished.append((None, error))
            continue
        finished.append((result, None))
        info |= session.info
    return finished, info
