"""Threads of their own for the short blocking work every outcome does.

The phones' outcomes each take one trip from the event loop to a thread and back for their
transaction (dispatch.batches). Through AnyIO's thread pool that trip cost about 200,000
instructions, as much as the transaction's statements: a capacity limiter, a cancel scope
and a task-local lookup on the way there and back. Here a job is a queue entry taken by a
waiting thread, and its answer a callback scheduled on the job's event loop: about 30,000.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_Job = tuple[
    contextvars.Context,
    Callable[..., Any],
    tuple[Any, ...],
    asyncio.AbstractEventLoop,
    "asyncio.Future[Any]",
]


class WorkerThreads:
    """At most `most` threads, started when a job finds none waiting; each waits for the
    next job once it is done. A job runs to its end even when its awaiting task is
    cancelled (a transaction is not cut in half); its answer then goes nowhere."""

    def __init__(self, most: int, name: str) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._most = most
        self._name = name
        self._threads: list[threading.Thread] = []
        self._waiting = 0  # threads done with a job, not yet given another
        self._lock = threading.Lock()

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in one of the threads, in a copy of this task's context."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._waiting:
                self._waiting -= 1
            elif len(self._threads) < self._most:
                self._start()
            # Otherwise the job waits in the queue for the first thread to be done.
        self._jobs.put((contextvars.copy_context(), function, args, loop, answer))
        return await answer

    def close(self, seconds: float = 10.0) -> None:
        """Each thread ends once the jobs before its end are done; waited for `seconds` in
        all (they are daemons: one stuck does not keep the process)."""
        with self._lock:
            threads, self._threads, self._waiting = self._threads, [], 0
        for _ in threads:
            self._jobs.put(None)
        deadline = time.monotonic() + seconds
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _start(self) -> None:
        thread = threading.Thread(
            target=self._serve, name=f"{self._name}-{len(self._threads)}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            context, function, args, loop, answer = job
            try:
                result = context.run(function, *args)
            except BaseException as error:  # the awaiting task's to handle
                _answer(loop, _fail, answer, error)
            else:
                _answer(loop, _settle, answer, result)
            with self._lock:
                self._waiting += 1


def _answer(
    loop: asyncio.AbstractEventLoop,
    how: Callable[[asyncio.Future[Any], Any], None],
    answer: asyncio.Future[Any],
    value: Any,
) -> None:
    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
        loop.call_soon_threadsafe(how, answer, value)


def _settle(answer: asyncio.Future[Any], result: Any) -> None:
    if not answer.done():  # not cancelled meanwhile
        answer.set_result(result)


def _fail(answer: asyncio.Future[Any], error: BaseException) -> None:
    if not answer.done():
        answer.set_exception(error)
