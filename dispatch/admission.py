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
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from starlette.types import ASGIApp, Receive, Scope, Send

from dispatch.db import POOL_CONNECTIONS

READS = frozenset({"GET", "HEAD", "OPTIONS"})
# Fewer than the connections of the pool, and than the thread pool's 40 workers.
IN_FLIGHT = POOL_CONNECTIONS - 4


@dataclass
class _Gates:
    running: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(IN_FLIGHT))
    writing: asyncio.Lock = field(default_factory=asyncio.Lock)


class Admission:
    def __init__(self, app: ASGIApp, *, serial_writes: bool) -> None:
        self.app = app
        self.serial_writes = serial_writes
        # Gates per event loop (tests may serve the app from more than one).
        self.gates: WeakKeyDictionary[asyncio.AbstractEventLoop, _Gates] = WeakKeyDictionary()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        gates = self.gates.get(loop)
        if gates is None:
            gates = self.gates[loop] = _Gates()
        if self.serial_writes and scope["method"] not in READS:
            async with gates.writing, gates.running:
                await self.app(scope, receive, send)
            return
        async with gates.running:
            await self.app(scope, receive, send)
