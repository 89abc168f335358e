"""The threads the outcomes' transactions run in (dispatch.worker_threads)."""

import asyncio
import contextvars
import threading
import time

import pytest

from dispatch.worker_threads import WorkerThreads

language = contextvars.ContextVar("language", default="en")


def test_a_job_answers_with_its_result_or_its_error_from_another_thread() -> None:
    threads = WorkerThreads(2, "test")

    def where(x: int) -> tuple[int, str, str]:
        return x * 2, threading.current_thread().name, language.get()

    def fails() -> None:
        raise LookupError("nothing there")

    async def run() -> tuple[int, str, str]:
        language.set("zh")
        answer = await threads.run(where, 21)
        with pytest.raises(LookupError, match="nothing there"):
            await threads.run(fails)
        return answer

    try:
        value, thread, seen = asyncio.run(run())
    finally:
        threads.close()
    assert value == 42
    assert thread.startswith("test-")
    assert thread != threading.current_thread().name
    assert seen == "zh"  # the caller's context goes with the job


def test_no_more_threads_than_allowed_and_every_job_is_done() -> None:
    threads = WorkerThreads(2, "test")
    running, most_at_once, lock = 0, 0, threading.Lock()

    def job(n: int) -> int:
        nonlocal running, most_at_once
        with lock:
            running += 1
            most_at_once = max(most_at_once, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return n

    async def run() -> list[int]:
        return await asyncio.gather(*(threads.run(job, n) for n in range(7)))

    try:
        assert asyncio.run(run()) == list(range(7))
        assert asyncio.run(run()) == list(range(7))  # the same threads, another loop
    finally:
        threads.close()
    assert most_at_once == 2


def test_a_job_whose_caller_went_away_still_runs_to_its_end() -> None:
    threads = WorkerThreads(1, "test")
    started, finished = threading.Event(), threading.Event()

    def transaction() -> str:
        started.set()
        time.sleep(0.1)
        finished.set()
        return "committed"

    async def give_up() -> None:
        waiting = asyncio.create_task(threads.run(transaction))
        await asyncio.to_thread(started.wait, 5)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert await threads.run(lambda: "next") == "next"  # the thread serves on

    try:
        asyncio.run(give_up())
    finally:
        threads.close()
    assert finished.is_set()


def test_closing_ends_the_threads_after_the_work_given() -> None:
    threads = WorkerThreads(3, "closing")

    async def run() -> None:
        await asyncio.gather(*(threads.run(time.sleep, 0.02) for _ in range(3)))

    asyncio.run(run())
    assert [t for t in threading.enumerate() if t.name.startswith("closing-")]
    threads.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("closing-")]
