"""Admission: how many requests run at once, and on SQLite one writing request at a time.

A request runs in worker threads and holds a database connection while it does. Let every
arriving request in, and under load the threads fill with requests waiting for a connection
(or, on SQLite, for the write lock, SQLite's busy handler sleeping and polling) while the
requests that hold one wait for a thread to finish: everything stalls until timeouts fire.
Waiting here instead, in the event loop, holds neither a thread nor a connection, and requests
go in arrival order. Reads are not serialised: WAL lets them run beside the one writer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import anyio.from_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from dispatch.db import POOL_CONNECTIONS

READS = frozenset({"GET", "HEAD", "OPTIONS"})
OWN_WRITE_TURNS = "own_write_turns"
# Fewer than the connections of the pool, and than the thread pool's 40 workers.
IN_FLIGHT = POOL_CONNECTIONS - 4


@dataclass
class _Gates:
    running: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(IN_FLIGHT))
    writing: asyncio.Lock = field(default_factory=asyncio.Lock)


class WriteTurns:
    """The gates, per event loop (tests may serve the app from more than one), shared by the
    middleware and the long writes that take their turns themselves (write_turn)."""

    def __init__(self, *, serial_writes: bool) -> None:
        self.serial_writes = serial_writes
        self._gates: WeakKeyDictionary[asyncio.AbstractEventLoop, _Gates] = WeakKeyDictionary()

    def here(self) -> _Gates:
        loop = asyncio.get_running_loop()
        gates = self._gates.get(loop)
        if gates is None:
            gates = self._gates[loop] = _Gates()
        return gates


@contextmanager
def write_turn(turns: WriteTurns) -> Iterator[None]:
    """One turn at writing, from a request's worker thread: a long write (an import) writes
    in parts, each in a turn of its own, and the requests that arrived meanwhile (a
    volunteer's outcome) go in between instead of waiting for the whole of it."""
    if not turns.serial_writes:
        yield
        return
    lock = anyio.from_thread.run(_acquire, turns)
    try:
        yield
    finally:
        anyio.from_thread.run_sync(lock.release)


async def _acquire(turns: WriteTurns) -> asyncio.Lock:
    lock = turns.here().writing
    await lock.acquire()
    return lock


class Admission:
    def __init__(
        self,
        app: ASGIApp,
        *,
        turns: WriteTurns,
        own_turns: Callable[[str], bool],
        ungated: Collection[str] = (),
    ) -> None:
        """`own_turns(path)`: requests that take their write turns themselves. `ungated`:
        paths that never wait here (a liveness probe: a supervisor that saw it wait behind a
        full house would restart a busy, healthy server)."""
        self.app = app
        self.turns = turns
        self.own_turns = own_turns
        self.ungated = frozenset(ungated)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.ungated:
            await self.app(scope, receive, send)
            return
        gates = self.turns.here()
        own = self.own_turns(scope["path"])
        if own:  # its database session reads only; its writes take their own turns
            scope.setdefault("state", {})[OWN_WRITE_TURNS] = True
        serial = self.turns.serial_writes and not own
        if serial and scope["method"] not in READS:
            async with gates.writing, gates.running:
                await self.app(scope, receive, send)
            return
        async with gates.running:
            await self.app(scope, receive, send)
